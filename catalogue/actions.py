"""Every action the service knows, with its category and the fields its events must carry.

The reference rows (what the support platform we are measured against records) are
all here, plus what its users asked for beyond them, plus the service's own access
actions. Sentences live in the language modules (en.py, de.py), keyed by these names.
"""

from __future__ import annotations

import enum


class Category(enum.StrEnum):
    """The group an action belongs to, for filter menus."""

    ACCESS = "access"
    AGENTS_AND_TEAMS = "agents_and_teams"
    CONFIGURATION = "configuration"
    CONVERSATIONS = "conversations"
    CONTACTS = "contacts"
    INTEGRATIONS = "integrations"
    SECURITY = "security"
    AUDIT_LOG = "audit_log"
    CUSTOM = "custom"


T = ("target",)  # the record acted upon: {type, id, name}
TID = ("target", "target.id")
MEMBER = ("target", "target.id", "metadata.member_id")
CRUD = ("create", "update", "delete")

# name -> (category, required fields). Required fields are paths of AuditLogInput.
ACTIONS: dict[str, tuple[Category, tuple[str, ...]]] = {
    # access: signing in and out, custom roles
    "user.sign_in": (Category.ACCESS, ("actor.id",)),
    "user.sign_out": (Category.ACCESS, ("actor.id",)),
    "user.sign_up": (Category.ACCESS, ("actor.id",)),
    **{f"custom_role.{verb}": (Category.ACCESS, TID) for verb in CRUD},
    # security: credentials, MFA, single sign-on
    "user.password_change": (Category.SECURITY, ("actor.id",)),
    "user.password_reset": (Category.SECURITY, ("target", "target.id")),
    "user.mfa_enable": (Category.SECURITY, ("actor.id",)),
    "user.mfa_disable": (Category.SECURITY, ("actor.id",)),
    "user.access_token_reset": (Category.SECURITY, ("actor.id",)),
    "sso_settings.update": (Category.SECURITY, ()),
    "sso_settings.enable": (Category.SECURITY, ()),
    "sso_settings.disable": (Category.SECURITY, ()),
    # agents and teams
    "account_user.create": (Category.AGENTS_AND_TEAMS, TID),
    "account_user.update": (Category.AGENTS_AND_TEAMS, TID),
    "account_user.delete": (Category.AGENTS_AND_TEAMS, TID),
    "account_user.go_online": (Category.AGENTS_AND_TEAMS, ("actor.id",)),
    "account_user.go_offline": (Category.AGENTS_AND_TEAMS, ("actor.id",)),
    **{f"team.{verb}": (Category.AGENTS_AND_TEAMS, TID) for verb in CRUD},
    "team_member.add": (Category.AGENTS_AND_TEAMS, MEMBER),
    "team_member.remove": (Category.AGENTS_AND_TEAMS, MEMBER),
    "inbox_member.add": (Category.AGENTS_AND_TEAMS, MEMBER),
    "inbox_member.remove": (Category.AGENTS_AND_TEAMS, MEMBER),
    # configuration
    "account.update": (Category.CONFIGURATION, ()),
    **{f"inbox.{verb}": (Category.CONFIGURATION, TID) for verb in CRUD},
    **{f"automation_rule.{verb}": (Category.CONFIGURATION, TID) for verb in CRUD},
    **{f"macro.{verb}": (Category.CONFIGURATION, TID) for verb in CRUD},
    **{f"sla_policy.{verb}": (Category.CONFIGURATION, TID) for verb in CRUD},
    **{f"label.{verb}": (Category.CONFIGURATION, TID) for verb in CRUD},
    **{f"canned_response.{verb}": (Category.CONFIGURATION, TID) for verb in CRUD},
    **{f"custom_attribute.{verb}": (Category.CONFIGURATION, TID) for verb in CRUD},
    **{f"campaign.{verb}": (Category.CONFIGURATION, TID) for verb in CRUD},
    **{f"portal.{verb}": (Category.CONFIGURATION, TID) for verb in CRUD},
    **{f"article.{verb}": (Category.CONFIGURATION, TID) for verb in (*CRUD, "publish")},
    # conversations
    "conversation.delete": (Category.CONVERSATIONS, TID),
    "conversation.status_change": (Category.CONVERSATIONS, TID),
    "conversation.assignee_change": (Category.CONVERSATIONS, TID),
    "conversation.team_change": (Category.CONVERSATIONS, TID),
    "conversation.priority_change": (Category.CONVERSATIONS, TID),
    "conversation.label_add": (Category.CONVERSATIONS, (*TID, "metadata.label")),
    "conversation.label_remove": (Category.CONVERSATIONS, (*TID, "metadata.label")),
    "message.update": (Category.CONVERSATIONS, (*TID, "metadata.conversation_id")),
    "message.delete": (Category.CONVERSATIONS, (*TID, "metadata.conversation_id")),
    "report.export": (Category.CONVERSATIONS, ("metadata.report",)),
    # contacts
    **{f"contact.{verb}": (Category.CONTACTS, TID) for verb in CRUD},
    "contact.merge": (Category.CONTACTS, (*TID, "metadata.merged_contact_id")),
    "contact.import": (Category.CONTACTS, ("metadata.count",)),
    "contact.export": (Category.CONTACTS, ()),
    # integrations
    **{f"webhook.{verb}": (Category.INTEGRATIONS, TID) for verb in CRUD},
    **{f"agent_bot.{verb}": (Category.INTEGRATIONS, TID) for verb in CRUD},
    "integration.connect": (Category.INTEGRATIONS, T),
    "integration.update": (Category.INTEGRATIONS, T),
    "integration.disconnect": (Category.INTEGRATIONS, T),
    # the audit log's own access changes
    "audit_log.role_granted": (Category.AUDIT_LOG, (*TID, "metadata.role")),
    "audit_log.role_revoked": (Category.AUDIT_LOG, (*TID, "metadata.role")),
    "audit_log.api_token_created": (Category.AUDIT_LOG, (*TID, "metadata.role")),
    "audit_log.api_token_revoked": (Category.AUDIT_LOG, TID),
    "audit_log.exported": (Category.AUDIT_LOG, ("metadata.format", "metadata.count")),
    # log streams (issue 13): their configuration, and a stream that keeps failing
    "audit_log.stream_created": (Category.AUDIT_LOG, TID),
    "audit_log.stream_updated": (Category.AUDIT_LOG, TID),
    "audit_log.stream_paused": (Category.AUDIT_LOG, TID),
    "audit_log.stream_resumed": (Category.AUDIT_LOG, TID),
    "audit_log.stream_deleted": (Category.AUDIT_LOG, TID),
    "audit_log.stream_replayed": (Category.AUDIT_LOG, TID),
    "audit_log.stream_failing": (Category.AUDIT_LOG, TID),
}

"""The catalogue covers the reference product and what its users asked for."""

from __future__ import annotations

import re

import pytest

from catalogue import SPECS, Category, actions_in, category_of, lookup, suggestions

# Every row of the reference product's audit table (shared/reference/activities.md).
REFERENCE = [
    "account.update",
    "account_user.create",
    "account_user.update",
    "user.sign_in",
    "user.sign_out",
    *(f"inbox.{v}" for v in ("create", "update", "delete")),
    "inbox_member.add",
    "inbox_member.remove",
    *(f"team.{v}" for v in ("create", "update", "delete")),
    "team_member.add",
    "team_member.remove",
    *(f"webhook.{v}" for v in ("create", "update", "delete")),
    *(f"automation_rule.{v}" for v in ("create", "update", "delete")),
    *(f"macro.{v}" for v in ("create", "update", "delete")),
    "conversation.delete",
    "message.delete",
    "sla_policy.delete",
    *(f"agent_bot.{v}" for v in ("create", "update", "delete")),
]

# What its users asked for beyond it.
BEYOND = [
    "user.sign_in",  # failed sign-ins: outcome FAILURE
    "user.password_change",
    "user.password_reset",
    "user.mfa_enable",
    "user.mfa_disable",
    "user.access_token_reset",
    "account_user.delete",
    "user.sign_up",
    *(f"label.{v}" for v in ("create", "update", "delete")),
    *(f"canned_response.{v}" for v in ("create", "update", "delete")),
    *(f"custom_attribute.{v}" for v in ("create", "update", "delete")),
    *(f"contact.{v}" for v in ("create", "update", "merge", "import", "export", "delete")),
    "conversation.status_change",
    "conversation.assignee_change",
    "conversation.team_change",
    "conversation.label_add",
    "conversation.label_remove",
    "conversation.priority_change",
    "message.update",
    "report.export",
    "contact.export",
    *(f"campaign.{v}" for v in ("create", "update", "delete")),
    *(f"portal.{v}" for v in ("create", "update", "delete")),
    *(f"article.{v}" for v in ("create", "update", "delete", "publish")),
    "integration.connect",
    "integration.update",
    "integration.disconnect",
    "sso_settings.update",
    *(f"custom_role.{v}" for v in ("create", "update", "delete")),
    "sla_policy.create",
    "sla_policy.update",
    "account_user.go_online",
    "account_user.go_offline",
]

OWN = [
    "audit_log.role_granted",
    "audit_log.role_revoked",
    "audit_log.api_token_created",
    "audit_log.api_token_revoked",
]


@pytest.mark.parametrize("name", REFERENCE + BEYOND + OWN)
def test_catalogue_covers(name: str) -> None:
    assert lookup(name) is not None


def test_reference_rows_are_all_covered() -> None:
    assert len(set(REFERENCE)) == 30  # the 14 rows of the table name 30 actions
    assert all(name in SPECS for name in REFERENCE)


def test_names_are_lower_snake_entity_dot_verb() -> None:
    pattern = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
    assert all(pattern.match(name) for name in SPECS)


def test_required_fields_are_paths_the_validator_knows() -> None:
    allowed = re.compile(r"^(target(\.id)?|actor\.id|metadata\.[a-z_]+)$")
    assert all(allowed.match(path) for spec in SPECS.values() for path in spec.requires)


def test_custom_actions_have_their_own_category() -> None:
    assert category_of("custom.anything") is Category.CUSTOM
    assert category_of("nothing.known") is None
    assert category_of("inbox.create") is Category.CONFIGURATION


def test_actions_in_lists_a_categorys_actions() -> None:
    assert "user.password_change" in actions_in([Category.SECURITY])
    assert "inbox.create" not in actions_in([Category.SECURITY])


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("inbox.crate", "inbox.create"),
        ("user.signin", "user.sign_in"),
        ("webhok.update", "webhook.update"),
    ],
)
def test_typos_get_the_closest_names(typo: str, meant: str) -> None:
    assert suggestions(typo)[0] == meant

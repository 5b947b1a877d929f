"""What each activity of the support platform looks like: its action, target, changes, metadata.

Every action is a catalogue action (or a `custom.` one) carrying the fields the
catalogue requires, so the service accepts each generated event. How often each
happens is in activity_mix.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from bench import vocabulary as words
from bench.accounts import Account
from models.audit_log import Outcome
from resolvers.entries import Change, Target


@dataclass(frozen=True)
class Draft:
    """What happened, before who, when and from where are added."""

    action: str
    target: Target | None = None
    changes: tuple[Change, ...] = ()
    metadata: dict[str, object] = field(default_factory=dict)
    outcome: Outcome = Outcome.SUCCESS
    failure_reason: str | None = None


Builder = Callable[[random.Random, Account], Draft]


def _pick(rng: random.Random, records: tuple[tuple[str, str], ...], kind: str) -> Target:
    record_id, name = rng.choice(records)
    return Target(kind, record_id, name)


def _person(rng: random.Random, account: Account) -> Target:
    person = rng.choice(account.users)
    return Target("user", person.id, person.name)


def _conversation(rng: random.Random) -> Target:
    return Target("conversation", str(rng.randint(1, 250_000)))


def _contact(rng: random.Random) -> Target:
    first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
    return Target("contact", str(rng.randint(1, 2_000_000)), f"{first} {last}")


def plain(action: str, **metadata: object) -> Builder:
    """An action about the actor itself, such as signing in or going online."""

    def build(rng: random.Random, account: Account) -> Draft:
        return Draft(action, metadata=dict(metadata))

    return build


def sign_in(rng: random.Random, account: Account) -> Draft:
    method = rng.choices(("password", "google_oauth", "saml"), (6, 3, 1))[0]
    return Draft("user.sign_in", metadata={"method": method, "mfa": rng.random() < 0.4})


def failed_sign_in(rng: random.Random, account: Account) -> Draft:
    return Draft(
        "user.sign_in",
        metadata={"method": "password", "attempt": rng.randint(1, 6)},
        outcome=Outcome.FAILURE,
        failure_reason=rng.choice(words.FAILED_SIGN_IN_REASONS),
    )


def status_change(rng: random.Random, account: Account) -> Draft:
    before, after = rng.choice((("open", "resolved"), ("resolved", "open"), ("open", "pending")))
    return Draft(
        "conversation.status_change", _conversation(rng), (Change("status", before, after),)
    )


def assignee_change(rng: random.Random, account: Account) -> Draft:
    before, after = rng.choice(account.users), rng.choice(account.users)
    change = Change("assignee", before.name if rng.random() < 0.6 else None, after.name)
    return Draft("conversation.assignee_change", _conversation(rng), (change,))


def team_change(rng: random.Random, account: Account) -> Draft:
    change = Change("team", None, rng.choice(account.teams)[1])
    return Draft("conversation.team_change", _conversation(rng), (change,))


def priority_change(rng: random.Random, account: Account) -> Draft:
    change = Change("priority", rng.choice((None, "low", "medium")), rng.choice(("high", "urgent")))
    return Draft("conversation.priority_change", _conversation(rng), (change,))


def label(verb: str) -> Builder:
    def build(rng: random.Random, account: Account) -> Draft:
        metadata = {"label": rng.choice(words.LABELS)}
        return Draft(f"conversation.label_{verb}", _conversation(rng), metadata=metadata)

    return build


def message(verb: str) -> Builder:
    def build(rng: random.Random, account: Account) -> Draft:
        target = Target("message", str(rng.randint(1, 9_000_000)))
        metadata = {"conversation_id": str(rng.randint(1, 250_000))}
        return Draft(f"message.{verb}", target, metadata=metadata)

    return build


INBOX_CHANGES: tuple[Callable[[random.Random, str], Change], ...] = (
    lambda rng, name: Change("name", name, f"{name} {rng.choice(('EU', 'US', '2', 'new'))}"),
    lambda rng, name: Change(
        "greeting_message", "Hi there!", f"Hello from the {name} team, how can we help?"
    ),
    lambda rng, name: Change("enable_auto_assignment", rng.random() < 0.5, rng.random() < 0.5),
    lambda rng, name: Change("csat_survey_enabled", False, True),
    lambda rng, name: Change(
        "working_hours",
        [{"day": d, "open": "09:00", "close": "17:00"} for d in range(1, 6)],
        [{"day": d, "open": "08:00", "close": "18:00"} for d in range(1, 6)],
    ),
    lambda rng, name: Change("out_of_office_message", None, "We are closed for the holidays."),
    lambda rng, name: Change("imap_password", "old", "new"),
)


def inbox_update(rng: random.Random, account: Account) -> Draft:
    target = _pick(rng, account.inboxes, "inbox")
    makers = rng.sample(INBOX_CHANGES, rng.randint(1, 3))
    return Draft("inbox.update", target, tuple(make(rng, target.name or "") for make in makers))


def record(entity: str, verb: str, records: str, **metadata: object) -> Builder:
    """create/delete (or any verb without changes) of one of the account's named records."""

    def build(rng: random.Random, account: Account) -> Draft:
        return Draft(f"{entity}.{verb}", _pick(rng, getattr(account, records), entity), ())

    return build


def member(entity: str, verb: str) -> Builder:
    records = "teams" if entity == "team_member" else "inboxes"
    kind = "team" if entity == "team_member" else "inbox"

    def build(rng: random.Random, account: Account) -> Draft:
        person = rng.choice(account.users)
        metadata = {"member_id": person.id, "member_name": person.name}
        return Draft(f"{entity}.{verb}", _pick(rng, getattr(account, records), kind), (), metadata)

    return build


def webhook_update(rng: random.Random, account: Account) -> Draft:
    target = _pick(rng, account.webhooks, "webhook")
    events = rng.sample(words.WEBHOOK_EVENTS, rng.randint(1, 4))
    changes = [Change("subscriptions", events[:1], events)]
    if rng.random() < 0.3:
        changes.append(Change("secret", "whsec_old", "whsec_new"))
    if rng.random() < 0.2:
        changes.append(Change("url", f"{target.name}?v=1", target.name))
    return Draft("webhook.update", target, tuple(changes))


def rule_update(rng: random.Random, account: Account) -> Draft:
    conditions = [
        {"attribute_key": "status", "filter_operator": "equal_to", "values": ["open"]},
        {"attribute_key": "inbox_id", "filter_operator": "equal_to", "values": [rng.randint(1, 9)]},
    ]
    changes = [Change("conditions", conditions[:1], conditions)]
    if rng.random() < 0.5:
        changes.append(Change("active", True, rng.random() < 0.5))
    if rng.random() < 0.3:
        chosen = rng.choice(words.LABELS)
        changes.append(Change("actions", [], [{"action_name": "add_label", "params": [chosen]}]))
    return Draft(
        "automation_rule.update", _pick(rng, account.rules, "automation_rule"), tuple(changes)
    )


def canned_response(verb: str) -> Builder:
    def build(rng: random.Random, account: Account) -> Draft:
        code = rng.choice(words.CANNED_RESPONSES)
        target = Target("canned_response", str(rng.randint(1, 400)), code)
        changes = (Change("content", f"Old text for {code}", f"New text for {code}"),)
        return Draft(f"canned_response.{verb}", target, changes if verb == "update" else ())

    return build


def account_user(verb: str) -> Builder:
    def build(rng: random.Random, account: Account) -> Draft:
        if verb == "update":
            change = rng.choice(
                (Change("role", "agent", "administrator"), Change("auto_offline", True, False))
            )
            return Draft("account_user.update", _person(rng, account), (change,))
        role = rng.choices(("agent", "administrator"), (5, 1))[0]
        return Draft(f"account_user.{verb}", _person(rng, account), metadata={"role": role})

    return build


def contact(verb: str) -> Builder:
    def build(rng: random.Random, account: Account) -> Draft:
        target = _contact(rng)
        if verb == "merge":
            metadata: dict[str, object] = {"merged_contact_id": str(rng.randint(1, 2_000_000))}
            return Draft("contact.merge", target, metadata=metadata)
        if verb == "update":
            field_name = rng.choice(("email", "phone_number", "company", "city"))
            return Draft("contact.update", target, (Change(field_name, None, "updated"),))
        return Draft(f"contact.{verb}", target)

    return build


def bulk(action: str) -> Builder:
    def build(rng: random.Random, account: Account) -> Draft:
        metadata: dict[str, object] = {"count": rng.randint(10, 90_000), "format": "csv"}
        if action == "report.export":
            metadata = {"report": rng.choice(("Agent performance", "CSAT", "Conversations"))}
        return Draft(action, metadata=metadata)

    return build


def account_update(rng: random.Random, account: Account) -> Draft:
    change = rng.choice(
        (
            Change("locale", "en", rng.choice(("de", "pt_BR", "es", "fr"))),
            Change("auto_resolve_duration", None, rng.choice((7, 14, 30))),
        )
    )
    return Draft("account.update", Target("account", account.id, account.company), (change,))


def integration_update(rng: random.Random, account: Account) -> Draft:
    app = rng.choice(words.INTEGRATIONS)
    changes = (Change("settings", {"channel": "#support"}, {"channel": "#support-alerts"}),)
    return Draft("integration.update", Target("integration", app, app.title()), changes)


def auto_resolve(rng: random.Random, account: Account) -> Draft:
    draft = status_change(rng, account)
    changes = (Change("status", "open", "resolved"),)
    return Draft(draft.action, draft.target, changes, {"reason": "auto_resolve_after_inactivity"})


def conversation_delete(rng: random.Random, account: Account) -> Draft:
    inbox_id, inbox = rng.choice(account.inboxes)
    metadata = {"inbox_id": inbox_id, "inbox": inbox, "messages": rng.randint(1, 80)}
    return Draft("conversation.delete", _conversation(rng), metadata=metadata)


def retention_delete(rng: random.Random, account: Account) -> Draft:
    metadata = {"reason": "retention_policy", "older_than_days": 365}
    return Draft("conversation.delete", _conversation(rng), metadata=metadata)


def webhook_disable(rng: random.Random, account: Account) -> Draft:
    target = _pick(rng, account.webhooks, "webhook")
    changes = (Change("enabled", True, False),)
    return Draft("webhook.update", target, changes, {"consecutive_failures": 20})


def crm_sync(rng: random.Random, account: Account) -> Draft:
    metadata = {"synced": rng.randint(1, 500), "provider": rng.choice(("hubspot", "salesforce"))}
    return Draft("custom.crm_sync", metadata=metadata)

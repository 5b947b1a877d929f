"""How often users, API clients and the system do each activity (weights, not shares)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate

from bench.actions import (
    Builder,
    account_update,
    account_user,
    assignee_change,
    auto_resolve,
    bulk,
    canned_response,
    contact,
    conversation_delete,
    crm_sync,
    failed_sign_in,
    inbox_update,
    integration_update,
    label,
    member,
    message,
    plain,
    priority_change,
    record,
    retention_delete,
    rule_update,
    sign_in,
    status_change,
    team_change,
    webhook_disable,
    webhook_update,
)


@dataclass(frozen=True)
class Mix:
    """Builders with cumulative weights, ready for `random.choices`."""

    builders: tuple[Builder, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weighted: tuple[tuple[Builder, float], ...]) -> Mix:
        """Return the mix of (builder, weight) pairs."""
        return cls(tuple(b for b, _ in weighted), tuple(accumulate(w for _, w in weighted)))

    def choose(self, rng: random.Random) -> Builder:
        """Draw one builder."""
        return rng.choices(self.builders, cum_weights=self.cumulative)[0]


USERS = Mix.of(
    (
        (sign_in, 16),
        (failed_sign_in, 2.5),
        (plain("user.sign_out"), 8),
        (plain("account_user.go_online"), 4),
        (plain("account_user.go_offline"), 4),
        (status_change, 10),
        (assignee_change, 6),
        (team_change, 1.5),
        (priority_change, 1.5),
        (label("add"), 4),
        (label("remove"), 1),
        (conversation_delete, 1.5),
        (message("update"), 0.5),
        (message("delete"), 0.5),
        (inbox_update, 3),
        (record("inbox", "create", "inboxes"), 0.2),
        (record("inbox", "delete", "inboxes"), 0.1),
        (member("inbox_member", "add"), 1),
        (member("inbox_member", "remove"), 0.4),
        (member("team_member", "add"), 1.5),
        (member("team_member", "remove"), 0.6),
        (webhook_update, 0.8),
        (record("webhook", "create", "webhooks"), 0.2),
        (record("webhook", "delete", "webhooks"), 0.1),
        (rule_update, 2),
        (record("automation_rule", "create", "rules"), 0.5),
        (record("automation_rule", "delete", "rules"), 0.3),
        (canned_response("create"), 0.6),
        (canned_response("update"), 1),
        (account_user("update"), 1.2),
        (account_user("create"), 0.4),
        (account_user("delete"), 0.2),
        (contact("update"), 3),
        (contact("delete"), 0.5),
        (contact("merge"), 0.5),
        (bulk("contact.export"), 0.2),
        (bulk("contact.import"), 0.1),
        (bulk("report.export"), 0.4),
        (account_update, 0.1),
        (plain("user.password_change"), 0.3),
        (plain("user.mfa_enable"), 0.1),
        (integration_update, 0.2),
    )
)

CLIENTS = Mix.of(
    (
        (contact("update"), 5),
        (contact("create"), 3),
        (contact("merge"), 0.7),
        (bulk("contact.import"), 0.3),
        (status_change, 2),
        (label("add"), 1.5),
        (assignee_change, 1),
        (account_user("create"), 0.5),
        (account_user("delete"), 0.3),
        (member("team_member", "add"), 0.4),
        (crm_sync, 2),
    )
)

SYSTEM = Mix.of(
    (
        (auto_resolve, 4),
        (assignee_change, 2),
        (retention_delete, 1),
        (webhook_disable, 0.3),
        (contact("delete"), 0.5),
    )
)

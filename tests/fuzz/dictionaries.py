"""Argument values that carry generated operations past validation, into the service's logic.

Left to itself Schemathesis draws page sizes, time zones and ids at random, so nearly
every read stops at argument validation and none returns rows. Here each such argument
gets a small dictionary of real values, drawn half of the time; the other half stays
random. The run writes them as the `schemathesis.toml` it passes with --config-file.
"""

from __future__ import annotations

import json

from catalogue import SPECS
from schema.ids import to_global_id

PROBABILITY = 0.5
# Every event of a batch must pass for any to be stored: these are drawn nearly always.
LIKELY = 0.9
LIKELY_BINDINGS = (
    "Mutation.recordAuditLogs.input[*].action",
    "Mutation.recordAuditLogs.input[*].accountId",
)
# Catalogue actions that need no actor id or target, and custom ones, which need neither.
FREE_ACTIONS = [spec.name for spec in SPECS.values() if not spec.requires][:5]
ACTIONS = ["inbox.create", "inbox.*", "team.member_add", "webhook.*", "custom.a_b", "api_token.*"]
SEARCHES = [
    "action:inbox.*",
    'actor:"Alice Smith"',
    "actor:alice@example.com",
    "category:security",
    "target:inbox:5",
    "ip:203.0.113.0/24",
    "-ip:10.0.0.0/8",
    "occurred:>=now-7d",
    "occurred:2026-01-01..2026-01-31",
    "occurred:<2026-11-01T12:00:00Z",
    "request:req-9",
    "alice support",
    '"tier 2" -action:webhook.update',
    "tag:security -tag:crm",
    "meta.member_id:2",
    'meta.plan:"pro plan"',
]
DICTIONARIES: dict[str, list[object]] = {
    "page-sizes": [1, 3, 50, 100],
    "facet-limits": [1, 10, 100],
    "searches": SEARCHES,
    "time-zones": ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"],
    "locales": ["en", "de", "fr", "de-DE", "pt-BR"],
    "actions": ACTIONS,
    "recorded-actions": [*FREE_ACTIONS, "custom.fuzz_event", "custom.a_b"],
    "tags": ["gdpr", "security", "integrations", "Billing", "two words"],
    "metadata-keys": ["member_id", "conditions", "plan", ""],
    "ip-addresses": ["203.0.113.7", "10.0.0.0/8", "2001:db8::/32", "192.0.2.55"],
    "actor-ids": ["1", "2", "host-app"],
    "target-types": ["inbox", "team", "webhook"],
    "accounts": ["demo"],  # the tokens' account; any other is refused
    "user-ids": ["1", "2", "3"],  # never the fuzzing subjects: their roles stay as signed
    # The demo events are the first rows of a fresh database; 0 and 2**64 are edges.
    "audit-log-ids": [to_global_id("AuditLog", n) for n in (1, 2, 150, 300, 0, 2**64)],
    "api-token-ids": [to_global_id("ApiToken", n) for n in (1, 2, 3, 0, 2**64)],
}
FILTERED = ("auditLogs", "auditLogFacets", "auditLogHistogram")
BINDINGS: dict[str, str] = {
    "Query.auditLogs.first": "page-sizes",
    "Query.auditLogs.last": "page-sizes",
    "Query.auditLogFacets.limit": "facet-limits",
    "Query.auditLogHistogram.timeZone": "time-zones",
    "Query.auditLog.id": "audit-log-ids",
    "*.*.locale": "locales",
    "Mutation.revokeApiToken.input.id": "api-token-ids",
    "Mutation.grantRole.input.userId": "user-ids",
    "Mutation.revokeRole.input.userId": "user-ids",
    "Mutation.recordAuditLogs.input[*].action": "recorded-actions",
    "Mutation.recordAuditLogs.input[*].ipAddress": "ip-addresses",
    "Mutation.recordAuditLogs.input[*].accountId": "accounts",
    **{f"Query.{field}.query": "searches" for field in FILTERED},
    **{f"Query.{field}.filter.actions[*]": "actions" for field in FILTERED},
    **{f"Query.{field}.filter.ipAddresses[*]": "ip-addresses" for field in FILTERED},
    **{f"Query.{field}.filter.actorIds[*]": "actor-ids" for field in FILTERED},
    **{f"Query.{field}.filter.targetTypes[*]": "target-types" for field in FILTERED},
    **{f"Query.{field}.filter.tags[*]": "tags" for field in FILTERED},
    **{f"Query.{field}.filter.metadata[*].key": "metadata-keys" for field in FILTERED},
    "Mutation.recordAuditLogs.input[*].tags[*]": "tags",
}


def config_toml() -> str:
    """Return a schemathesis.toml binding each argument above to its dictionary."""
    lines = []
    for name, values in DICTIONARIES.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    lines.append("[parameters]")
    for key, name in BINDINGS.items():
        probability = LIKELY if key in LIKELY_BINDINGS else PROBABILITY
        lines.append(f'"{key}" = {{ dictionary = "{name}", probability = {probability} }}')
    return "\n".join(lines) + "\n"

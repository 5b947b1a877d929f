"""The export job's GraphQL input becomes the request GET /export takes, losing nothing."""

from __future__ import annotations

import datetime as dt

from catalogue import Category
from export.formats import Format
from export.request import filter_from_json
from models.audit_log import ActorType, Outcome
from models.export_job import ExportFormat
from schema.export_types import filter_body
from schema.inputs import AuditLogFilter, MetadataFilter
from schema.scalars import BigInt

BERLIN = dt.timezone(dt.timedelta(hours=1))


def test_every_filter_field_survives_the_trip_through_the_stored_json() -> None:
    given = AuditLogFilter(
        actions=["inbox.*", "webhook.create"],
        categories=[Category.SECURITY, Category.CUSTOM],
        actor_ids=["1"],
        actor_types=[ActorType.API_CLIENT],
        outcomes=[Outcome.FAILURE],
        target_types=["inbox"],
        target_ids=["5"],
        occurred_after=dt.datetime(2026, 11, 1, 0, 0, 0, 250, tzinfo=BERLIN),
        occurred_before=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        ip_addresses=["10.0.0.0/8", "2001:db8::1"],
        request_id="req-9",
        after_sequence=BigInt(9_007_199_254_740_993),
        search="alice support",
        tags=["gdpr"],
        metadata=[MetadataFilter(key="plan", value="pro"), MetadataFilter(key="seats", value="5")],
    )
    fields = given.__strawberry_definition__.fields  # type: ignore[attr-defined]
    assert all(getattr(given, field.python_name) is not None for field in fields)
    body = filter_body(given)
    assert body["afterSequence"] == "9007199254740993"
    assert body["categories"] == ["SECURITY", "CUSTOM"]
    assert filter_from_json(body) == given.to_value()


def test_fields_left_out_are_left_out_of_the_stored_json() -> None:
    assert filter_body(AuditLogFilter(tags=["gdpr"])) == {"tags": ["gdpr"]}


def test_the_graphql_export_formats_are_the_formats_export_writes() -> None:
    assert [fmt.value for fmt in ExportFormat] == [fmt.value for fmt in Format]

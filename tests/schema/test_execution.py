"""The lean executor answers exactly as graphql-core's ordinary path does, only faster."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from models.audit_log import ActorType, Outcome
from resolvers.entries import Actor, Change, Entry, Target
from schema import build_schema
from schema.execution import LeanExecutionContext, shortcut
from schema.scalars import SCALAR_OVERRIDES
from schema.types import AuditLog
from settings import Settings
from tests.conftest import GraphQLClient, TokenFactory

WHEN = dt.datetime(2026, 11, 3, 14, 5, 9, 123456, tzinfo=dt.UTC)


def entry(**overrides: Any) -> Entry:
    values: dict[str, Any] = {
        "id": 7,
        "account_id": "acme",
        "sequence": 3,
        "action": "inbox.update",
        "actor": Actor(ActorType.USER, "u-1", "Zoë Müller", None),
        "target": Target("inbox", "42", "Support"),
        "changes": [Change("name", "Old", "New"), Change("enabled", None, True)],
        "metadata": {"nested": {"list": [1, 2.5, None]}, "ünïcode": "✓"},
        "tags": ("gdpr", "billing"),
        "outcome": Outcome.SUCCESS,
        "failure_reason": None,
        "ip_address": "203.0.113.9",
        "user_agent": None,
        "request_id": "req-1",
        "occurred_at": WHEN,
        "recorded_at": WHEN,
    }
    return Entry(**{**values, **overrides})


@strawberry.type
class EntryQuery:
    @strawberry.field
    def entries(self) -> list[AuditLog]:
        return [
            AuditLog.from_value(entry(), None),
            AuditLog.from_value(entry(id=8, target=None, changes=[]), "de"),
        ]


ENTRY_FIELDS = """
  category description de: description(locale: "de") en: description(locale: $locale)
  id sequence action outcome failureReason __typename
  actor { type externalId name email } target { type externalId name }
  changes { field before after } metadata tags
  ipAddress userAgent requestId occurredAt recordedAt
"""


def both(query: type, document: str, variables: dict[str, Any] | None = None) -> list[Any]:
    """The same document run by the lean executor and by the ordinary one."""
    answers = []
    for executor in (LeanExecutionContext, StrawberryGraphQLCoreExecutionContext):
        schema = strawberry.Schema(
            query=query, execution_context_class=executor, scalar_overrides=SCALAR_OVERRIDES
        )
        result = schema.execute_sync(document, variable_values=variables)
        errors = [(e.message, e.path) for e in result.errors or []]
        answers.append((result.data, errors))
    return answers


def test_audit_log_entries_match_the_ordinary_executor_field_for_field() -> None:
    document = f"query($locale: String) {{ entries {{ {ENTRY_FIELDS} }} }}"
    lean, ordinary = both(EntryQuery, document, {"locale": "en"})
    assert lean == ordinary
    data, errors = lean
    assert errors == []
    assert list(data["entries"][0]) == list(ordinary[0]["entries"][0])  # field order kept
    assert data["entries"][0]["description"].startswith("Zoë Müller")
    assert data["entries"][1]["description"] != data["entries"][1]["en"]  # "de" by default


def test_pure_method_reads_its_argument_from_a_variable_and_a_literal() -> None:
    document = (
        'query($l: String) { entries { v: description(locale: $l) l: description(locale: "de") } }'
    )
    lean, ordinary = both(EntryQuery, document, {"l": "de"})
    assert lean == ordinary
    assert lean[0]["entries"][0]["v"] == lean[0]["entries"][0]["l"]


class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class Odd:
    name: str
    count: int
    colour: Colour
    note: str | None

    @strawberry.field
    def shout(self, suffix: str = "!") -> str:
        if not suffix:
            raise ValueError("suffix must not be empty")
        return self.name.upper() + suffix


class Never(BasePermission):
    message = "not allowed"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.type
class OddQuery:
    @strawberry.field
    def items(self) -> list[Odd]:
        fine = Odd(name="a", count=1, colour=Colour.RED, note=None)
        no_name = Odd(name=None, count=2, colour=Colour.RED, note="n")  # type: ignore[arg-type]
        bad_count = Odd(name="c", count="many", colour=Colour.RED, note=None)  # type: ignore[arg-type]
        bad_colour = Odd(name="d", count=4, colour="blue", note=None)  # type: ignore[arg-type]
        return [fine, no_name, bad_count, bad_colour]

    @strawberry.field(extensions=[PermissionExtension([Never()], use_directives=False)])
    def secret(self) -> str:
        return "hidden"


@pytest.mark.parametrize(
    "selection",
    ["name count colour note", "note name", "count", "colour", "shout", 'shout(suffix: "")'],
    ids=["all", "null-in-non-null", "refused-int", "refused-enum", "method", "method-raises"],
)
def test_values_the_shortcut_cannot_complete_fail_as_they_always_did(selection: str) -> None:
    lean, ordinary = both(OddQuery, f"{{ items {{ {selection} }} }}")
    assert lean == ordinary


def test_errors_still_name_the_field_and_null_the_item() -> None:
    (data, errors), _ = both(OddQuery, "{ items { name } }")
    assert data is None or data["items"] is None  # [Odd!]! propagates the null upwards
    assert errors[0] == (
        "Cannot return null for non-nullable field Odd.name.",
        ["items", 1, "name"],
    )


def test_fields_behind_a_permission_are_never_shortcut() -> None:
    lean, ordinary = both(OddQuery, "{ secret }")
    assert lean == ordinary
    assert lean[1] == [("not allowed", ["secret"])]


@strawberry.type
class Inner:
    name: str | None

    @strawberry.field
    async def later(self, fail: bool = False) -> str:
        if fail:
            raise ValueError("later failed")
        return "later"


@strawberry.type
class Outer:
    required: Inner
    optional: Inner | None
    missing: Inner | None
    broken: Inner  # holds None: the ordinary path reports it
    many: list[Inner]
    odd_many: list[Inner] | None  # a tuple, a null item or a string: see NestedQuery


@strawberry.type
class NestedQuery:
    @strawberry.field
    def outers(self) -> list[Outer | None]:
        inner, nameless = Inner(name="in"), Inner(name=None)
        fine = Outer(
            required=inner,
            optional=nameless,
            missing=None,
            broken=inner,
            many=[inner, nameless],
            odd_many=(inner, inner),  # type: ignore[arg-type]
        )
        broken = Outer(
            required=inner,
            optional=nameless,
            missing=None,
            broken=None,  # type: ignore[arg-type]
            many=[],
            odd_many=[inner, None],  # type: ignore[list-item]
        )
        stringy = Outer(
            required=inner,
            optional=nameless,
            missing=None,
            broken=inner,
            many=[nameless],
            odd_many="ab",  # type: ignore[arg-type]
        )
        return [fine, broken, stringy]


@pytest.mark.parametrize(
    "selection",
    [
        "required { name } optional { name } missing { name }",
        "broken { name }",
        "required { later } optional { later name }",
        "required { later(fail: true) }",
        "optional { later(fail: true) } required { name }",
        "required { name later } broken { later }",
        "many { name } odd_many: oddMany { name }",
        "many { later name }",
        "many { later(fail: true) }",
        "oddMany { later(fail: true) }",
    ],
    ids=[
        "plain",
        "null-object",
        "async-inside",
        "async-fails-non-null",
        "async-fails",
        "mixed",
        "lists",
        "list-async",
        "list-async-fails",
        "odd-list-async-fails",
    ],
)
async def test_object_fields_complete_as_they_always_did(selection: str) -> None:
    answers = []
    for executor in (LeanExecutionContext, StrawberryGraphQLCoreExecutionContext):
        schema = strawberry.Schema(query=NestedQuery, execution_context_class=executor)
        result = await schema.execute(f"{{ outers {{ {selection} }} }}")
        answers.append((result.data, sorted((e.message, str(e.path)) for e in result.errors or [])))
    assert answers[0] == answers[1]
    assert answers[0][0] is not None and len(answers[0][0]["outers"]) == 3  # resolved


def test_shortcuts_cover_plain_fields_and_pure_methods_only() -> None:
    graphql = build_schema()._schema
    audit_log = graphql.type_map["AuditLog"]
    assert shortcut(audit_log, "action").attribute == "action"
    assert shortcut(audit_log, "failureReason").attribute == "failure_reason"
    assert shortcut(audit_log, "description").method is not None
    assert shortcut(audit_log, "actor").object_type is graphql.type_map["Actor"]
    assert shortcut(audit_log, "changes").is_list  # type: ignore[union-attr]
    assert shortcut(graphql.type_map["AuditLogConnection"], "pageInfo") is not None
    # A Node type checks each value, then still completes through the shortcut.
    assert shortcut(graphql.type_map["AuditLogEdge"], "node").object_type is audit_log  # type: ignore[union-attr]
    assert shortcut(graphql.type_map["PageInfo"], "hasNextPage") is None  # async
    assert shortcut(graphql.type_map["Query"], "auditLogs") is None  # permission


class Shouting(SchemaExtension):
    """A resolve hook: strawberry installs it as graphql-core middleware."""

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        result = _next(root, info, *args, **kwargs)
        return result.upper() if isinstance(result, str) else result


def test_a_middleware_sees_every_field_so_nothing_is_shortcut() -> None:
    schema = strawberry.Schema(
        query=OddQuery, execution_context_class=LeanExecutionContext, extensions=[Shouting]
    )
    result = schema.execute_sync("{ items { note } }")
    assert result.data == {"items": [{"note": None}, {"note": "N"}, {"note": None}, {"note": None}]}


async def test_requests_run_on_the_executor_the_settings_choose(
    settings: Settings,
    gql: GraphQLClient,
    make_token: TokenFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lean_calls: list[str] = []
    lean_execute_fields = LeanExecutionContext.execute_fields

    def spy(self: LeanExecutionContext, parent_type: Any, *args: Any) -> Any:
        lean_calls.append(parent_type.name)
        return lean_execute_fields(self, parent_type, *args)

    monkeypatch.setattr(LeanExecutionContext, "execute_fields", spy)
    status, body = await gql("{ viewer { externalId } }", token=make_token(["log_viewer"]))
    assert (status, body["data"]["viewer"]["externalId"]) == (200, "user-1")
    assert bool(lean_calls) is settings.lean_executor


@pytest.mark.parametrize(("lean", "executor"), [(True, LeanExecutionContext), (False, None)])
def test_build_schema_uses_the_lean_executor_only_when_asked(lean: bool, executor: Any) -> None:
    chosen = build_schema(lean_executor=lean).execution_context_class
    assert chosen is (executor or StrawberryGraphQLCoreExecutionContext)


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Pet(Named):
    legs: int


@strawberry.type
class Stone:
    name: str
    legs: int


@strawberry.type
class Owner:
    pet: Pet
    maybe_pet: Pet | None
    pets: list[Pet]


@strawberry.type
class InterfaceQuery:
    @strawberry.field
    def owners(self) -> list[Owner | None]:
        rex, stone = Pet(name="Rex", legs=4), Stone(name="rock", legs=0)
        fine = Owner(pet=rex, maybe_pet=None, pets=[rex, rex])
        odd = Owner(pet=stone, maybe_pet=stone, pets=[rex, stone])  # type: ignore[arg-type,list-item]
        return [fine, odd]


@pytest.mark.parametrize(
    "selection",
    ["pet { name legs } maybePet { name }", "pets { name legs }", "maybePet { legs } pet { name }"],
    ids=["objects", "list", "nullable-wrong-type"],
)
async def test_types_implementing_an_interface_complete_as_they_always_did(
    selection: str,
) -> None:
    answers = []
    for executor in (LeanExecutionContext, StrawberryGraphQLCoreExecutionContext):
        schema = strawberry.Schema(
            query=InterfaceQuery, types=[Pet], execution_context_class=executor
        )
        result = await schema.execute(f"{{ owners {{ {selection} }} }}")
        answers.append((result.data, sorted((e.message, str(e.path)) for e in result.errors or [])))
    assert answers[0] == answers[1]
    assert answers[0][1], "a value of the wrong type is reported"
    assert answers[0][0] is not None and answers[0][0]["owners"][0] is not None

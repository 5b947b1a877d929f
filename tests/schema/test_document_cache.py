"""The parse/validation cache: bounded by size, never holding large documents."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema
from graphql import parse

from schema import build_schema
from schema.document_cache import DocumentCache


def test_small_documents_are_kept_and_found_again() -> None:
    cache = DocumentCache()
    document = parse("{ viewer { id } }")
    cache.put("{ viewer { id } }", document)
    entry = cache.get("{ viewer { id } }")
    assert entry is not None and entry.document is document


def test_documents_above_the_per_query_limit_are_not_kept() -> None:
    cache = DocumentCache(max_query_chars=100)
    query = "{ viewer { id } }" + " " * 100
    assert cache.put(query, parse(query)) is None
    assert len(cache) == 0


def test_the_oldest_entries_leave_when_the_text_budget_is_spent() -> None:
    cache = DocumentCache(max_total_chars=1000, max_query_chars=400)
    queries = [f"{{ viewer {{ id }} }}# {i}" + " " * 300 for i in range(10)]
    for query in queries:
        cache.put(query, parse(query))
    assert cache.total_chars <= 1000
    assert cache.get(queries[-1]) is not None
    assert cache.get(queries[0]) is None


def test_recently_used_entries_survive_eviction() -> None:
    cache = DocumentCache(max_entries=2)
    cache.put("{ a }", parse("{ a }"))
    cache.put("{ b }", parse("{ b }"))
    cache.get("{ a }")
    cache.put("{ c }", parse("{ c }"))
    assert cache.get("{ a }") is not None
    assert cache.get("{ b }") is None


def test_many_distinct_large_queries_leave_the_schema_cache_within_budget() -> None:
    schema = build_schema()
    for i in range(40):
        query = '{ unknownField(query: "' + f"{i}" * 40_000 + '") }'
        assert schema.execute_sync(query).errors
    cache = schema.document_cache
    assert cache.total_chars <= cache.max_total_chars
    assert len(cache) == 0  # each is above the per-query limit


def test_a_repeated_query_is_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = strawberry_schema.validate_document

    def counting(*args: Any) -> Any:
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(strawberry_schema, "validate_document", counting)
    schema = build_schema()
    results = [schema.execute_sync("{ auditActions { nope } }") for _ in range(3)]
    assert len(calls) == 1
    assert all(result.errors and "nope" in result.errors[0].message for result in results)

"""Any export request, by query string or JSON body, is a file or a coded 400, never a 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import hypothesis
from hypothesis import given, seed
from hypothesis import strategies as st

from tests.conftest import TokenFactory
from tests.schema.test_properties import (
    PROPERTY_SETTINGS,
    any_text,
    filters,
    optional,
    queries,
    short_text,
)

settings_values = {
    "format": st.one_of(st.sampled_from(["csv", "ndjson", "json", "CSV", "xlsx"]), any_text),
    "order": st.one_of(st.sampled_from(["NEWEST_FIRST", "OLDEST_FIRST"]), any_text),
    "locale": st.one_of(st.sampled_from(["en", "de", "fr"]), any_text),
    "timeZone": st.one_of(st.sampled_from(["UTC", "Europe/Berlin", "../etc/passwd"]), any_text),
    "bom": st.one_of(st.booleans(), any_text),
}
columns = st.lists(
    st.one_of(st.sampled_from(["id", "sequence", "tags", "description", "actor"]), short_text),
    max_size=4,
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        **settings_values,
        "filter": st.one_of(filters, any_text, st.integers()),
        "query": optional(queries),
        "columns": st.one_of(columns, any_text),
    },
)


def assert_file_or_bad_input(response: httpx.Response) -> bool:
    """True for a file; a refusal must be a coded 400 naming a field."""
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        return True
    [problem, *_] = response.json()["errors"][0]["extensions"]["problems"]
    assert problem["field"] and problem["message"]
    return False


@PROPERTY_SETTINGS
@seed(20261203)
@given(body=bodies)
async def test_every_json_body_is_a_file_or_bad_input(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory, body: dict[str, Any]
) -> None:
    response = await client.post(
        "/export",
        content=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {make_token(roles=['log_viewer'])}"},
    )
    hypothesis.event("file" if assert_file_or_bad_input(response) else "refused")


@PROPERTY_SETTINGS
@seed(20261204)
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["format", "filter", "query", "columns", "bom", "order", "locale", "timeZone", "x"]
        ),
        any_text,
    )
)
async def test_every_query_string_is_a_file_or_bad_input(
    db: str, client: httpx.AsyncClient, make_token: TokenFactory, params: dict[str, str]
) -> None:
    safe = {
        key: value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        for key, value in params.items()
    }
    response = await client.get(
        "/export",
        params=safe,
        headers={"Authorization": f"Bearer {make_token(roles=['admin'])}"},
    )
    hypothesis.event("file" if assert_file_or_bad_input(response) else "refused")

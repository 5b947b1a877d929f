"""GraphiQL works offline: its page names only files this service serves, unchanged."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

from schema.ide import ASSETS_DIR, IdeAssetsError, offline_page

ASSET = re.compile(r'(?:src|href)="(/graphiql-assets/[^"]+)"\s+integrity="sha384-([^"]+)"')


async def page(client: httpx.AsyncClient) -> str:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return response.text


async def test_the_page_loads_nothing_from_another_host(client: httpx.AsyncClient) -> None:
    html = await page(client)
    assert not re.findall(r'(?:src|href)="https?://', html)
    assert len(ASSET.findall(html)) == 7


async def test_every_asset_is_served_and_matches_the_pages_integrity_hash(
    client: httpx.AsyncClient,
) -> None:
    for path, digest in ASSET.findall(await page(client)):
        response = await client.get(path)
        assert response.status_code == 200, path
        served = base64.b64encode(hashlib.sha384(response.content).digest()).decode()
        assert served == digest, f"{path} differs from the file the page names"


def test_every_vendored_file_has_its_licence_beside_it() -> None:
    licences = {path.name for path in ASSETS_DIR.glob("LICENSE-*")}
    assert licences == {
        "LICENSE-graphiql",
        "LICENSE-plugin-explorer",
        "LICENSE-react",
        "LICENSE-react-dom",
        "LICENSE-js-cookie",
    }


def test_a_page_naming_a_file_that_is_not_vendored_is_refused() -> None:
    with pytest.raises(IdeAssetsError, match=r"unpkg\.com/graphiql@9"):
        offline_page('<script src="https://unpkg.com/graphiql@9/graphiql.min.js"></script>')

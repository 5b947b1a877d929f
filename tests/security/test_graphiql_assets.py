"""GraphiQL works offline: its page names only files this service serves, unchanged."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx

from schema.ide import ASSETS_DIR, PAGE_ASSETS_DIR

ASSET = re.compile(r'(?:src|href)="(/graphiql-(?:assets|page)/[^"]+)"\s+integrity="sha384-([^"]+)"')


async def page(client: httpx.AsyncClient) -> str:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return response.text


async def test_the_page_loads_nothing_from_another_host(client: httpx.AsyncClient) -> None:
    html = await page(client)
    assert not re.findall(r'(?:src|href)="https?://', html)
    assert len(ASSET.findall(html)) == 8


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
    }


async def test_every_script_and_style_kept_here_is_one_the_page_loads(
    client: httpx.AsyncClient,
) -> None:
    loaded = {path.rsplit("/", 1)[1] for path, _ in ASSET.findall(await page(client))}
    kept = {
        path.name
        for folder in (ASSETS_DIR, PAGE_ASSETS_DIR)
        for path in folder.iterdir()
        if path.suffix in (".js", ".css")
    }
    assert kept == loaded

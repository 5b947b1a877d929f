"""The GraphiQL page, served with its assets from this service so it works offline.

Strawberry's template loads React, GraphiQL and the explorer plugin from unpkg.com; the
same files are vendored in `ui/graphiql/` and the page points at `/graphiql-assets/`.
The template's integrity hashes stay, so a browser refuses a file that differs.
"""

from __future__ import annotations

import re
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parents[1] / "ui" / "graphiql"
ASSETS_PATH = "/graphiql-assets"
CDN_FILES = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": (
        "react-dom.production.min.js"
    ),
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin-explorer.css",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": (
        "plugin-explorer.umd.js"
    ),
}
_EXTERNAL = re.compile(r"""(?:src|href)="(https?://[^"]+)\"""")


class IdeAssetsError(Exception):
    """The GraphiQL template names a file that is not vendored (after an upgrade)."""


def offline_page(html: str) -> str:
    """The GraphiQL page with every asset served by this service; refuse unknown ones."""
    for url, name in CDN_FILES.items():
        html = html.replace(url, f"{ASSETS_PATH}/{name}")
    remaining = _EXTERNAL.findall(html)
    if remaining:
        raise IdeAssetsError(
            f"GraphiQL's page loads {remaining[0]}, which ui/graphiql/ does not hold; "
            "vendor it as ui/graphiql/README.md describes."
        )
    return html

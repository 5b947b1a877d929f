"""The GraphiQL page: our own small page around GraphiQL, every file served by this service.

`ui/graphiql-page/page.html` loads GraphiQL's vendored files (`ui/graphiql/`, served at
`/graphiql-assets/`) and our script and styles (`ui/graphiql-page/assets/`, at
`/graphiql-page/`), each checked by its integrity hash. It runs no inline script: what
the script needs (the example query and, in development mode only, the log-viewer token)
travels in a JSON data block.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

UI_DIR = Path(__file__).resolve().parents[1] / "ui"
ASSETS_DIR = UI_DIR / "graphiql"
ASSETS_PATH = "/graphiql-assets"
PAGE_TEMPLATE = UI_DIR / "graphiql-page" / "page.html"
PAGE_ASSETS_DIR = UI_DIR / "graphiql-page" / "assets"
PAGE_ASSETS_PATH = "/graphiql-page"

EXAMPLE_QUERY = """\
# Your account's newest entries.
# Run: ▶ or Ctrl-Enter. Complete: Ctrl-Space.
# Docs: the book icon on the left.
query RecentEntries {
  auditLogs(first: 10) {
    totalCount
    edges {
      node {
        occurredAt
        description
        actor {
          name
        }
      }
    }
  }
}
"""
# Keeps "</script>" and friends out of the JSON data block, whatever a value holds.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def integrity(path: Path) -> str:
    """The subresource integrity value (SHA-384) of a file."""
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def ide_page(development_token: str | None = None) -> str:
    """The page's HTML; with `development_token` (development mode only) prefilled."""
    config = {"exampleQuery": EXAMPLE_QUERY, "developmentToken": development_token}
    replacements = {
        "{{page_css_integrity}}": integrity(PAGE_ASSETS_DIR / "page.css"),
        "{{page_js_integrity}}": integrity(PAGE_ASSETS_DIR / "page.js"),
        # Last, so that nothing in a value is taken for a marker.
        "{{config}}": json.dumps(config, ensure_ascii=False).translate(_SCRIPT_SAFE),
    }
    html = PAGE_TEMPLATE.read_text(encoding="utf-8")
    for marker, value in replacements.items():
        html = html.replace(marker, value)
    return html

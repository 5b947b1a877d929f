"""A headless browser for UI tests: Debian's chromium, driven by Playwright (Python).

No browser is downloaded: Playwright starts /usr/bin/chromium. Without it or without the
playwright package the tests are skipped, unless AUDITLOG_REQUIRE_TOOLS=1 (as in CI)
makes them fail.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.serving import require_tools

CHROMIUM = Path("/usr/bin/chromium")
# The network is closed on CI machines: without these, chromium waits on its own
# background connections (updates, sync, QUIC probes) before pages settle.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_browser() -> None:
    """Skip the test without chromium or playwright, or fail when tools are required."""
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright package (make .venv/.installed installs it)")
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    require_tools(missing, "UI tests need them")

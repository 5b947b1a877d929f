"""The UI tests' tool check: skip without chromium or playwright, fail when tools are required."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui import browser


def test_a_missing_chromium_skips_the_ui_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv("AUDITLOG_REQUIRE_TOOLS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        browser.require_browser()


def test_a_missing_chromium_fails_the_ui_tests_when_tools_are_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.setenv("AUDITLOG_REQUIRE_TOOLS", "1")
    with pytest.raises(pytest.fail.Exception, match="AUDITLOG_REQUIRE_TOOLS=1 requires them"):
        browser.require_browser()

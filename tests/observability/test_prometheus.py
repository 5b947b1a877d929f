"""A real Prometheus server scrapes the service under uvicorn and answers a query.

Needs Debian's `prometheus` package (/usr/bin/prometheus): skipped without it, failed
instead when AUDITLOG_REQUIRE_TOOLS=1 (as in CI).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.app_client import bearer
from tests.conftest import BACKENDS, POSTGRES_URL, SECRET, TokenFactory
from tests.serving import free_port, require_tools, running, serve_command

PROMETHEUS = Path("/usr/bin/prometheus")
SCRAPE_TOKEN = "scrape-secret-for-the-test"
CONFIG = """\
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: auditlog
    scrape_interval: 1s
    authorization:
      credentials: {token}
    static_configs:
      - targets: ["127.0.0.1:{port}"]
"""


@pytest.fixture(autouse=True)
def prometheus_installed() -> None:
    """Skip without Prometheus, unless the tools are required."""
    require_tools([] if PROMETHEUS.is_file() else [str(PROMETHEUS)], "apt-get install prometheus")


@pytest.fixture(params=BACKENDS)
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """`auditlog serve` under uvicorn on a free port; yields its base URL."""
    port = free_port()
    database = f"sqlite://{tmp_path}/served.sqlite3" if request.param == "sqlite" else POSTGRES_URL
    env = {
        **os.environ,
        "AUDITLOG_JWT_SECRET": SECRET,
        "AUDITLOG_DATABASE_URL": database,
        "AUDITLOG_METRICS_TOKEN": SCRAPE_TOKEN,
    }
    log = tmp_path / "service.log"
    base = f"http://127.0.0.1:{port}"
    with running(serve_command(port), env, log, f"{base}/healthz"):
        yield base


@pytest.fixture
def prometheus(service: str, tmp_path: Path) -> Iterator[str]:
    """Prometheus scraping the service every second; yields its base URL."""
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(CONFIG.format(token=SCRAPE_TOKEN, port=service.rsplit(":", 1)[1]))
    command = [
        str(PROMETHEUS),
        f"--config.file={config}",
        f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    log = tmp_path / "prometheus.log"
    base = f"http://127.0.0.1:{port}"
    with running(command, os.environ, log, f"{base}/-/ready"):
        yield base


def query(prometheus: str, expression: str) -> list[dict[str, object]]:
    response = httpx.get(f"{prometheus}/api/v1/query", params={"query": expression}, timeout=5)
    body = response.json()
    assert body["status"] == "success", body
    result: list[dict[str, object]] = body["data"]["result"]
    return result


def scraped_value(prometheus: str, expression: str, wanted: str) -> str | None:
    """The series' value once Prometheus has scraped `wanted` (or the last seen)."""
    seen = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        result = query(prometheus, expression)
        if result:
            value = result[0]["value"]
            assert isinstance(value, list)
            seen = str(value[1])
            if seen == wanted:
                return seen
        time.sleep(0.5)
    return seen


def test_prometheus_scrapes_the_request_count_by_operation(
    service: str, prometheus: str, make_token: TokenFactory
) -> None:
    token = make_token()
    for _ in range(3):
        response = httpx.post(
            f"{service}/graphql",
            json={"query": "query Viewer { viewer { id } }"},
            headers=bearer(token),
            timeout=10,
        )
        assert response.status_code == 200
    expression = 'auditlog_http_requests_total{job="auditlog",operation="Viewer",outcome="ok"}'
    assert scraped_value(prometheus, expression, "3") == "3"


def test_prometheus_sees_the_pool_only_on_postgres(
    service: str, prometheus: str, request: pytest.FixtureRequest
) -> None:
    assert scraped_value(prometheus, 'up{job="auditlog"}', "1") == "1"
    pool = query(prometheus, 'auditlog_db_pool_size{job="auditlog"}')
    on_postgres = "postgres" in request.node.callspec.id
    assert bool(pool) == on_postgres

"""A real Prometheus server scrapes the service under uvicorn and answers a query.

Needs Debian's `prometheus` package (/usr/bin/prometheus): skipped without it, failed
instead when AUDITLOG_REQUIRE_TOOLS=1 (as in CI).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.app_client import bearer
from tests.conftest import BACKENDS, POSTGRES_URL, SECRET, TokenFactory

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
    if PROMETHEUS.is_file():
        return
    if os.environ.get("AUDITLOG_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{PROMETHEUS} is missing; run: apt-get install prometheus")
    pytest.skip(f"{PROMETHEUS} is missing (apt-get install prometheus)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not come up: {log.read_text()[-2000:]}")


def start(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


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
    command = [sys.executable, "-c", "import sys, cli; sys.exit(cli.main())"]
    command += ["serve", "--port", str(port), "--no-demo"]
    log = tmp_path / "service.log"
    process = start(command, env, tmp_path, log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


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
    process = start(command, dict(os.environ), tmp_path, log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/-/ready", process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


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

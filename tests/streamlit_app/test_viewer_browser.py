"""The viewer in a real browser keeps serving while the pipeline runs and fails.

``incentives serve`` runs on a published warehouse, headless Chromium keeps
reloading the partner overview, and meanwhile ``incentives run`` rebuilds the
warehouse in another process: first a run that adds a deal and publishes,
then a run whose new batch cannot be read, which fails and publishes nothing.
On every reload the page must render without an error, and the partner's
won revenue must be the figure of a complete build: the old one until the
good run publishes, the new one from then on, and still the new one during
and after the failed run.

The test needs a Chromium (Debian's ``chromium`` package, or a browser named
by ``INCENTIVES_CHROMIUM``). Without one it is skipped, unless
``INCENTIVES_REQUIRE_BROWSER=1`` (as in CI), when it fails.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT
from streamlit_app.data.formatting import format_money

CASE_LANDING = PROJECT_ROOT.parent / "shared" / "cases" / "01-marginal-tiers-cap-fx" / "landing"
AS_OF = dt.date(2026, 12, 31)
# The partner and period the page opens on: the first partner, its latest period.
PARTNER, PERIOD = "P1", "2026-Q4"
# A won deal of the partner in that period, arriving as a second batch.
NEW_DEAL_HEADER = (
    "deal_id,partner_id,product_id,quantity,amount,currency,stage,created_at,"
    "expected_close_date,closed_at,cancelled_at,updated_at"
)
NEW_DEAL = (
    "D900,P1,A-100,10,12345.67,USD,won,2026-11-01T09:00:00Z,,"
    "2026-12-01T10:00:00Z,,2026-12-01T10:00:00Z"
)
SERVER_START_SECONDS = 60.0
RUN_TIMEOUT_SECONDS = 300.0
PAGE_TIMEOUT_MS = 30_000
# What the viewer shows when a query cannot be answered (see streamlit_app.data.connection).
READ_FAILURES = ("cannot be opened", "does not have what this page reads", "No published")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    named = os.environ.get("INCENTIVES_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    path = _chromium()
    if path is None:
        message = "no Chromium found (apt-get install chromium, or set INCENTIVES_CHROMIUM)"
        if os.environ.get("INCENTIVES_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", *args]


def _run(landing: Path, warehouse: Path) -> subprocess.Popen[str]:
    """``incentives run`` in its own process, as an operator would start it."""
    command = _cli("run", "--landing", str(landing), "--warehouse", str(warehouse))
    return subprocess.Popen(
        [*command, "--as-of", AS_OF.isoformat()],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _won(warehouse: Path) -> str:
    """The partner's won revenue as the page formats it, read from the published marts."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        [(won,)] = con.execute(
            "select won_usd from mart_partner_attainment where partner_id = ? and period = ?",
            [PARTNER, PERIOD],
        ).fetchall()
    finally:
        con.close()
    return format_money(won)


@dataclass
class Viewer:
    """A served viewer and a browser page on it."""

    url: str
    page: object

    def read(self) -> str:
        """Reload, wait for the page to finish, fail on any error; the Won figure shown."""
        page = self.page
        page.reload(wait_until="domcontentloaded")
        won = page.locator('[data-testid="stMetric"]', has_text="Won")
        won.wait_for(timeout=PAGE_TIMEOUT_MS)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"] button')"
            " && document.querySelectorAll('[data-testid=\"stMetric\"]').length >= 5",
            timeout=PAGE_TIMEOUT_MS,
        )
        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, exceptions.all_inner_texts()
        alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
        failures = [text for text in alerts if any(part in text for part in READ_FAILURES)]
        assert failures == [], failures
        header = page.locator("h2").first.inner_text()
        assert f"({PARTNER})" in header and PERIOD in page.inner_text("body"), header
        return won.locator('[data-testid="stMetricValue"]').inner_text().strip()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """Golden case 01 with its deals as a folder of batches, so more batches can arrive."""
    folder = tmp_path / "landing"
    shutil.copytree(CASE_LANDING, folder)
    (folder / "deals").mkdir()
    (folder / "deals.csv").rename(folder / "deals" / "batch-1.csv")
    return folder


@pytest.fixture
def warehouse(landing: Path, tmp_path: Path) -> Path:
    """The first published build."""
    path = tmp_path / "warehouse" / "incentives.duckdb"
    run = _run(landing, path)
    output, _ = run.communicate(timeout=RUN_TIMEOUT_SECONDS)
    assert run.returncode == 0, output
    return path


@pytest.fixture
def viewer(chromium: str, warehouse: Path) -> Iterator[Viewer]:
    """``incentives serve`` on the warehouse and a headless Chromium page on it."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    server = subprocess.Popen(
        _cli("serve", "--warehouse", str(warehouse), "--port", str(port)),
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"the viewer did not start on {url}")
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url, wait_until="domcontentloaded")
            yield Viewer(url, page)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def _reads_during(run: subprocess.Popen[str], viewer: Viewer) -> tuple[list[str], str]:
    """Every Won figure read while ``run`` is going; the run's output."""
    shown: list[str] = []
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while run.poll() is None:
        assert time.monotonic() < deadline, "the run did not finish"
        shown.append(viewer.read())
    output = run.stdout.read() if run.stdout else ""
    return shown, output


def test_the_viewer_serves_complete_builds_while_runs_publish_and_fail(
    viewer: Viewer, landing: Path, warehouse: Path
):
    old = _won(warehouse)
    assert viewer.read() == old

    (landing / "deals" / "batch-2.csv").write_text(f"{NEW_DEAL_HEADER}\n{NEW_DEAL}\n")
    run = _run(landing, warehouse)
    shown, output = _reads_during(run, viewer)
    assert run.returncode == 0, output
    new = _won(warehouse)
    assert new != old
    assert shown, "the page was never read while the run was going"
    assert set(shown) <= {old, new}, shown
    # Once the new build is shown, the page never goes back to the old one.
    if new in shown:
        assert all(value == new for value in shown[shown.index(new) :]), shown
    assert viewer.read() == new

    # A batch that cannot be read fails the run; the page keeps the last build.
    (landing / "deals" / "batch-3.parquet").write_bytes(b"PAR1 truncated")
    run = _run(landing, warehouse)
    shown, output = _reads_during(run, viewer)
    assert run.returncode != 0, output
    assert "batch-3.parquet" in output
    assert shown, "the page was never read while the failed run was going"
    assert set(shown) == {new}, shown
    assert _won(warehouse) == new
    assert viewer.read() == new

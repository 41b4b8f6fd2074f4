"""The dashboard and the report in Debian's chromium (Playwright), on the real data.

The server is the app ``gapcast serve`` runs (uvicorn on 127.0.0.1, a free port, in a
thread). Screenshots go to ``test-artifacts/`` (gitignored): ``dashboard.png`` and
``report-<lang>.png``.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api_helpers import copy_with_run
from gapcast.api import create_app
from gapcast.store import Store
from gapcast.usecases import report

pytestmark = [pytest.mark.browser, pytest.mark.mirror]

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
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
CHARTS = (
    "frontier-chart",
    "lag-chart",
    "fan-chart",
    "p-chart",
    "sensitivity-chart",
    "compare-chart",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium")
    if executable is None:
        # Never a skip: a browser test that silently skips proves nothing in CI.
        pytest.fail("Debian's chromium is not installed (.ci/run installs it: apt-get chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, mirror_db: Path) -> Iterator[str]:
    import uvicorn

    db = copy_with_run(mirror_db, tmp_path_factory.mktemp("web") / "web.duckdb")
    port = free_port()
    app = create_app(db, token=None, warmup=True)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def watch(page: Any) -> list[str]:
    """Collect console errors and uncaught exceptions of a page."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_dashboard_renders_and_the_slider_moves_the_forecast(browser: Any, server: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems = watch(page)
    page.goto(server + "/")
    page.wait_for_selector("#p-within-60", timeout=60_000)
    for chart in CHARTS:
        # heavy panels load one after another once the headline is drawn
        page.wait_for_selector(f"#{chart} .main-svg", timeout=300_000)
        points = page.evaluate(
            f"() => (document.getElementById('{chart}').data || [])"
            ".reduce((n, t) => n + ((t.x || []).length), 0)"
        )
        assert points > 0, f"{chart} has no data"
    page.wait_for_selector("#provenance-body table", timeout=30_000)
    assert "CC-BY-4.0" in page.inner_text("#provenance-body")
    assert page.locator("label[for=s-challenger-serving]").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    before = page.inner_text("#p-within-60")
    slider = page.locator("#s-challenger-serving")
    slider.focus()
    page.keyboard.press("Home")
    assert slider.input_value() == "0"
    page.wait_for_function(
        "before => document.querySelector('#p-within-60') && "
        "document.querySelector('#p-within-60').innerText !== before",
        arg=before,
        timeout=30_000,
    )
    after = page.inner_text("#p-within-60")
    assert float(after.split("%")[0]) > float(before.split("%")[0])
    assert "groups.challenger.serving.share" in page.get_attribute("#forecast-twin", "href")
    assert problems == []
    page.close()


def test_dashboard_answers_what_it_would_take(browser: Any, server: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems = watch(page)
    page.goto(server + "/")
    page.wait_for_selector("#wi-vary option", state="attached", timeout=60_000)
    page.select_option("#model", "structural")
    page.select_option("#wi-vary", "groups.challenger.compute.growth")
    page.fill("#wi-target", "80")
    page.keyboard.press("Tab")
    page.click("#wi-solve")
    # the what-if runs as a background job: a generous bound for a loaded machine
    page.wait_for_selector("#whatif-chart .main-svg", timeout=300_000)
    answer = page.inner_text("#wi-answer")
    assert "Challenger: growth of compute per year" in answer and "80% chance" in answer
    assert "groups.challenger" not in answer  # a label, never the field path
    assert "vary=groups.challenger.compute.growth" in page.get_attribute("#whatif-twin", "href")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#whatif-form >> xpath=..").screenshot(path=str(ARTIFACTS / "whatif.png"))
    assert problems == []
    page.close()


def test_dashboard_shows_the_track_record_when_scrolled_to(browser: Any, server: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems = watch(page)
    page.goto(server + "/")
    page.wait_for_selector("#p-within-60", timeout=60_000)
    page.locator("#record").scroll_into_view_if_needed()
    page.wait_for_selector("#track-record-body p.muted", timeout=30_000)
    assert "no nested backtest is stored yet" in page.inner_text("#track-record-body")
    # the first screen's card says the same, and how to make one
    assert "gapcast backtest" in page.inner_text("#a-record")
    page.locator("#record").screenshot(path=str(ARTIFACTS / "track-record.png"))
    assert problems == []
    page.close()


def test_dashboard_draws_the_sweep_map_when_scrolled_to(browser: Any, server: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems = watch(page)
    page.goto(server + "/")
    page.locator("#sweep").scroll_into_view_if_needed()
    page.wait_for_selector("#sweep-chart .heatmaplayer image", timeout=120_000)
    assert page.locator("#sweep-chart .contour").count() >= 1
    caption = page.inner_text("#sweep-caption")
    assert "structural model" in caption and "49 points" in caption
    assert "Sustained lead" in caption and "for 3 consecutive months" in caption
    assert page.get_attribute("#sweep-caption a.twin", "href") == "/api/sweep"
    page.locator("#sweep").screenshot(path=str(ARTIFACTS / "sweep-map.png"))
    assert problems == []
    page.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, mirror_db: Path) -> dict[str, Path]:
    with Store(mirror_db, read_only=True) as store:
        data = report.build(store, "baseline", draws=5000, save=False)
    written = report.write(data, tmp_path_factory.mktemp("report"), report.LANGS)
    return {path.stem.rsplit("-", 1)[1]: path for path in written}


@pytest.mark.parametrize("lang", report.LANGS)
def test_report_opens_without_errors(browser: Any, reports: dict[str, Path], lang: str) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    problems = watch(page)
    page.goto(reports[lang].as_uri())
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.locator("figure svg").count() >= 3
    assert page.locator("h2").count() >= 6
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-{lang}.png"), full_page=True)
    assert problems == []
    page.close()

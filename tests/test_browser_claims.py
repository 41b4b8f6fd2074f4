"""The dashboard's claims panel in Debian's chromium, over the mirror plus the claims file."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gapcast.api import create_app
from gapcast.store import Store
from gapcast.usecases.data import import_paths
from test_browser import ARTIFACTS, browser, free_port, watch
from test_claims_mirror import claims_path

pytestmark = [pytest.mark.browser, pytest.mark.mirror]
__all__ = ["browser"]  # the fixture, shared with the dashboard's own browser tests


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, mirror_db: Path) -> Iterator[str]:
    import uvicorn

    db = tmp_path_factory.mktemp("web-claims") / "web.duckdb"
    shutil.copyfile(mirror_db, db)
    with Store(db) as store:
        import_paths(store, [claims_path()])
    port = free_port()
    config = uvicorn.Config(create_app(db, token=None), host="127.0.0.1", port=port)
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


def test_claims_panel_puts_each_market_beside_gapcast(browser: Any, server: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems = watch(page)
    page.goto(server + "/")
    page.locator("#claims").scroll_into_view_if_needed()
    page.wait_for_selector("#claims[aria-busy=false]", timeout=300_000)
    page.wait_for_selector("#claims-chart .main-svg", timeout=30_000)
    rows = page.evaluate(
        "() => new Set(document.getElementById('claims-chart').data.flatMap(t => t.y)).size"
    )
    markers = page.evaluate(
        "() => document.getElementById('claims-chart').data.slice(1)"
        ".reduce((n, t) => n + t.x.length, 0)"
    )
    assert rows == 6  # the expert's and the five market events
    assert markers == 6  # one market price or expert figure each
    table = page.inner_text("#claims-table")
    assert "Why they differ" in table and "not computed" in table
    assert page.locator("#claims-table tbody tr").count() == 10
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#claims").screenshot(path=str(ARTIFACTS / "claims.png"))
    assert problems == []
    page.close()

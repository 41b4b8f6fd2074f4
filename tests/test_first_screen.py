"""The dashboard's first screen, at 1440x900 and 390x844, in Debian's chromium on the mirror.

The first screen must answer the question: the gap with its interval, the lag, the probability
with its real uncertainty, what drives it and the track record, all inside the viewport, with
no sideways scroll, no overlapping or clipped chart labels and no legend over a plot. The
headline must not wait for a side chart. Screenshots go to the test's ``tmp_path`` (their
paths are printed; ``pytest -s`` shows them).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api_helpers import copy_with_run
from gapcast.api import create_app
from gapcast.store import Store
from test_browser import CHROMIUM_ARGS, free_port, watch

pytestmark = [pytest.mark.browser, pytest.mark.mirror]

VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}
ANSWER = ("#a-gap", "#a-lag", "#headline", "#a-drivers", "#a-record")
CHARTS = (
    "frontier-chart",
    "lag-chart",
    "fan-chart",
    "p-chart",
    "compare-chart",
    "sensitivity-chart",
    "thesis-chart",
)
HEAVY = ("/api/sensitivity", "/api/compare", "/api/thesis")

LABEL_PROBLEMS = """
(id) => {
  const chart = document.getElementById(id);
  const box = chart.getBoundingClientRect();
  const texts = Array.from(chart.querySelectorAll(
    "g.xtick text, g.ytick text, .legendtext, .xtitle, .ytitle, .gtitle"))
    .filter((t) => t.textContent.trim() !== "")
    .map((t) => ({ text: t.textContent.trim(), r: t.getBoundingClientRect() }))
    .filter((t) => t.r.width > 0 && t.r.height > 0);
  const problems = [];
  const overlap = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) *
    Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  texts.forEach((t) => {
    if (t.r.left < box.left - 1 || t.r.right > box.right + 1 || t.r.top < box.top - 1 ||
        t.r.bottom > box.bottom + 1) problems.push("clipped: " + t.text);
  });
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      if (overlap(texts[i].r, texts[j].r) > 2) {
        problems.push("overlap: " + texts[i].text + " / " + texts[j].text);
      }
    }
  }
  const legend = chart.querySelector(".legend .bg");
  const plot = chart.querySelector(".nsewdrag");
  if (legend && plot && overlap(legend.getBoundingClientRect(), plot.getBoundingClientRect()) > 2) {
    problems.push("legend over the plot area");
  }
  return problems;
}
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium")
    assert executable is not None, "Debian's chromium is not installed (.ci/run installs it)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, mirror_db: Path, reduced_track_record: Any
) -> Iterator[str]:
    import uvicorn

    from gapcast.usecases import trust_nested

    db = copy_with_run(mirror_db, tmp_path_factory.mktemp("first") / "web.duckdb")
    with Store(db) as store:
        trust_nested.save(store, reduced_track_record)
    port = free_port()
    config = uvicorn.Config(
        create_app(db, token=None), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def _inside(page: Any, selector: str, width: int, height: int) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= width + 0.5, (selector, box)
    assert box["y"] + box["height"] <= height + 0.5, (selector, box)


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_first_screen_answers_the_question(
    browser: Any, server: str, size: str, tmp_path: Path
) -> None:
    width, height = VIEWPORTS[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    problems = watch(page)
    page.goto(server + "/")
    page.wait_for_selector("#p-within-60", timeout=120_000)
    page.wait_for_selector("#a-lag-value", timeout=60_000)
    page.wait_for_selector("#driver-0", timeout=300_000)
    page.wait_for_selector("#record-skill", timeout=300_000)
    page.wait_for_selector("#spread-note:has-text('scenarios'), #mc-error", timeout=60_000)

    first = tmp_path / f"first-screen-{size}.png"
    page.screenshot(path=str(first))
    print(f"\nfirst screen {width}x{height}: {first}")
    for selector in ANSWER:
        _inside(page, selector, width, height)
    headline = page.inner_text("#headline")
    assert "within 5 years" in headline
    assert ("range" in headline and "Monte Carlo error" in headline) or "90%" in headline
    assert "95%" in page.inner_text("#a-gap") and "months" in page.inner_text("#a-lag")
    assert "skill" in page.inner_text("#a-record")
    assert "Structural model" in page.inner_text("#a-record")  # the headline's own record
    drivers = page.inner_text("#a-drivers")
    assert "groups." not in drivers and "share of variance" in drivers
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    for chart in CHARTS:
        page.wait_for_selector(f"#{chart} .main-svg", timeout=120_000)
    page.wait_for_timeout(300)  # Plotly's automargin redraw
    for chart in CHARTS:
        page.locator(f"#{chart}").scroll_into_view_if_needed()
        assert page.evaluate(LABEL_PROBLEMS, chart) == [], chart
        text = page.inner_text(f"#{chart}")
        assert "groups.challenger" not in text and "growth_changes" not in text, chart
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    full = tmp_path / f"dashboard-{size}.png"
    page.screenshot(path=str(full), full_page=True)
    print(f"full page {width}x{height}: {full}")
    assert problems == []
    page.close()


def test_the_headline_never_waits_for_a_side_chart(browser: Any, server: str) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    events: list[tuple[str, str]] = []
    page.on("request", lambda r: events.append(("start", r.url)))
    page.on("requestfinished", lambda r: events.append(("done", r.url)))
    page.goto(server + "/")

    def first(kind: str, path: str) -> int:
        return next(i for i, (k, url) in enumerate(events) if k == kind and path in url)

    # every heavy panel has been asked for (the track-record card reads a stored run and can
    # draw before the forecast, so it says nothing about the order)
    for path in HEAVY:
        if not any(k == "start" and path in url for k, url in events):
            page.wait_for_event("request", lambda r, p=path: p in r.url, timeout=300_000)
    forecast_done = first("done", "/api/forecast")
    for path in HEAVY:
        assert first("start", path) > forecast_done, path

    events.clear()
    page.select_option("#model", "trend")
    page.wait_for_function(
        "() => document.querySelector('#headline').innerText.includes('trend model')",
        timeout=120_000,
    )
    # the drivers chart of the structural model may still be on the page: wait for the
    # trend model's request itself (the sync API runs the handlers only inside its calls,
    # so the check and the wait cannot miss it in between)
    if not any(k == "start" and "/api/sensitivity" in url for k, url in events):
        page.wait_for_event("request", lambda r: "/api/sensitivity" in r.url, timeout=300_000)
    forecast_done = first("done", "/api/forecast")
    assert first("start", "/api/sensitivity") > forecast_done
    page.wait_for_selector("#driver-0", timeout=300_000)
    page.close()


def test_the_page_says_which_parts_follow_the_group_choice(browser: Any, server: str) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(server + "/")
    page.wait_for_selector("#p-within-60", timeout=120_000)
    page.select_option("#groups", "accessibility")
    page.wait_for_function(
        "() => document.querySelector('#scope-note').innerText.includes('only')", timeout=60_000
    )
    note = page.inner_text("#scope-note")
    assert "United States vs China only" in note
    assert "closed" in page.inner_text("#a-gap").casefold()
    page.close()


HEADLINE = {
    "model": "structural",
    "event": "sustained",
    "definition": "ahead at some month and still ahead twelve months later",
    "p_within": {"12": 0.004, "36": 0.05, "60": 0.12},
    "interval90": {"12": [0.0, 0.02], "36": [0.01, 0.15], "60": [0.03, 0.31]},
    "strict": {
        "p_within": {"12": 0.006, "36": 0.08, "60": 0.17},
        "interval90": {"12": [0.0, 0.03], "36": [0.02, 0.2], "60": [0.05, 0.4]},
    },
    "mc_se": {"12": 0.0004, "36": 0.0015, "60": 0.0023},
    "lambda": {"mean": 0.8, "ci90": [0.1, 1.9], "status": "prior"},
    "data_can_tell": False,
}


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_structural_headline_is_shown_with_its_interval_when_the_api_gives_one(
    browser: Any, server: str, size: str, tmp_path: Path
) -> None:
    width, height = VIEWPORTS[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    problems = watch(page)

    def add_headline(route: Any) -> None:  # the forecast-v2 wire shape, before it lands
        response = route.fetch()
        body = response.json()
        body["headline"] = HEADLINE
        route.fulfill(response=response, json=body)

    page.route("**/api/forecast", add_headline)
    page.goto(server + "/")
    page.wait_for_selector("#mc-error", timeout=120_000)
    card = page.inner_text("#headline")
    assert page.inner_text("#p-within-60").split("\n") == ["12%", "within 5 years", "90% 3%–31%"]
    assert "still ahead twelve months later" in card
    assert "Ahead at least once (strict): 1% within 1 year, 8% within 3 years, 17% within 5" in card
    assert page.inner_text("#mc-error").startswith("Monte Carlo error ±0.2 pt: from the finite")
    lam = page.inner_text("#lambda")
    assert "0.80 (90% [0.10, 1.90])" in lam and "the prior" in lam and "cannot tell" in lam
    _inside(page, "#headline", width, height)
    shot = tmp_path / f"structural-headline-{size}.png"
    page.screenshot(path=str(shot))
    print(f"\nstructural headline {width}x{height}: {shot}")
    assert problems == []
    page.close()

"""Sweeps without a cluster: grids, task splitting, the exact merge, the forecast per point,
and ``gapcast sweep`` end to end on a synthetic store (``workers 0``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_helpers import cli_json, run_cli
from forecast_data import make_forecast_db
from gapcast.errors import RequestError
from gapcast.evaluate import sweep as sw
from gapcast.model import structural
from gapcast.scenario.files import apply_override, validate_scenario
from gapcast.store import Store
from gapcast.usecases import forecast as forecast_use
from gapcast.usecases import sweep as use
from gapcast.usecases import sweep_points as points_use
from sweep_data import GROWTH, SHARE, model_forecast, small_sweep


def test_axis_parse() -> None:
    axis = sw.Axis.parse(f"{GROWTH}=1.5:3.5:5")
    assert axis.path == GROWTH
    assert axis.values == (1.5, 2.0, 2.5, 3.0, 3.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("growth", "vary: 'growth' is not allowed; write PATH=LO:HI:N"),
        ("g=1:2", "vary: 'g=1:2' is not allowed; write PATH=LO:HI:N"),
        ("g=a:2:3", "vary: 'g=a:2:3': LO and HI must be numbers and N a whole number"),
        ("g=2:1:3", "vary: 'g=2:1:3': LO must be below HI"),
        ("g=1:2:1", "vary: 'g=1:2:1': N must be 2 to 200"),
    ],
)
def test_axis_errors(text: str, message: str) -> None:
    with pytest.raises(RequestError) as err:
        sw.Axis.parse(text)
    assert err.value.message == message


def test_grid_order_and_errors() -> None:
    s = small_sweep()
    assert s.shape == (3, 2)
    assert s.points[0] == ((GROWTH, 1.6), (SHARE, 0.4))
    assert s.points[1] == ((GROWTH, 1.6), (SHARE, 0.8))
    assert s.points[-1] == ((GROWTH, 3.2), (SHARE, 0.8))
    with pytest.raises(RequestError) as err:
        sw.grid([sw.Axis.parse("a=1:2:2"), sw.Axis.parse("a=1:3:2")], 10, 1)
    assert err.value.message == "vary: a path is varied twice: a, a"


@settings(max_examples=50, deadline=None)
@given(points=st.integers(1, 5), draws=st.integers(1, 300), chunk=st.integers(1, 400))
def test_tasks_cover_every_draw_once(points: int, draws: int, chunk: int) -> None:
    s = sw.origins([f"2024-0{i + 1}-01" for i in range(points)], draws, 1)
    work = sw.tasks(s, chunk)
    assert [t.index for t in work] == list(range(len(work)))
    for p in range(points):
        covered = [d for t in work if t.point == p for d in range(t.first, t.first + t.n)]
        assert covered == list(range(draws))
        assert all(1 <= t.n <= chunk for t in work)


def test_merge_counts_each_task_once_and_refuses_a_missing_one() -> None:
    s = sw.origins(["2024-01-01", "2024-02-01"], 5, 1)
    work = sw.tasks(s, 2)  # 3 tasks per point
    results = {t.index: {"n": np.array([t.n, 10 * t.point])} for t in work}
    merged = sw.merge(s, work, results)
    assert [m["n"].tolist() for m in merged] == [[5, 0], [5, 30]]
    del results[4]
    with pytest.raises(ValueError, match=r"1 task\(s\) have no result \(first: 4\)"):
        sw.merge(s, work, results)


def test_result_does_not_depend_on_chunking() -> None:
    s, fc = small_sweep(draws=500), model_forecast(draws=500)
    whole = sw.run_serial(s, fc, chunk=500)
    assert set(whole.events) == {"strict", "sustained"} and whole.event == "sustained"
    for chunk in (1 << 16, 77, 250, 1):
        split = sw.run_serial(s, fc, chunk=chunk)
        assert split.events == whole.events
        for a, b in zip(whole.tallies, split.tallies, strict=True):
            assert a.keys() == b.keys()
            assert all(np.array_equal(a[k], b[k]) for k in a)


def test_point_equals_the_structural_run_of_the_overridden_scenario() -> None:
    """A point is the structural model's own run (``structural.run``) with its values set:
    the same outer draws, the same counts, both events."""
    draws = 400
    s, fc = small_sweep(draws=draws), model_forecast(draws=draws)
    result = sw.run_serial(s, fc, chunk=150)
    i = 3
    raw = fc.scenario
    for path, value in s.points[i]:
        raw = apply_override(raw, f"{path}={value!r}")
    raw = apply_override(raw, "horizon_months=60")
    sc = validate_scenario(raw)
    post = structural.prior_posterior(sc, fc.inputs[""], 1000, np.random.default_rng(7))
    model = structural.StructuralModel(sc, fc.inputs[""], post)
    totals = structural.run(model, draws, 7)
    assert totals.sfirst is not None and totals.outer is not None
    for k in (36, 60):
        assert result.events["strict"][k][i] == totals.first[: k + 1].sum() / draws
        assert result.events["sustained"][k][i] == totals.sfirst[: k + 1].sum() / draws
    h = totals.horizons.index(60)
    assert result.events["strict"][60][i] == totals.outer[:, 0, h].sum() / draws
    assert result.events["sustained"][60][i] == totals.outer[:, 1, h].sum() / draws
    # a sustained lead is a strict one first
    for k in (36, 60):
        pairs = zip(result.events["sustained"][k], result.events["strict"][k], strict=True)
        assert all(sus <= ahead for sus, ahead in pairs)
    # every point has the same draws: a point differs from another only by its values
    assert len(set(result.p_within[60])) > 1


def test_faster_growth_raises_the_probability() -> None:
    """China's compute growing faster makes it likelier to get ahead (common random numbers)."""
    fc = model_forecast(draws=1000)
    result = sw.run_serial(small_sweep(draws=1000), fc, 1000)
    for event in ("strict", "sustained"):
        z = result.surface(60, event)
        assert np.all(np.diff(z, axis=0) >= 0.0)
        assert z[-1, 0] > z[0, 0]


def test_trend_counts_the_strict_event_only() -> None:
    s = small_sweep(draws=300)
    trend = sw.run_serial(s, model_forecast("trend", draws=300), 100)
    assert set(trend.events) == {"strict"} and trend.event == "strict"
    assert trend.p_within == trend.events["strict"]
    # the trend model has no compute: the map is flat
    assert len(set(trend.p_within[60])) == 1
    with pytest.raises(RequestError, match="'compute' is not allowed"):
        model_forecast("compute")


# ---- the use case and the CLI --------------------------------------------------------------


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_forecast_db(tmp_path_factory.mktemp("sweep") / "s.duckdb")


VARY = ["--vary", f"{GROWTH}=1.6:3.2:3", "--vary", f"{SHARE}=0.4:0.8:2"]


def test_point_equals_the_forecast_use_case(db: Path) -> None:
    """The sweep's value at a point is what ``gapcast forecast --set`` gives there."""
    with Store(db) as store:
        report = use.sweep(
            store,
            [f"{GROWTH}=1.5:3.5:3", f"{SHARE}=0.4:0.8:2"],
            draws=500,
            chunk=200,
            workers=0,
            scheduler="",
            save=False,
            seed=11,
        )
        one = forecast_use.forecast(
            store,
            "baseline",
            "structural",
            60,
            500,
            11,
            [f"{GROWTH}=2.5", f"{SHARE}=0.8"],
            save=False,
        )
    i = report.result.sweep.points.index(((GROWTH, 2.5), (SHARE, 0.8)))
    headline = one.forecast.headline
    assert headline is not None and report.result.event == "sustained"
    for k in (36, 60):
        for event in ("strict", "sustained"):
            # the same count of draws as the headline's pooled probability
            assert report.result.events[event][k][i] == pytest.approx(
                headline.events[event].p_within[k], abs=1e-12
            )
            assert (report.result.events[event][k][i] * 500) % 1 == 0


def test_cli_sweep_json_is_stored_as_a_run(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = cli_json(
        capsys,
        "--db",
        str(db),
        "sweep",
        *VARY,
        "--draws",
        "300",
        "--chunk",
        "120",
        "--workers",
        "0",
        "--scheduler",
        "",
    )
    assert out["shape"] == [3, 2]
    assert [a["path"] for a in out["axes"]] == [GROWTH, SHARE]
    assert len(out["p_within"]["36"]) == len(out["p_within"]["60"]) == 6
    assert out["ran_on"] == {"where": "serial", "tasks": 18, "chunk": 120}
    with Store(db) as store:
        stored = store.run(out["run_id"])
    assert stored["kind"] == "sweep"
    assert stored["request"]["vary"] == [f"{GROWTH}=1.6:3.2:3", f"{SHARE}=0.4:0.8:2"]
    assert stored["results"]["p_within"] == out["p_within"]
    assert stored["data_hash"] == out["data_hash"]


def test_cli_sweep_table_and_plots(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--db", str(db), "sweep", *VARY, "--draws", "200", "--workers", "0", "--no-save"]
    png, html = tmp_path / "map.png", tmp_path / "map.html"
    code, out, err = run_cli(capsys, *base, "--scheduler", "", "--plot", str(png))
    assert code == 0, err
    flat = " ".join(out.split())
    assert "P(China ahead within 36 months)" in flat
    assert "P(China ahead within 60 months)" in flat
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = run_cli(capsys, *base, "--scheduler", "", "--plot", str(html))
    assert code == 0, err
    text = html.read_text()
    assert '"type":"heatmap"' in text.replace(" ", "") and '"type":"contour"' in text.replace(
        " ", ""
    )


def test_cli_sweep_errors(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--db", str(db), "sweep", "--workers", "0", "--scheduler", ""]
    code, _, err = run_cli(capsys, *base, "--vary", "groups.challenger.nothing=1:2:2")
    assert (code, err.strip()) == (
        2,
        "Error: groups.challenger.nothing: unknown field; allowed: label, compute, serving, "
        "releases",
    )
    code, _, err = run_cli(capsys, *base, "--vary", "x=1:2")
    assert (code, err.strip()) == (2, "Error: vary: 'x=1:2' is not allowed; write PATH=LO:HI:N")
    code, _, err = run_cli(capsys, *base, *VARY, "--model", "nope")
    assert code == 2 and "model: 'nope' is not allowed" in err
    code, _, err = run_cli(capsys, *base, "--vary", f"{GROWTH}=1:2:2", "--plot", "m.svg")
    assert (code, err.strip()) == (2, "Error: plot: 'm.svg' must end in .png or .html")


def test_sweep_json_is_plain(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = cli_json(
        capsys,
        "--db",
        str(db),
        "sweep",
        "--vary",
        f"{GROWTH}=2:3:2",
        "--draws",
        "50",
        "--workers",
        "0",
        "--scheduler",
        "",
        "--no-save",
    )
    assert out["run_id"] is None
    json.dumps(out)


def test_origins_sweep_equals_forecasts_as_of_each_date(db: Path) -> None:
    """A sweep over forecast origins gives each origin's own forecast (data up to it only)."""
    dates = ["2025-03-31", "2025-09-30"]
    with Store(db) as store:
        result = points_use.origins(
            store, dates, draws=400, chunk=150, workers=0, scheduler="", seed=3
        )
        for i, day in enumerate(dates):
            one = forecast_use.forecast(
                store, "baseline", "structural", 60, 400, 3, as_of=day, save=False
            )
            headline = one.forecast.headline
            assert headline is not None
            for k in (36, 60):
                assert result.p_within[k][i] == pytest.approx(
                    headline.events["sustained"].p_within[k], abs=1e-12
                )
    assert result.sweep.kind == "origins"
    assert [dict(p)["as_of"] for p in result.sweep.points] == dates


def test_sample_set_rows_equal_the_grid_points(db: Path) -> None:
    """A sample set (e.g. a Sobol sample) runs each row as a point, as a grid would."""
    rows = np.array([[2.5, 0.8], [1.5, 0.4]])
    with Store(db) as store:
        samples = points_use.sample_set(
            store,
            [GROWTH, SHARE],
            rows,
            draws=300,
            chunk=300,
            workers=0,
            scheduler="",
            seed=5,
        )
        grid = use.sweep(
            store,
            [f"{GROWTH}=1.5:3.5:3", f"{SHARE}=0.4:0.8:2"],
            draws=300,
            chunk=100,
            workers=0,
            scheduler="",
            save=False,
            seed=5,
        )
    assert samples.sweep.kind == "samples"
    for row, point in ((0, ((GROWTH, 2.5), (SHARE, 0.8))), (1, ((GROWTH, 1.5), (SHARE, 0.4)))):
        i = grid.result.sweep.points.index(point)
        assert samples.p_within[60][row] == grid.result.p_within[60][i]

"""``gapcast backtest``, ``calibrate``, ``sensitivity``, ``whatif`` and ``score`` end to end on a
synthetic store; on the data mirror (marked ``mirror``): both backtests, the ``--as-of``
invariance, and the track record of a forecast made on data cut at an earlier date."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cli_helpers import cli_json, run_cli
from forecast_data import make_forecast_db
from gapcast.store import Store
from gapcast.usecases import forecast as forecast_use
from gapcast.usecases import trust
from gapcast.usecases.data import import_paths


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_forecast_db(tmp_path_factory.mktemp("trust") / "t.duckdb")


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "--db", str(db), *args)


def as_json(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> Any:
    return cli_json(capsys, "--db", str(db), *args)


def test_backtest_json_table_and_saved_run(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ("backtest", "--metric", "eci", "--horizons", "1,3", "--start", "2025-01")
    out = as_json(capsys, db, *args, "--json", "--records")
    assert out["model"] == "trend" and out["tuning_metric"] == "eci"
    assert out["origins"]["eci"][0] == "2025-01"
    rows = out["scores"]
    assert {r["target"] for r in rows} == {"gap", "lag"}
    assert {r["horizon"] for r in rows} == {1, 3}
    assert {"trend", "no_change", "drift", "local_trend"} <= {r["model"] for r in rows}
    for r in rows:
        assert {"crps", "log_score", "coverage", "pit_p", "skill", "skill_ci90"} <= set(r)
        assert r["coverage"]["80"]["n_eff"] <= r["coverage"]["80"]["n"]
    assert out["calibrated"]["on"].startswith("eci origins before")
    assert {t["origin"][:7] for t in out["calibrated"]["per_origin"]} >= {"2025-01"}
    assert out["records"] and any("re-fits ECI" in n for n in out["notes"])
    code, text, _ = run(capsys, db, *args, "--target", "gap")
    assert code == 0 and "eci · gap (ECI points) · tuning metric" in text
    assert "Targets (issue 11)" in text and "· lag" not in text
    with Store(db, read_only=True) as store:
        assert store.runs("track_record").shape[0] >= 2


def test_backtest_errors(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, db, "backtest", "--metric", "elo")
    assert code == 2 and "Error: metric: 'elo' is not allowed (allowed: eci, lmarena" in err
    code, _, err = run(capsys, db, "backtest", "--horizons", "3,x")
    assert code == 2 and "Error: horizons: '3,x' is not a list of months" in err
    code, _, err = run(capsys, db, "backtest", "--target", "level")
    assert code == 2 and "Error: target: 'level' is not allowed (allowed: gap, lag)" in err
    code, _, err = run(capsys, db, "backtest", "--workers", "0")
    assert code == 2 and "Error: workers: 0 is not allowed (at least 1)" in err


def test_sensitivity_json_and_plot(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    png = tmp_path / "sobol.png"
    out = as_json(
        capsys, db, "sensitivity", "-s", "baseline", "--base", "64", "--inner", "4",
        "--plot", str(png),
    )  # fmt: skip
    assert set(out["outputs"]) == {"36", "60"}
    assert out["evaluations"] == 64 * (len(out["parameters"]) + 2)
    assert "groups.challenger.serving.share" in out["parameters"]
    assert "world.volatility" not in out["parameters"]  # fixed: not uncertain
    row = out["indices"][0]
    assert {"path", "first", "first_ci", "total", "total_ci"} <= set(row)
    assert png.stat().st_size > 10_000


def test_whatif(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = as_json(
        capsys, db, "whatif", "--vary", "groups.challenger.compute.growth",
        "--target", "0.5", "--within", "36", "--range", "1.0", "6.0", "--draws", "2000",
    )  # fmt: skip
    assert out["range"] == [1.0, 6.0] and out["within"] == 36
    assert len(out["grid"]) == 9
    ps = [g["p"] for g in out["grid"]]
    assert ps == sorted(ps)  # common random numbers: monotone
    if out["reached"]:
        assert out["p_at_value"] == pytest.approx(0.5, abs=0.01)
    code, text, _ = run(capsys, db, "whatif", "--vary", "groups.challenger.serving.share",
                        "--draws", "500")  # fmt: skip
    assert code == 0 and "groups.challenger.serving.share" in text
    code, _, err = run(capsys, db, "whatif", "--vary", "groups.challenger.nope")
    assert code == 2 and "groups.challenger.nope: unknown field" in err
    code, _, err = run(capsys, db, "whatif", "--vary", "world.volatility")
    assert code == 2 and "give --range LO HI" in err


def test_score_without_newer_data(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    as_json(capsys, db, "forecast", "--draws", "500", "--horizon", "12")
    out = as_json(capsys, db, "score")
    assert out["runs"] and all(r["months"] == 0 for r in out["runs"])
    code, text, _ = run(capsys, db, "score")
    assert code == 0 and "nothing realised yet" in text


# ---- on the data mirror ------------------------------------------------------------------

CUT_FILES = {
    "epoch/eci.csv": "Release date",
    "epoch/notable_ai_models.csv": "Publication date",
    "epoch/large_scale_ai_models.csv": "Publication date",
    "epoch/frontier_ai_models.csv": "Publication date",
    "epoch/gpu_clusters.csv": "First Operational Date",
    "org_country.csv": None,
}
"""The files a forecast reads, and the date column that cuts each."""


def mirror_copy(mirror: Path, target: Path, cut: str | None) -> Path:
    """Copy the forecast's files, keeping rows dated on or before ``cut`` (and undated ones)."""
    for name, column in CUT_FILES.items():
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if cut is None or column is None:
            shutil.copyfile(mirror / name, dest)
            continue
        frame = pd.read_csv(mirror / name, dtype=str, keep_default_na=False, encoding="utf-8")
        dates = pd.to_datetime(frame[column].str[:10], errors="coerce")
        keep = dates.isna() | (dates <= pd.Timestamp(cut))
        frame.loc[keep].to_csv(dest, index=False, encoding="utf-8")
    return target


@pytest.mark.mirror
def test_as_of_ignores_later_data(mirror: Path, tmp_path: Path) -> None:
    cut = "2025-06-30"
    results = []
    for name, limit in (("cut", cut), ("full", None)):
        folder = mirror_copy(mirror, tmp_path / name, limit)
        with Store(tmp_path / f"{name}.duckdb") as store:
            import_paths(store, [folder])
            rep = forecast_use.forecast(
                store, "baseline", "structural", 24, 2000, 7, as_of=cut, save=False
            )
            results.append((store.data_hash(), rep.results()))
    (hash_cut, cut_results), (hash_full, full_results) = results
    assert hash_cut != hash_full  # the full copy has data after the cut ...
    assert cut_results == full_results  # ... which changes nothing as of the cut


@pytest.mark.mirror
def test_track_record_of_a_forecast_made_on_cut_data(mirror: Path, tmp_path: Path) -> None:
    path = tmp_path / "track.duckdb"
    with Store(path) as store:
        import_paths(store, [mirror_copy(mirror, tmp_path / "cut", "2025-06-30")])
        rep = forecast_use.forecast(store, "baseline", "structural", 12, 4000, 3)
        assert rep.selected.as_of <= pd.Timestamp("2025-06-30").date()
        assert all(r.months == 0 for r in trust.score(store).runs)
        import_paths(store, [mirror_copy(mirror, tmp_path / "full", None)])
        record = trust.score(store)
    (run_score,) = [r for r in record.runs if r.run_id == rep.run_id]
    assert run_score.months >= 5
    by = {m.model: m for m in run_score.models}
    assert set(by) == {"trend", "structural"}
    ens = by["structural"]
    assert ens.quantile_score is not None and ens.quantile_score >= 0
    assert ens.coverage90 is not None and 0 <= ens.coverage90 <= 1
    assert ens.detail[0]["month"] == 1 and ens.detail[-1]["date"] <= "2025-12-31"
    doc = record.to_dict()
    assert doc["runs"][0]["models"]["structural"]["months"] == run_score.months


@pytest.mark.mirror
@pytest.mark.parametrize("metric", ["eci", "lmarena"])
def test_backtest_on_the_mirror(mirror_db: Path, metric: str) -> None:
    with Store(mirror_db, read_only=True) as store:
        result = trust.backtest(store, metric, draws=1000, save=False)
    doc = result.to_dict()
    assert doc["origins"][0] == "2023-06-30"
    by = {(r["model"], r["horizon"]): r for r in doc["scores"]}
    assert {h for _, h in by} == {3, 6, 12}
    assert ("compute", 12) in by and ("ensemble", 3) in by
    assert all(r["n"] >= 10 for r in doc["scores"])
    if metric == "lmarena":
        assert "rating per ECI" in doc["settings"]["compute_model_scale"]

"""``gapcast forecast``, ``fit``, ``scenarios`` and ``runs`` end to end on a synthetic store,
and the scenario comparison on the real data mirror (marked ``mirror``)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from cli_helpers import cli_json, run_cli
from forecast_data import make_forecast_db
from gapcast.store import Store
from gapcast.usecases import forecast as use

SIX = [
    "baseline",
    "serving-bound",
    "node-doubling",
    "export-controls-tighten",
    "export-controls-loosen",
    "open-diffusion-fast",
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_forecast_db(tmp_path_factory.mktemp("forecast") / "f.duckdb")


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "--db", str(db), *args)


def as_json(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> Any:
    return cli_json(capsys, "--db", str(db), *args)


def test_forecast_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = as_json(capsys, db, "forecast", "--scenario", "baseline", "--draws", "3000")
    assert out["scenario"] == "baseline" and out["model"] == "structural"
    assert out["as_of"] == "2025-10-15"
    assert set(out["p_ahead_within"]) == set(out["p_ahead_within_se"]) == {"12", "36", "60"}
    assert all(0 <= p <= 1 for p in out["p_ahead_within"].values())
    assert out["p_ahead_within"]["12"] <= out["p_ahead_within"]["36"] <= out["p_ahead_within"]["60"]
    q = out["gap_quantiles"]["36"]
    assert q["q05"] <= q["q25"] <= q["q50"] <= q["q75"] <= q["q95"]
    assert set(out["forecast"]["models"]) == {"structural", "trend"}
    head = out["headline"]
    assert head == out["forecast"]["headline"]
    assert (head["model"], head["event"]) == ("structural", "sustained")
    assert set(head) >= {"definition", "p_within", "interval90", "strict", "mc_se", "lambda"}
    structural = out["forecast"]["models"]["structural"]
    for k in ("12", "36", "60"):
        lo, hi = head["interval90"][k]
        assert 0 <= lo <= hi <= 1
        # the sustained lead is a stricter event than being ahead in some month
        assert head["p_within"][k] == pytest.approx(structural["p_sustained_within"][k])
        assert head["p_within"][k] <= head["strict"]["p_within"][k]
        assert head["strict"]["p_within"][k] == pytest.approx(structural["p_ahead_within"][k])
    assert head["lambda"]["status"] == "prior" and head["data_can_tell"] is False
    assert head["posterior"] == "prior"
    assert out["inputs"]["groups"]["challenger"]["label"] == "China"
    assert out["inputs"]["groups"]["leader"]["compute_share_of_world_clusters"] == 0.8
    assert out["run_id"] >= 1 and out["seed"] == use.DEFAULT_SEED


def test_forecast_json_says_how_old_the_data_are(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = as_json(capsys, db, "forecast", "--draws", "500")
    age = out["data_age"]
    assert age["data_through"] == out["as_of"] == "2025-10-15"
    assert age["today"] == dt.date.today().isoformat()
    assert age["notes"][0].startswith("Data through 2025-10-15: ")
    # The same notes as the text output.
    code, text, _ = run(capsys, db, "forecast", "--draws", "500")
    assert code == 0
    flat = " ".join(text.split())
    for note in age["notes"]:
        assert " ".join(note.split()) in flat


def test_models_horizon_and_as_of(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = as_json(
        capsys,
        db,
        "forecast",
        "--horizon",
        "24",
        "--draws",
        "2000",
        "--no-save",
        "--as-of",
        "2024-12-31",
        "--set",
        "groups.challenger.serving.share=0.8",
    )
    assert set(out["p_ahead_within"]) == {"12", "24"}
    assert set(out["headline"]["p_within"]) == {"12", "24"}
    assert out["as_of"] == "2024-12-31" and out["run_id"] is None
    latest = as_json(capsys, db, "forecast", "--draws", "500", "--no-save")
    assert latest["as_of"] == "2025-10-15"
    early, late = (x["inputs"]["groups"]["leader"] for x in (out, latest))
    assert early["frontier"] < late["frontier"] and early["steps"]["n"] <= late["steps"]["n"]
    trend = as_json(capsys, db, "forecast", "--model", "trend", "--draws", "2000", "--no-save")
    assert set(trend["forecast"]["models"]) == {"trend"}
    assert trend["headline"] is None


def test_forecast_text_and_plots(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png, html = tmp_path / "fan.png", tmp_path / "fan.html"
    code, out, err = run(capsys, db, "forecast", "--draws", "2000", "--plot", str(png))
    assert code == 0, err
    assert "P(China ahead at some month within)" in out and "median crossing" in out
    assert "sustained" in out and "90% interval" in out and f"wrote {png}" in out
    assert "No fit of this data yet" in out  # the synthetic store has no fit
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, err = run(
        capsys,
        db,
        "forecast",
        "--compare",
        "baseline",
        "serving-bound",
        "--draws",
        "2000",
        "--no-save",
        "--plot",
        str(html),
    )
    assert code == 0, err
    text = html.read_text()
    assert "serving-bound" in text and "plotly" in text
    assert re.search(r"<script[^>]*\bsrc=", text) is None  # plotly.js is inlined


def test_compare(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = as_json(capsys, db, "forecast", "--compare", *SIX, "--draws", "2000", "--no-save")
    rows = {row["scenario"]: row for row in out["compare"]}
    assert list(rows) == SIX
    # the trend model ignores compute assumptions; the structural model responds to them
    # (common random numbers: the same draws under each scenario)
    assert len({row["trend_p60"] for row in rows.values()}) == 1
    assert rows["export-controls-tighten"]["p60"] <= rows["baseline"]["p60"]
    assert rows["export-controls-loosen"]["p60"] >= rows["baseline"]["p60"]
    assert rows["serving-bound"]["sustained_p60"] <= rows["baseline"]["sustained_p60"]
    for row in rows.values():
        assert row["sustained_lo60"] <= row["sustained_hi60"]
    code, text, err = run(
        capsys,
        db,
        "forecast",
        "--compare",
        "baseline",
        "node-doubling",
        "--draws",
        "1000",
        "--no-save",
    )
    assert code == 0 and "node-doubling" in text and "same seed and data" in text


def test_thesis(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = as_json(capsys, db, "thesis", "--draws", "2000", "--shares", "0.5,0.7,0.9")
    assert [r["share"] for r in out["rows"]] == [0.5, 0.7, 0.9]
    assert out["rows"][0]["sustained"]["change"] == 0.0
    assert out["data_can_tell"] is False and out["message"].startswith("The data cannot tell")
    for row in out["rows"]:
        assert row["sustained"]["p"] <= row["strict"]["p"]
    code, text, _ = run(capsys, db, "thesis", "--draws", "1000", "--shares", "0.5,0.9")
    assert code == 0 and "The data cannot tell" in text and "0.90" in text
    code, _, err = run(capsys, db, "thesis", "--shares", "0.5,1.2")
    assert code == 2 and "Error: shares: 1.2 is out of range" in err


def test_errors(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, db, "forecast", "--set", "groups.challenger.serving.shar=1")
    assert (code, out) == (2, "")
    assert err.startswith(
        "Error: groups.challenger.serving.shar: unknown field; allowed: "
        "share, demand_growth, volatility"
    )
    code, _, err = run(capsys, db, "forecast", "--model", "magic")
    assert code == 2 and "Error: model: 'magic' is not allowed (allowed: structural, trend)" in err
    code, _, err = run(capsys, db, "forecast", "--scenario", "nope")
    assert code == 2 and "Error: no scenario 'nope'" in err and "Hint: available: baseline" in err
    code, _, err = run(capsys, db, "forecast", "--draws", "0")
    assert code == 2 and "Error: draws: 0 is out of range" in err
    code, _, err = run(capsys, db, "forecast", "--as-of", "yesterday")
    assert code == 2 and "Error: as_of: 'yesterday' is not a date" in err
    code, _, err = run(capsys, db, "forecast", "--plot", "fan.svg")
    assert code == 2 and "Error: plot: 'fan.svg' must end in .png or .html" in err


def test_scenarios_commands(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listed = as_json(capsys, db, "scenarios", "list")
    assert [s["name"] for s in listed][:1] == ["baseline"] and len(listed) >= 6
    shown = as_json(capsys, db, "scenarios", "show", "serving-bound")
    paths = {f["path"]: f for f in shown["fields"]}
    assert "AGI-Next summit" in paths["groups.challenger.serving.share"]["source"]
    assert paths["groups.leader.releases.rate"]["value"] == "fitted from the data"
    code, text, _ = run(capsys, db, "scenarios", "show", "baseline")
    assert code == 0 and "world.stock_h100e" in text


def test_runs_are_stored_and_reproduce(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    made = as_json(
        capsys,
        db,
        "forecast",
        "--draws",
        "1500",
        "--seed",
        "7",
        "--set",
        "groups.challenger.serving.share=0.75",
    )
    listed = as_json(capsys, db, "runs", "list")
    assert listed[0]["id"] == made["run_id"] and listed[0]["seed"] == 7
    assert listed[0]["scenario_hash"] == made["scenario_hash"]
    shown = as_json(capsys, db, "runs", "show", str(made["run_id"]), "--verify")
    assert shown["reproduced"] is True
    assert shown["results"]["forecast"] == made["forecast"]
    with Store(db) as store:
        report, same = use.rerun(store, made["run_id"])
    assert same and report.to_dict()["p_ahead_within"] == made["p_ahead_within"]
    code, text, _ = run(capsys, db, "runs", "show", str(made["run_id"]), "--verify")
    assert code == 0 and "reproduced exactly" in text
    code, _, err = run(capsys, db, "runs", "show", "9999")
    assert code == 2 and "Error: no stored run with id 9999" in err


@pytest.mark.mirror
def test_compare_on_the_real_data(mirror_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = as_json(capsys, mirror_db, "forecast", "--compare", *SIX, "--draws", "4000", "--no-save")
    rows = {row["scenario"]: row for row in out["compare"]}
    assert list(rows) == SIX
    first = out["scenarios"][0]
    assert first["groups"] == {"leader": "United States", "challenger": "China"}
    assert first["inputs"]["fit"]["n"] > 50
    assert (
        rows["serving-bound"]["sustained_p60"]
        < rows["baseline"]["sustained_p60"]
        < rows["export-controls-loosen"]["sustained_p60"]
    )


def test_forecast_text_puts_the_headline_beside_its_track_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_forecast_db(tmp_path / "t.duckdb")
    code, out, _ = run(capsys, db, "forecast", "--draws", "2000", "--no-save")
    assert code == 0 and "track record is not stored yet" in out
    check = {
        "model": "structural",
        "event": "strict",
        "horizon": 12,
        "origins": 13,
        "first_origin": "2023-11-30",
        "last_origin": "2024-11-30",
        "mean_p": 0.68,
        "observed_rate": 0.0,
        "brier": 0.48,
        "disjoint_windows": 2,
        "p_of_outcome": 0.079,
    }
    with Store(db) as store:
        store.save_run(
            kind="track_record",
            scenario=None,
            scenario_hash=None,
            data_hash=store.data_hash(),
            seed=1,
            version="test",
            request={},
            results={"event_check": [check]},
        )
    code, out, _ = run(capsys, db, "forecast", "--draws", "2000", "--no-save")
    flat = " ".join(out.split())
    assert code == 0 and "gave China on average 68% to lead" in flat
    assert "its probabilities that China leads ran too high" in flat

"""``gapcast gap`` end to end: synthetic stores with known answers, errors, figures, and
the real data mirror (marked ``mirror``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cli_helpers import run_cli
from gapcast import measure
from gapcast.errors import RequestError
from gapcast.sources.base import Parsed
from gapcast.store import FileImport, Store
from gapcast.usecases import measure as use
from measure_data import CN, models, months_between, scores

ECI = [
    {"model": "us-a", "value": 100, "date": "2020-01-01", "organization": "OpenAI"},
    {"model": "us-b", "value": 110, "date": "2021-01-01", "organization": "Anthropic"},
    {"model": "us-d", "value": 120, "date": "2022-01-01", "organization": "OpenAI"},
    {"model": "us-x", "value": 150, "date": "2022-02-01", "preliminary": True},
    # below both frontiers: it only dates the data's end (an as-of after it is an error)
    {"model": "us-old", "value": 90, "date": "2022-12-31", "organization": "OpenAI"},
    {
        "model": "cn-a",
        "value": 95,
        "date": "2020-06-01",
        "country": CN,
        "organization": "Qwen",
        "accessibility": "open",
    },
    {
        "model": "cn-b",
        "value": 105,
        "date": "2021-06-01",
        "country": CN,
        "organization": "DeepSeek",
        "accessibility": "open",
    },
    {
        "model": "cn-c",
        "value": 115,
        "date": "2022-06-01",
        "country": CN,
        "organization": "DeepSeek",
        "accessibility": "open",
    },
]
ARENA_BASE = {"metric": "lmarena", "category": "overall", "style_control": False}
ARENA = [
    {"model": "us-a", "value": 1200, "as_of": "2022-01-10"},
    {"model": "cn-b", "value": 1150, "as_of": "2022-01-10", "country": CN},
    {"model": "us-a", "value": 1310, "as_of": "2022-07-10"},
    {"model": "cn-c", "value": 1290, "as_of": "2022-07-10", "country": CN},
    {"model": "us-a", "value": 1400, "as_of": "2022-07-10", "category": "coding"},
    {"model": "cn-c", "value": 1380, "as_of": "2022-07-10", "category": "coding", "country": CN},
    {"model": "us-a", "value": 1330, "as_of": "2022-07-10", "style_control": True},
    {"model": "cn-c", "value": 1300, "as_of": "2022-07-10", "style_control": True, "country": CN},
]
GPQA = [
    {"model": "us-d", "value": 0.80, "se": 0.02, "date": "2022-01-01", "metric": "gpqa_diamond"},
    {
        "model": "cn-c",
        "value": 0.72,
        "se": 0.02,
        "date": "2022-06-01",
        "metric": "gpqa_diamond",
        "country": CN,
    },
]
MODELS = [
    {"model_id": "us-d", "name": "US D", "date": "2022-01-01", "flop": 1e25},
    {"model_id": "cn-c", "name": "CN C", "date": "2022-06-01", "flop": 1e24, "country": CN},
]


def make_db(path: Path, extra: list[dict[str, Any]] | None = None) -> Path:
    table = scores(ECI + [{**ARENA_BASE, **row} for row in ARENA] + GPQA + (extra or []))
    parsed = Parsed("test", "synthetic.csv", {"scores": table, "models": models(MODELS)})
    with Store(path) as store:
        store.import_files([FileImport(parsed, "0" * 64, "test")])
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_db(tmp_path / "gap.duckdb")


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "--db", str(db), "gap", *args)


def gap_json(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> dict[str, Any]:
    code, out, err = run(capsys, db, *args, "--json", "--draws", "200")
    assert (code, err) == (0, "")
    result: dict[str, Any] = json.loads(out)
    return result


def test_json_known_answer(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = gap_json(capsys, db, "--as-of", "2022-12-31")
    assert out["leader"]["model"] == "US D" and out["leader"]["date"] == "2022-01-01"
    assert out["leader"]["score"] == 120  # us-x is preliminary: excluded by default
    assert out["challenger"] == {
        **out["challenger"],
        "model": "CN C",
        "score": 115.0,
        "date": "2022-06-01",
    }
    assert out["gap_points"] == 5
    assert out["lag_months"] == pytest.approx(months_between("2022-12-31", "2022-01-01"))
    assert len(out["gap_points_ci"]) == len(out["lag_months_ci"]) == 2
    row = out["series"][0]
    assert {"date", "leader", "challenger", "gap_points", "lag_months"} <= row.keys()
    assert out["series"][-1]["date"] == "2022-12-31"
    assert out["settings"] == {
        **out["settings"],
        "metric": "eci",
        "group_by": "country",
        "leader": ["United States"],
        "challenger": ["China"],
        "as_of": "2022-12-31",
        "include_preliminary": False,
        "draws": 200,
        "seed": 20240101,
    }
    assert out["methods"]["lag_months"].startswith("backward")
    assert out["credit"] == "Data: Epoch AI (CC BY 4.0)"
    with_prelim = gap_json(capsys, db, "--as-of", "2022-12-31", "--include-preliminary")
    assert with_prelim["leader"]["score"] == 150


def test_table_output(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, db, "--as-of", "2022-12-31", "--draws", "100", "--match", "us-b")
    assert (code, err) == (0, "")
    for text in (
        "Epoch Capabilities Index (ECI): United States vs China, as of 2022-12-31",
        "US D",
        "CN C",
        "gap (ECI points)",
        "lag, backward (months)",
        "lag, forward (months)",
        "gap trend (points per year)",
        "lag trend (months per year)",
        "First China model at or above us-b (110.0): CN C, 2022-06-01",
        "Data: Epoch AI",
    ):
        assert text in out


def test_as_of_never_sees_later_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    later = [
        {"model": "cn-z", "value": 500, "date": "2023-01-05", "country": CN},
        {**ARENA_BASE, "model": "cn-z", "value": 2000, "as_of": "2023-01-05", "country": CN},
    ]
    plain, more = make_db(tmp_path / "a.duckdb"), make_db(tmp_path / "b.duckdb", later)
    for metric, as_of in (("eci", "2022-12-31"), ("lmarena", "2022-07-10")):
        a = gap_json(capsys, plain, "--metric", metric, "--as-of", as_of)
        b = gap_json(capsys, more, "--metric", metric, "--as-of", as_of)
        for out in (a, b):  # what the store holds beyond the as-of date, not the measurement
            out.pop("data_hash"), out.pop("data_age"), out["settings"].pop("data_through")
        assert a == b
    assert gap_json(capsys, more, "--as-of", "2023-01-05")["challenger"]["score"] == 500


def test_swapping_sides_negates_gap(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = gap_json(capsys, db, "--as-of", "2022-12-31")
    b = gap_json(
        capsys, db, "--as-of", "2022-12-31", "--leader", "China", "--challenger", "United States"
    )
    assert [r["gap_points"] for r in a["series"]] == [-r["gap_points"] for r in b["series"]]


def test_lmarena_within_snapshot_and_settings(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = gap_json(capsys, db, "--metric", "lmarena", "--as-of", "2022-07-10")
    assert out["settings"]["category"] == "overall"
    assert out["settings"]["style_control"] is False
    assert out["gap_points"] == 20  # 1310 - 1290, both from the 2022-07-10 snapshot
    assert out["leader"]["snapshot"] == "2022-07-10"
    assert [r["gap_points"] for r in out["series"]] == [50, 50, 50, 50, 50, 50, 20]
    coding = gap_json(
        capsys, db, "--metric", "lmarena", "--category", "coding", "--as-of", "2022-07-10"
    )
    assert coding["gap_points"] == 20 and coding["settings"]["category"] == "coding"
    styled = gap_json(capsys, db, "--metric", "lmarena", "--style-control", "--as-of", "2022-07-10")
    assert styled["gap_points"] == 30 and styled["settings"]["style_control"] is True
    code, out_text, _ = run(capsys, db, "--metric", "lmarena", "--draws", "10")
    assert "category overall, style control off" in " ".join(out_text.split())


def test_benchmark_fractions_are_percentage_points(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = gap_json(capsys, db, "--metric", "gpqa_diamond")
    assert out["unit"] == "percentage points" and out["scale_factor"] == 100
    assert out["gap_points"] == pytest.approx(8.0)
    assert out["leader"]["score"] == pytest.approx(80.0)


def test_other_groupings(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    access = gap_json(capsys, db, "--group-by", "accessibility", "--as-of", "2022-12-31")
    assert (access["leader"]["group"], access["challenger"]["group"]) == ("closed", "open")
    assert access["gap_points"] == 5
    labs = gap_json(
        capsys,
        db,
        "--group-by",
        "organization",
        "--leader",
        "OpenAI",
        "--leader",
        "Anthropic",
        "--challenger",
        "DeepSeek",
        "--as-of",
        "2021-12-31",
    )
    assert labs["leader"]["group"] == "OpenAI + Anthropic"
    assert labs["gap_points"] == 5  # us-b (Anthropic) 110 vs cn-b 105
    compute = gap_json(capsys, db, "--metric", "training_compute")
    assert compute["gap_points"] == pytest.approx(1.0)
    assert compute["relative_gap_pct"] is None


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--metric", "nope"],
            2,
            "Error: metric: 'nope' is not allowed (allowed: eci, "
            "gpqa_diamond, lmarena, training_compute)",
        ),
        (
            ["--group-by", "planet"],
            2,
            "Error: group_by: 'planet' is not allowed (allowed: "
            "country, accessibility, organization)",
        ),
        (
            ["--leader", "Atlantis"],
            2,
            "Error: leader: no country 'Atlantis' in the eci data (present: China, United States)",
        ),
        (["--group-by", "organization"], 2, "Error: leader: required with group_by 'organization'"),
        (["--category", "coding"], 2, "Error: category: only LMArena metrics have categories"),
        (
            ["--metric", "lmarena", "--category", "poetry"],
            2,
            "Error: category: 'poetry' is not allowed (allowed: coding, overall)",
        ),
        (["--as-of", "yesterday-ish"], 2, "Error: as_of: 'yesterday-ish' is not a date"),
        (
            ["--since", "2023-01-01", "--as-of", "2022-01-01"],
            2,
            "Error: since: 2023-01-01 is after as_of 2022-01-01",
        ),
        (["--draws", "-1"], 2, "Error: draws: -1 is out of range"),
        (["--plot", "figure.svg"], 2, "Error: plot: 'figure.svg' must end in .png or .html"),
        (["--match", "us-bb"], 2, "Error: no model 'us-bb' with a eci score\nHint: did you mean"),
        (
            ["--as-of", "2023-01-31"],
            2,
            "Error: as_of: 2023-01-31 is after the data's last date, 2022-12-31\nHint: use",
        ),
        (
            ["--as-of", "2019-06-30"],
            1,
            "Error: eci: no date up to 2019-06-30 has a model from "
            "both United States (0 models) and China (0 models)",
        ),
    ],
)
def test_bad_requests_name_the_field(
    db: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    got, out, err = run(capsys, db, *args)
    assert got == code
    assert err.startswith(message)
    assert out == ""


def test_pipeline_raises_request_error_with_field(db: Path) -> None:
    with Store(db) as store, pytest.raises(RequestError) as info:
        use.gap(store, "eci", countries="some")
    assert info.value.field == "countries"
    assert info.value.to_dict()["field"] == "countries"


def test_frontier_points_for_the_forecast(db: Path) -> None:
    with Store(db) as store:
        pts = use.frontier_points(store, as_of="2022-12-31")
    monthly = measure.monthly_frontiers(pts)
    assert monthly.index[0] == pd.Timestamp("2020-01-31")
    assert monthly.loc["2022-12-31", ["leader", "challenger"]].tolist() == [120, 115]
    steps = measure.frontier_steps(pts)
    assert steps.loc[steps["side"] == "leader", "value"].tolist() == [100, 110, 120]


def test_plot_png_and_self_contained_html(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png, html = tmp_path / "gap.png", tmp_path / "gap.html"
    assert run(capsys, db, "--draws", "50", "--plot", str(png))[0] == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert run(capsys, db, "--metric", "lmarena", "--draws", "50", "--plot", str(html))[0] == 0
    text = html.read_text(encoding="utf-8")
    assert "<script src=" not in text and "Plotly.newPlot" in text  # JS inlined, no CDN
    assert "Data: LMArena" in text and "lag (months)" in text


# ---- the real data ---------------------------------------------------------------------

DATES = ["2024-06-30", "2024-12-31", "2025-06-30", "2025-12-31"]


def hand_eci(mirror: Path, as_of: str) -> tuple[float, float]:
    """US vs China ECI gap and lag from eci.csv in a few lines of pandas."""
    e = pd.read_csv(mirror / "epoch" / "eci.csv").dropna(subset=["ECI Score", "Release date"])
    e = e[e["Confidence"] != "Unverified"]
    e["date"], e["c"] = pd.to_datetime(e["Release date"]), e["Country"].str.split(",").str[0]
    t = pd.Timestamp(as_of)
    us, cn = e[e["c"] == "United States of America"], e[e["c"] == "China"]
    lead = us.loc[us["date"] <= t, "ECI Score"].max()
    chal = cn.loc[cn["date"] <= t, "ECI Score"].max()
    first = us.loc[us["ECI Score"] >= chal, "date"].min()
    return lead - chal, 0.0 if chal >= lead else (t - first).days / (365.25 / 12)


@pytest.mark.mirror
@pytest.mark.parametrize("as_of", DATES)
def test_mirror_eci_matches_hand_computation(
    mirror_db: Path, mirror: Path, as_of: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = gap_json(capsys, mirror_db, "--as-of", as_of)
    gap, lag = hand_eci(mirror, as_of)
    assert out["gap_points"] == pytest.approx(gap)
    assert out["lag_months"] == pytest.approx(lag)
    lo, hi = out["gap_points_ci"]
    assert lo <= out["gap_points"] + 1e-9 and lo < hi


@pytest.mark.mirror
@pytest.mark.parametrize(
    "args",
    [
        ["--metric", "lmarena"],
        ["--metric", "lmarena", "--style-control"],
        ["--group-by", "accessibility"],
        ["--metric", "gpqa_diamond"],
        ["--metric", "frontiermath"],
        ["--metric", "swe_bench_verified"],
        ["--metric", "otis_mock_aime_2024_2025"],
        ["--metric", "aider_polyglot"],
        ["--metric", "training_compute"],
    ],
)
def test_mirror_metrics_give_a_current_gap(
    mirror_db: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    out = gap_json(capsys, mirror_db, *args)
    assert out["leader"]["model"] and out["challenger"]["model"]
    assert out["gap_points"] is not None and out["lag_months"] is not None
    assert None not in out["gap_points_ci"]


@pytest.mark.mirror
def test_mirror_figure(mirror_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "eci.png"
    code, out, _ = run(capsys, mirror_db, "--draws", "100", "--plot", str(png))
    assert code == 0 and png.stat().st_size > 20_000

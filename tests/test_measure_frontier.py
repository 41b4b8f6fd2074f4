"""Frontiers and groups: known answers, rules, properties, and the pure-core import rule."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gapcast import measure
from measure_data import CN, US, models, points, scores

DATES = pd.DatetimeIndex(["2020-03-31", "2021-03-31", "2021-12-31", "2022-12-31"])


def staircase() -> pd.DataFrame:
    return scores(
        [
            {"model": "us-a", "value": 100, "date": "2020-01-01"},
            {"model": "us-b", "value": 110, "date": "2021-01-01"},
            {"model": "us-c", "value": 105, "date": "2021-06-01"},
            {"model": "us-d", "value": 120, "date": "2022-01-01"},
            {"model": "cn-a", "value": 95, "date": "2020-06-01", "country": CN},
            {"model": "cn-b", "value": 105, "date": "2021-06-01", "country": CN},
            {"model": "cn-c", "value": 115, "date": "2022-06-01", "country": CN},
        ]
    )


def test_frontier_known_answer() -> None:
    out = measure.frontier(points(staircase()), DATES)
    assert out["leader"].tolist() == [100, 110, 110, 120]
    assert out["challenger"].isna().tolist() == [True, False, False, False]
    assert out["challenger"].tolist()[1:] == [95, 105, 115]
    # us-c (105, released after us-b) never holds the frontier.
    assert out["leader_model"].tolist() == ["us-a", "us-b", "us-b", "us-d"]
    assert out["leader_date"].iloc[-1] == pd.Timestamp("2022-01-01")


def test_monthly_frontiers_are_month_ends_from_first_model() -> None:
    monthly = measure.monthly_frontiers(points(staircase(), as_of="2022-07-15"))
    assert monthly.index[0] == pd.Timestamp("2020-01-31")
    assert monthly["challenger"].isna().sum() == 5  # until cn-a in 2020-06
    assert monthly.index[-1] == pd.Timestamp("2022-06-30")
    assert (monthly.index == monthly.index + pd.offsets.MonthEnd(0)).all()
    assert monthly.loc["2021-05-31", "challenger"] == 95


def test_evaluation_dates_monthly_appends_as_of_and_daily_is_every_day() -> None:
    pts = points(staircase(), as_of="2022-07-15")
    monthly = measure.evaluation_dates(pts, "monthly", since=pd.Timestamp("2022-03-10"))
    assert list(monthly.strftime("%Y-%m-%d")) == [
        "2022-03-31",
        "2022-04-30",
        "2022-05-31",
        "2022-06-30",
        "2022-07-15",
    ]
    daily = measure.evaluation_dates(pts, "daily", since=pd.Timestamp("2022-07-01"))
    assert len(daily) == 15


def test_frontier_steps_history() -> None:
    steps = measure.frontier_steps(points(staircase()))
    lead = steps[steps["side"] == "leader"]
    assert lead["model"].tolist() == ["us-a", "us-b", "us-d"]
    assert lead["previous"].isna().tolist() == [True, False, False]
    assert lead["step"].tolist()[1:] == [10, 10]
    assert set(steps["group"]) == {US, CN}


def test_duplicate_versions_collapse_to_running_best() -> None:
    table = scores(
        [
            {"model": "m-high", "model_id": "m", "value": 130, "date": "2024-01-01"},
            {"model": "m-low", "model_id": "m", "value": 120, "date": "2024-01-01"},
            {"model": "fireworks/m", "model_id": "m", "value": 130, "date": "2024-03-01"},
            {"model": "m-v2", "model_id": "m", "value": 135, "date": "2024-06-01"},
            {"model": "m-v1-rerun", "model_id": "m", "value": 125, "date": "2024-07-01"},
            {"model": "cn", "value": 100, "date": "2024-01-01", "country": CN},
        ]
    )
    pts = points(table)
    lead = pts.side("leader")
    assert lead["version"].tolist() == ["m-high", "m-v2"]
    assert pts.n_models("leader") == 1
    assert lead["unit"].nunique() == 1


def test_tie_reports_earliest_then_name() -> None:
    table = scores(
        [
            {"model": "zeta", "value": 130, "date": "2024-01-01"},
            {"model": "alpha", "value": 130, "date": "2024-01-01"},
            {"model": "later", "value": 130, "date": "2024-02-01"},
            {"model": "cn", "value": 100, "date": "2024-01-01", "country": CN},
        ]
    )
    out = measure.frontier(points(table), pd.DatetimeIndex(["2024-03-01"]))
    assert out["leader_model"].iloc[0] == "alpha"


def test_preliminary_rows_excluded_by_default() -> None:
    table = scores(
        [
            {"model": "ok", "value": 120, "date": "2024-01-01"},
            {"model": "unverified", "value": 140, "date": "2024-01-01", "preliminary": True},
            {"model": "cn", "value": 100, "date": "2024-01-01", "country": CN},
        ]
    )
    at = pd.DatetimeIndex(["2024-06-30"])
    assert measure.frontier(points(table), at)["leader"].iloc[0] == 120
    keep = points(table, include_preliminary=True)
    assert measure.frontier(keep, at)["leader"].iloc[0] == 140


def test_release_date_falls_back_to_models_table() -> None:
    table = scores(
        [
            {"model": "gpt-x-chat", "model_id": "gpt-x", "value": 150, "date": None},
            {"model": "cn", "value": 100, "date": "2024-01-01", "country": CN},
            {"model": "orphan", "value": 200, "date": None},
        ]
    )
    table_models = models([{"model_id": "gpt-x", "name": "GPT-X", "date": "2024-05-01"}])
    pts = points(table, model_table=table_models)
    lead = pts.side("leader")
    assert lead["model"].tolist() == ["GPT-X"]
    assert lead["date"].iloc[0] == pd.Timestamp("2024-05-01")


def two_country_table() -> pd.DataFrame:
    return scores(
        [
            {
                "model": "joint",
                "value": 130,
                "date": "2024-01-01",
                "country": US,
                "countries": f"{US}|{CN}",
            },
            {"model": "us", "value": 120, "date": "2024-01-01"},
            {"model": "cn", "value": 110, "date": "2024-01-01", "country": CN},
        ]
    )


def test_two_country_models_primary_by_default_all_on_request() -> None:
    at = pd.DatetimeIndex(["2024-06-30"])
    primary = measure.frontier(points(two_country_table()), at)
    assert (primary["leader"].iloc[0], primary["challenger"].iloc[0]) == (130, 110)
    both = measure.frontier(points(two_country_table(), groups=measure.Groups(countries="all")), at)
    assert (both["leader"].iloc[0], both["challenger"].iloc[0]) == (130, 130)


def test_accessibility_and_organization_groups() -> None:
    table = scores(
        [
            {"model": "closed-a", "value": 130, "date": "2024-01-01", "organization": "OpenAI"},
            {
                "model": "open-a",
                "value": 120,
                "date": "2024-01-01",
                "accessibility": "open",
                "organization": "Meta",
            },
            {
                "model": "open-b",
                "value": 125,
                "date": "2024-01-01",
                "accessibility": "open",
                "organization": "DeepSeek",
                "country": CN,
            },
            {
                "model": "joint",
                "value": 128,
                "date": "2024-01-01",
                "organization": "Google DeepMind,Google",
            },
        ]
    )
    at = pd.DatetimeIndex(["2024-06-30"])
    access = measure.frontier(
        points(table, groups=measure.Groups("accessibility", ("closed",), ("open",))), at
    )
    assert (access["leader"].iloc[0], access["challenger"].iloc[0]) == (130, 125)
    labs = measure.Groups("organization", ("google", "Meta"), ("OpenAI",))
    orgs = measure.frontier(points(table, groups=labs), at)
    assert (orgs["leader"].iloc[0], orgs["challenger"].iloc[0]) == (128, 130)
    assert labs.leader_label == "google + Meta"
    assert measure.group_values(
        measure.metric_rows(table, models(), measure.Selection("eci"), pd.Timestamp("2030-01-01")),
        labs,
    ) == ["DeepSeek", "Google", "Google DeepMind", "Meta", "OpenAI"]


def test_training_compute_is_log10_flop_from_models() -> None:
    table_models = models(
        [
            {"model_id": "a", "date": "2023-01-01", "flop": 1e24},
            {"model_id": "b", "date": "2024-01-01", "flop": 3e25},
            {"model_id": "c", "date": "2024-01-01", "flop": 1e23, "country": CN},
            {"model_id": "no-flop", "date": "2024-01-01", "flop": None},
        ]
    )
    pts = points(scores([]), metric="training_compute", model_table=table_models)
    out = measure.frontier(pts, pd.DatetimeIndex(["2024-06-30"]))
    assert out["leader"].iloc[0] == pytest.approx(np.log10(3e25))
    assert out["challenger"].iloc[0] == pytest.approx(23.0)


# ---- LMArena: ratings as of each snapshot ------------------------------------------------


def arena_table() -> pd.DataFrame:
    base = {"metric": "lmarena", "category": "overall", "style_control": False}
    rows = [
        # Snapshot 1: US 1200, CN 1150.
        {"model": "us-1", "value": 1200, "as_of": "2024-01-10", "date": "2023-12-01"},
        {"model": "cn-1", "value": 1150, "as_of": "2024-01-10", "country": CN},
        # Snapshot 2, re-anchored (+100 for everyone); cn-2 arrives, us-1 is dropped.
        {"model": "us-2", "value": 1290, "as_of": "2024-03-10"},
        {"model": "cn-1", "value": 1250, "as_of": "2024-03-10", "country": CN},
        {"model": "cn-2", "value": 1280, "as_of": "2024-03-10", "country": CN},
        {"model": "us-2", "value": 1400, "as_of": "2024-03-10", "category": "coding"},
        {"model": "us-2", "value": 1500, "as_of": "2024-03-10", "style_control": True},
    ]
    return scores([{**base, **row} for row in rows])


def test_lmarena_frontier_uses_latest_snapshot_on_or_before_each_date() -> None:
    pts = points(arena_table(), metric="lmarena")
    at = pd.DatetimeIndex(["2024-01-09", "2024-02-29", "2024-03-31"])
    out = measure.frontier(pts, at)
    assert out["leader"].isna().iloc[0]
    assert out["leader"].tolist()[1:] == [1200, 1290]
    assert out["challenger"].tolist()[1:] == [1150, 1280]


def test_lmarena_category_and_style_control_select_rows() -> None:
    at = pd.DatetimeIndex(["2024-03-31"])
    coding = points(arena_table(), metric="lmarena", category="coding")
    assert coding.side("leader")["value"].tolist() == [1400]
    styled = points(arena_table(), metric="lmarena", style_control=True)
    assert styled.side("leader")["value"].tolist() == [1500]
    assert styled.side("challenger").empty
    assert measure.frontier(styled, at)["challenger"].isna().all()


def test_lmarena_availability_is_first_appearance_or_release() -> None:
    pts = points(arena_table(), metric="lmarena")
    first = pts.frame.drop_duplicates("model_id").set_index("model_id")["date"]
    assert first["us-1"] == pd.Timestamp("2023-12-01")  # release date before listing
    assert first["cn-1"] == pd.Timestamp("2024-01-10")  # first listed
    assert first["us-2"] == pd.Timestamp("2024-03-10")  # listed first with style control


# ---- properties --------------------------------------------------------------------------

side_points = st.lists(
    st.tuples(st.integers(0, 2000), st.floats(0, 200, allow_nan=False), st.sampled_from([US, CN])),
    min_size=1,
    max_size=30,
)


def random_table(items: list[tuple[int, float, str]]) -> pd.DataFrame:
    start = pd.Timestamp("2020-01-01")
    return scores(
        [
            {
                "model": f"m{i}",
                "value": value,
                "country": country,
                "date": start + pd.Timedelta(days=offset),
            }
            for i, (offset, value, country) in enumerate(items)
        ]
    )


@settings(max_examples=60, deadline=None)
@given(side_points)
def test_property_frontier_never_decreases(items: list[tuple[int, float, str]]) -> None:
    pts = points(random_table(items))
    out = measure.frontier(pts, pd.date_range("2019-12-01", "2025-12-31", freq="ME"))
    for side in ("leader", "challenger"):
        values = out[side].dropna().to_numpy()
        assert (np.diff(values) >= 0).all()
        # Once a side has a model it keeps one.
        assert (np.diff(out[side].notna().to_numpy().astype(int)) >= 0).all()


@settings(max_examples=60, deadline=None)
@given(side_points)
def test_property_frontier_equals_plain_running_max(items: list[tuple[int, float, str]]) -> None:
    table = random_table(items)
    pts = points(table)
    at = pd.date_range("2019-12-01", "2025-12-31", freq="ME")
    out = measure.frontier(pts, at)
    for side, country in (("leader", US), ("challenger", CN)):
        mine = table[table["country"] == country]
        expected = [mine.loc[mine["release_date"] <= t, "value"].max() for t in at]
        np.testing.assert_allclose(out[side].to_numpy(), np.array(expected, dtype=float))


def test_measure_core_imports_no_io_or_interface_modules() -> None:
    code = (
        "import sys, gapcast.measure, gapcast.measure.gaps, gapcast.measure.uncertainty\n"
        "bad = [m for m in ('duckdb', 'typer', 'click', 'fastapi', 'matplotlib', 'plotly',"
        " 'gapcast.store', 'gapcast.cli', 'httpx') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_api_is_sorted_and_complete() -> None:
    assert measure.__all__ == sorted(measure.__all__)
    for name in measure.__all__:
        assert hasattr(measure, name)

"""Gaps and lags: hand-computed answers on synthetic series, LMArena rules, properties."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from gapcast import measure
from gapcast.errors import InsufficientDataError
from gapcast.measure.gaps import Reference
from measure_data import CN, US, models, months_between, points, scores


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


AT = pd.DatetimeIndex(["2020-12-31", "2021-12-31", "2022-12-31"])


def test_gap_and_both_lags_known_answer() -> None:
    out = measure.gap_series(points(staircase(), as_of="2023-06-30"), AT)
    assert out["gap_points"].tolist() == [5, 5, 5]
    assert out["relative_gap_pct"].iloc[2] == pytest.approx(5 / 115 * 100)
    # Backward: the leader reached 95 with us-a (its first model: censored), 105 with us-b,
    # 115 with us-d.
    assert out["lag_months"].tolist() == pytest.approx(
        [
            months_between("2020-12-31", "2020-01-01"),
            months_between("2021-12-31", "2021-01-01"),
            months_between("2022-12-31", "2022-01-01"),
        ]
    )
    assert out["lag_censored"].tolist() == [True, False, False]
    # Forward: the challenger reached 100 with cn-b, 110 with cn-c, and 120 not by as_of.
    assert out["lag_forward_months"].tolist() == pytest.approx(
        [
            months_between("2021-06-01", "2020-12-31"),
            months_between("2022-06-01", "2021-12-31"),
            months_between("2023-06-30", "2022-12-31"),
        ]
    )
    assert out["lag_forward_censored"].tolist() == [False, False, True]


def test_delayed_copy_has_exact_lag_and_constant_gap() -> None:
    # The challenger releases the leader's model m six months later; the leader's m-th model
    # scores m, the challenger's m - 6 on the same day as the leader's m-th: gap 6 points.
    start = pd.Timestamp("2020-01-01")
    recs = []
    for m in range(36):
        day = start + pd.DateOffset(months=m)
        recs.append({"model": f"us-{m}", "value": float(m), "date": day})
        if m >= 6:
            recs.append({"model": f"cn-{m}", "value": float(m - 6), "date": day, "country": CN})
    pts = points(scores(recs), as_of="2022-12-31")
    at = pd.DatetimeIndex([start + pd.DateOffset(months=m) for m in range(6, 36)])
    out = measure.gap_series(pts, at)
    assert (out["gap_points"] == 6).all()
    expected = [(t - (t - pd.DateOffset(months=6))).days / (365.25 / 12) for t in at]
    assert out["lag_months"].tolist() == pytest.approx(expected)
    # Only at the first date is the crossing the leader's first model (its history's start).
    assert out["lag_censored"].tolist() == [True] + [False] * 29
    assert out["lag_months"].between(5.9, 6.1).all()


def test_level_or_ahead_means_zero_lag() -> None:
    table = scores(
        [
            {"model": "us", "value": 100, "date": "2020-01-01"},
            {"model": "cn", "value": 100, "date": "2021-01-01", "country": CN},
            {"model": "cn2", "value": 120, "date": "2022-01-01", "country": CN},
        ]
    )
    out = measure.gap_series(points(table), pd.DatetimeIndex(["2021-06-30", "2022-06-30"]))
    assert out["gap_points"].tolist() == [0, -20]
    assert out["lag_months"].tolist() == [0, 0]
    assert out["lag_forward_months"].tolist() == [0, 0]
    assert not out["lag_censored"].any()


def test_swapping_sides_negates_gap_known_case() -> None:
    swapped = measure.Groups(leader=(CN,), challenger=(US,))
    a = measure.gap_series(points(staircase()), AT)
    b = measure.gap_series(points(staircase(), groups=swapped), AT)
    np.testing.assert_array_equal(a["gap_points"], -b["gap_points"])


def test_measure_gap_result_and_json() -> None:
    pts = points(staircase(), as_of="2023-06-30")
    result = measure.measure_gap(pts, rng=measure.rng_from_seed(7), draws=200)
    out = result.to_dict()
    json.dumps(out)
    assert out["leader"]["model"] == "us-d"
    assert out["leader"]["date"] == "2022-01-01"
    assert out["challenger"] == {**out["challenger"], "model": "cn-c", "score": 115.0}
    assert out["gap_points"] == 5
    assert out["lag_months"] == pytest.approx(months_between("2023-06-30", "2022-01-01"))
    lo, hi = out["gap_points_ci"]
    assert lo <= hi
    assert out["series"][0]["date"] == "2020-06-30"
    assert out["series"][-1]["date"] == "2023-06-30"
    series_lags = [row["lag_months"] for row in out["series"]]
    assert out["lag_summary"]["mean"] == pytest.approx(np.mean(series_lags))
    assert out["lag_summary"]["max"] == pytest.approx(max(series_lags))
    assert {"lag_months", "lag_forward_months", "uncertainty", "trend"} <= set(out["methods"])
    assert out["methods"]["lag_months"].startswith("backward")
    assert out["methods"]["lag_forward_months"].startswith("forward")
    # The forward lag is reported at the last date it is not censored: the leader's 110
    # (to 2021-12-31) was reached in 2022-06; its 120 never was.
    assert out["lag_forward"]["censored"] is False
    assert out["lag_forward_at"] == "2021-12-31"


def test_no_common_date_raises_insufficient_data() -> None:
    table = scores([{"model": "us", "value": 100, "date": "2020-01-01"}])
    with pytest.raises(InsufficientDataError, match="no date up to 2030-01-01 has a model"):
        measure.measure_gap(points(table), rng=measure.rng_from_seed(1), draws=10)


def test_ols_trend_known_answers() -> None:
    dates = pd.date_range("2024-01-31", "2024-12-31", freq="ME")
    years = (dates - dates[0]).days.to_numpy() / 365.25
    exact = measure.ols_trend(dates, 1 + 3 * years, end=dates[-1])
    assert exact.slope_per_year == pytest.approx(3)
    assert exact.ci[0] == pytest.approx(3) and exact.ci[1] == pytest.approx(3)
    noisy = 1 + 3 * years + np.random.default_rng(3).normal(0, 0.5, years.size)
    fit = measure.ols_trend(dates, noisy, end=dates[-1])
    ref = stats.linregress(years, noisy)
    half = stats.t.ppf(0.975, years.size - 2) * ref.stderr
    assert fit.slope_per_year == pytest.approx(ref.slope)
    assert fit.ci == pytest.approx((ref.slope - half, ref.slope + half))
    assert fit.n == 12
    window = measure.ols_trend(dates, noisy, end=dates[-1], months=6)
    assert window.n == 6


def test_find_reference_and_first_match() -> None:
    table = scores(
        [
            {"model": "gpt-4-0314", "model_id": "gpt-4-mar", "value": 126, "date": "2023-03-14"},
            {"model": "gpt-4-0613", "model_id": "gpt-4-jun", "value": 122, "date": "2023-06-13"},
            {"model": "qwen-a", "value": 125, "date": "2024-06-01", "country": CN},
            {"model": "qwen-b", "value": 129, "date": "2024-09-19", "country": CN},
            {"model": "ds", "value": 131, "date": "2024-09-19", "country": CN},
        ]
    )
    table_models = models(
        [
            {"model_id": "gpt-4-mar", "name": "GPT-4 (Mar 2023)"},
            {"model_id": "gpt-4-jun", "name": "GPT-4 (Jun 2023)"},
        ]
    )
    rows = measure.metric_rows(
        table, table_models, measure.Selection("eci"), pd.Timestamp("2030-01-01")
    )
    ref = measure.find_reference(rows, "gpt-4")
    assert ref is not None
    assert (ref.name, ref.version, ref.score) == ("GPT-4 (Mar 2023)", "gpt-4-0314", 126)
    assert measure.find_reference(rows, "gpt-4-0613").score == 122  # type: ignore[union-attr]
    assert measure.find_reference(rows, "nothing") is None
    match = measure.first_match(points(table, model_table=table_models), ref)
    assert (match.model, match.score) == ("ds", 131)  # same day: the higher score
    assert match.months_after == pytest.approx(months_between("2024-09-19", "2023-03-14"))
    never = measure.first_match(points(table), Reference("x", None, 200.0, None))
    assert never.model is None and never.months_after is None


# ---- LMArena: compare only within a snapshot ---------------------------------------------


def arena(shift_second: float = 0.0) -> pd.DataFrame:
    base = {"metric": "lmarena", "category": "overall", "style_control": False}
    s1, s2 = "2024-01-10", "2024-03-10"
    rows = [
        {"model": "us-0", "value": 1200, "as_of": s1, "date": "2023-06-01"},
        {"model": "cn-1", "value": 1150, "as_of": s1, "date": "2023-10-01", "country": CN},
        {"model": "us-0", "value": 1240 + shift_second, "as_of": s2},
        {"model": "us-2", "value": 1290 + shift_second, "as_of": s2, "date": "2024-02-01"},
        {"model": "cn-1", "value": 1250 + shift_second, "as_of": s2, "country": CN},
        {
            "model": "cn-2",
            "value": 1280 + shift_second,
            "as_of": s2,
            "date": "2024-03-01",
            "country": CN,
        },
    ]
    return scores([{**base, **row} for row in rows])


ARENA_AT = pd.DatetimeIndex(["2024-01-31", "2024-03-31"])


def test_lmarena_gap_and_lag_within_each_snapshot() -> None:
    pts = points(arena(), metric="lmarena", as_of="2024-04-30")
    out = measure.gap_series(pts, ARENA_AT)
    assert out["gap_points"].tolist() == [50, 10]
    # Backward lags are measured at the snapshot date with that snapshot's ratings.
    assert out["lag_months"].tolist() == pytest.approx(
        [months_between("2024-01-10", "2023-06-01"), months_between("2024-03-10", "2024-02-01")]
    )
    assert out["lag_censored"].tolist() == [True, False]
    # Forward lags use the latest snapshot: there cn-1 (1250) was already above us-0 (1240).
    assert out["lag_forward_months"].iloc[0] == 0
    assert out["lag_forward_censored"].tolist() == [False, True]


def test_lmarena_rescaling_one_snapshot_changes_nothing() -> None:
    a = measure.gap_series(points(arena(), metric="lmarena", as_of="2024-04-30"), ARENA_AT)
    b = measure.gap_series(points(arena(1000.0), metric="lmarena", as_of="2024-04-30"), ARENA_AT)
    for column in ("gap_points", "lag_months", "lag_forward_months"):
        np.testing.assert_allclose(a[column], b[column])


def test_lmarena_result_names_snapshot() -> None:
    pts = points(arena(), metric="lmarena", as_of="2024-04-30")
    out = measure.measure_gap(pts, rng=measure.rng_from_seed(1), draws=50).to_dict()
    assert out["leader"]["snapshot"] == "2024-03-10"
    assert out["series"][-1]["snapshot"] == "2024-03-10"
    assert out["uncertainty"]["resample_models"] is False


# ---- properties --------------------------------------------------------------------------

items_strategy = st.lists(
    st.tuples(
        st.integers(0, 1500),
        st.floats(0, 100, allow_nan=False, width=32),
        st.sampled_from([US, CN]),
    ),
    min_size=2,
    max_size=25,
)


def table_of(items: list[tuple[int, float, str]]) -> pd.DataFrame:
    start = pd.Timestamp("2021-01-01")
    return scores(
        [
            {"model": f"m{i}", "value": v, "country": c, "date": start + pd.Timedelta(days=d)}
            for i, (d, v, c) in enumerate(items)
        ]
    )


MONTHS = pd.date_range("2021-01-31", "2025-12-31", freq="ME")


@settings(max_examples=60, deadline=None)
@given(items_strategy)
def test_property_lags_are_non_negative(items: list[tuple[int, float, str]]) -> None:
    out = measure.gap_series(points(table_of(items), as_of="2025-12-31"), MONTHS)
    for column in ("lag_months", "lag_forward_months"):
        values = out[column].dropna()
        assert (values >= 0).all()
    both = out["leader"].notna() & out["challenger"].notna()
    assert out.loc[both, "lag_months"].notna().all()
    assert (out.loc[out["gap_points"] <= 0, "lag_months"] == 0).all()


@settings(max_examples=60, deadline=None)
@given(items_strategy)
def test_property_swapping_sides_negates_gap(items: list[tuple[int, float, str]]) -> None:
    swapped = measure.Groups(leader=(CN,), challenger=(US,))
    a = measure.gap_series(points(table_of(items)), MONTHS)
    b = measure.gap_series(points(table_of(items), groups=swapped), MONTHS)
    np.testing.assert_array_equal(a["gap_points"].to_numpy(), -b["gap_points"].to_numpy())


@settings(max_examples=30, deadline=None)
@given(items_strategy, items_strategy)
def test_property_as_of_never_sees_later_data(
    items: list[tuple[int, float, str]], later: list[tuple[int, float, str]]
) -> None:
    as_of = "2023-06-30"
    before = [(d % 900, v, c) for d, v, c in items]  # on or before 2023-06-19
    after = [(901 + d, v, c) for d, v, c in later]  # from 2023-06-21 (after as_of: > 910)
    after = [(d, v, c) for d, v, c in after if d > 910]
    base = table_of(before)
    more = table_of(before + after)
    pts_a, pts_b = points(base, as_of=as_of), points(more, as_of=as_of)
    try:
        a = measure.measure_gap(pts_a, rng=measure.rng_from_seed(3), draws=20).to_dict()
    except InsufficientDataError:
        with pytest.raises(InsufficientDataError):
            measure.measure_gap(pts_b, rng=measure.rng_from_seed(3), draws=20)
        return
    b = measure.measure_gap(pts_b, rng=measure.rng_from_seed(3), draws=20).to_dict()
    assert a == b


def test_first_reach_compares_exactly_in_every_row() -> None:
    from gapcast.measure._engine import first_reach

    tiny = 1.1754943508222875e-38
    cum = np.tile([[-np.inf, 0.0, tiny, 1500.0]], (1000, 1))  # bands far from the values
    level = np.tile([[tiny, 0.0, -np.inf, np.inf, tiny / 2, 1500.0]], (1000, 1))
    assert (first_reach(cum, level) == [2, 1, 0, 4, 2, 3]).all()

"""Uncertainty: seeded draws, the bootstrap and noise rules, and the vectorised engine
checked against plain per-draw loops."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gapcast import measure
from gapcast.measure._engine import first_reach
from gapcast.measure.gaps import evaluate_points
from measure_data import CN, models, points, scores


def many_models(n_us: int = 12, n_cn: int = 9, se: float | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    recs = []
    for side, n, country in (("us", n_us, "United States"), ("cn", n_cn, CN)):
        for i in range(n):
            recs.append(
                {
                    "model": f"{side}-{i}",
                    "country": country,
                    "se": se,
                    "value": float(rng.uniform(90, 150)),
                    "date": pd.Timestamp("2022-01-01")
                    + pd.Timedelta(days=int(rng.integers(0, 1000))),
                }
            )
            if i % 3 == 0:  # a later, better version of the same model
                recs.append(
                    {
                        **recs[-1],
                        "model": f"{side}-{i}-v2",
                        "model_id": f"{side}-{i}",
                        "value": recs[-1]["value"] + 2,
                        "date": recs[-1]["date"] + pd.Timedelta(days=60),
                    }
                )
    return scores(recs)


def test_bootstrap_is_reproducible_with_a_seed() -> None:
    pts = points(many_models(se=1.0), as_of="2025-06-30")
    a = measure.measure_gap(pts, rng=measure.rng_from_seed(42), draws=300).to_dict()
    b = measure.measure_gap(pts, rng=measure.rng_from_seed(42), draws=300).to_dict()
    c = measure.measure_gap(pts, rng=measure.rng_from_seed(43), draws=300).to_dict()
    assert a == b
    assert a["gap_points_ci"] != c["gap_points_ci"] or a["lag_months_ci"] != c["lag_months_ci"]
    np.testing.assert_array_equal(
        measure.draw_values(pts, 50, measure.rng_from_seed(None)),
        measure.draw_values(pts, 50, measure.rng_from_seed(measure.DEFAULT_SEED)),
    )


def test_model_bootstrap_keeps_or_drops_whole_models() -> None:
    pts = points(many_models(), as_of="2025-06-30")
    values = measure.draw_values(pts, 4000, np.random.default_rng(1), noise=False)
    present = np.isfinite(values)
    unit = pts.frame["unit"].to_numpy()
    for u in np.unique(unit):
        cols = present[:, unit == u]
        assert (cols == cols[:, :1]).all()  # versions of one model move together
    side = pts.frame["side"].to_numpy()
    for name, n in (("leader", 12), ("challenger", 9)):
        first = present[:, side == name]
        assert first.any(axis=1).all()  # a resample is never empty
        per_model = present[:, (side == name)][
            :, np.unique(unit[side == name], return_index=True)[1]
        ]
        assert per_model.mean() == pytest.approx(1 - (1 - 1 / n) ** n, abs=0.02)
    assert (
        values[present] == np.broadcast_to(pts.frame["value"].to_numpy(), values.shape)[present]
    ).all()


def test_noise_only_gap_interval_matches_normal_answer() -> None:
    table = scores(
        [
            {"model": "us", "value": 100.0, "se": 2.0, "date": "2024-01-01"},
            {"model": "cn", "value": 90.0, "se": 1.5, "date": "2024-01-01", "country": CN},
        ]
    )
    pts = points(table, as_of="2024-06-30")
    result = measure.measure_gap(
        pts, rng=measure.rng_from_seed(5), draws=40000, resample_models=False
    )
    half = 1.959964 * np.hypot(2.0, 1.5)
    assert result.gap_points == 10
    assert result.gap_points_ci[0] == pytest.approx(10 - half, abs=0.1)
    assert result.gap_points_ci[1] == pytest.approx(10 + half, abs=0.1)


def test_sd_from_standard_error_else_interval() -> None:
    table = scores(
        [
            {"model": "a", "value": 1300, "lo": 1290.2, "hi": 1309.8, "date": "2024-01-01"},
            {"model": "b", "value": 0.5, "se": 0.02, "lo": 0.0, "hi": 1.0, "date": "2024-01-01"},
            {"model": "c", "value": 0.5, "date": "2024-01-01"},
        ]
    )
    rows = measure.metric_rows(
        table, models(), measure.Selection("eci"), pd.Timestamp("2030-01-01")
    ).set_index("version")
    assert rows.loc["a", "sd"] == pytest.approx(19.6 / 3.92)
    assert rows.loc["b", "sd"] == pytest.approx(0.02)
    assert rows.loc["c", "sd"] == 0


def test_no_draws_gives_no_intervals() -> None:
    pts = points(many_models(), as_of="2025-06-30")
    out = measure.measure_gap(pts, rng=measure.rng_from_seed(1), draws=0).to_dict()
    assert out["gap_points_ci"] == [None, None]
    assert out["lag_months_ci"] == [None, None]
    assert out["uncertainty"]["method"] == "none (no draws)"


def test_percentile_interval_ignores_nan_without_warnings() -> None:
    samples = np.array([[1.0, np.nan], [2.0, np.nan], [3.0, np.nan], [np.nan, np.nan]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lo, hi = measure.percentile_interval(samples, 0.5)
    assert (lo[0], hi[0]) == (1.5, 2.5)
    assert np.isnan(lo[1]) and np.isnan(hi[1])


# ---- the vectorised engine against plain loops -------------------------------------------


def plain_evaluation(
    pts: measure.Points, values: np.ndarray, at: pd.DatetimeIndex
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per draw and date: both frontiers and the backward lag, written as plainly as can be."""
    frame = pts.frame
    dates = frame["date"].to_numpy()
    side = frame["side"].to_numpy()
    lead = np.full((values.shape[0], len(at)), np.nan)
    chal, lag = lead.copy(), lead.copy()
    for d in range(values.shape[0]):
        for j, t in enumerate(at.to_numpy()):
            best = {}
            for name in ("leader", "challenger"):
                mine = (side == name) & (dates <= t) & np.isfinite(values[d])
                best[name] = values[d, mine].max() if mine.any() else np.nan
            lead[d, j], chal[d, j] = best["leader"], best["challenger"]
            if np.isnan(best["leader"]) or np.isnan(best["challenger"]):
                continue
            if best["challenger"] >= best["leader"]:
                lag[d, j] = 0.0
                continue
            order = np.flatnonzero((side == "leader") & np.isfinite(values[d]))
            reached = next(
                dates[i] for i in order if values[d, order[order <= i]].max() >= best["challenger"]
            )
            lag[d, j] = (pd.Timestamp(t) - pd.Timestamp(reached)).days / (365.25 / 12)
    return lead, chal, lag


def test_vectorised_bootstrap_matches_plain_loop() -> None:
    pts = points(many_models(se=3.0), as_of="2025-06-30")
    at = measure.evaluation_dates(pts, "monthly")
    values = measure.draw_values(pts, 60, np.random.default_rng(11))
    ev = evaluate_points(pts, at, values)
    lead, chal, lag = plain_evaluation(pts, values, at)
    np.testing.assert_allclose(ev.leader, lead)
    np.testing.assert_allclose(ev.challenger, chal)
    np.testing.assert_allclose(ev.lag, lag)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 6), st.integers(0, 8), st.integers(1, 5), st.integers(0, 10_000))
def test_property_first_reach_matches_brute_force(draws: int, n: int, t: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    raw = rng.choice([-np.inf, 1.0, 2.0, 3.0, 1e3], size=(draws, n))
    cum = np.maximum.accumulate(raw, axis=1) if n else raw
    level = rng.choice([-np.inf, 0.5, 1.0, 2.0, 3.0, 5.0, 1e3], size=(draws, t))
    k = first_reach(cum, level)
    for d in range(draws):
        for j in range(t):
            hits = [i for i in range(n) if cum[d, i] >= level[d, j]]
            assert k[d, j] == (hits[0] if hits else n)

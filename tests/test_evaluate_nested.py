"""The nested backtest: known answers for its pieces, no look-ahead, any worker count."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pytest

from gapcast.evaluate import skill
from gapcast.evaluate.forecasters import (
    BASELINES,
    Forecast,
    Forecaster,
    LocalTrend,
    NoChange,
    PastView,
    Trend,
    from_paths,
)
from gapcast.evaluate.history import Known, MetricData, known_at, lag_series, month_of
from gapcast.evaluate.nested import BacktestSettings, forecast_at, run_nested, tune_at
from gapcast.evaluate.track import check_targets, summarize


def synthetic(seed: int = 7, end: dt.date = dt.date(2025, 6, 30)) -> MetricData:
    """Two sides releasing about monthly; the leader rises faster; data to ``end``."""
    rng = np.random.default_rng(seed)
    side, day, value = [], [], []
    start = dt.date(2021, 1, 15).toordinal()
    for s, rise in ((0, 1.0), (1, 0.8)):
        level = 100.0 if s == 0 else 80.0
        d = start + int(rng.integers(0, 20))
        while d <= end.toordinal():
            level += float(rng.exponential(rise)) * (rng.random() < 0.6)
            side.append(s)
            day.append(d)
            value.append(level + float(rng.normal(0, 0.3)))
            d += int(rng.integers(15, 45))
    return MetricData(
        "toy",
        np.array(side, dtype=np.int8),
        np.array(day, dtype=np.int64),
        np.array(value),
        None,
        end,
    )


def test_lag_series_known_answer() -> None:
    leader = np.array([1.0, 2.0, 3.0, 4.0])
    challenger = np.array([np.nan, 1.0, 2.0, 5.0])
    # month 1: the leader had 1.0 at month 0 -> 1; month 2: 2.0 at month 1 -> 1; ahead -> 0
    np.testing.assert_array_equal(lag_series(leader, challenger), [np.nan, 1.0, 1.0, 0.0])


def test_known_at_sees_nothing_later() -> None:
    data = synthetic()
    m = month_of(dt.date(2023, 3, 1))
    known = known_at(data, m)
    assert known.months[-1] == m
    cut = dt.date(2023, 3, 31).toordinal()
    for s, front in ((0, known.leader), (1, known.challenger)):
        best = data.value[(data.side == s) & (data.day <= cut)].max()
        assert front[-1] == best
        assert np.all(np.diff(front[np.isfinite(front)]) >= 0)


def test_from_paths_gap_and_lag() -> None:
    known = Known(
        10,
        np.arange(8, 11, dtype=np.int64),
        np.array([0.0, 1.0, 2.0]),
        np.array([0.0, 0.5, 1.0]),
    )
    leader = np.array([[2.0, 3.0], [2.0, 2.0]])
    challenger = np.array([[1.0, 2.5], [1.0, 1.5]])
    fc = from_paths(known, leader, challenger, [1])
    np.testing.assert_allclose(fc.draws[("gap", 1)], [0.5, 0.5])
    # draw 0: the leader reached 2.5 in the same month -> 0; draw 1: 1.5 was first reached
    # by the leader at the origin (month 10), one month before month 11 -> 1
    np.testing.assert_array_equal(fc.draws[("lag", 1)], [0.0, 1.0])


def test_no_change_robust_spread() -> None:
    gap = np.array([10.0, 10.0, 11.0, 11.0, 13.0, 13.0, 13.0, 40.0 - 27.0])
    n = gap.size
    known = Known(n, np.arange(n, dtype=np.int64), gap + 50.0, np.full(n, 50.0))
    fc = NoChange().forecast(known, [1], np.random.default_rng(0))
    x = fc.draws[("gap", 1)]
    changes = np.abs(np.diff(gap))  # 0,1,0,2,0,0,0: more than half are 0
    sigma = math.sqrt(math.pi / 2) * changes.mean()
    assert np.median(x) == pytest.approx(13.0, abs=1e-9)
    assert np.quantile(x, 0.8413) - 13.0 == pytest.approx(sigma, rel=0.01)


def test_forecasters_follow_the_protocol() -> None:
    for f in (Trend(), *BASELINES):
        assert isinstance(f, Forecaster)
    assert [b.name for b in BASELINES] == ["no_change", "drift", "local_trend"]


def test_local_trend_follows_a_straight_line() -> None:
    n = 30
    gap = 20.0 - 0.5 * np.arange(n) + np.random.default_rng(1).normal(0, 0.2, n)
    known = Known(n, np.arange(n, dtype=np.int64), gap + 50.0, np.full(n, 50.0))
    fc = LocalTrend().forecast(known, [6], np.random.default_rng(0))
    assert np.median(fc.draws[("gap", 6)]) == pytest.approx(gap[-1] - 3.0, abs=1.0)


def test_n_effective_known_answers() -> None:
    alternating = [1.0, 0.0] * 10
    assert skill.n_effective(alternating, 2) == 20  # negative autocorrelation counts as 0
    # lags 1..3: rho = -0.95, +0.9, -0.85 (sum of products over n x variance): 1 + 2 * 0.9
    assert skill.n_effective(alternating, 4) == pytest.approx(20 / (1 + 2 * 0.9))
    assert skill.n_effective([1.0] * 10, 3) == pytest.approx(10 / 5)  # fully dependent
    assert skill.n_effective([1.0, 0.0, 1.0], 1) == 3


def test_wilson_known_answer() -> None:
    lo, hi = skill.wilson(0.5, 100, 0.9)
    assert (lo, hi) == pytest.approx((0.41884, 0.58116), abs=1e-4)


def test_skill_interval_falls_back_to_hac_with_few_origins() -> None:
    ref = np.array([3.0, 4, 5, 6, 5, 4, 3, 4, 5, 6, 5])
    assert skill.hac_interval(ref - 0.5 * ref, float(ref.mean()), 12) != pytest.approx((0.5, 0.5))
    lo, hi = skill.hac_interval(np.full(8, 2.0), 4.0, 3)  # no spread: exactly 2 / 4
    assert (lo, hi) == pytest.approx((0.5, 0.5))
    sk, lo, hi = skill.block_skill(0.5 * ref, ref, 12, 1)
    assert sk == pytest.approx(0.5) and lo < 0.5 < hi


def test_pit_test_rejects_a_biased_forecaster() -> None:
    u = (np.arange(50) + 0.5) / 50
    assert skill.pit_test(u, 50) > 0.99
    assert skill.pit_test(u**3, 50) < 0.01
    assert skill.pit_test(u**3, 3) > 0.01  # the same values, few independent checks


def test_score_draws_counts_ties_in_the_pit() -> None:
    x = np.array([0.0, 1.0, 1.0, 1.0, 2.0])
    s = skill.score_draws(x, 1.0, 1.5, 1.0, 0.5)
    assert s.pit == pytest.approx((1 + 0.5 * 3) / 5)
    assert s.p_narrows == pytest.approx(4 / 5)
    assert s.p_within == pytest.approx(4 / 5)
    assert s.covered == (True, True, True)


def test_adding_data_after_an_origin_changes_nothing_there() -> None:
    full = synthetic(end=dt.date(2025, 6, 30))
    cut = dt.date(2024, 6, 30)
    origin = month_of(cut)
    early = full.truncated(cut)
    hs = (1, 3)
    a, b = tune_at(early, origin, hs, 5), tune_at(full, origin, hs, 5)
    assert a == b
    fa, fb = forecast_at(early, origin, hs, a, 5), forecast_at(full, origin, hs, b, 5)
    assert fa.draws.keys() == fb.draws.keys()
    for name in fa.draws:
        for key in fa.draws[name]:
            np.testing.assert_array_equal(fa.draws[name][key], fb.draws[name][key])


def test_nested_run_is_causal_and_worker_independent() -> None:
    full = synthetic(end=dt.date(2024, 12, 31))
    settings = BacktestSettings("2024-01", (1, 3), 11, "toy", {"toy": 2.0})
    one = run_nested({"toy": full}, settings, workers=1)
    two = run_nested({"toy": full}, settings, workers=2)
    assert [r.to_dict() for r in one.records] == [r.to_dict() for r in two.records]
    assert one.tuned == two.tuned and one.stack_weights == two.stack_weights
    # the same run on data cut at 2024-08: every record, tuned value and stacking weight
    # it has is the full run's (outcomes by then, forecasts from data known then)
    short = run_nested({"toy": full.truncated(dt.date(2024, 8, 31))}, settings, workers=1)
    mine = {(r.model, r.target, r.origin, r.horizon): r.to_dict() for r in one.records}
    assert short.records
    for r in short.records:
        assert mine[(r.model, r.target, r.origin, r.horizon)] == r.to_dict()
    for o, v in short.tuned.items():
        assert one.tuned[o] == v
    for k, w in short.stack_weights.items():
        assert one.stack_weights[k] == w
    assert one.stack_weights  # the trend model and all three baselines are stacked
    assert all(
        set(w) == {"trend", "no_change", "drift", "local_trend"} for w in one.stack_weights.values()
    )
    rows = summarize(one)
    models = {r.model for r in rows}
    assert {"trend", "no_change", "drift", "local_trend", "selected"} <= models
    assert all(0 <= r.pit_p <= 1 for r in rows if np.isfinite(r.pit_p))
    assert check_targets(rows, "trend", "toy")


@dataclass(frozen=True)
class Flat:
    """A stand-in for the structural model: both frontiers stay where they are.

    Its ``tune`` (the structural model's posterior fit) records the origin it was fitted at
    and the last month of data it was shown.
    """

    name: str = "flat"
    fitted: tuple[int, int] | None = None

    def tune(
        self, past: PastView, origin: int, horizons: Sequence[int], rng: np.random.Generator
    ) -> Flat:
        return Flat(self.name, (origin, int(past(origin).months[-1])))

    def forecast(self, known: Known, horizons: Sequence[int], rng: np.random.Generator) -> Forecast:
        assert self.fitted == (known.origin, known.origin)  # fitted at this origin, on data then
        n = max(horizons) + 1
        lead = np.full((50, n), known.leader[-1])
        chal = np.full((50, n), known.challenger[-1]) + rng.normal(0, 0.1, (50, 1))
        return from_paths(known, lead, chal, horizons)


def test_a_model_plugs_in_without_changing_the_others() -> None:
    data = synthetic(end=dt.date(2024, 9, 30))
    base = BacktestSettings("2024-05", (1, 3), 4, "toy", {"toy": 2.0})
    plain = run_nested({"toy": data}, base)
    more = run_nested({"toy": data}, dataclasses.replace(base, extra=(Flat(),)))
    flat = [r for r in more.records if r.model == "flat"]
    assert flat and all(r.scored.crps >= 0 for r in flat)
    gap0 = {r.origin: r.start for r in flat if r.target == "gap"}
    assert all(abs(r.scored.median - gap0[r.origin]) < 0.5 for r in flat if r.target == "gap")
    kept = ("trend", "no_change", "drift")
    assert [r.to_dict() for r in more.records if r.model in kept] == [
        r.to_dict() for r in plain.records if r.model in kept
    ]


@dataclass(frozen=True)
class OnlyToy(Flat):
    """A model fitted in one metric's units: it forecasts that metric only, and reports
    what it fitted at each origin (the structural model's posterior means)."""

    name: str = "only_toy"
    metrics: tuple[str, ...] = ("toy",)

    def tune(
        self, past: PastView, origin: int, horizons: Sequence[int], rng: np.random.Generator
    ) -> OnlyToy:
        return OnlyToy(self.name, (origin, int(past(origin).months[-1])))

    def tuned(self) -> dict[str, float]:
        assert self.fitted is not None
        return {"origin": float(self.fitted[0])}


def test_a_model_forecasts_only_its_metrics_and_reports_what_it_fitted() -> None:
    toy = synthetic(end=dt.date(2024, 9, 30))
    other = dataclasses.replace(synthetic(seed=9, end=dt.date(2024, 9, 30)), metric="other")
    settings = BacktestSettings("2024-05", (1, 3), 4, "toy", {}, extra=(OnlyToy(),))
    run = run_nested({"toy": toy, "other": other}, settings)
    mine = {r.metric for r in run.records if r.model == "only_toy"}
    assert mine == {"toy"}
    assert {r.metric for r in run.records if r.model == "trend"} == {"toy", "other"}
    for origin, values in run.tuned.items():
        assert values["only_toy.origin"] == origin
        assert {"window", "rho"} <= set(values)

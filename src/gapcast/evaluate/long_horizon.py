r"""Long horizons (36 and 60 months): what can be checked, since no origin is that old.

The rolling-origin backtest validates horizons up to 12 months: ECI starts in 2023, so a
36-month target has no outcome yet. Two checks stand in for the longer horizons:

Simulated histories (the mechanics)
    Draw ``histories`` frontier paths of both sides from the fitted model itself
    (``simulate(rng, months, n)``: by default the trend model fitted on the data at its last
    month), each ``history_months + max(horizons)`` long. On each path, refit the forecaster
    on its first ``history_months`` months only, forecast, and check whether the path's
    own later gap falls in the forecast's central 50/80/95% intervals. The paths are
    independent, so the coverage's n is the number of histories. If the model were true,
    coverage should match the levels; a shortfall measures what the fitting mechanics
    (a few observed steps, their bootstrap, the rate posterior) leave out.
Earliest history (the data)
    The same nested backtest, at 36 and 60 months, on a metric with a long history
    (training compute of the largest models, log10 FLOP, since 2018): every origin whose
    target month is covered. Overlapping origins leave very few independent checks (the
    effective n is reported).

The structural model plugs in by passing its simulator as ``simulate`` and itself as
``forecaster``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gapcast.evaluate import skill
from gapcast.evaluate.forecasters import Forecaster, Trend, trend_paths
from gapcast.evaluate.history import Array, Known

Simulator = Callable[[np.random.Generator, int, int], tuple[Array, Array]]
"""``simulate(rng, months, n)``: ``(leader, challenger)`` paths, n × ``months + 1``."""


def trend_simulator(known: Known, trend: Trend) -> Simulator:
    """Return a simulator of the trend model fitted on ``known`` (window and rho of ``trend``)."""

    def simulate(rng: np.random.Generator, months: int, n: int) -> tuple[Array, Array]:
        return trend_paths(known, trend.window, trend.rho, months, n, rng)

    return simulate


@dataclass(frozen=True)
class SimulatedCoverage:
    """Coverage of a forecaster's own intervals on histories simulated from a model."""

    histories: int
    history_months: int
    coverage: dict[int, dict[str, dict[str, Any]]]
    """Per horizon, per level (``"50"``...): rate, n, 90% Wilson interval."""
    pit_p: dict[int, float]

    def to_dict(self) -> dict[str, Any]:
        """Return the result as plain values."""
        return {
            "histories": self.histories,
            "history_months": self.history_months,
            "coverage": {str(h): v for h, v in self.coverage.items()},
            "pit_p": {str(h): p for h, p in self.pit_p.items()},
        }


def simulated_coverage(
    simulate: Simulator,
    forecaster: Forecaster,
    *,
    horizons: Sequence[int] = (36, 60),
    histories: int = 200,
    history_months: int = 36,
    seed: int = 2026,
) -> SimulatedCoverage:
    """Return the coverage of ``forecaster``'s gap intervals on simulated histories."""
    hs = tuple(horizons)
    root = np.random.SeedSequence(seed)
    sim_seed, *fc_seeds = root.spawn(histories + 1)
    lead, chal = simulate(np.random.default_rng(sim_seed), history_months + max(hs), histories)
    hits: dict[int, list[tuple[bool, ...]]] = {h: [] for h in hs}
    pits: dict[int, list[float]] = {h: [] for h in hs}
    months = np.arange(history_months + 1, dtype=np.int64)
    for i in range(histories):
        known = Known(
            history_months, months, lead[i, : history_months + 1], chal[i, : history_months + 1]
        )
        rng = np.random.default_rng(fc_seeds[i])
        fc = forecaster.forecast(known, hs, rng)
        for h in hs:
            x = fc.draws.get(("gap", h))
            if x is None:
                continue
            y = float(lead[i, history_months + h] - chal[i, history_months + h])
            sc = skill.score_draws(x, y, float(known.gap[-1]), None, float(rng.random()))
            hits[h].append(sc.covered)
            pits[h].append(sc.pit)
    coverage: dict[int, dict[str, dict[str, Any]]] = {}
    for h in hs:
        coverage[h] = {}
        for j, lv in enumerate(skill.LEVELS):
            v = [c[j] for c in hits[h]]
            rate = float(np.mean(v)) if v else float("nan")
            lo, hi = skill.wilson(rate, len(v)) if v else (float("nan"), float("nan"))
            coverage[h][f"{round(100 * lv)}"] = {"rate": rate, "n": len(v), "ci90": [lo, hi]}
    pit_p = {h: skill.pit_test(pits[h], len(pits[h])) for h in hs}
    return SimulatedCoverage(histories, history_months, coverage, pit_p)


__all__ = ["SimulatedCoverage", "Simulator", "simulated_coverage", "trend_simulator"]

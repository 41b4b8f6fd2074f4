"""The structural model in the nested backtest: a posterior refitted at every origin.

``Structural`` is a ``Forecaster`` (``gapcast.evaluate.forecasters``) for the nested
backtest (``gapcast.evaluate.nested``). It carries, per origin, what the product would have
had then: the fit's data (``FitData`` cut at the origin's month end: the cross-section of
models released by then and the monthly series to then) and the forecast's starting point
(``ForecastInputs`` measured as of the same day). At each origin ``tune`` samples the
posterior with NUTS on that data alone (``SETTINGS``: a shorter chain than ``gapcast fit``'s,
so the whole backtest fits in its time budget), and ``forecast`` simulates the structural
model from it, exactly as the headline does, ``max(horizons)`` months ahead.

The posterior predictive check of the headline's events comes from the same fit: ``tune``
also records P(challenger strictly ahead in some month) and P(sustained lead) within
``CHECK_HORIZONS`` months, which ``event_check`` compares with what then happened.

The scenario's assumptions (compute growth, serving demand, release rates' priors) are
today's published estimates, not the ones known at each origin; that is a look-ahead the
backtest cannot remove (docs/backtest.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from gapcast.errors import GapcastError
from gapcast.evaluate.forecasters import Forecast, PastView, from_paths, trend_paths
from gapcast.evaluate.history import Array, Known, MetricData, known_at, month_end
from gapcast.model import bayes
from gapcast.model.fitdata import FitData
from gapcast.model.inputs import ForecastInputs
from gapcast.model.posterior import Posterior
from gapcast.model.structural import MARGIN, RUN_MONTHS, StructuralModel, with_overrides
from gapcast.scenario.estimation import EstimationPriors
from gapcast.scenario.fields import Scenario
from gapcast.usecases.estimate import fit_data, priors_of, use_compile_cache
from gapcast.usecases.forecast_inputs import Tables, build_inputs

NAME = "structural"
SETTINGS = bayes.SamplerSettings(warmup=200, samples=200, chains=1)
"""NUTS per origin: one chain of 200 warm-up and 200 kept draws (``gapcast fit`` runs 2 x
(500 + 500)); enough for the predictive draws, whose spread is dominated by the shocks."""
DRAWS = 2000
"""Simulated paths per origin."""
CHECK_HORIZONS = (6, 12)
"""Horizons (months) of the event check."""


@dataclass(frozen=True)
class OriginData:
    """What the structural model is fitted on and starts from at one origin."""

    fit: FitData
    inputs: ForecastInputs


@dataclass(frozen=True)
class Structural:
    """The structural model as a nested-backtest forecaster (module docstring)."""

    scenario: Scenario
    origins: Mapping[int, OriginData]
    settings: bayes.SamplerSettings = SETTINGS
    draws: int = DRAWS
    metric: str = "eci"
    posterior: Posterior | None = None
    origin: int | None = None
    fitted: Mapping[str, float] | None = None
    """What ``tune`` fitted at ``origin``: posterior means and the event probabilities."""
    compile_cache: Path | None = None
    """Where JAX keeps the compiled sampler (every origin has the same padded shapes, so
    all but the first fit in any worker load it instead of compiling)."""

    @property
    def name(self) -> str:
        """``structural``."""
        return NAME

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics it forecasts: the one it is fitted on (its parameters are in its units)."""
        return (self.metric,)

    @property
    def shape(self) -> tuple[int, int]:
        """The fit's padded size (cross-section rows, months): the largest origin's."""
        rows = max((d.fit.cross.size for d in self.origins.values()), default=1)
        months = max((d.fit.series.months for d in self.origins.values()), default=2)
        return rows, months

    def _model(self, origin: int, post: Posterior, months: int) -> StructuralModel:
        sc = self.scenario.model_copy(update={"horizon_months": months})
        return StructuralModel(sc, self.origins[origin].inputs, post)

    def _paths(self, model: StructuralModel, rng: np.random.Generator) -> tuple[Array, Array]:
        seed = int(rng.integers(0, 2**62))
        observed = model.paths(seed, self.draws)[0]
        return observed[:, :, 0], observed[:, :, 1]

    def tune(
        self, past: PastView, origin: int, horizons: Sequence[int], rng: np.random.Generator
    ) -> Structural:
        """Fit the posterior on the data known at ``origin`` (none where it cannot be fitted)."""
        data = self.origins.get(origin)
        if data is None:
            return replace(self, posterior=None, origin=origin, fitted=None)
        seed = int(rng.integers(0, 2**31))
        use_compile_cache(self.compile_cache)
        post = _sampler(priors_of(self.scenario), self.settings).run(
            data.fit, seed=seed, shape=self.shape
        )
        post = with_overrides(post, self.scenario, rng)
        leader, challenger = self._paths(self._model(origin, post, max(CHECK_HORIZONS)), rng)
        events = event_probabilities(leader, challenger, CHECK_HORIZONS)
        lam, kap = post.summary("lambda"), post.summary("kappa")
        summary = {
            "lambda": lam.mean if lam else float("nan"),
            "kappa": kap.mean if kap else float("nan"),
            "divergences": float(post.divergences),
            **events,
        }
        return replace(self, posterior=post, origin=origin, fitted=summary)

    def forecast(self, known: Known, horizons: Sequence[int], rng: np.random.Generator) -> Forecast:
        """Simulate both frontiers from the origin's posterior (nothing where none was fitted)."""
        if self.posterior is None or self.origin is None:
            return Forecast({})
        model = self._model(self.origin, self.posterior, max(horizons))
        leader, challenger = self._paths(model, rng)
        return from_paths(known, leader, challenger, horizons)

    def tuned(self) -> dict[str, float]:
        """Return what was fitted at the origin (posterior means, event probabilities)."""
        return dict(self.fitted or {})


_SAMPLERS: dict[str, bayes.NutsFit] = {}


def _sampler(priors: EstimationPriors, settings: bayes.SamplerSettings) -> bayes.NutsFit:
    """Return this process's sampler for ``priors`` and ``settings`` (compiled once)."""
    key = f"{priors.fingerprint()}|{settings}"
    if key not in _SAMPLERS:
        _SAMPLERS[key] = bayes.NutsFit(priors, settings)
    return _SAMPLERS[key]


def event_probabilities(
    leader: Array, challenger: Array, horizons: Sequence[int]
) -> dict[str, float]:
    """Return P(strict) and P(sustained) within each horizon from simulated frontiers.

    ``strict``: the challenger above the leader in some month ``1..h``; ``sustained``: ahead
    by at least ``MARGIN`` for ``RUN_MONTHS`` consecutive months ending by ``h`` (the
    headline's events, ``gapcast.model.headline``).
    """
    ahead = challenger[:, 1:] > leader[:, 1:]
    lead = challenger[:, 1:] - leader[:, 1:] >= MARGIN
    run = np.zeros(lead.shape[0], np.int64)
    done = np.zeros(lead.shape, bool)
    for m in range(lead.shape[1]):
        run = np.where(lead[:, m], run + 1, 0)
        done[:, m] = run >= RUN_MONTHS
    out = {}
    for h in horizons:
        out[f"p_strict_{h}"] = float(ahead[:, :h].any(axis=1).mean())
        out[f"p_sustained_{h}"] = float(done[:, :h].any(axis=1).mean())
    return out


def observed_events(data: MetricData, origin: int, h: int) -> dict[str, bool] | None:
    """Return whether each event happened in months ``origin + 1 .. origin + h``.

    Measured on today's data; None where the window is not over.
    """
    if origin + h > data.end_month:
        return None
    now = known_at(data, origin + h)
    leader, challenger = now.leader[-(h + 1) :], now.challenger[-(h + 1) :]
    if not np.isfinite(leader - challenger)[1:].all():
        return None
    p = event_probabilities(leader[None], challenger[None], (h,))  # one path: 0 or 1
    return {"strict": p[f"p_strict_{h}"] == 1.0, "sustained": p[f"p_sustained_{h}"] == 1.0}


def trend_events(
    data: MetricData, tuned: Mapping[int, Mapping[str, float]], seed: int
) -> dict[int, dict[str, float]]:
    """Return the trend model's event probabilities at each origin, for comparison.

    The trend model as tuned at that origin (its window and common progress in ``tuned``)
    simulates both frontiers from the data known then (``DRAWS`` paths).
    """
    out = {}
    for o, values in sorted(tuned.items()):
        known = known_at(data.truncated(month_end(o)), o)
        if not known.both:
            continue
        rng = np.random.default_rng([seed, o])
        window, rho = int(values["window"]), float(values["rho"])
        leader, challenger = trend_paths(known, window, rho, max(CHECK_HORIZONS), DRAWS, rng)
        out[o] = event_probabilities(leader, challenger, CHECK_HORIZONS)
    return out


def event_check(
    data: MetricData, predicted: Mapping[str, Mapping[int, Mapping[str, float]]]
) -> list[dict[str, Any]]:
    """Compare each model's predicted event probabilities at each origin with what happened.

    ``predicted[model][origin]`` holds ``p_<event>_<h>``. One row per model, event and
    horizon over the origins whose window is over: the mean predicted probability, how
    often the event happened, the Brier score, and the probability the model gave to what
    happened on non-overlapping windows (every ``h``-th origin back from the last one):
    how surprised it should be.
    """
    rows = []
    for model, tuned in predicted.items():
        for h in CHECK_HORIZONS:
            for event in ("strict", "sustained"):
                row = _check_row(data, tuned, event, h)
                if row is not None:
                    rows.append({"model": model, **row})
    return rows


def _check_row(
    data: MetricData, tuned: Mapping[int, Mapping[str, float]], event: str, h: int
) -> dict[str, Any] | None:
    pairs = []
    for o in sorted(tuned):
        p = tuned[o].get(f"p_{event}_{h}")
        seen = observed_events(data, o, h)
        if p is not None and seen is not None:
            pairs.append((o, float(p), seen[event]))
    if not pairs:
        return None
    ps = np.array([p for _, p, _ in pairs])
    ys = np.array([float(y) for _, _, y in pairs])
    last = pairs[-1][0]
    disjoint = [(p, y) for o, p, y in pairs if (last - o) % h == 0]
    return {
        "event": event,
        "horizon": h,
        "origins": len(pairs),
        "first_origin": month_end(pairs[0][0]).isoformat(),
        "last_origin": month_end(last).isoformat(),
        "mean_p": float(ps.mean()),
        "observed_rate": float(ys.mean()),
        "brier": float(np.mean((ps - ys) ** 2)),
        "disjoint_windows": len(disjoint),
        "p_of_outcome": float(np.prod([p if y else 1.0 - p for p, y in disjoint])),
    }


def origin_data(
    tables: Tables, scenario: Scenario, origins: Sequence[int]
) -> tuple[dict[int, OriginData], list[str]]:
    """Return the fit data and forecast inputs as known at each origin's month end.

    An origin where the fit cannot run (too few months of both sides' releases) is left out,
    with a note saying from which origin the structural model is scored.
    """
    out: dict[int, OriginData] = {}
    skipped = []
    for o in origins:
        day: dt.date = month_end(o)
        try:
            fit, inputs = fit_data(tables, scenario, day), build_inputs(tables, scenario, day)
            out[o] = OriginData(fit, inputs)
        except GapcastError:
            skipped.append(o)
    notes = []
    if skipped:
        first = min(out) if out else None
        notes.append(
            f"structural: not fitted at {len(skipped)} origins "
            f"({month_end(min(skipped)):%Y-%m} to {month_end(max(skipped)):%Y-%m}), where the "
            "fit has too few months of both sides' releases"
            + (f"; scored from {month_end(first):%Y-%m}" if first is not None else "")
        )
    return out, notes


__all__ = [
    "CHECK_HORIZONS",
    "DRAWS",
    "NAME",
    "SETTINGS",
    "OriginData",
    "Structural",
    "event_check",
    "event_probabilities",
    "observed_events",
    "origin_data",
    "trend_events",
]

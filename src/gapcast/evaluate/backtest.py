r"""Backtests: forecasts of the gap made from past dates, scored against what happened.

For each **origin** ``o`` (a month end; the pipeline builds them monthly from 2023-06, using
only data released, and for LMArena snapshotted, on or before ``o``) and each horizon
``h`` whose target month ``o + h`` is observed, every model forecasts the gap ``y = F_leader
- F_challenger`` at the end of month ``o + h``:

- ``trend`` and ``compute``: the models' Monte Carlo draws (``simulate_paths``, the same
  seed at every origin, so every origin shares random numbers), from the inputs measured as
  of ``o``; the trend model's common progress ``rho`` is applied to one simulation with
  ``rho = 0`` (``with_common_progress``), so a calibration grid costs no extra simulation;
- ``ensemble``: the mixture ``w`` compute + ``(1 - w)`` trend of those draws;
- ``persistence`` and ``linear``: the naive baselines (``gapcast.evaluate.scoring``).

Each forecast is scored (``scoring.score``: CRPS, Brier scores of two events, coverage of
central intervals, PIT). ``summarize`` averages per model and horizon over the **common
origins** (those where every model and baseline could forecast), and gives the CRPS skill
against persistence,

.. math:: \text{skill} = 1 - \overline{\operatorname{CRPS}}_{\text{model}} /
          \overline{\operatorname{CRPS}}_{\text{persistence}}

(positive: better than "the gap stays"). The compute model forecasts the gap on the ECI
scale; on another metric its forecast *change* of the gap is converted with a fitted slope
(``Origin.scale`` points of the metric per ECI point): ``y = y_0 + s (G(h) - G(0))``.

Caveats (stated in every result's notes): Epoch re-fits ECI scores when it adds data, so
an origin's "data as of then" uses today's scores for old models; the scenario's priors
(compute growth, serving shares) are today's; origins overlap (a 12-month target is shared
by 12 origins), so the effective number of independent checks is small.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gapcast.errors import GapcastError
from gapcast.evaluate.scoring import (
    LEVELS,
    NormalPredictive,
    Predictive,
    SamplePredictive,
    Score,
    linear,
    persistence,
    score,
)
from gapcast.model.engine import Array, simulate_paths
from gapcast.model.inputs import ForecastInputs
from gapcast.model.structural import (
    EngineModel as ComputeModel,
)  # shim until issue 11 rewrites this
from gapcast.model.trend import TrendModel, with_common_progress
from gapcast.scenario.files import Scenario

MODELS = ("trend", "compute", "ensemble")
BASELINES = ("persistence", "linear")
ALL = (*MODELS, *BASELINES)
RELIABILITY_BINS = 10
PIT_BINS = 10


@dataclass(frozen=True)
class Origin:
    """What a forecaster knew at one origin, and what happened after.

    Attributes
    ----------
    date
        The origin (a month end).
    gap
        The measured gap at ``date`` (leader minus challenger, metric points).
    history
        Month-end gaps up to and including the origin's month, oldest first.
    targets
        The observed gap ``h`` months later, for each horizon ``h`` that is observed.
    trend
        The trend model's inputs on this metric as of ``date`` (``None``: not available).
    compute
        The compute model's (ECI) inputs as of ``date`` (``None``: not available).
    scale
        Metric points per ECI point for the compute model's change of the gap (1 on ECI).
    notes
        Why a model is not available at this origin.
    """

    date: dt.date
    gap: float
    history: Array
    targets: Mapping[int, float]
    trend: ForecastInputs | None = None
    compute: ForecastInputs | None = None
    scale: float = 1.0
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class OriginDraws:
    """Simulated frontiers at an origin: draws × (month 0, then each horizon) × groups.

    ``trend`` is simulated with common progress 0 (apply ``rho`` with ``gaps``).
    """

    horizons: tuple[int, ...]
    trend: Array | None
    compute: Array | None
    notes: tuple[str, ...] = ()

    def gaps(self, origin: Origin, model: str, rho: float = 0.0) -> dict[int, Array] | None:
        """Return the gap draws at each horizon for ``trend`` or ``compute`` (or ``None``)."""
        if model == "trend":
            if self.trend is None:
                return None
            p = with_common_progress(self.trend, rho)
            return {h: p[:, i + 1, 0] - p[:, i + 1, 1] for i, h in enumerate(self.horizons)}
        if self.compute is None:
            return None
        p = self.compute
        g0 = p[:, 0, 0] - p[:, 0, 1]
        return {
            h: origin.gap + origin.scale * (p[:, i + 1, 0] - p[:, i + 1, 1] - g0)
            for i, h in enumerate(self.horizons)
        }


def _at(paths: Array, horizons: Sequence[int]) -> Array:
    return np.ascontiguousarray(paths[:, [0, *horizons], :])


def simulate_origin(
    origin: Origin,
    scenario: Scenario,
    horizons: Sequence[int],
    draws: int,
    seed: int,
    *,
    compute_scenarios: Mapping[str, Scenario] | None = None,
) -> tuple[OriginDraws, dict[str, OriginDraws]]:
    """Simulate both models at an origin (the scenario's horizon must cover ``horizons``).

    Returns the draws for ``scenario`` and, for each named variant in ``compute_scenarios``
    (the calibration's half-life grid), the compute model's draws under that variant (same
    seed: common random numbers).
    """
    hs = tuple(horizons)
    notes = list(origin.notes)
    trend = compute = None
    if origin.trend is not None:
        flat = scenario.model_copy(
            update={"trend": scenario.trend.model_copy(update={"common_progress": 0.0})}
        )
        try:
            trend = _at(simulate_paths(TrendModel(flat, origin.trend), draws, seed), hs)
        except GapcastError as err:
            notes.append(f"trend: {err.message}")
    variants: dict[str, OriginDraws] = {}
    if origin.compute is not None:
        try:
            compute = _at(simulate_paths(ComputeModel(scenario, origin.compute), draws, seed), hs)
            for name, sc in (compute_scenarios or {}).items():
                paths = simulate_paths(ComputeModel(sc, origin.compute), draws, seed)
                variants[name] = OriginDraws(hs, None, _at(paths, hs))
        except GapcastError as err:
            notes.append(f"compute: {err.message}")
    return OriginDraws(hs, trend, compute, tuple(notes)), variants


@dataclass(frozen=True)
class ScoredForecast:
    """One model's forecast at one origin and horizon, scored."""

    model: str
    origin: dt.date
    horizon: int
    observed: float
    start: float
    score: Score

    def to_dict(self) -> dict[str, Any]:
        """Return the record as plain numbers."""
        s = self.score
        return {
            "model": self.model,
            "origin": self.origin.isoformat(),
            "horizon": self.horizon,
            "observed": self.observed,
            "start": self.start,
            "crps": s.crps,
            "median": s.median,
            "interval80": list(s.interval80),
            "p_within": s.p_within,
            "p_narrows": s.p_narrows,
            "within": s.within,
            "narrows": s.narrows,
            "pit": s.pit,
            "covered": {f"{round(100 * lv)}": c for lv, c in zip(LEVELS, s.covered, strict=True)},
        }


def predictives(
    origin: Origin, sim: OriginDraws, h: int, rho: float, weight: float
) -> dict[str, Predictive]:
    """Return every available model's and baseline's forecast at horizon ``h``."""
    out: dict[str, Predictive] = {}
    trend = sim.gaps(origin, "trend", rho)
    compute = sim.gaps(origin, "compute")
    if trend is not None:
        out["trend"] = SamplePredictive.of(trend[h])
    if compute is not None:
        out["compute"] = SamplePredictive.of(compute[h])
    if trend is not None and compute is not None:
        out["ensemble"] = SamplePredictive.mixture(out["compute"], out["trend"], weight)  # type: ignore[arg-type]
    for name, make in (("persistence", persistence), ("linear", linear)):
        pred: NormalPredictive | None = make(origin.history, h)
        if pred is not None:
            out[name] = pred
    return out


def score_origin(
    origin: Origin,
    sim: OriginDraws,
    *,
    rho: float,
    weight: float,
    threshold: float,
    rng: np.random.Generator,
) -> list[ScoredForecast]:
    """Score every model's forecast at every observed horizon of one origin."""
    out: list[ScoredForecast] = []
    for h in sim.horizons:
        if h not in origin.targets:
            continue
        y = float(origin.targets[h])
        preds = predictives(origin, sim, h, rho, weight)
        for name in ALL:
            if name in preds:
                u = float(rng.random())
                s = score(preds[name], y, origin.gap, threshold, u)
                out.append(ScoredForecast(name, origin.date, h, y, origin.gap, s))
    return out


@dataclass(frozen=True)
class ScoreRow:
    """Mean scores of one model at one horizon."""

    model: str
    horizon: int
    n: int
    crps: float
    skill: float | None
    """CRPS skill against persistence on the same origins (``None`` for persistence)."""
    brier: float
    """Mean of the two events' Brier scores."""
    brier_within: float
    brier_narrows: float
    coverage50: float
    coverage80: float
    coverage95: float
    pit_mean: float

    def to_dict(self) -> dict[str, Any]:
        """Return the row as plain numbers."""
        return dict(self.__dict__)


def summarize(
    records: Sequence[ScoredForecast],
    horizons: Sequence[int],
    *,
    common: bool = True,
) -> list[ScoreRow]:
    """Average the scores per model and horizon; skill against persistence.

    With ``common`` only the origins where every model and baseline forecast count (so the
    rows compare like with like); otherwise each model on all its origins, its skill on the
    origins it shares with persistence.
    """
    rows: list[ScoreRow] = []
    for h in horizons:
        at = [r for r in records if r.horizon == h]
        by: dict[str, dict[dt.date, ScoredForecast]] = {}
        for r in at:
            by.setdefault(r.model, {})[r.origin] = r
        present = [m for m in ALL if m in by]
        if common and present:
            shared = set.intersection(*(set(by[m]) for m in ALL)) if set(ALL) <= set(by) else set()
            by = {m: {o: r for o, r in by[m].items() if o in shared} for m in present}
        for m in present:
            mine = by[m]
            if not mine:
                continue
            items = list(mine.values())
            base = by.get("persistence", {})
            matched = [o for o in mine if o in base]
            skill = None
            if m != "persistence" and matched:
                ref = float(np.mean([base[o].score.crps for o in matched]))
                own = float(np.mean([mine[o].score.crps for o in matched]))
                skill = 1.0 - own / ref if ref > 0 else None
            bw = float(np.mean([r.score.brier_within for r in items]))
            bn = float(np.mean([r.score.brier_narrows for r in items]))
            cov = np.mean([r.score.covered for r in items], axis=0)
            rows.append(
                ScoreRow(
                    m,
                    h,
                    len(items),
                    float(np.mean([r.score.crps for r in items])),
                    skill,
                    (bw + bn) / 2,
                    bw,
                    bn,
                    float(cov[0]),
                    float(cov[1]),
                    float(cov[2]),
                    float(np.mean([r.score.pit for r in items])),
                )
            )
    return rows


def reliability(
    records: Sequence[ScoredForecast], bins: int = RELIABILITY_BINS
) -> dict[str, dict[str, list[dict[str, float]]]]:
    """Return reliability-diagram rows per model and event (forecast bins, observed rate)."""
    out: dict[str, dict[str, list[dict[str, float]]]] = {}
    for m in ALL:
        mine = [r for r in records if r.model == m]
        if not mine:
            continue
        out[m] = {}
        for event in ("within", "narrows"):
            p = np.array([getattr(r.score, f"p_{event}") for r in mine])
            o = np.array([float(getattr(r.score, event)) for r in mine])
            idx = np.minimum((p * bins).astype(np.int64), bins - 1)
            out[m][event] = [
                {
                    "lo": b / bins,
                    "hi": (b + 1) / bins,
                    "n": int((idx == b).sum()),
                    "forecast": float(p[idx == b].mean()),
                    "observed": float(o[idx == b].mean()),
                }
                for b in range(bins)
                if (idx == b).any()
            ]
    return out


def pit_histogram(records: Sequence[ScoredForecast], bins: int = PIT_BINS) -> dict[str, list[int]]:
    """Return counts of the PIT values in ``bins`` equal bins, per model (uniform if calibrated)."""
    out: dict[str, list[int]] = {}
    for m in ALL:
        pit = np.array([r.score.pit for r in records if r.model == m])
        if pit.size:
            out[m] = np.histogram(pit, bins=bins, range=(0.0, 1.0))[0].astype(int).tolist()
    return out


@dataclass(frozen=True)
class BacktestResult:
    """A backtest: every scored forecast, the summary table, and how it was made."""

    metric: str
    origins: tuple[dt.date, ...]
    horizons: tuple[int, ...]
    threshold: float
    records: tuple[ScoredForecast, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def scores(self) -> list[ScoreRow]:
        """Return the summary on the common origins (see ``summarize``)."""
        return summarize(self.records, self.horizons, common=True)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document of ``gapcast backtest --json``."""
        return {
            "metric": self.metric,
            "origins": [o.isoformat() for o in self.origins],
            "horizons": list(self.horizons),
            "threshold": self.threshold,
            "events": {
                "within": f"the challenger is within {self.threshold:g} points (gap <= "
                f"{self.threshold:g}, being ahead included)",
                "narrows": "the gap at the target month is below the gap at the origin",
            },
            "scores": [r.to_dict() for r in self.scores],
            "scores_all_origins": [
                r.to_dict() for r in summarize(self.records, self.horizons, common=False)
            ],
            "reliability": reliability(self.records),
            "pit_histogram": pit_histogram(self.records),
            "records": [r.to_dict() for r in self.records],
            "settings": self.settings,
            "notes": list(self.notes),
        }


def run_backtest(
    origins: Sequence[Origin],
    scenario: Scenario,
    *,
    metric: str,
    horizons: Sequence[int],
    draws: int,
    seed: int,
    threshold: float,
    settings: Mapping[str, Any] | None = None,
    notes: Sequence[str] = (),
) -> BacktestResult:
    """Simulate and score every origin with the scenario's common progress and weight.

    The scenario's ``horizon_months`` must be at least ``max(horizons)``; the PIT's
    randomisation uses ``numpy.random.default_rng(seed)``.
    """
    rng = np.random.default_rng(seed)
    rho = scenario.trend.common_progress
    weight = 0.5  # shim: the ensemble weight is gone (issue 10b); issue 11 rewrites this
    records: list[ScoredForecast] = []
    why: list[str] = list(notes)
    for origin in origins:
        sim, _ = simulate_origin(origin, scenario, horizons, draws, seed)
        why.extend(f"{origin.date}: {n}" for n in sim.notes)
        records.extend(
            score_origin(origin, sim, rho=rho, weight=weight, threshold=threshold, rng=rng)
        )
    return BacktestResult(
        metric,
        tuple(o.date for o in origins),
        tuple(horizons),
        threshold,
        tuple(records),
        dict(settings or {}),
        tuple(why),
    )


__all__ = [
    "ALL",
    "BASELINES",
    "MODELS",
    "BacktestResult",
    "Origin",
    "OriginDraws",
    "ScoreRow",
    "ScoredForecast",
    "pit_histogram",
    "predictives",
    "reliability",
    "run_backtest",
    "score_origin",
    "simulate_origin",
    "summarize",
]

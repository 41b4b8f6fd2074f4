r"""The nested rolling-origin backtest: every tuned value refitted at each origin.

Origins are month ends from ``start``. At origin ``o`` each forecaster sees only the data
as it stood at the end of ``o`` (``MetricData.truncated``): the trend model's window and
common progress are tuned there (``Trend.tune``, on the tuning metric, ECI), then every
forecaster forecasts the gap and the lag at each horizon. A forecast is scored when its
target month ``o + h`` is covered by the data (and, on a snapshot metric, a newer snapshot
than the origin's exists by then), against the target measured from all the data.

Two forecasters are built from the others' out-of-sample records, in a second pass:

stack
    A quantile average of the trend model and the baselines, weights on a simplex grid
    (steps of ``1 / STACK_GRID``) minimising the mean CRPS of the tuning metric's forecasts
    at the same target and horizon whose outcomes were known at ``o`` (``o' + h <= o``),
    once at least ``MIN_STACK`` of them exist;
selected
    At each origin, whichever of ``trend`` and ``stack`` had the lower mean CRPS on those
    same earlier records (``trend`` while the stack has none): stacking is used only where
    it has helped out of sample.

Held-out metrics use the tuning metric's tuned values and stacking weights at the same
origin; nothing is ever fitted or chosen on them. More models under test (the structural
model) come in through ``BacktestSettings.extra``: each is tuned once per origin
(``tune_extra``, on the tuning metric's data known then; a posterior fit goes there) and
forecasts from that origin beside the trend model: every metric, or those in its
``metrics`` attribute where it has one (the structural model forecasts ECI only; its
parameters are in ECI points). Each (metric, origin) task draws its
random numbers from ``SeedSequence(seed, spawn_key=(key of forecaster and metric, origin))``,
so results are identical for any number of worker processes (``workers``) and a model added
to the comparison changes no other model's numbers.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import itertools
import multiprocessing
import os
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from gapcast.evaluate import skill
from gapcast.evaluate.forecasters import (
    BASELINES,
    DRAWS,
    HORIZONS,
    TARGETS,
    Forecaster,
    Trend,
)
from gapcast.evaluate.history import Array, MetricData, known_at, month_end, month_of

QUANTILES = 100
"""Quantile levels ``(i + 1/2) / QUANTILES`` each forecast is kept at (for stacking)."""
STACK_GRID = 10
MIN_STACK = 6
MODELS = ("structural", "trend", "stack", "selected")
"""The models under test, in table order (``structural`` where it is passed in ``extra``)."""

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Record:
    """One forecast at one origin and horizon, scored against its outcome."""

    metric: str
    target: str
    model: str
    origin: int
    horizon: int
    observed: float
    start: float
    scored: skill.Scored
    quantiles: Array

    def to_dict(self) -> dict[str, Any]:
        """Return the record as plain numbers (without its quantiles)."""
        s = self.scored
        return {
            "metric": self.metric,
            "target": self.target,
            "model": self.model,
            "origin": month_end(self.origin).isoformat(),
            "horizon": self.horizon,
            "observed": self.observed,
            "start": self.start,
            "crps": s.crps,
            "log_score": s.log,
            "pit": s.pit,
            "median": s.median,
            "interval80": list(s.interval80),
            "covered": {
                f"{round(100 * lv)}": c for lv, c in zip(skill.LEVELS, s.covered, strict=True)
            },
        }


@dataclass(frozen=True)
class OriginForecasts:
    """Every forecaster's draws at one origin of one metric, and what the trend was tuned to."""

    metric: str
    origin: int
    draws: Mapping[str, Mapping[tuple[str, int], Array]]
    tuned: Mapping[str, float]


def seed_for(seed: int, metric: str, origin: int) -> np.random.SeedSequence:
    """Return the seed sequence of one (metric, origin) task."""
    return np.random.SeedSequence(seed, spawn_key=(zlib.crc32(metric.encode()), origin))


def pit_uniform(seed: int, metric: str, origin: int, target: str, h: int, model: str) -> float:
    """Return the PIT's uniform number for one forecast (independent of what else is scored)."""
    key = [zlib.crc32(x.encode()) for x in (metric, target, model)]
    return float(np.random.default_rng([seed, key[0], origin, key[1], h, key[2]]).random())


def tune_at(data: MetricData, origin: int, horizons: Sequence[int], seed: int) -> Trend:
    """Return the trend model tuned on ``data`` as it stood at the end of ``origin``."""
    known = data.truncated(month_end(origin))
    rng = np.random.default_rng(seed_for(seed, "tune:" + data.metric, origin))
    return Trend().tune(lambda m: known_at(known, m), origin, horizons, rng)


def forecast_at(
    data: MetricData,
    origin: int,
    horizons: Sequence[int],
    trend: Trend,
    seed: int,
    extra: Sequence[Forecaster] = (),
) -> OriginForecasts:
    """Return every forecaster's draws at ``origin`` from the data known then."""
    known = known_at(data.truncated(month_end(origin)), origin)
    forecasters: list[Forecaster] = [trend, *extra, *BASELINES]
    draws = {}
    if known.both:
        for f in forecasters:
            only = getattr(f, "metrics", None)
            if only is not None and data.metric not in only:
                continue
            rng = np.random.default_rng(seed_for(seed, f"{f.name}:{data.metric}", origin))
            draws[f.name] = dict(f.forecast(known, horizons, rng).draws)
    return OriginForecasts(
        data.metric, origin, draws, {"window": float(trend.window), "rho": trend.rho}
    )


def _quantiles(x: Array) -> Array:
    idx = np.minimum(((np.arange(QUANTILES) + 0.5) / QUANTILES * x.size).astype(int), x.size - 1)
    return np.asarray(x[idx], dtype=np.float64)


def outcomes(
    data: MetricData, origin: int, horizons: Sequence[int]
) -> dict[tuple[str, int], tuple[float, float]]:
    """Return ``(start, observed)`` per (target, horizon) whose outcome is observed."""
    now = known_at(data, origin)
    out: dict[tuple[str, int], tuple[float, float]] = {}
    for h in horizons:
        t = origin + h
        if t > data.end_month:
            continue
        if data.snapshot is not None and data.snapshot_in_force(t) == data.snapshot_in_force(
            origin
        ):
            continue
        later = known_at(data, t)
        for target in TARGETS:
            y0 = float(getattr(now, target)[-1])
            y = float(getattr(later, target)[-1])
            if np.isfinite(y0) and np.isfinite(y):
                out[(target, h)] = (y0, y)
    return out


def score_origin(
    data: MetricData,
    fc: OriginForecasts,
    horizons: Sequence[int],
    threshold: float,
    seed: int,
) -> list[Record]:
    """Score one origin's forecasts against the outcomes in ``data``."""
    seen = outcomes(data, fc.origin, horizons)
    out = []
    for (target, h), (y0, y) in sorted(seen.items()):
        for name in sorted(fc.draws):
            x = fc.draws[name].get((target, h))
            if x is None:
                continue
            u = pit_uniform(seed, data.metric, fc.origin, target, h, name)
            thr = threshold if target == "gap" else None
            sc = skill.score_draws(x, y, y0, thr, u)
            out.append(Record(data.metric, target, name, fc.origin, h, y, y0, sc, _quantiles(x)))
    return out


_ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


_PRELOAD = ["gapcast.evaluate.nested", "scoringrules", "statsmodels.tsa.statespace.structural"]
"""Imported once by the fork server, so workers do not each compile scoringrules' kernels."""


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def _mapper(workers: int) -> Iterator[Callable[[Callable[[T], R], Iterable[T]], list[R]]]:
    """Yield ``map(fn, items) -> list``: in this process, or on one pool of ``workers``.

    Workers are started with one BLAS and Numba thread each (the pool is the parallelism;
    nested thread pools would oversubscribe the cores), from a fork server that has imported
    the scoring libraries once (``spawn`` where there is no fork server).
    """
    if workers <= 1:
        yield lambda fn, items: [fn(x) for x in items]
        return
    saved = {k: os.environ.get(k) for k in _ONE_THREAD}
    os.environ.update(dict.fromkeys(_ONE_THREAD, "1"))
    try:
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as ex:
            for _ in ex.map(int, range(workers)):  # start every worker with the env above
                pass
            yield lambda fn, items: list(ex.map(fn, list(items), chunksize=1))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def tune_extra(
    forecaster: Forecaster, data: MetricData, origin: int, horizons: Sequence[int], seed: int
) -> Forecaster:
    """Return ``forecaster.tune(past, origin, horizons, rng)`` on ``data`` known at ``origin``.

    A forecaster without ``tune`` is returned as it is. This is where a model with a posterior
    to fit (the structural model) fits it: once per origin, on the tuning metric's data as
    it stood then (plus whatever as-of data the forecaster carries).
    """
    tune = getattr(forecaster, "tune", None)
    if tune is None:
        return forecaster
    known = data.truncated(month_end(origin))
    rng = np.random.default_rng(seed_for(seed, f"tune:{forecaster.name}:{data.metric}", origin))
    tuned: Forecaster = tune(lambda m: known_at(known, m), origin, horizons, rng)
    return tuned


@dataclass(frozen=True)
class _Tune:
    data: MetricData
    horizons: tuple[int, ...]
    seed: int
    extra: tuple[Forecaster, ...] = ()

    def __call__(self, origin: int) -> tuple[Trend, tuple[Forecaster, ...]]:
        trend = tune_at(self.data, origin, self.horizons, self.seed)
        extra = tuple(
            tune_extra(f, self.data, origin, self.horizons, self.seed) for f in self.extra
        )
        return trend, extra


Job = tuple[MetricData, int, tuple[Trend, tuple[Forecaster, ...]]]


@dataclass(frozen=True)
class _Task:
    horizons: tuple[int, ...]
    seed: int
    thresholds: Mapping[str, float]

    def __call__(self, job: Job) -> tuple[OriginForecasts, list[Record]]:
        data, origin, (trend, extra) = job
        fc = forecast_at(data, origin, self.horizons, trend, self.seed, extra)
        thr = self.thresholds.get(data.metric, 0.0)
        recs = score_origin(data, fc, self.horizons, thr, self.seed)
        return fc, recs


def _members(names: Iterable[str]) -> list[str]:
    wanted = set(names)
    return ["trend", *[b.name for b in BASELINES if b.name in wanted]]


def _grid(k: int) -> Array:
    rows = [c for c in itertools.product(range(STACK_GRID + 1), repeat=k) if sum(c) == STACK_GRID]
    return np.asarray(rows, dtype=np.float64) / STACK_GRID


def stack_weights(
    records: Sequence[Record], tuning: str, origin: int, target: str, horizon: int
) -> tuple[list[str], Array] | None:
    """Return the stacking members and weights fitted on records known at ``origin``."""
    import scoringrules as sr

    members = _members(b.name for b in BASELINES)
    past: dict[int, dict[str, Record]] = {}
    for r in records:
        if (
            r.metric == tuning
            and r.target == target
            and r.horizon == horizon
            and r.origin + horizon <= origin
            and r.model in members
        ):
            past.setdefault(r.origin, {})[r.model] = r
    rows = [v for v in past.values() if len(v) == len(members)]
    if len(rows) < MIN_STACK:
        return None
    grid = _grid(len(members))
    loss = np.zeros(grid.shape[0])
    for v in rows:
        q = np.stack([v[m].quantiles for m in members])
        mix = grid @ q
        loss += np.asarray(sr.crps_ensemble(np.full(grid.shape[0], v[members[0]].observed), mix))
    return members, grid[int(np.argmin(loss))]


def add_stack(
    records: list[Record],
    forecasts: Sequence[OriginForecasts],
    datas: Mapping[str, MetricData],
    tuning: str,
    horizons: Sequence[int],
    thresholds: Mapping[str, float],
    seed: int,
) -> tuple[list[Record], dict[str, Any]]:
    """Return the ``stack`` and ``selected`` records (module docstring) and the weights used."""
    out: list[Record] = []
    used: dict[str, Any] = {}
    in_stack = set(_members(b.name for b in BASELINES))
    base = [r for r in records if r.model in in_stack]
    by_key = {(r.metric, r.target, r.horizon, r.origin, r.model): r for r in base}
    tuning_base = [r for r in base if r.metric == tuning]
    fits: dict[tuple[int, str, int], tuple[list[str], Array] | None] = {}
    for fc in sorted(forecasts, key=lambda f: (f.metric, f.origin)):
        seen = outcomes(datas[fc.metric], fc.origin, horizons)
        for (target, h), (y0, y) in sorted(seen.items()):
            u = pit_uniform(seed, fc.metric, fc.origin, target, h, "stack")
            if (fc.origin, target, h) not in fits:
                fits[(fc.origin, target, h)] = stack_weights(
                    tuning_base, tuning, fc.origin, target, h
                )
            fit = fits[(fc.origin, target, h)]
            if fit is None:
                continue
            members, w = fit
            quant = [by_key.get((fc.metric, target, h, fc.origin, m)) for m in members]
            if any(q is None for q in quant):
                continue
            x = np.sort(w @ np.stack([q.quantiles for q in quant if q is not None]))
            thr = thresholds.get(fc.metric) if target == "gap" else None
            sc = skill.score_draws(x, y, y0, thr, u)
            out.append(Record(fc.metric, target, "stack", fc.origin, h, y, y0, sc, x))
            if fc.metric == tuning:
                key = f"{month_end(fc.origin):%Y-%m} {target} h{h}"
                used[key] = dict(zip(members, w.round(2).tolist(), strict=True))
    everything = records + out
    crps: dict[tuple[str, int, str], dict[int, float]] = {}
    for r in everything:
        if r.metric == tuning and r.model in ("trend", "stack"):
            crps.setdefault((r.target, r.horizon, r.model), {})[r.origin] = r.scored.crps
    stacked = {(s.metric, s.target, s.horizon, s.origin): s for s in out}
    for r in [r for r in records if r.model == "trend"]:
        mine = crps.get((r.target, r.horizon, "stack"), {})
        theirs = crps.get((r.target, r.horizon, "trend"), {})
        common = [o for o in mine if o in theirs and o + r.horizon <= r.origin]
        pick = r
        alt = stacked.get((r.metric, r.target, r.horizon, r.origin))
        if (
            alt is not None
            and common
            and np.mean([mine[o] for o in common]) < np.mean([theirs[o] for o in common])
        ):
            pick = alt
        out.append(
            Record(
                r.metric,
                r.target,
                "selected",
                r.origin,
                r.horizon,
                r.observed,
                r.start,
                pick.scored,
                pick.quantiles,
            )
        )
    return out, used


@dataclass(frozen=True)
class BacktestSettings:
    """What a nested backtest was run with."""

    start: str
    horizons: tuple[int, ...] = HORIZONS
    seed: int = 2026
    tuning: str = "eci"
    thresholds: Mapping[str, float] = field(default_factory=dict)
    draws: int = DRAWS
    extra: tuple[Forecaster, ...] = ()
    """More models under test (e.g. the structural model), each a picklable ``Forecaster``."""

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as plain values."""
        return {
            "start": self.start,
            "horizons": list(self.horizons),
            "seed": self.seed,
            "tuning_metric": self.tuning,
            "thresholds": dict(self.thresholds),
            "draws": self.draws,
            "extra_models": [f.name for f in self.extra],
        }


@dataclass(frozen=True)
class NestedRun:
    """Every scored record, the tuned values per origin and the stacking weights used."""

    settings: BacktestSettings
    records: tuple[Record, ...]
    tuned: Mapping[int, Mapping[str, float]]
    stack_weights: Mapping[str, Any]
    origins: Mapping[str, tuple[int, ...]]


def origin_months(data: MetricData, start: str, horizons: Sequence[int]) -> list[int]:
    """Return the origins (months) from ``start`` whose shortest horizon is observed."""
    first = month_of(_parse_month(start))
    return list(range(first, data.end_month - min(horizons) + 1))


def _parse_month(text: str) -> Any:
    import datetime as dt

    y, m = (int(x) for x in text.split("-")[:2])
    return dt.date(y, m, 1)


def _tuned_values(trend: Trend, extra: Sequence[Forecaster]) -> dict[str, float]:
    """Return what was tuned at one origin: the trend's values, then each extra model's.

    An extra model's values are named ``<name>.<value>`` (from its ``tuned()``, if any).
    """
    out = {"window": float(trend.window), "rho": trend.rho}
    for f in extra:
        values = getattr(f, "tuned", None)
        if values is not None:
            out.update({f"{f.name}.{k}": float(v) for k, v in values().items()})
    return out


def run_nested(
    datas: Mapping[str, MetricData], settings: BacktestSettings, *, workers: int = 1
) -> NestedRun:
    """Run the nested backtest on every metric (module docstring).

    ``datas`` must hold ``settings.tuning``; its tuned values serve every metric.
    """
    hs = tuple(sorted(settings.horizons))
    months = {m: origin_months(d, settings.start, hs) for m, d in datas.items()}
    every = sorted(set().union(*months.values())) if months else []
    with _mapper(workers) as pmap:
        tuner = _Tune(datas[settings.tuning], hs, settings.seed, settings.extra)
        tuned_list = pmap(tuner, every)
        tuned = dict(zip(every, tuned_list, strict=True))
        jobs: list[Job] = [(datas[m], o, tuned[o]) for m in datas for o in months[m]]
        results = pmap(_Task(hs, settings.seed, settings.thresholds), jobs)
    forecasts = [fc for fc, _ in results]
    records = [r for _, recs in results for r in recs]
    extra, weights = add_stack(
        records, forecasts, datas, settings.tuning, hs, settings.thresholds, settings.seed
    )
    scored_origins = {m: tuple(sorted({r.origin for r in records if r.metric == m})) for m in datas}
    return NestedRun(
        settings,
        tuple(records + extra),
        {o: _tuned_values(t, extra) for o, (t, extra) in tuned.items()},
        weights,
        scored_origins,
    )


__all__ = [
    "MODELS",
    "BacktestSettings",
    "NestedRun",
    "OriginForecasts",
    "Record",
    "add_stack",
    "forecast_at",
    "origin_months",
    "outcomes",
    "run_nested",
    "score_origin",
    "seed_for",
    "stack_weights",
    "tune_at",
    "tune_extra",
]

"""The nested backtest use case: the track record on ECI and the held-out metrics.

``track_record(store, ...)`` reads each metric's frontier points once (US vs China by
country, ``gapcast.measure``), hands them to ``gapcast.evaluate.nested`` as pure arrays,
and summarises the scored records (``gapcast.evaluate.track``). ECI is the tuning metric:
the trend model's window and common progress and the stacking weights are chosen on it, at
each origin, from data known then. The held-out metrics (LMArena with style control off
and on, GPQA Diamond, SWE-bench Verified, FrontierMath) are only scored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gapcast import __version__, measure
from gapcast.defaults import BACKTEST_HELD_OUT, BACKTEST_START, BACKTEST_TUNING
from gapcast.errors import InsufficientDataError, RequestError
from gapcast.evaluate.forecasters import HORIZONS
from gapcast.evaluate.history import MetricData, known_at
from gapcast.evaluate.long_horizon import SimulatedCoverage, simulated_coverage, trend_simulator
from gapcast.evaluate.nested import (
    BacktestSettings,
    NestedRun,
    origin_months,
    run_nested,
    tune_at,
)
from gapcast.evaluate.track import Row, check_targets, summarize, tuned_table
from gapcast.model.bayes import SamplerSettings
from gapcast.store import Store
from gapcast.usecases import scenarios
from gapcast.usecases.estimate import compile_cache
from gapcast.usecases.forecast_inputs import Tables, latest_date
from gapcast.usecases.measure import metric_info
from gapcast.usecases.trust_structural import (
    NAME,
    SETTINGS,
    Structural,
    event_check,
    origin_data,
    trend_events,
)

TUNING = BACKTEST_TUNING
HELD_OUT = BACKTEST_HELD_OUT
METRICS = (TUNING, *HELD_OUT)
START = BACKTEST_START
DEFAULT_SEED = 2026
THRESHOLDS = {
    "eci": 5.0,
    "lmarena": 50.0,
    "lmarena_style": 50.0,
    "gpqa_diamond": 5.0,
    "swe_bench_verified": 5.0,
    "frontiermath": 5.0,
}
"""Gap (metric points) within which the challenger counts as close: 5 ECI points, 50 rating
points, 5 percentage points on the benchmarks."""
SIDES = ("United States", "China")
MODEL = "structural"
"""The model whose numbers the targets are checked on: the headline's structural model
(the trend model's where the run leaves the structural model out)."""

CAVEATS = (
    "Nested: at each origin the structural model's posterior (NUTS, one short chain), the "
    "trend model's window and common progress and the stacking weights are fitted on ECI "
    "data known at that origin; nothing is tuned on the held-out metrics.",
    "The structural model forecasts ECI only (its parameters are in ECI points); its "
    "scenario assumptions (compute growth, serving demand) are today's published estimates, "
    "not those known at each origin.",
    "Epoch re-fits ECI scores when it adds data, and the store keeps one vintage: a past "
    "origin sees today's scores for the models released by then (docs/backtest.md).",
    "Origins overlap (a 12-month target is shared by 12 origins): coverage and PIT tests use "
    "the effective number of independent checks, n_eff.",
    "The strongest baseline is chosen after the fact (lowest mean CRPS among the baselines), "
    "which favours the baselines.",
)


def metric_data(tables: Tables, name: str) -> MetricData:
    """Return one metric's frontier points (US vs China) as ``MetricData``."""
    metric, style = ("lmarena", True) if name == "lmarena_style" else (name, False)
    if metric not in measure.known_metrics(tables.scores):
        raise InsufficientDataError(f"no {metric} scores in the store")
    snapshots = measure.is_snapshot_metric(tables.scores, metric)
    if snapshots:
        snaps = tables.scores.loc[tables.scores["metric"] == metric, "as_of"].dropna()
        end = pd.Timestamp(snaps.max()).date()
    elif metric == measure.TRAINING_COMPUTE:
        end = pd.Timestamp(tables.models["release_date"].max()).date()
    else:
        end = latest_date(tables, metric)
    sel = measure.Selection(metric, style_control=style)
    rows = measure.metric_rows(tables.scores, tables.models, sel, pd.Timestamp(end))
    info = metric_info(metric)
    if info.factor != 1.0:
        rows = rows.assign(value=rows["value"] * info.factor)
    groups = measure.Groups("country", (SIDES[0],), (SIDES[1],))
    points = measure.make_points(rows, groups, metric=metric, as_of=pd.Timestamp(end))
    f = points.frame
    side = (f["side"].to_numpy() == "challenger").astype(np.int8)
    day = np.array([pd.Timestamp(d).date().toordinal() for d in f["date"]], dtype=np.int64)
    snap = (
        np.array([pd.Timestamp(d).date().toordinal() for d in f["snapshot"]], dtype=np.int64)
        if snapshots
        else None
    )
    return MetricData(name, side, day, f["value"].to_numpy(np.float64), snap, end, info.unit)


@dataclass(frozen=True)
class TrackRecordV2:
    """A nested backtest's summary rows, its targets, and how it was made."""

    run: NestedRun
    rows: tuple[Row, ...]
    units: dict[str, str]
    settings: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    events: tuple[dict[str, Any], ...] = ()
    """The structural model's event check (``trust_structural.event_check``)."""

    @property
    def model(self) -> str:
        """The model under test: the structural model when it ran, else the trend model."""
        return MODEL if any(r.model == MODEL for r in self.rows) else "trend"

    def targets(self) -> list[dict[str, Any]]:
        """Return the issue's targets for the model under test."""
        return check_targets(self.rows, self.model, TUNING)

    def to_dict(self, *, records: bool = False) -> dict[str, Any]:
        """Return the JSON document of ``gapcast backtest --json``."""
        out: dict[str, Any] = {
            "model": self.model,
            "tuning_metric": TUNING,
            "held_out": [m for m in self.units if m != TUNING],
            "units": self.units,
            "origins": {
                m: [f"{o // 12}-{o % 12 + 1:02d}" for o in os] for m, os in self.run.origins.items()
            },
            "scores": [r.to_dict() for r in self.rows],
            "targets": self.targets(),
            "event_check": list(self.events),
            "calibrated": {
                "what": "structural posterior (means shown), trend window and common "
                "progress, stacking weights",
                "on": f"{TUNING} origins before each forecast's origin (nested)",
                "per_origin": tuned_table(self.run),
                "stack_weights": dict(self.run.stack_weights),
            },
            "settings": self.settings,
            "notes": list(self.notes),
        }
        if records:
            out["records"] = [r.to_dict() for r in self.run.records]
        return out


def _check(metrics: Sequence[str], horizons: Sequence[int], seed: int | None) -> None:
    for m in metrics:
        if m not in METRICS:
            raise RequestError("metric", f"'{m}' is not allowed (allowed: {', '.join(METRICS)})")
    if not horizons or any(not 1 <= h <= 24 for h in horizons):
        raise RequestError("horizons", f"{list(horizons)} is not allowed (each 1 to 24 months)")
    if seed is not None and seed < 0:
        raise RequestError("seed", f"{seed} is negative (allowed: 0 or more)")


def load_data(tables: Tables, metrics: Sequence[str]) -> tuple[dict[str, MetricData], list[str]]:
    """Return the ``MetricData`` of the tuning metric and the requested metrics.

    A held-out metric with no data in the store is left out, with a note saying so.
    """
    out = {TUNING: metric_data(tables, TUNING)}
    notes = []
    for m in dict.fromkeys(metrics):
        if m == TUNING:
            continue
        try:
            out[m] = metric_data(tables, m)
        except InsufficientDataError as err:
            notes.append(f"{m}: left out ({err.message})")
    return out, notes


def save(store: Store, result: TrackRecordV2) -> int:
    """Store the result as a ``track_record`` run (its summary, not every record)."""
    s = result.settings
    return store.save_run(
        kind="track_record",
        scenario=None,
        scenario_hash=None,
        data_hash=str(s["data_hash"]),
        seed=int(s["seed"]),
        version=__version__,
        request={k: s[k] for k in ("start", "horizons", "seed")} | {"metrics": list(result.units)},
        results=result.to_dict(),
    )


def latest(store: Store) -> dict[str, Any] | None:
    """Return the newest stored ``track_record`` run's results (``None``: none stored)."""
    runs = store.runs("track_record")
    if runs.empty:
        return None
    doc = store.run(int(runs.iloc[0]["id"]))
    results = doc.get("results")
    return results if isinstance(results, dict) else None


def track_record(
    store: Store,
    metrics: Sequence[str] = METRICS,
    horizons: Sequence[int] = HORIZONS,
    seed: int | None = None,
    start: str = START,
    *,
    workers: int = 1,
    tables: Tables | None = None,
    structural: bool = True,
    sampler: SamplerSettings | None = None,
) -> TrackRecordV2:
    """Run the nested backtest on ECI and the held-out metrics (module docstring).

    ``structural`` adds the headline's structural model, refitted at every origin with
    ``sampler`` (default ``trust_structural.SETTINGS``) on the baseline scenario's priors.
    """
    hs = tuple(sorted(set(horizons)))
    _check(metrics, hs, seed)
    try:
        dt.date.fromisoformat(start + "-01")
    except ValueError:
        raise RequestError("start", f"'{start}' is not a month (use YYYY-MM)") from None
    tables = tables or Tables.load(store)
    datas, left_out = load_data(tables, metrics)
    extra: tuple[Structural, ...] = ()
    if structural:
        scenario = scenarios.load("baseline")
        origins = origin_months(datas[TUNING], start, hs)
        per_origin, skipped = origin_data(tables, scenario, origins)
        extra = (
            Structural(
                scenario, per_origin, sampler or SETTINGS, compile_cache=compile_cache(store)
            ),
        )
        left_out = [*skipped, *left_out]
    settings = BacktestSettings(
        start, hs, DEFAULT_SEED if seed is None else seed, TUNING, THRESHOLDS, extra=extra
    )
    run = run_nested(datas, settings, workers=workers)
    if not run.records:
        raise InsufficientDataError(
            f"no backtest origin from {start} has an observed target",
            hint="import more data, or start earlier (--start)",
        )
    rows = tuple(summarize(run))
    meta = {
        **settings.to_dict(),
        "data_hash": store.data_hash(),
        "version": __version__,
        "data_end": {m: d.end.isoformat() for m, d in datas.items()},
    }
    units = {m: d.unit for m, d in datas.items()}
    events: tuple[dict[str, Any], ...] = ()
    if structural:
        fitted = _prefixed(run, NAME)
        trend = {o: v for o, v in run.tuned.items() if o in fitted}
        predicted = {NAME: fitted, "trend": trend_events(datas[TUNING], trend, settings.seed)}
        events = tuple(event_check(datas[TUNING], predicted))
    return TrackRecordV2(run, rows, units, meta, (*CAVEATS, *left_out), events)


def _prefixed(run: NestedRun, name: str) -> dict[int, dict[str, float]]:
    head = f"{name}."
    return {
        o: {k[len(head) :]: v for k, v in values.items() if k.startswith(head)}
        for o, values in run.tuned.items()
        if any(k.startswith(head) for k in values)
    }


backtest = track_record
"""The library's name for it (``gapcast.backtest``), the CLI's command (``gapcast backtest``)."""


LONG_HORIZONS = (36, 60)
EARLY_METRIC = "training_compute"
EARLY_START = "2018-01"


@dataclass(frozen=True)
class LongHorizons:
    """The 36/60-month checks (``gapcast.evaluate.long_horizon``)."""

    simulated: SimulatedCoverage
    tuned: dict[str, float]
    as_of: str
    early: tuple[Row, ...]
    early_origins: tuple[str, ...]
    validated_to: int

    def to_dict(self) -> dict[str, Any]:
        """Return the checks as plain values."""
        return {
            "validated_horizons_months": self.validated_to,
            "simulated": {
                "model": MODEL,
                "fitted_on": f"{TUNING} data to {self.as_of}",
                "tuned": self.tuned,
                **self.simulated.to_dict(),
            },
            "earliest_history": {
                "metric": EARLY_METRIC,
                "origins": list(self.early_origins),
                "scores": [r.to_dict() for r in self.early],
            },
        }


def long_horizons(
    store: Store,
    seed: int | None = None,
    histories: int = 200,
    *,
    tables: Tables | None = None,
) -> LongHorizons:
    """Check the 36/60-month mechanics on simulated histories and on training compute."""
    if not 20 <= histories <= 5000:
        raise RequestError("histories", f"{histories} is out of range (allowed: 20 to 5,000)")
    seed_ = DEFAULT_SEED if seed is None else seed
    tables = tables or Tables.load(store)
    eci = metric_data(tables, TUNING)
    last = eci.end_month
    trend = tune_at(eci, last, HORIZONS, seed_)
    sim = simulated_coverage(
        trend_simulator(known_at(eci, last), trend),
        trend,
        horizons=LONG_HORIZONS,
        histories=histories,
        seed=seed_,
    )
    early = metric_data(tables, EARLY_METRIC)
    settings = BacktestSettings(EARLY_START, LONG_HORIZONS, seed_, EARLY_METRIC, {})
    run = run_nested({EARLY_METRIC: early}, settings)
    rows = tuple(r for r in summarize(run) if r.model in ("trend", "no_change", "drift"))
    origins = tuple(f"{o // 12}-{o % 12 + 1:02d}" for o in run.origins.get(EARLY_METRIC, ()))
    return LongHorizons(
        sim,
        {"window": float(trend.window), "rho": trend.rho},
        f"{last // 12}-{last % 12 + 1:02d}",
        rows,
        origins,
        max(HORIZONS),
    )


__all__ = [
    "CAVEATS",
    "backtest",
    "HELD_OUT",
    "METRICS",
    "THRESHOLDS",
    "TUNING",
    "TrackRecordV2",
    "LongHorizons",
    "latest",
    "long_horizons",
    "load_data",
    "metric_data",
    "save",
    "track_record",
]

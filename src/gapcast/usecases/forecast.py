"""The forecast use cases: forecast, compare, fit, scenarios, stored runs.

``forecast(store, scenario, ...)`` loads the scenario (``gapcast.usecases.scenarios``),
measures the inputs as of a date (``gapcast.usecases.forecast_inputs``), draws the
structural model's parameters from the fitted posterior (or the scenario's priors when
there is no fit), runs the structural model (the headline) and the trend model beside it
(the statistical baseline, never mixed in), and stores the run (scenario content hash, data
hash, seed, version, request and results).
Re-running a stored run (``rerun``) with the same data reproduces it to the last digit:
the stored request holds the fully resolved scenario, so later edits of the YAML file do
not change it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gapcast import __version__
from gapcast.defaults import DRAWS
from gapcast.errors import RequestError, StoreError
from gapcast.frames import Tabular
from gapcast.freshness import DataAge
from gapcast.model import engine, structural
from gapcast.model.headline import Headline, summarize_events
from gapcast.model.inputs import ForecastInputs
from gapcast.model.posterior import Posterior
from gapcast.model.results import Distributions, Forecast, ModelForecast, summarize
from gapcast.model.trend import TrendModel
from gapcast.scenario.files import ROLES, Scenario, apply_override, validate_scenario
from gapcast.store import Store
from gapcast.usecases import estimate
from gapcast.usecases import scenarios as scenario_files
from gapcast.usecases.forecast_inputs import (
    Tables,
    build_inputs,
    parse_as_of,
)
from gapcast.usecases.memo import Memo

MODELS = ("structural", "trend")
"""``structural`` (the headline; the trend baseline runs beside it) or ``trend`` alone."""
DEFAULT_DRAWS = DRAWS
DEFAULT_SEED = 2026
MAX_DRAWS = 20_000_000
PRIOR_SIZE = 4000
"""Rows of the prior ``Posterior`` when there is no fit."""
Progress = Callable[[int], None]
StartProgress = Callable[[int], Progress]
"""Called once with the total number of draws; returns the per-chunk callback."""


@dataclass(frozen=True)
class ForecastReport(Tabular):
    """A forecast with everything needed to trace and reproduce it."""

    scenario: Scenario
    model: str
    forecast: Forecast
    inputs: dict[str, Any]
    request: dict[str, Any]
    data_hash: str
    seed: int
    draws: int
    version: str = __version__
    run_id: int | None = None

    @property
    def selected(self) -> ModelForecast:
        """Return the forecast of the model asked for."""
        return self.forecast.models[self.model]

    def results(self) -> dict[str, Any]:
        """Return what is stored as the run's results."""
        return {"forecast": self.forecast.to_dict(), "inputs": self.inputs}

    def data_age(self, today: dt.date | None = None) -> DataAge:
        """Return how old the data are on ``today`` (default: today).

        With the horizons that have partly passed since the forecast's as-of date: the
        notes the text output prints.
        """
        sel = self.selected
        horizons = tuple(sorted(sel.p_ahead_within))
        return DataAge(sel.as_of, today or dt.date.today(), sel.as_of, horizons)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document of ``gapcast forecast --json``.

        ``data_age`` (how old the data are today, with the notes the text output prints) is
        not part of the stored results: a re-run on another day reproduces the rest.
        """
        sel = self.selected.to_dict()
        return {
            "scenario": self.scenario.name,
            "scenario_hash": self.scenario.content_hash(),
            "model": self.model,
            "as_of": sel["as_of"],
            "groups": sel["groups"],
            "horizon_months": sel["horizon_months"],
            "p_ahead_within": sel["p_ahead_within"],
            "p_ahead_within_se": sel["p_ahead_within_se"],
            "p_sustained_within": sel["p_sustained_within"],
            "headline": self.forecast.headline.to_dict() if self.forecast.headline else None,
            "gap_quantiles": sel["gap_quantiles"],
            "lag_quantiles": sel["lag_quantiles"],
            "median_crossing": sel["median_crossing"],
            "draws": self.draws,
            "seed": self.seed,
            "data_hash": self.data_hash,
            "version": self.version,
            "run_id": self.run_id,
            "data_age": self.data_age().to_dict(),
            **self.results(),
        }


def _check(model: str, draws: int, seed: int | None, horizon: int | None) -> None:
    if model not in MODELS:
        raise RequestError("model", f"'{model}' is not allowed (allowed: {', '.join(MODELS)})")
    if not 1 <= draws <= MAX_DRAWS:
        raise RequestError("draws", f"{draws} is out of range (allowed: 1 to {MAX_DRAWS:,})")
    if seed is not None and seed < 0:
        raise RequestError("seed", f"{seed} is negative (allowed: 0 or more)")
    if horizon is not None and not 1 <= horizon <= 240:
        raise RequestError("horizon", f"{horizon} is out of range (allowed: 1 to 240 months)")


def forecast(
    store: Store,
    scenario: str = "baseline",
    model: str = "structural",
    horizon: int | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    as_of: str | dt.date | None = None,
    *,
    save: bool = True,
    progress: StartProgress | None = None,
    chunk: int = engine.DEFAULT_CHUNK,
    workers: int = 1,
    tables: Tables | None = None,
    loaded: Scenario | None = None,
) -> ForecastReport:
    """Forecast the gap and the probability that the challenger gets ahead.

    Parameters
    ----------
    store
        The store with the imported data; the run is saved there unless ``save=False``.
    scenario
        A scenario name (``scenarios/NAME.yaml``) or a path to a YAML file.
    model
        ``structural`` (the headline, with the trend baseline beside it) or ``trend``.
    horizon
        Months ahead (default: the scenario's ``horizon_months``).
    draws, seed
        Monte Carlo draws per model and the seed (default ``DEFAULT_SEED``).
    overrides
        ``path=value`` settings applied to the scenario (``--set``).
    as_of
        Forecast from this date, using only data released on or before it.
    progress
        Called with the total number of draws; returns a callback for finished draws.
    chunk, workers
        Draws held in memory at once, and worker threads (results do not depend on them).
    tables
        The store's tables, already read (``Tables.load``).
    loaded
        The scenario already loaded with these overrides and horizon (a caller that
        needed it first, e.g. for a cache key); it is not parsed again.
    """
    _check(model, draws, seed, horizon)
    if loaded is None:
        sets = list(overrides) + ([f"horizon_months={horizon}"] if horizon is not None else [])
        loaded = scenario_files.load(scenario, sets)
    request = {
        "scenario": scenario,
        "overrides": list(overrides),
        "model": model,
        "horizon": horizon,
        "draws": draws,
        "seed": DEFAULT_SEED if seed is None else seed,
        "as_of": None if as_of is None else str(as_of),
    }
    return run_scenario(
        store,
        loaded,
        model=model,
        draws=draws,
        seed=seed,
        as_of=as_of,
        save=save,
        progress=progress,
        chunk=chunk,
        workers=workers,
        request=request,
        tables=tables,
    )


def run_scenario(
    store: Store,
    scenario: Scenario,
    *,
    model: str = "structural",
    draws: int = DEFAULT_DRAWS,
    seed: int | None = None,
    as_of: str | dt.date | None = None,
    save: bool = True,
    progress: StartProgress | None = None,
    chunk: int = engine.DEFAULT_CHUNK,
    workers: int = 1,
    request: dict[str, Any] | None = None,
    tables: Tables | None = None,
) -> ForecastReport:
    """Run an already parsed scenario (what ``forecast``, ``compare`` and ``rerun`` share)."""
    _check(model, draws, seed, None)
    seed_ = DEFAULT_SEED if seed is None else seed
    day = parse_as_of(as_of)
    # With an as-of date, each file is read in the version imported by then (vintages).
    tables = tables or Tables.load(store if day is None else store.known_on(day))
    inputs = build_inputs(tables, scenario, day)
    wanted = ("structural", "trend") if model == "structural" else ("trend",)
    tick = progress(draws * len(wanted)) if progress is not None else None
    options = engine.EngineOptions(chunk=chunk, workers=workers, progress=tick)
    groups = (inputs.leader.label, inputs.challenger.label)
    models: dict[str, ModelForecast] = {}
    headline = None
    if "structural" in wanted:
        # The store's own tables (read from it: they carry its data hash; not a vintage's,
        # not edited ones) also name the fit's cache entry; else it reads them itself.
        own = tables if day is None and tables.key is not None else None
        post = posterior(store, scenario, inputs, day, seed_, tables=own)
        sm = structural.StructuralModel(scenario, inputs, post)
        totals = structural.run(sm, draws, seed_, options)
        models["structural"] = summarize(
            Distributions.from_totals(totals),
            model="structural",
            as_of=inputs.as_of,
            groups=groups,
            base=inputs.leader.frontier,
        )
        headline = make_headline(totals, post)

    def trend() -> ModelForecast:
        trend_totals = engine.run(TrendModel(scenario, inputs), draws, seed_, options)
        return summarize(
            Distributions.from_totals(trend_totals),
            model="trend",
            as_of=inputs.as_of,
            groups=groups,
            base=inputs.leader.frontier,
        )

    memo_key = None if tick is not None else _trend_key(tables, scenario, day, draws, seed_, chunk)
    models["trend"] = (
        trend() if memo_key is None else _TREND.get_or_compute(memo_key, lambda: _frozen(trend()))
    )
    result = Forecast(models, headline)
    req = dict(
        request
        or {
            "scenario": scenario.name,
            "overrides": [],
            "model": model,
            "horizon": None,
            "draws": draws,
            "seed": seed_,
            "as_of": as_of,
        }
    )
    req["scenario_resolved"] = scenario.model_dump(mode="json")
    req["as_of_used"] = inputs.as_of.isoformat()
    report = ForecastReport(
        scenario, model, result, describe_inputs(inputs), req, store.data_hash(), seed_, draws
    )
    if save:
        run_id = store.save_run(
            kind="forecast",
            scenario=scenario.name,
            scenario_hash=scenario.content_hash(),
            data_hash=report.data_hash,
            seed=seed_,
            version=__version__,
            request=req,
            results=report.results(),
        )
        report = ForecastReport(
            scenario,
            model,
            result,
            report.inputs,
            req,
            report.data_hash,
            seed_,
            draws,
            __version__,
            run_id,
        )
    return report


_TREND: Memo[ModelForecast] = Memo(32)
"""The trend baseline's forecasts, by everything they depend on (``_trend_key``)."""


def _trend_key(
    tables: Tables, scenario: Scenario, day: dt.date | None, draws: int, seed: int, chunk: int
) -> Hashable | None:
    """Return the key of a trend forecast, or None when the tables have no data hash.

    The trend model reads only the measured inputs (the tables' hash, the date, the metric,
    the groups and the trend window name them), each side's release rate, the ``trend``
    section and the horizon, so a dashboard slider over compute, serving shares or the
    structural model's assumptions reuses the trend forecast of the same data and seed.
    """
    if tables.key is None:
        return None
    fields = {
        "trend": scenario.trend.model_dump(mode="json"),
        "releases": [scenario.group(role).releases.model_dump(mode="json") for role in ROLES],
        "horizon": scenario.horizon_months,
        "groups": [scenario.group(role).label for role in ROLES],
        "metric": scenario.metric,
    }
    text = json.dumps(fields, sort_keys=True, default=str)
    return (tables.key, day, text, draws, seed, chunk)


def _frozen(forecast: ModelForecast) -> ModelForecast:
    """Make a shared forecast's arrays read-only."""
    for array in (forecast.p_ahead, forecast.within_all, *forecast.fan.values()):
        array.flags.writeable = False
    return forecast


def posterior(
    store: Store,
    scenario: Scenario,
    inputs: ForecastInputs,
    as_of: dt.date | None,
    seed: int,
    *,
    tables: Tables | None = None,
) -> Posterior:
    """Return the structural model's parameter draws: the fit's posterior, else the priors.

    The posterior fitted on this data (``gapcast fit``, cached by content) when there is one;
    a forecast never starts a fit itself, so it never waits a minute for NUTS. Without a fit
    the draws come from the priors (``method == "prior"``, and every output says so). Either
    way the scenario's own ``capability`` values replace those parameters' draws.
    """
    rng = np.random.default_rng(seed)
    fitted = (
        estimate.cached_posterior(store, scenario, as_of, tables=tables)
        if scenario.estimation
        else None
    )
    if fitted is None:
        return _PRIORS.get_or_compute(
            _prior_key(scenario, inputs, seed),
            lambda: _frozen_posterior(
                structural.prior_posterior(scenario, inputs, PRIOR_SIZE, rng)
            ),
        )
    return structural.with_overrides(fitted, scenario, rng)


_PRIORS: Memo[Posterior] = Memo(16)
"""Prior draws (no fit), by everything ``structural.prior_posterior`` reads."""


def _prior_key(scenario: Scenario, inputs: ForecastInputs, seed: int) -> Hashable:
    """Return what the prior draws depend on: the priors, the measured starts, the seed.

    ``prior_posterior`` reads the scenario's ``capability`` and ``estimation`` sections and,
    of the inputs, the as-of date and each side's frontier and months since its last step;
    a slider over compute or serving shares draws the same priors again.
    """
    sections = {
        "capability": scenario.capability.model_dump(mode="json"),
        "estimation": None
        if scenario.estimation is None
        else scenario.estimation.model_dump(mode="json"),
    }
    starts = tuple((g.frontier, g.months_since_step) for g in inputs.groups)
    text = json.dumps(sections, sort_keys=True, default=str)
    return (text, inputs.as_of, starts, seed, PRIOR_SIZE)


def _frozen_posterior(post: Posterior) -> Posterior:
    """Make a shared posterior's arrays read-only."""
    for values in post.samples.values():
        np.asarray(values).flags.writeable = False
    return post


def make_headline(totals: structural.StructuralTotals, post: Posterior) -> Headline:
    """Return the headline of a structural run (``gapcast.model.headline``)."""
    assert totals.outer is not None and totals.outer_n is not None
    lam = structural.lambda_summary(post)
    return Headline(
        summarize_events(totals.outer, totals.outer_n, totals.horizons),
        structural.MARGIN,
        structural.RUN_MONTHS,
        lam,
        structural.data_can_tell(lam),
        post.method,
        int(totals.outer_n.shape[0]),
        int(totals.outer_n[0]),
    )


def describe_inputs(inputs: Any) -> dict[str, Any]:
    """Return the measured inputs of a forecast as plain numbers."""
    return {
        "as_of": inputs.as_of.isoformat(),
        "metric": inputs.metric,
        "groups": {
            role: {
                "label": g.label,
                "frontier": g.frontier,
                "history": g.history.tolist(),
                "months_since_step": g.months_since_step,
                "compute_share_of_world_clusters": g.compute_share,
                "cluster_h100e": g.compute_h100e,
                "steps": g.steps.to_dict(),
            }
            for role, g in zip(("leader", "challenger"), inputs.groups, strict=True)
        },
        "fit": inputs.fit.to_dict(),
    }


def compare(
    store: Store,
    names: Sequence[str],
    model: str = "structural",
    horizon: int | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    as_of: str | dt.date | None = None,
    *,
    save: bool = True,
    progress: StartProgress | None = None,
    chunk: int = engine.DEFAULT_CHUNK,
    workers: int = 1,
) -> list[ForecastReport]:
    """Forecast several scenarios with the same seed (common random numbers) and data."""
    if not names:
        raise RequestError("compare", "name at least one scenario")
    tables = Tables.load(store)
    return [
        forecast(
            store,
            name,
            model,
            horizon,
            draws,
            seed,
            overrides,
            as_of,
            save=save,
            progress=progress,
            chunk=chunk,
            workers=workers,
            tables=tables,
        )
        for name in names
    ]


def comparison_rows(reports: Sequence[ForecastReport]) -> list[dict[str, Any]]:
    """Return one summary row per scenario (what ``--compare`` prints)."""
    rows = []
    for rep in reports:
        f = rep.selected
        horizons = sorted(f.p_ahead_within)
        last = horizons[-1]
        crossing = f.median_crossing_date
        row: dict[str, Any] = {"scenario": rep.scenario.name, "model": rep.model}
        head = rep.forecast.headline
        for k in horizons:
            row[f"p{k}"] = f.p_ahead_within[k]
            row[f"se{k}"] = f.p_ahead_within_se[k]
            if head is not None:
                sus = head.events["sustained"]
                row[f"sustained_p{k}"] = sus.p_within[k]
                row[f"sustained_lo{k}"], row[f"sustained_hi{k}"] = sus.interval90[k]
        row.update(
            {
                "horizon": last,
                "gap_median": f.gap_quantiles[last]["q50"],
                "gap_q05": f.gap_quantiles[last]["q05"],
                "gap_q95": f.gap_quantiles[last]["q95"],
                "lag_median": f.lag_quantiles[last]["q50"],
                "median_crossing": crossing.isoformat() if crossing else None,
                "run_id": rep.run_id,
            }
        )
        for other in MODELS:
            if other in rep.forecast.models and other != rep.model:
                row[f"{other}_p{last}"] = rep.forecast.models[other].p_ahead_within[last]
        rows.append(row)
    return rows


def runs(store: Store) -> list[dict[str, Any]]:
    """Return the stored forecast runs, newest first."""
    frame = store.runs("forecast")
    return [
        {str(k): (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def run(store: Store, run_id: int) -> dict[str, Any]:
    """Return one stored run with its request and results."""
    out = store.run(run_id)
    created: Any = out.get("created_at")
    if hasattr(created, "isoformat"):
        out["created_at"] = created.isoformat()
    return out


def rerun(store: Store, run_id: int, *, save: bool = False) -> tuple[ForecastReport, bool]:
    """Re-run a stored forecast; return the new report and whether it matches exactly."""
    stored = store.run(run_id)
    if stored["kind"] != "forecast":
        raise RequestError("id", f"run {run_id} is a {stored['kind']} run, not a forecast")
    if stored["data_hash"] != store.data_hash():
        raise StoreError(
            f"run {run_id} was made on other data ({stored['data_hash']}, now "
            f"{store.data_hash()}); it cannot be reproduced exactly"
        )
    req = stored["request"]
    scenario = validate_scenario(
        apply_override(req["scenario_resolved"], "name=" + req["scenario_resolved"]["name"])
    )
    report = run_scenario(
        store,
        scenario,
        model=req["model"],
        draws=req["draws"],
        seed=req["seed"],
        as_of=req.get("as_of"),
        save=save,
        request=req,
    )
    same = _canonical(report.results()) == _canonical(stored["results"])
    return report, same


def _canonical(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=str))


__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "MODELS",
    "ForecastReport",
    "compare",
    "comparison_rows",
    "forecast",
    "rerun",
    "run",
    "run_scenario",
    "runs",
    "scenario_files",
]

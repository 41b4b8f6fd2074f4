"""The sweep use case: a map of P(ahead) over varied assumptions, run on Dask.

``sweep(store, vary=[...])`` measures the inputs once, builds the forecast run at each point
(``FORECAST``, the one line to change when the headline model changes), splits the sweep
into tasks (``gapcast.evaluate.sweep``) and runs them

- in this process (``workers=0``, the serial reference);
- on a ``dask.distributed.LocalCluster`` of ``workers`` processes (the default);
- on an existing Dask cluster (``scheduler="tcp://host:port"``, or ``$GAPCAST_DASK_SCHEDULER``).

Results are collected as futures finish (each task's result once, by task index; its
future is released at once, so a worker dying later cannot make the scheduler recompute
it). A worker that dies mid-sweep loses only its unfinished tasks, which the scheduler
runs elsewhere. The merged tallies are integers: the map is identical to the serial one
for any workers, chunking or order of completion. The sweep is stored as one run (kind
``sweep``) with its definition, the resolved scenario, the data hash, seed, version and
where it ran.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from gapcast import __version__
from gapcast.defaults import SWEEP_CHUNK, SWEEP_DRAWS, SWEEP_WORKERS
from gapcast.errors import RequestError
from gapcast.evaluate import sweep as sw
from gapcast.model.inputs import ForecastInputs
from gapcast.model.posterior import Posterior
from gapcast.scenario.files import Scenario
from gapcast.settings import dask_scheduler
from gapcast.store import Store
from gapcast.usecases import estimate
from gapcast.usecases import scenarios as scenario_files
from gapcast.usecases.forecast import PRIOR_SIZE
from gapcast.usecases.forecast_inputs import Tables, build_inputs, parse_as_of

MODELS = sw.MODELS
DEFAULT_MODEL = "structural"
DEFAULT_SEED = 2026
DEFAULT_DRAWS = SWEEP_DRAWS
DEFAULT_CHUNK = SWEEP_CHUNK
MAX_DRAWS = 1_000_000
DEFAULT_WORKERS = SWEEP_WORKERS
SHIPPED_SCENARIO = "baseline"
SHIPPED_MODEL = "structural"
"""The shipped map's model: the headline's, in which compute growth and serving share act."""
SHIPPED_VARY = (
    "groups.challenger.compute.growth=1.5:3.3:7",
    "groups.challenger.serving.share=0.3:0.9:7",
)
"""The shipped map: China's compute growth (x per year) × its serving share."""
SHIPPED_DRAWS = 1_500
Progress = Callable[[int, int], None]
"""Called with (tasks finished, tasks in all) as results arrive."""


def model_forecast(
    store: Store,
    scenario: Scenario,
    inputs: Mapping[str, ForecastInputs],
    model: str,
    seed: int,
    draws: int,
    as_of: str | None = None,
) -> sw.PointForecast:
    """Return the forecast run at each point: ``gapcast forecast --set ...`` at this seed.

    The structural model's parameters come from the fit cached for each as-of date (as a
    forecast's do: ``gapcast.usecases.forecast.posterior``), else from the priors; the
    tasks carry them to the workers, which need no store. ``as_of`` is the date of the
    inputs under the key ``""``. Each task runs on one thread: a
    sweep's parallelism is its tasks, and waking Numba's threads for every small task costs
    more than it gains.
    """
    fitted: dict[str, Posterior | None] = {}
    if model == "structural":
        for key in inputs:
            day = parse_as_of(key or as_of)
            fitted[key] = (
                estimate.cached_posterior(store, scenario, day) if scenario.estimation else None
            )
    return sw.ModelForecast(
        scenario.model_dump(mode="json"),
        dict(inputs),
        model,
        seed,
        draws,
        fitted,
        PRIOR_SIZE,
    )


FORECAST = model_forecast
"""The forecast run at each point (switch here to sweep another model)."""


@dataclass(frozen=True)
class SweepReport:
    """A finished sweep with what is needed to trace it."""

    result: sw.SweepResult
    scenario: str
    model: str
    as_of: str
    groups: tuple[str, str]
    data_hash: str
    ran_on: dict[str, Any]
    seconds: float
    run_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document (``gapcast sweep --json``, ``GET /api/sweep``)."""
        return {
            "scenario": self.scenario,
            "model": self.model,
            "as_of": self.as_of,
            "groups": list(self.groups),
            **self.result.to_dict(),
            "data_hash": self.data_hash,
            "version": __version__,
            "ran_on": self.ran_on,
            "seconds": self.seconds,
            "run_id": self.run_id,
        }


def check(model: str, draws: int, chunk: int, workers: int) -> None:
    """Refuse a model, draw count, chunk or worker count that is not allowed."""
    if model not in MODELS:
        raise RequestError("model", f"'{model}' is not allowed (allowed: {', '.join(MODELS)})")
    if not 1 <= draws <= MAX_DRAWS:
        raise RequestError("draws", f"{draws} is out of range (allowed: 1 to {MAX_DRAWS:,})")
    if chunk < 1:
        raise RequestError("chunk", f"{chunk} is out of range (1 or more)")
    if workers < 0:
        raise RequestError("workers", f"{workers} is negative (0 runs in this process)")


Build = Callable[[Scenario, Tables], tuple[sw.Sweep, Mapping[str, ForecastInputs]]]
"""Make a sweep's points and measure their inputs, from the loaded scenario and the data."""


def prepare_points(
    store: Store,
    build: Build,
    *,
    scenario: str,
    model: str,
    draws: int,
    seed: int,
    overrides: Sequence[str],
    as_of: str | None,
    within: Sequence[int],
    tables: Tables | None,
) -> tuple[sw.Sweep, sw.PointForecast, Scenario, Mapping[str, ForecastInputs]]:
    """Load the scenario, build the points (``build``) and the forecast run at each point.

    The first and last points are forecast once with one draw, so bad paths or values fail
    here, once, not in every task.
    """
    check(model, draws, 1, 0)
    sc = scenario_files.load(scenario, [*overrides, f"horizon_months={max(within)}"])
    points, inputs = build(sc, tables or Tables.load(store))
    forecast = FORECAST(store, sc, inputs, model, seed, draws, as_of)
    for corner in (points.points[0], points.points[-1]):
        forecast(corner, 0, 1)
    return points, forecast, sc, inputs


def prepare(
    store: Store,
    vary: Sequence[str],
    *,
    scenario: str = SHIPPED_SCENARIO,
    model: str = DEFAULT_MODEL,
    draws: int = DEFAULT_DRAWS,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    as_of: str | None = None,
    within: Sequence[int] = sw.WITHIN,
    tables: Tables | None = None,
) -> tuple[sw.Sweep, sw.PointForecast, Scenario, ForecastInputs]:
    """Build the grid and the forecast run at each point (measures the inputs once)."""
    seed_ = DEFAULT_SEED if seed is None else seed
    axes = [sw.Axis.parse(v) for v in vary]

    def build(sc: Scenario, tables: Tables) -> tuple[sw.Sweep, dict[str, ForecastInputs]]:
        return sw.grid(axes, draws, seed_), {"": build_inputs(tables, sc, parse_as_of(as_of))}

    grid, forecast, sc, inputs = prepare_points(
        store,
        build,
        scenario=scenario,
        model=model,
        draws=draws,
        seed=seed_,
        overrides=overrides,
        as_of=as_of,
        within=within,
        tables=tables,
    )
    return grid, forecast, sc, inputs[""]


def execute(
    sweep: sw.Sweep,
    forecast: sw.PointForecast,
    *,
    chunk: int = DEFAULT_CHUNK,
    workers: int = DEFAULT_WORKERS,
    scheduler: str | None = None,
    within: Sequence[int] = sw.WITHIN,
    progress: Progress | None = None,
    client: Any = None,
) -> tuple[sw.SweepResult, dict[str, Any]]:
    """Run a sweep's tasks serially, on a local cluster, or on ``scheduler``.

    ``scheduler=None`` reads ``$GAPCAST_DASK_SCHEDULER``; ``""`` ignores it. ``client`` (a
    ``distributed.Client``) runs on that client's cluster instead. Returns the result and
    a description of where it ran.
    """
    work = sw.tasks(sweep, chunk)
    address = _address(scheduler)
    if client is None and address is None and workers == 0:
        results = {}
        for i, t in enumerate(work, 1):
            results[t.index] = forecast(sweep.points[t.point], t.first, t.n)
            if progress is not None:
                progress(i, len(work))
        ran_on: dict[str, Any] = {"where": "serial"}
    elif client is not None:
        results = _gather(client, sweep, forecast, work, progress)
        ran_on = _describe(client, "client")
    else:
        from distributed import Client, LocalCluster

        if address is not None:
            with Client(address) as own:  # type: ignore[no-untyped-call]
                results = _gather(own, sweep, forecast, work, progress)
                ran_on = _describe(own, address)
        else:
            with (
                LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    silence_logs=logging.ERROR,
                ) as cluster,
                Client(cluster) as own,  # type: ignore[no-untyped-call]
            ):
                results = _gather(own, sweep, forecast, work, progress)
                ran_on = _describe(own, "local")
    ran_on["tasks"] = len(work)
    ran_on["chunk"] = chunk
    merged = sw.merge(sweep, work, results)
    return sw.summarize(sweep, forecast, merged, within), ran_on


def _address(scheduler: str | None) -> str | None:
    """Return ``scheduler``, else ``$GAPCAST_DASK_SCHEDULER``; ``""`` means none."""
    return dask_scheduler() if scheduler is None else (scheduler or None)


def _gather(
    client: Any,
    sweep: sw.Sweep,
    forecast: sw.PointForecast,
    work: Sequence[sw.Task],
    progress: Progress | None,
) -> dict[int, sw.Tally]:
    from distributed import as_completed

    token = uuid.uuid4().hex[:12]
    futures = client.map(
        forecast,
        [sweep.points[t.point] for t in work],
        [t.first for t in work],
        [t.n for t in work],
        key=[f"gapcast-sweep-{token}-{t.index}" for t in work],
        pure=False,
    )
    task_of = {fut.key: t for fut, t in zip(futures, work, strict=True)}
    results: dict[int, sw.Tally] = {}
    finished = as_completed(futures)  # type: ignore[no-untyped-call]
    del futures
    for batch in finished.batches():  # type: ignore[no-untyped-call]
        # one round trip fetches every result finished since the last one
        for fut, tally in zip(batch, client.gather(batch), strict=True):
            results.setdefault(task_of[fut.key].index, tally)
            fut.release()
        if progress is not None:
            progress(len(results), len(work))
    return results


def _describe(client: Any, where: str) -> dict[str, Any]:
    from importlib.metadata import version

    info = client.scheduler_info()
    return {
        "where": where,
        "workers": len(info.get("workers", {})),
        "distributed": version("distributed"),
    }


def sweep(
    store: Store,
    vary: Sequence[str],
    *,
    scenario: str = SHIPPED_SCENARIO,
    model: str = DEFAULT_MODEL,
    draws: int = DEFAULT_DRAWS,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    as_of: str | None = None,
    chunk: int = DEFAULT_CHUNK,
    workers: int = DEFAULT_WORKERS,
    scheduler: str | None = None,
    within: Sequence[int] = sw.WITHIN,
    progress: Progress | None = None,
    save: bool = True,
    tables: Tables | None = None,
) -> SweepReport:
    """Run a grid over the varied assumptions ``vary`` (``PATH=LO:HI:N`` each).

    Parameters
    ----------
    store
        The store with the imported data; the sweep is saved there as a run unless
        ``save=False``.
    vary
        One ``PATH=LO:HI:N`` per varied scenario path (two give a map).
    draws, seed
        Monte Carlo draws at each point (per model) and the seed (the same at every point).
    chunk
        Draws per task.
    workers, scheduler
        Worker processes of a local cluster (``0``: run in this process), or the address
        of an existing Dask scheduler (default ``$GAPCAST_DASK_SCHEDULER``).
    """
    check(model, draws, chunk, workers)
    grid, forecast, sc, inputs = prepare(
        store,
        vary,
        scenario=scenario,
        model=model,
        draws=draws,
        seed=seed,
        overrides=overrides,
        as_of=as_of,
        within=within,
        tables=tables,
    )
    start = time.perf_counter()
    result, ran_on = execute(
        grid,
        forecast,
        chunk=chunk,
        workers=workers,
        scheduler=scheduler,
        within=within,
        progress=progress,
    )
    seconds = time.perf_counter() - start
    report = SweepReport(
        result,
        sc.name,
        model,
        inputs.as_of.isoformat(),
        (inputs.leader.label, inputs.challenger.label),
        store.data_hash(),
        ran_on,
        seconds,
    )
    if not save:
        return report
    run_id = store.save_run(
        kind="sweep",
        scenario=sc.name,
        scenario_hash=sc.content_hash(),
        data_hash=report.data_hash,
        seed=grid.seed,
        version=__version__,
        request={
            "scenario": scenario,
            "vary": list(vary),
            "overrides": list(overrides),
            "model": model,
            "draws": draws,
            "seed": grid.seed,
            "as_of": as_of,
            "as_of_used": report.as_of,
            "within": list(within),
            "chunk": chunk,
            "ran_on": ran_on,
            "scenario_resolved": sc.model_dump(mode="json"),
        },
        results=report.to_dict(),
    )
    return replace(report, run_id=run_id)


def shipped(
    store: Store, tables: Tables | None = None, *, scenario: str = SHIPPED_SCENARIO
) -> SweepReport:
    """Compute the shipped map in this process (bounded draws; what the dashboard shows)."""
    return sweep(
        store,
        SHIPPED_VARY,
        scenario=scenario,
        model=SHIPPED_MODEL,
        draws=SHIPPED_DRAWS,
        chunk=SHIPPED_DRAWS,
        workers=0,
        scheduler="",
        save=False,
        tables=tables,
    )


__all__ = [
    "DEFAULT_CHUNK",
    "DEFAULT_DRAWS",
    "DEFAULT_MODEL",
    "FORECAST",
    "MODELS",
    "SHIPPED_VARY",
    "Build",
    "SweepReport",
    "model_forecast",
    "execute",
    "prepare",
    "prepare_points",
    "shipped",
    "sweep",
]

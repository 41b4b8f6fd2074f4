"""Sweeps over other sets of points: forecast origins and sample sets (e.g. Sobol samples).

Both run like a grid (``gapcast.usecases.sweep``): the inputs are measured here, the tasks
carry them to the workers, and the result is identical for any cluster or chunking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gapcast.errors import RequestError
from gapcast.evaluate import sweep as sw
from gapcast.model.inputs import ForecastInputs
from gapcast.scenario.files import Scenario
from gapcast.store import Store
from gapcast.usecases.forecast_inputs import Tables, build_inputs, parse_as_of
from gapcast.usecases.sweep import (
    DEFAULT_CHUNK,
    DEFAULT_DRAWS,
    DEFAULT_MODEL,
    DEFAULT_SEED,
    DEFAULT_WORKERS,
    SHIPPED_SCENARIO,
    Build,
    Progress,
    check,
    execute,
    prepare_points,
)


def _run_points(
    store: Store,
    build: Build,
    *,
    scenario: str,
    model: str,
    draws: int,
    overrides: Sequence[str],
    chunk: int,
    workers: int,
    scheduler: str | None,
    within: Sequence[int],
    progress: Progress | None,
    tables: Tables | None,
    seed: int,
) -> sw.SweepResult:
    check(model, draws, chunk, workers)
    points, forecast, _, _ = prepare_points(
        store,
        build,
        scenario=scenario,
        model=model,
        draws=draws,
        seed=seed,
        overrides=overrides,
        as_of=None,
        within=within,
        tables=tables,
    )
    result, _ = execute(
        points,
        forecast,
        chunk=chunk,
        workers=workers,
        scheduler=scheduler,
        within=within,
        progress=progress,
    )
    return result


def origins(
    store: Store,
    dates: Sequence[str],
    *,
    scenario: str = SHIPPED_SCENARIO,
    model: str = DEFAULT_MODEL,
    draws: int = DEFAULT_DRAWS,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    chunk: int = DEFAULT_CHUNK,
    workers: int = DEFAULT_WORKERS,
    scheduler: str | None = None,
    within: Sequence[int] = sw.WITHIN,
    progress: Progress | None = None,
    tables: Tables | None = None,
) -> sw.SweepResult:
    """Forecast as of each of ``dates`` (the origins of a backtest), as one sweep.

    The inputs are measured once per origin, here, from data released on or before it;
    the tasks carry them to the workers, which need no store.
    """
    if not dates:
        raise RequestError("origins", "give at least one date")
    seed_ = DEFAULT_SEED if seed is None else seed

    def build(sc: Scenario, tables: Tables) -> tuple[sw.Sweep, dict[str, ForecastInputs]]:
        inputs = {str(d): build_inputs(tables, sc, parse_as_of(d)) for d in dates}
        return sw.origins(list(inputs), draws, seed_), inputs

    return _run_points(
        store,
        build,
        scenario=scenario,
        model=model,
        draws=draws,
        overrides=overrides,
        chunk=chunk,
        workers=workers,
        scheduler=scheduler,
        within=within,
        progress=progress,
        tables=tables,
        seed=seed_,
    )


def sample_set(
    store: Store,
    paths: Sequence[str],
    matrix: Any,
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
    tables: Tables | None = None,
) -> sw.SweepResult:
    """Forecast at each row of ``matrix`` (points × ``paths``), e.g. a Sobol sample."""
    seed_ = DEFAULT_SEED if seed is None else seed

    def build(sc: Scenario, tables: Tables) -> tuple[sw.Sweep, dict[str, ForecastInputs]]:
        return sw.samples(paths, matrix, draws, seed_), {
            "": build_inputs(tables, sc, parse_as_of(as_of))
        }

    return _run_points(
        store,
        build,
        scenario=scenario,
        model=model,
        draws=draws,
        overrides=overrides,
        chunk=chunk,
        workers=workers,
        scheduler=scheduler,
        within=within,
        progress=progress,
        tables=tables,
        seed=seed_,
    )


__all__ = ["origins", "sample_set"]

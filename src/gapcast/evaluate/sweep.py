"""Sweeps: one forecast at each of many points, split into tasks, merged exactly.

A **sweep** is a set of points (each fixes some scenario paths: ``path -> value``), a number
of Monte Carlo draws per point and a seed. It covers

- a **grid** over one or more varied assumptions (``--vary PATH=LO:HI:N``, a what-if map);
- a **sample set**: any matrix of values of some paths (a Sobol sample, say);
- **origins**: forecasts made as of several dates (the origins of a nested backtest), the
  point's ``as_of`` selecting the inputs measured at that date.

Tasks and the exact merge
-------------------------
``tasks(sweep, chunk)`` splits every point's draws ``0 .. draws - 1`` into slices of at most
``chunk`` draws; a task is one (point, slice). A task returns a **tally**: named int64
arrays (for the engine's models, the count of draws first ahead at each month and ahead at
each month). ``merge`` adds the tallies of each point. Because

1. every draw has its own counter-based key (``SeedSequence(seed, spawn_key=(block,))``,
   ``gapcast.model._random``), whatever slice or process simulates it, and
2. the tallies are integers, whose sum does not depend on the order of the additions,

the merged tallies, and every probability computed from them, are identical to the last
digit for any chunk size, any number of workers and any order in which tasks finish. Every
point uses the same seed, hence the same draw keys: common random numbers, so the map is
smooth and differences between points are not Monte Carlo noise. ``merge`` takes one
result per task index and refuses a missing one, so a task retried after a worker's death
is never counted twice.

Which forecast runs at a point is a parameter (``PointForecast``): ``EngineForecast`` runs
the current trend/compute models of ``gapcast.model`` with the point's values set as
fixed numbers (``--set PATH=value``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numba as nb
import numpy as np
from numpy.typing import NDArray

from gapcast.errors import RequestError
from gapcast.model import engine
from gapcast.model.compute import ComputeModel
from gapcast.model.inputs import ForecastInputs
from gapcast.model.trend import TrendModel
from gapcast.scenario.files import Scenario, apply_override, validate_scenario

Value = float | str
Point = tuple[tuple[str, Value], ...]
"""The paths a point fixes, in a fixed order: ``(("groups.challenger.compute.growth", 2.0),)``."""
Tally = dict[str, NDArray[np.int64]]
"""What a task returns: named integer arrays, added element-wise by ``merge``."""

WITHIN = (36, 60)
"""Horizons (months) of the probabilities a sweep reports by default."""
MAX_POINTS = 10_000
MAX_AXIS = 200


@dataclass(frozen=True)
class Axis:
    """One varied assumption: a scenario path and the values it takes."""

    path: str
    values: tuple[float, ...]

    @classmethod
    def parse(cls, text: str) -> Axis:
        """Parse ``PATH=LO:HI:N`` (``N`` evenly spaced values from ``LO`` to ``HI``)."""
        path, sep, spec = text.partition("=")
        parts = spec.split(":")
        if not sep or not path.strip() or len(parts) != 3:
            raise RequestError("vary", f"'{text}' is not allowed; write PATH=LO:HI:N")
        try:
            lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
        except ValueError:
            raise RequestError(
                "vary", f"'{text}': LO and HI must be numbers and N a whole number"
            ) from None
        if not (math.isfinite(lo) and math.isfinite(hi)) or not hi > lo:
            raise RequestError("vary", f"'{text}': LO must be below HI")
        if not 2 <= n <= MAX_AXIS:
            raise RequestError("vary", f"'{text}': N must be 2 to {MAX_AXIS}")
        values = tuple(float(v) for v in np.linspace(lo, hi, n))
        return cls(path.strip(), values)

    def to_dict(self) -> dict[str, Any]:
        """Return the axis as plain data."""
        return {"path": self.path, "values": list(self.values)}


@dataclass(frozen=True)
class Sweep:
    """Points, draws per point and the seed (build one with ``grid``, ``samples``, ``origins``)."""

    kind: str
    points: tuple[Point, ...]
    draws: int
    seed: int
    axes: tuple[Axis, ...] = ()

    def __post_init__(self) -> None:
        if not self.points:
            raise RequestError("points", "a sweep needs at least one point")
        if len(self.points) > MAX_POINTS:
            raise RequestError(
                "points", f"{len(self.points):,} points is too many (at most {MAX_POINTS:,})"
            )
        if self.draws < 1:
            raise RequestError("draws", f"{self.draws} is out of range (1 or more)")
        if self.seed < 0:
            raise RequestError("seed", f"{self.seed} is negative (allowed: 0 or more)")

    @property
    def shape(self) -> tuple[int, ...]:
        """The grid's shape (one length per axis), or ``(points,)`` for other sweeps."""
        return tuple(len(a.values) for a in self.axes) or (len(self.points),)

    @property
    def draw_months(self) -> int:
        """Draws times points (multiply by months and models for draw-months)."""
        return self.draws * len(self.points)

    def to_dict(self) -> dict[str, Any]:
        """Return the sweep's definition as plain data (stored with its run)."""
        return {
            "kind": self.kind,
            "axes": [a.to_dict() for a in self.axes],
            "points": [dict(p) for p in self.points],
            "draws": self.draws,
            "seed": self.seed,
        }


def grid(axes: Sequence[Axis], draws: int, seed: int) -> Sweep:
    """Return the sweep over every combination of the axes' values (first axis slowest)."""
    if not axes:
        raise RequestError("vary", "give at least one varied assumption")
    paths = [a.path for a in axes]
    if len(set(paths)) != len(paths):
        raise RequestError("vary", f"a path is varied twice: {', '.join(paths)}")
    points = tuple(
        tuple(zip(paths, combo, strict=True))
        for combo in itertools.product(*(a.values for a in axes))
    )
    return Sweep("grid", points, draws, seed, tuple(axes))


def samples(paths: Sequence[str], matrix: NDArray[np.float64], draws: int, seed: int) -> Sweep:
    """Return the sweep over the rows of ``matrix`` (points × paths), e.g. a Sobol sample."""
    values = np.asarray(matrix, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != len(paths):
        raise RequestError("samples", f"expected a points × {len(paths)} matrix")
    points = tuple(tuple(zip(paths, map(float, row), strict=True)) for row in values)
    return Sweep("samples", points, draws, seed)


def origins(dates: Sequence[str], draws: int, seed: int) -> Sweep:
    """Return the sweep over forecast origins (``as_of`` dates, ISO format)."""
    return Sweep("origins", tuple((("as_of", str(d)),) for d in dates), draws, seed)


@dataclass(frozen=True)
class Task:
    """One unit of work: draws ``first .. first + n - 1`` of point ``point``."""

    index: int
    point: int
    first: int
    n: int


def tasks(sweep: Sweep, chunk: int) -> list[Task]:
    """Split every point's draws into slices of at most ``chunk`` draws (point-major order)."""
    if chunk < 1:
        raise RequestError("chunk", f"{chunk} is out of range (1 or more)")
    out: list[Task] = []
    for p in range(len(sweep.points)):
        for first in range(0, sweep.draws, chunk):
            out.append(Task(len(out), p, first, min(chunk, sweep.draws - first)))
    return out


def merge(sweep: Sweep, work: Sequence[Task], results: Mapping[int, Tally]) -> list[Tally]:
    """Add the tallies of each point's tasks (exact: integers).

    ``results`` maps a task's index to its tally; each task counts once, whatever number of
    times it ran. A missing task is an error, never a silent gap.
    """
    missing = [t.index for t in work if t.index not in results]
    if missing:
        raise ValueError(f"{len(missing)} task(s) have no result (first: {missing[0]})")
    merged: list[Tally | None] = [None] * len(sweep.points)
    for t in work:
        tally = results[t.index]
        current = merged[t.point]
        if current is None:
            merged[t.point] = {k: np.array(v, dtype=np.int64) for k, v in tally.items()}
        else:
            for k, v in tally.items():
                current[k] += v
    return [m if m is not None else {} for m in merged]


class PointForecast(Protocol):
    """The forecast run at each point: picklable, so Dask can ship it to workers."""

    def __call__(self, point: Point, first: int, n: int) -> Tally:
        """Simulate draws ``first .. first + n - 1`` at ``point``; return integer tallies."""
        ...

    def probabilities(self, point: Point, tally: Tally, within: Sequence[int]) -> dict[int, float]:
        """Return P(challenger ahead within k months) for each ``k``, from a merged tally."""
        ...


def run_slice(
    model: engine.Model, seed: int, first: int, n: int, *, parallel: bool = False
) -> Tally:
    """Run draws ``first .. first + n - 1`` of ``model``; return first/ahead counts.

    ``parallel`` runs the kernels on Numba's threads (for a sweep in one process); else on
    this thread alone (a Dask worker process runs one task per thread). The counts are the
    same either way.
    """
    before = nb.get_num_threads()
    if not parallel:
        # the parameter sampling and preparation kernels run on Numba's threads; waking them
        # costs tens of ms per task on a busy machine, more than a small task's work
        nb.set_num_threads(1)
    try:
        keys, params = engine.draw_params(model.space, seed, first, n)
        months = model.horizon + 1
        parts = max(1, min(nb.get_num_threads(), n)) if parallel else 1
        tallies = engine.Tallies.zeros(parts, months, len(model.groups))
        model.simulate(keys, params, tallies, np.empty(n, np.int16), parallel=parallel)
    finally:
        nb.set_num_threads(before)
    return {
        "first": tallies.first.sum(axis=0).astype(np.int64),
        "ahead": tallies.ahead.sum(axis=0).astype(np.int64),
        "draws": np.array([n], dtype=np.int64),
    }


_SCENARIOS: dict[tuple[str, Point, int], Scenario] = {}
"""Validated scenarios by (scenario digest, point, horizon): a process validates each once."""


def _digest(raw: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class EngineForecast:
    """The current models (trend, compute, or their ensemble) with a point's values fixed.

    Parameters
    ----------
    scenario
        The resolved scenario as plain data (``Scenario.model_dump(mode="json")``).
    inputs
        The measured inputs by as-of date (ISO); the key ``""`` is used by points that do
        not set ``as_of``.
    model
        ``trend``, ``compute`` or ``ensemble``.
    seed
        The seed of every point (common random numbers).
    horizon
        Months simulated (``0``: the scenario's own).
    parallel
        Run each task's kernel on Numba's threads (a sweep in one process).
    """

    scenario: dict[str, Any]
    inputs: Mapping[str, ForecastInputs]
    model: str
    seed: int
    horizon: int = field(default=0)
    parallel: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "_digest", _digest(self.scenario))

    def _scenario(self, point: Point) -> Scenario:
        key = (str(self.__dict__["_digest"]), point, self.horizon)
        found = _SCENARIOS.get(key)
        if found is None:
            if len(_SCENARIOS) >= 512:
                _SCENARIOS.clear()
            found = _SCENARIOS[key] = self._validate(point)
        return found

    def _validate(self, point: Point) -> Scenario:
        raw = self.scenario
        paths = [p for p, _ in point if p != "as_of"]
        for path, value in point:
            if path != "as_of":
                raw = apply_override(raw, f"{path}={value!r}")
        if self.horizon:
            raw = apply_override(raw, f"horizon_months={self.horizon}")
        return validate_scenario(raw, overridden=paths)

    def components(self) -> tuple[str, ...]:
        """Return the models run at each point."""
        return ("trend", "compute") if self.model == "ensemble" else (self.model,)

    def __call__(self, point: Point, first: int, n: int) -> Tally:
        """Simulate draws ``first .. first + n - 1`` of every component model at ``point``."""
        sc = self._scenario(point)
        inputs = self.inputs[str(dict(point).get("as_of", ""))]
        out: Tally = {}
        for name in self.components():
            mc: engine.Model = (
                TrendModel(sc, inputs) if name == "trend" else ComputeModel(sc, inputs)
            )
            for k, v in run_slice(mc, self.seed, first, n, parallel=self.parallel).items():
                out[f"{name}.{k}"] = v
        return out

    def probabilities(self, point: Point, tally: Tally, within: Sequence[int]) -> dict[int, float]:
        """Return P(ahead within k) (the ensemble mixes with the scenario's weight)."""
        weights = {self.model: 1.0}
        if self.model == "ensemble":
            w = self._scenario(point).ensemble.compute_weight
            weights = {"trend": 1.0 - w, "compute": w}
        out: dict[int, float] = {}
        for k in within:
            p = 0.0
            for name, w in weights.items():
                first = tally[f"{name}.first"]
                draws = int(tally[f"{name}.draws"][0])
                if k >= first.shape[0] - 1:
                    raise RequestError("within", f"{k} months is beyond the forecast horizon")
                p += w * float(first[1 : k + 1].sum()) / draws
            out[k] = p
        return out


@dataclass(frozen=True)
class SweepResult:
    """A finished sweep: each point's merged tally and its probabilities."""

    sweep: Sweep
    tallies: tuple[Tally, ...]
    p_within: dict[int, tuple[float, ...]]
    """P(ahead within k) per point, in the sweep's point order."""

    def surface(self, within: int) -> NDArray[np.float64]:
        """Return P(ahead within ``within``) shaped as the grid (first axis = rows)."""
        return np.asarray(self.p_within[within], dtype=np.float64).reshape(self.sweep.shape)

    def to_dict(self) -> dict[str, Any]:
        """Return the sweep and its probabilities as plain data."""
        return {
            **self.sweep.to_dict(),
            "shape": list(self.sweep.shape),
            "p_within": {str(k): list(v) for k, v in self.p_within.items()},
        }


def summarize(
    sweep: Sweep,
    forecast: PointForecast,
    tallies: Sequence[Tally],
    within: Sequence[int] = WITHIN,
) -> SweepResult:
    """Turn merged tallies into probabilities per point."""
    per_point = [
        forecast.probabilities(p, t, within) for p, t in zip(sweep.points, tallies, strict=True)
    ]
    p_within = {k: tuple(pp[k] for pp in per_point) for k in within}
    return SweepResult(sweep, tuple(tallies), p_within)


def run_serial(
    sweep: Sweep, forecast: PointForecast, chunk: int, within: Sequence[int] = WITHIN
) -> SweepResult:
    """Run every task in this process, one after another (the reference for any cluster)."""
    work = tasks(sweep, chunk)
    results = {t.index: forecast(sweep.points[t.point], t.first, t.n) for t in work}
    return summarize(sweep, forecast, merge(sweep, work, results), within)


__all__ = [
    "WITHIN",
    "Axis",
    "EngineForecast",
    "Point",
    "PointForecast",
    "Sweep",
    "SweepResult",
    "Tally",
    "Task",
    "grid",
    "merge",
    "origins",
    "run_serial",
    "run_slice",
    "samples",
    "summarize",
    "tasks",
]

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
arrays (the count of draws whose event first happens in each month: ``strict.first``, the
challenger's frontier strictly ahead, and for the structural model ``sustained.first``, the
headline's lead of ``MARGIN`` points for ``RUN_MONTHS`` months). ``merge`` adds the
tallies of each point. Because

1. every draw has its own counter-based key (``SeedSequence(seed, spawn_key=(block,))``,
   ``gapcast.model._random``), whatever slice or process simulates it, and
2. the structural model's outer draws (a posterior row and the scenario's values, shared
   by ``inner_size(draws)`` consecutive draws) are keyed by their index, which depends on
   the point's draws only, never on the slice, and
3. the tallies are integers, whose sum does not depend on the order of the additions,

the merged tallies, and every probability computed from them, are identical to the last
digit for any chunk size, any number of workers and any order in which tasks finish. Every
point uses the same seed, hence the same draw keys: common random numbers, so the map is
smooth and differences between points are not Monte Carlo noise. ``merge`` takes one
result per task index and refuses a missing one, so a task retried after a worker's death
is never counted twice.

Which forecast runs at a point is a parameter (``PointForecast``): ``ModelForecast`` runs
the structural model (or the trend baseline) with the point's values set as fixed numbers,
exactly as ``gapcast forecast --set PATH=value`` would at the same seed and draws.
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
from gapcast.model import engine, structural
from gapcast.model._random import draw_keys
from gapcast.model.headline import DEFINITIONS
from gapcast.model.inputs import ForecastInputs
from gapcast.model.posterior import Posterior
from gapcast.model.trend import TrendModel
from gapcast.scenario.files import Scenario, apply_override, validate_scenario

Value = float | str
Point = tuple[tuple[str, Value], ...]
"""The paths a point fixes, in a fixed order: ``(("groups.challenger.compute.growth", 2.0),)``."""
Tally = dict[str, NDArray[np.int64]]
"""What a task returns: named integer arrays, added element-wise by ``merge``."""

MODELS = ("structural", "trend")
"""The models a sweep can run at each point (``structural``: the headline's)."""
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

    @property
    def events(self) -> tuple[str, ...]:
        """The events counted (``strict``, and ``sustained`` where the model has it)."""
        ...

    def probabilities(
        self, point: Point, tally: Tally, within: Sequence[int]
    ) -> dict[str, dict[int, float]]:
        """Return P(event within k months) for each event and ``k``, from a merged tally."""
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


PointModel = engine.Model | structural.StructuralModel
_CACHE: dict[tuple[str, Point, int], tuple[Scenario, PointModel]] = {}
"""Validated scenarios and built models by (forecast digest, point, horizon): a process
builds each once, however many of the point's tasks it runs."""


def _digest(raw: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class ModelForecast:
    """The structural model (or the trend baseline) with a point's values fixed.

    A point is ``gapcast forecast --set PATH=value ...`` at the same seed: the same scenario,
    the same parameter draws (the fit's posterior with the point's scenario values, or the
    priors), the same draw keys. Draws ``first .. first + n - 1`` of a point's ``draws``
    are simulated as ``gapcast.model.structural.run`` would (the same outer draws: the
    grouping depends on ``draws`` only), so the merged counts equal that run's.

    Parameters
    ----------
    scenario
        The resolved scenario as plain data (``Scenario.model_dump(mode="json")``).
    inputs
        The measured inputs by as-of date (ISO); the key ``""`` is used by points that do
        not set ``as_of``.
    model
        ``structural`` or ``trend``.
    seed
        The seed of every point (common random numbers).
    draws
        Draws per point (the structural model groups them into outer draws by this number).
    fitted
        The fit's posterior by as-of date (same keys as ``inputs``), ``None`` where there is
        no fit (the priors are used, as a forecast does).
    prior_size
        Draws from the priors when there is no fit.
    horizon
        Months simulated (``0``: the scenario's own).
    parallel
        Run each task's kernel on Numba's threads (a sweep in one process).
    """

    scenario: dict[str, Any]
    inputs: Mapping[str, ForecastInputs]
    model: str
    seed: int
    draws: int
    fitted: Mapping[str, Posterior | None] = field(default_factory=dict)
    prior_size: int = 4000
    horizon: int = 0
    parallel: bool = False

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise RequestError(
                "model", f"'{self.model}' is not allowed (allowed: {', '.join(MODELS)})"
            )
        key: dict[str, Any] = {
            "scenario": self.scenario,
            "model": self.model,
            "seed": self.seed,
            "draws": self.draws,
            "prior_size": self.prior_size,
        }
        key["fitted"] = sorted(
            (k, None if v is None else hashlib.sha256(v.matrix().tobytes()).hexdigest())
            for k, v in self.fitted.items()
        )
        object.__setattr__(self, "_digest", _digest(key))

    @property
    def events(self) -> tuple[str, ...]:
        """The events counted: strict and sustained (structural), strict only (trend)."""
        return structural.EVENTS if self.model == "structural" else ("strict",)

    def _built(self, point: Point) -> tuple[Scenario, PointModel]:
        key = (str(self.__dict__["_digest"]), point, self.horizon)
        found = _CACHE.get(key)
        if found is None:
            if len(_CACHE) >= 256:
                _CACHE.clear()
            found = _CACHE[key] = self._build(point)
        return found

    def _build(self, point: Point) -> tuple[Scenario, PointModel]:
        raw = self.scenario
        paths = [p for p, _ in point if p != "as_of"]
        for path, value in point:
            if path != "as_of":
                raw = apply_override(raw, f"{path}={value!r}")
        if self.horizon:
            raw = apply_override(raw, f"horizon_months={self.horizon}")
        sc = validate_scenario(raw, overridden=paths)
        as_of = str(dict(point).get("as_of", ""))
        inputs = self.inputs[as_of]
        if self.model == "trend":
            return sc, TrendModel(sc, inputs)
        # what ``gapcast.usecases.forecast.posterior`` does, with the point's scenario
        rng = np.random.default_rng(self.seed)
        fitted = self.fitted.get(as_of)
        post = (
            structural.prior_posterior(sc, inputs, self.prior_size, rng)
            if fitted is None
            else structural.with_overrides(fitted, sc, rng)
        )
        return sc, structural.StructuralModel(sc, inputs, post)

    def __call__(self, point: Point, first: int, n: int) -> Tally:
        """Simulate draws ``first .. first + n - 1`` at ``point``; return integer counts."""
        _, mc = self._built(point)
        if isinstance(mc, structural.StructuralModel):
            return structural_slice(mc, self.draws, self.seed, first, n, parallel=self.parallel)
        tally = run_slice(mc, self.seed, first, n, parallel=self.parallel)
        return {"strict.first": tally["first"], "draws": tally["draws"]}

    def probabilities(
        self, point: Point, tally: Tally, within: Sequence[int]
    ) -> dict[str, dict[int, float]]:
        """Return P(event within k months) for each event and each ``k``."""
        draws = int(tally["draws"][0])
        out: dict[str, dict[int, float]] = {}
        for event in self.events:
            first = tally[f"{event}.first"]
            p: dict[int, float] = {}
            for k in within:
                if k > first.shape[0] - 2:
                    raise RequestError("within", f"{k} months is beyond the forecast horizon")
                # as the forecast's own results: month 0 counts (cumsum of first)
                p[k] = float(first[: k + 1].sum()) / draws
            out[event] = p
        return out


def structural_slice(
    model: structural.StructuralModel,
    draws: int,
    seed: int,
    first: int,
    n: int,
    *,
    parallel: bool = False,
) -> Tally:
    """Run draws ``first .. first + n - 1`` of a ``draws``-draw structural run; return counts.

    The same kernel call as one chunk of ``gapcast.model.structural.run`` (outer draws of
    ``inner_size(draws)`` draws each), so any split of ``0 .. draws - 1`` into slices adds up
    to that run's counts: ``strict.first`` (draws first strictly ahead in month t; index
    H + 1: never) and ``sustained.first`` (the headline's event, first complete in month t).
    """
    if not first >= 0 and n >= 1 and first + n <= draws:
        raise ValueError(f"draws {first}..{first + n - 1} are not within 0..{draws - 1}")
    before = nb.get_num_threads()
    if not parallel:
        nb.set_num_threads(1)  # see run_slice
    try:
        months = model.horizon + 1
        inner = structural.inner_size(draws)
        o_lo = first // inner
        n_outer = (first + n - 1) // inner - o_lo + 1
        hz = np.array([model.horizon], np.int64)
        keys = draw_keys(seed, first, n)
        parts = max(1, min(nb.get_num_threads(), n)) if parallel else 1
        tallies = engine.Tallies.zeros(parts, months, 2)
        s_t = np.zeros((parts, months + 1), np.int64)
        # outer counts indexed from this slice's first outer draw (start - o_lo * inner)
        o_t = np.zeros((parts, n_outer, 2, 1), np.int64)
        structural.simulate_tally(
            model, keys, model.chunk_arrays(seed, first, n, inner),
            first_global=first - o_lo * inner, inner=inner, hz=hz, parts=parts,
            tallies=tallies, sfirst=s_t, outer=o_t, first_out=np.empty(n, np.int16),
            sus_out=np.empty(n, np.int16), parallel=parallel,
        )  # fmt: skip
    finally:
        nb.set_num_threads(before)
    return {
        "strict.first": tallies.first.sum(axis=0).astype(np.int64),
        "sustained.first": s_t.sum(axis=0).astype(np.int64),
        "draws": np.array([n], dtype=np.int64),
    }


@dataclass(frozen=True)
class SweepResult:
    """A finished sweep: each point's merged tally and its probabilities."""

    sweep: Sweep
    tallies: tuple[Tally, ...]
    events: dict[str, dict[int, tuple[float, ...]]]
    """P(event within k) per event and horizon, per point in the sweep's point order."""

    @property
    def event(self) -> str:
        """The headline's event where the model has it (``sustained``), else ``strict``."""
        return "sustained" if "sustained" in self.events else "strict"

    @property
    def p_within(self) -> dict[int, tuple[float, ...]]:
        """P(``event`` within k) per point (the map)."""
        return self.events[self.event]

    def surface(self, within: int, event: str | None = None) -> NDArray[np.float64]:
        """Return P(event within ``within``) shaped as the grid (first axis = rows)."""
        values = self.events[event or self.event][within]
        return np.asarray(values, dtype=np.float64).reshape(self.sweep.shape)

    def to_dict(self) -> dict[str, Any]:
        """Return the sweep and its probabilities as plain data."""
        return {
            **self.sweep.to_dict(),
            "shape": list(self.sweep.shape),
            "event": self.event,
            "definition": DEFINITIONS[self.event].format(
                m=structural.MARGIN, k=structural.RUN_MONTHS
            ),
            "p_within": {str(k): list(v) for k, v in self.p_within.items()},
            "events": {
                e: {str(k): list(v) for k, v in ps.items()} for e, ps in self.events.items()
            },
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
    events = {e: {k: tuple(pp[e][k] for pp in per_point) for k in within} for e in forecast.events}
    return SweepResult(sweep, tuple(tallies), events)


def run_serial(
    sweep: Sweep, forecast: PointForecast, chunk: int, within: Sequence[int] = WITHIN
) -> SweepResult:
    """Run every task in this process, one after another (the reference for any cluster)."""
    work = tasks(sweep, chunk)
    results = {t.index: forecast(sweep.points[t.point], t.first, t.n) for t in work}
    return summarize(sweep, forecast, merge(sweep, work, results), within)


__all__ = [
    "MODELS",
    "WITHIN",
    "Axis",
    "ModelForecast",
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
    "structural_slice",
    "summarize",
    "tasks",
]

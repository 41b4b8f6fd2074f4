"""The Monte Carlo engine: draws parameters, runs a model's kernel, tallies the outcomes.

Axis rule (the one place it is written down): every array of simulated values is laid out
**draws × months × groups**; month 0 is the as-of month, months run ``0 .. horizon``; group
0 is the leader and group 1 the challenger.

How a run proceeds
------------------
1. The ``n`` draws are processed in chunks of ``chunk`` draws, so memory stays bounded
   (parameters for one chunk, and fixed-size integer tallies).
2. Each draw has a key derived from ``SeedSequence(seed, spawn_key=(block,))`` (blocks of
   ``BLOCK`` draws); each parameter and each monthly shock is a counter-based stream keyed
   by it (``gapcast.model._random``). Hence the result is identical, to the last digit, for
   any chunk size and any number of workers, and two runs with the same seed share common
   random numbers.
3. The model's kernel (Numba, fused per draw: all months and groups of one draw in
   registers, ``prange`` over slices of draws) simulates the paths and adds them to integer
   tallies (``gapcast.model._outcomes``).
4. ``workers > 1`` runs chunks on that many threads with the serial kernel instead (the
   kernels release the GIL); the tallies are summed, which is exact for integers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

import numba as nb
import numpy as np
from numpy.typing import NDArray

from gapcast.model._outcomes import GAP_BINS, LAG_BINS, LEVEL_BINS
from gapcast.model._random import BLOCK, draw_keys, stream_id
from gapcast.model.params import ParamSpace, sample_matrix

Array = NDArray[np.float64]
Progress = Callable[[int], None]
"""Called with the number of draws just finished."""

DEFAULT_CHUNK = 1 << 16


@dataclass
class Tallies:
    """Integer tallies of a run (see ``gapcast.model._outcomes``); ``parts`` leading axis."""

    ahead: NDArray[np.int64]
    first: NDArray[np.int64]
    gap: NDArray[np.int32]
    level: NDArray[np.int32]
    lag: NDArray[np.int32]

    @classmethod
    def zeros(cls, parts: int, months: int, groups: int) -> Tallies:
        """Return empty tallies for ``parts`` threads."""
        return cls(
            ahead=np.zeros((parts, months), np.int64),
            first=np.zeros((parts, months + 1), np.int64),
            gap=np.zeros((parts, months, GAP_BINS.n), np.int32),
            level=np.zeros((parts, months, groups, LEVEL_BINS.n), np.int32),
            lag=np.zeros((parts, months, LAG_BINS.n), np.int32),
        )


@dataclass
class RunTotals:
    """Summed tallies of a whole run (int64)."""

    draws: int
    ahead: NDArray[np.int64]
    first: NDArray[np.int64]
    gap: NDArray[np.int64]
    level: NDArray[np.int64]
    lag: NDArray[np.int64]
    first_ahead: NDArray[np.int16] | None = None

    @classmethod
    def zeros(cls, months: int, groups: int) -> RunTotals:
        """Return empty totals."""
        return cls(
            0,
            np.zeros(months, np.int64),
            np.zeros(months + 1, np.int64),
            np.zeros((months, GAP_BINS.n), np.int64),
            np.zeros((months, groups, LEVEL_BINS.n), np.int64),
            np.zeros((months, LAG_BINS.n), np.int64),
        )

    def add(self, t: Tallies, draws: int) -> None:
        """Add a chunk's tallies (summed over their parts)."""
        self.draws += draws
        self.ahead += t.ahead.sum(axis=0)
        self.first += t.first.sum(axis=0)
        self.gap += t.gap.sum(axis=0, dtype=np.int64)
        self.level += t.level.sum(axis=0, dtype=np.int64)
        self.lag += t.lag.sum(axis=0, dtype=np.int64)


class Model(Protocol):
    """A Monte Carlo model the engine can run (``TrendModel``, ``ComputeModel``)."""

    name: str
    horizon: int
    groups: tuple[str, str]
    space: ParamSpace
    base: float
    """Level the ``level`` histograms are relative to (the leader's as-of frontier)."""

    def simulate(
        self,
        keys: NDArray[np.uint64],
        params: Draws,
        tallies: Tallies,
        first_out: NDArray[np.int16],
        *,
        parallel: bool,
    ) -> None:
        """Simulate the draws with ``keys`` and add them to ``tallies``."""
        ...

    def paths(self, keys: NDArray[np.uint64], params: Draws) -> Array:
        """Return the simulated frontiers, draws × months × groups."""
        ...


@dataclass(frozen=True)
class EngineOptions:
    """How to run: chunk size, worker threads, per-draw outputs."""

    chunk: int = DEFAULT_CHUNK
    workers: int = 1
    keep_draws: bool = False
    progress: Progress | None = field(default=None, compare=False)


def streams_of(space: ParamSpace) -> dict[str, np.uint64]:
    """Return each parameter's stream number (a hash of its path)."""
    return {path: stream_id(path) for path in space}


class Draws(Mapping[str, Array]):
    """Sampled parameters: a draws × parameters matrix, readable by path (column views)."""

    def __init__(self, matrix: Array, paths: Sequence[str]) -> None:
        self.matrix = matrix
        self.columns = {path: j for j, path in enumerate(paths)}

    def __getitem__(self, path: str) -> Array:
        return self.matrix[:, self.columns[path]]

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    @property
    def n(self) -> int:
        """Number of draws."""
        return int(self.matrix.shape[0])


def draw_params(
    space: ParamSpace,
    seed: int,
    first: int,
    n: int,
) -> tuple[NDArray[np.uint64], Draws]:
    """Return the keys and parameter values of draws ``first .. first + n - 1``."""
    keys = draw_keys(seed, first, n)
    return keys, Draws(sample_matrix(space, keys, streams_of(space)), list(space))


def run(
    model: Model,
    draws: int,
    seed: int,
    options: EngineOptions | None = None,
) -> RunTotals:
    """Run ``draws`` Monte Carlo draws of ``model`` and return the summed tallies.

    Parameters
    ----------
    model
        The model (its parameter space and kernel).
    draws
        Number of draws.
    seed
        The run's seed; with the same seed every chunk size and worker count gives
        bit-identical totals.
    options
        Chunk size (draws held in memory at once), worker threads, whether to keep the
        per-draw first month ahead (``first_ahead``, -1 if never), a progress callback.
    """
    opts = options or EngineOptions()
    if draws < 1:
        raise ValueError("draws must be at least 1")
    chunk = max(1, opts.chunk)
    months = model.horizon + 1
    groups = len(model.groups)
    totals = RunTotals.zeros(months, groups)
    first_ahead = np.empty(draws, np.int16) if opts.keep_draws else None
    starts = list(range(0, draws, chunk))

    def one(start: int, parallel: bool) -> Tallies:
        n = min(chunk, draws - start)
        keys, params = draw_params(model.space, seed, start, n)
        parts = nb.get_num_threads() if parallel else 1
        parts = max(1, min(parts, n))
        tallies = Tallies.zeros(parts, months, groups)
        out = np.empty(n, np.int16)
        model.simulate(keys, params, tallies, out, parallel=parallel)
        if first_ahead is not None:
            first_ahead[start : start + n] = out
        return tallies

    if opts.workers <= 1:
        for start in starts:
            totals.add(one(start, True), min(chunk, draws - start))
            if opts.progress is not None:
                opts.progress(min(chunk, draws - start))
    else:
        with ThreadPoolExecutor(max_workers=opts.workers) as pool:
            futures = [(s, pool.submit(one, s, False)) for s in starts]
            for start, fut in futures:
                totals.add(fut.result(), min(chunk, draws - start))
                if opts.progress is not None:
                    opts.progress(min(chunk, draws - start))
    totals.first_ahead = first_ahead
    return totals


def simulate_paths(model: Model, draws: int, seed: int, first: int = 0) -> Array:
    """Return the frontier paths of draws ``first .. first + draws - 1`` (for tests, plots).

    The result is draws × months × groups; memory grows with ``draws``, so keep it small.
    """
    keys, params = draw_params(model.space, seed, first, draws)
    return model.paths(keys, params)


def part_bounds(n: int, parts: int) -> NDArray[np.int64]:
    """Return ``parts + 1`` boundaries splitting ``n`` draws into contiguous slices."""
    return np.linspace(0, n, parts + 1).astype(np.int64)


__all__ = [
    "BLOCK",
    "DEFAULT_CHUNK",
    "Draws",
    "EngineOptions",
    "Model",
    "RunTotals",
    "Tallies",
    "draw_params",
    "part_bounds",
    "run",
    "simulate_paths",
    "streams_of",
]

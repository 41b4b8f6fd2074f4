"""Benchmark the trust stage on the real data: the full backtest and a Sobol analysis.

Imports the data mirror (``$GAPCAST_DATA`` or ``../shared/data``) into a temporary store
(not timed), then times, in one process:

(a) the full ECI backtest: every origin from 2023-06, horizons 3, 6 and 12 months, the
    trend, compute and ensemble models (20,000 draws each) and both naive baselines, as
    ``gapcast backtest`` runs it (tables read once, inputs measured once per origin, one
    simulation per model and origin shared by every horizon, the same compiled kernels);
(b) a straightforward version on a few origins, extrapolated to all: per origin it re-reads
    and resolves the store's tables, measures the inputs and runs both models' engine
    (``forecast``'s ``run_scenario``, tallies and summaries included), then draws the
    samples it scores (no reuse across origins);
(c) a Sobol analysis of the baseline scenario's ensemble P(ahead within 36 and 60 months)
    with 2^14 base samples over its uncertain parameters (``gapcast sensitivity``: each
    model simulated once per distinct combination of its own parameters);
(d) the same analysis without that reuse, on 2^10 base samples, for the ratio.

Targets on two cores: (a) under 60 s, (c) under 60 s.

Usage: ``python benchmarks/bench_trust.py [--draws N] [--base N] [--inner M]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def mirror() -> Path:
    return Path(os.environ.get("GAPCAST_DATA") or ROOT.parent / "shared" / "data")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=20_000)
    parser.add_argument("--base", type=int, default=2**14)
    parser.add_argument("--inner", type=int, default=32)
    parser.add_argument("--naive-origins", type=int, default=4)
    args = parser.parse_args()

    import numba
    from gapcast.model.compute import ComputeModel

    from gapcast.evaluate.sensitivity import ProbabilityOutput
    from gapcast.model.engine import simulate_paths
    from gapcast.model.trend import TrendModel
    from gapcast.store import Store
    from gapcast.usecases import forecast as forecast_use
    from gapcast.usecases import trust
    from gapcast.usecases.data import import_paths
    from gapcast.usecases.forecast_inputs import Tables, build_inputs
    from gapcast.usecases.scenarios import load
    from gapcast.usecases.trust_solve import sensitivity

    print(f"numba threads: {numba.get_num_threads()} · cpus: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        with Store(path) as store:
            import_paths(store, [mirror()])
        with Store(path, read_only=True) as store:
            trust.backtest(store, draws=200)  # compile the kernels (cached on disk)
            start = time.perf_counter()
            result = trust.backtest(store, "eci", (3, 6, 12), args.draws)
            fast = time.perf_counter() - start
            n = len(result.origins)
            print(
                f"(a) backtest: {n} origins x 3 horizons, 3 models + 2 baselines, "
                f"{args.draws:,} draws: {fast:.2f} s ({fast / n * 1000:.0f} ms per origin)"
            )

            sc = load("baseline", ["horizon_months=12"])
            days = result.origins[-args.naive_origins :]
            start = time.perf_counter()
            for day in days:
                tables = Tables.load(store)
                forecast_use.run_scenario(
                    store, sc, model="ensemble", draws=args.draws, as_of=day, save=False,
                    tables=tables,
                )  # fmt: skip
                inputs = build_inputs(tables, sc, day)
                for cls in (TrendModel, ComputeModel):
                    simulate_paths(cls(sc, inputs), args.draws, 2026)
            naive = (time.perf_counter() - start) / len(days) * n
            print(
                f"(b) straightforward, per origin from scratch ({len(days)} origins, "
                f"extrapolated to {n}): {naive:.2f} s · ratio {naive / fast:.1f}x"
            )

            sensitivity(store, base=64, inner=4)  # compile
            start = time.perf_counter()
            res = sensitivity(store, base=args.base, inner=args.inner)
            sobol = time.perf_counter() - start
            print(
                f"(c) Sobol: N = {res.base:,}, {len(res.parameters)} parameters, "
                f"{res.evaluations:,} parameter sets x {args.inner} inner draws: {sobol:.2f} s"
            )
            small = 2**10
            start = time.perf_counter()
            sensitivity(store, base=small, inner=args.inner)
            ours_small = time.perf_counter() - start
            plain = ProbabilityOutput.__call__

            def no_reuse(self: ProbabilityOutput, params: object) -> np.ndarray:
                out = np.zeros((params.n, len(self.within)))  # type: ignore[attr-defined]
                for name, model in self.models.items():
                    out += self.weights[name] * self._probability(model, params)  # type: ignore[arg-type]
                return out

            ProbabilityOutput.__call__ = no_reuse  # type: ignore[method-assign]
            try:
                start = time.perf_counter()
                sensitivity(store, base=small, inner=args.inner)
                naive_small = time.perf_counter() - start
            finally:
                ProbabilityOutput.__call__ = plain  # type: ignore[method-assign]
            print(
                f"(d) Sobol at N = {small:,}: {ours_small:.2f} s with reuse, "
                f"{naive_small:.2f} s without · ratio {naive_small / ours_small:.1f}x"
            )
    ok_a = "ok" if fast < 60 else "MISSED"
    ok_c = "ok" if sobol < 60 else "MISSED"
    print(f"targets: backtest < 60 s {ok_a}; Sobol (2^14) < 60 s {ok_c}")


if __name__ == "__main__":
    main()

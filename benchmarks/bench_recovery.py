"""Parameter recovery: refit data simulated at known λ and κ, 20 seeded replications.

Each replication draws a data set from the structural model (``gapcast.model.recovery``)
at the true values ``recovery.TRUTH`` (λ = 4 ECI points per e-fold, κ = 0.15 a month, the
rest near the mirror's posterior) on the mirror's design: the same months, the same
release months of each side, the same research-compute history and the same
cross-section of compute and dates. It is refitted with the default sampler (2 NUTS chains,
500 + 500). Printed: how often the true λ and κ lie inside their 90% intervals (target: at
least 15 of 20 each; 18 expected), the mean posterior-to-prior sd ratios, divergences and
the time per fit (the compiled sampler is reused across replications).

Without a store (or with ``--synthetic``) the design is ``recovery.synthetic_design``.

Usage: python benchmarks/bench_recovery.py [STORE.duckdb | --synthetic] [REPLICATIONS]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

from gapcast.model import bayes, recovery
from gapcast.model.fitdata import FitData
from gapcast.store import Store
from gapcast.usecases import estimate
from gapcast.usecases import scenarios as scenario_files
from gapcast.usecases.forecast_inputs import Tables

TARGET = 15


def design(arg: str | None) -> tuple[FitData, str]:
    sc = scenario_files.load("baseline")
    db = arg or os.environ.get("GAPCAST_DB")
    if db and db != "--synthetic" and Path(db).exists():
        with Store(db, read_only=True) as store:
            return estimate.fit_data(Tables.load(store), sc), f"the mirror's design ({db})"
    return recovery.synthetic_design(np.random.default_rng(11)), "a synthetic design"


def main() -> None:
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    data, where = design(sys.argv[1] if len(sys.argv) > 1 else None)
    sc = scenario_files.load("baseline")
    lag = sc.estimation.catch_up_lag_months
    sampler = bayes.NutsFit(sc.estimation)
    hits = {"lambda": 0, "kappa": 0}
    ratios: dict[str, list[float]] = {"lambda": [], "kappa": []}
    times, divergences = [], 0
    for rep in range(reps):
        sim = recovery.simulate(data, recovery.TRUTH, lag, np.random.default_rng(1000 + rep))
        t0 = time.perf_counter()
        post = sampler.run(sim, seed=rep)
        times.append(time.perf_counter() - t0)
        divergences += post.divergences
        for name in hits:
            s = post.summary(name)
            assert s is not None
            hits[name] += int(s.lo90 <= recovery.TRUTH[name] <= s.hi90)
            ratios[name].append(s.sd_ratio)
        print(
            f"rep {rep:2d}: "
            + ", ".join(
                f"{n} [{post.summary(n).lo90:.3f}, {post.summary(n).hi90:.3f}]"  # type: ignore[union-attr]
                for n in hits
            )
            + f", {times[-1]:.1f} s",
            flush=True,
        )
    print(
        f"design: {where}; truth lambda {recovery.TRUTH['lambda']}, kappa {recovery.TRUTH['kappa']}"
    )
    for name in hits:
        print(
            f"{name}: truth inside the 90% interval in {hits[name]}/{reps} "
            f"(target >= {TARGET}/20); mean sd ratio {np.mean(ratios[name]):.2f}"
        )
    print(
        f"divergences {divergences} in {reps} fits; time per fit: first {times[0]:.1f} s "
        f"(compiles), median of the rest {np.median(times[1:] or times):.1f} s"
    )


if __name__ == "__main__":
    main()

"""Start-up of the CLI: ``gapcast --help``, ``gap`` and ``report``, against ``python -c pass``.

Each command runs in a fresh interpreter, as a user types it; the baseline is an
interpreter that does nothing. Prints the best of a few runs and the ratio to the baseline.
Targets (issue 15): ``--help`` under 1 s, ``gap`` under 2 s on a warm store, ``report``
under 10 s. ``gap`` and ``report`` read the store of ``$GAPCAST_DB`` (import the mirror
first: ``gapcast data import ../shared/data``).

Usage: python benchmarks/bench_cli.py [--no-report]
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time

RUNS = 3


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str], runs: int = RUNS) -> tuple[float, float]:
    """Return the best wall time and the best CPU time (user + system) of a few runs.

    CPU time is printed too because a busy machine stretches wall time far more.
    """
    best, best_cpu = float("inf"), float("inf")
    for _ in range(runs):
        cpu, start = _cpu(), time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=os.environ.copy())
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, _cpu() - cpu)
    return best, best_cpu


def main() -> None:
    py = sys.executable
    base, base_cpu = timed([py, "-c", "pass"], 5)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"python -c pass (baseline): {base:.3f} s wall, {base_cpu:.3f} s CPU")
    cases = [
        ("gapcast --help", [py, "-m", "gapcast", "--help"], 1.0, RUNS),
        ("gapcast gap", [py, "-m", "gapcast", "gap"], 2.0, RUNS),
    ]
    if "--no-report" not in sys.argv:
        out = tempfile.mkdtemp()
        cases.append(
            (
                "gapcast report --lang en",
                [py, "-m", "gapcast", "report", "--out", out, "--lang", "en"],
                10.0,
                1,
            )
        )
    subprocess.run([py, "-m", "gapcast", "gap"], check=True, stdout=subprocess.DEVNULL)
    for name, args, target, runs in cases:
        t, cpu = timed(args, runs)
        verdict = "ok" if t < target else "over"
        print(
            f"{name}: {t:.3f} s wall ({t / base:.0f}x baseline; target {target:g} s: {verdict}), "
            f"{cpu:.3f} s CPU ({cpu / base_cpu:.0f}x)"
        )


if __name__ == "__main__":
    main()

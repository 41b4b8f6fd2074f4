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
import subprocess
import sys
import tempfile
import time

RUNS = 3


def timed(args: list[str], runs: int = RUNS) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=os.environ.copy())
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    py = sys.executable
    base = timed([py, "-c", "pass"], 5)
    print(f"python -c pass (baseline): {base:.3f} s")
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
        t = timed(args, runs)
        verdict = "ok" if t < target else "over"
        print(f"{name}: {t:.3f} s ({t / base:.0f}x baseline; target {target:g} s: {verdict})")


if __name__ == "__main__":
    main()

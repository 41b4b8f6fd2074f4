"""Defaults every interface shares, in a module that imports nothing heavy.

The CLI's option defaults are read from here, so ``gapcast --help`` never imports NumPy,
Numba or SciPy; the use cases take the same values, so the CLI, the API, the dashboard and
the report print the same number for the same scenario.
"""

from __future__ import annotations

DRAWS = 20_000
"""Monte Carlo draws per model of a forecast: CLI, API, dashboard and report.

At 20,000 draws the Monte Carlo standard error of a probability near 17% is about 0.3
percentage points, far below the spread across models and scenarios; every output prints it.
"""
GAP_DRAWS = 1000
"""Uncertainty draws of a measured gap (bootstrap of the scores)."""
TRUST_DRAWS = 10_000
"""Draws per model at each backtest origin."""
TRUST_START = "2023-06"
"""First backtest origin month."""
SOBOL_BASE = 2**11
"""Saltelli base sample size of the sensitivity analysis."""
SOBOL_INNER = 32
"""Inner draws per Saltelli point."""
WHATIF_DRAWS = 20_000
"""Draws per trial of "what would it take"."""
CLAIMS_DRAWS = 4000
"""Draws per claim event (``gapcast claims``)."""
BACKTEST_TUNING = "eci"
"""The metric the nested backtest tunes on; every other metric is held out."""
BACKTEST_HELD_OUT = (
    "lmarena",
    "lmarena_style",
    "gpqa_diamond",
    "swe_bench_verified",
    "frontiermath",
)
"""Metrics never tuned on (``gapcast backtest``)."""
BACKTEST_START = "2023-06"
"""First origin month of the nested backtest."""
SWEEP_DRAWS = 4_000
"""Draws per point of a sweep (``gapcast sweep``)."""
SWEEP_CHUNK = 2_000
"""Draws per task of a sweep."""
SWEEP_WORKERS = 2
"""Worker processes of a sweep's local Dask cluster."""

"""How far to trust a forecast: backtests, scoring rules, calibration, sensitivity, what-if.

Pure NumPy/SciPy over the model core (a test checks it). Names load from their modules on
first use.
"""

from __future__ import annotations

from gapcast._lazy import lazy_exports

_EXPORTS = {
    "BacktestResult": "gapcast.evaluate.backtest",
    "BacktestSettings": "gapcast.evaluate.nested",
    "Calibration": "gapcast.evaluate.calibration",
    "Forecaster": "gapcast.evaluate.forecasters",
    "MetricData": "gapcast.evaluate.history",
    "Origin": "gapcast.evaluate.backtest",
    "ScoreRow": "gapcast.evaluate.backtest",
    "SobolIndex": "gapcast.evaluate.sensitivity",
    "SobolOutput": "gapcast.evaluate.sensitivity",
    "WhatIf": "gapcast.evaluate.whatif",
    "run_backtest": "gapcast.evaluate.backtest",
    "run_nested": "gapcast.evaluate.nested",
    "sobol": "gapcast.evaluate.sensitivity",
    "solve": "gapcast.evaluate.whatif",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

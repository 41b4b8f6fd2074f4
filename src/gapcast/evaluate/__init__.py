"""How far to trust a forecast: backtests, scoring rules, calibration, sensitivity, what-if.

Pure NumPy/SciPy over the model core (a test checks it). Names load from their modules on
first use.
"""

from __future__ import annotations

import importlib
from typing import Any

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


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gapcast.evaluate' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__

"""Scenarios: the YAML format (``fields``) and its parsing, validation and overrides (``files``).

Names load from their modules on first use. The shipped scenario files are package data in
``gapcast/scenarios/``.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Scenario": "gapcast.scenario.files",
    "apply_override": "gapcast.scenario.files",
    "documented_fields": "gapcast.scenario.files",
    "parse_scenario": "gapcast.scenario.files",
    "scenario_table": "gapcast.scenario.files",
    "validate_scenario": "gapcast.scenario.files",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gapcast.scenario' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__

"""Scenarios: the YAML format (``fields``) and its parsing, validation and overrides (``files``).

Names load from their modules on first use. The shipped scenario files are package data in
``gapcast/scenarios/``.
"""

from __future__ import annotations

from gapcast._lazy import lazy_exports

_EXPORTS = {
    "Scenario": "gapcast.scenario.files",
    "apply_override": "gapcast.scenario.files",
    "documented_fields": "gapcast.scenario.files",
    "parse_scenario": "gapcast.scenario.files",
    "scenario_table": "gapcast.scenario.files",
    "validate_scenario": "gapcast.scenario.files",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

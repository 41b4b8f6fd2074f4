r"""Calibration: the trend spread, residual half-life and ensemble weight from the backtest.

What ``gapcast calibrate`` computes.

Three settings were placeholders until a backtest could score them; each is now chosen by
the mean CRPS of the gap over every origin and horizon of the ECI backtest where both
models forecast (``gapcast.evaluate.backtest``), in this order:

1. ``trend.common_progress`` ``rho``: the trend model is simulated once per origin with
   ``rho = 0`` and every ``rho`` of ``RHO_GRID`` is applied to the same draws
   (``with_common_progress``); the ``rho`` with the lowest mean CRPS is kept.
2. ``capability.efficiency_half_life_months`` ``tau``: the compute model is run with ``tau``
   fixed at each value of ``TAU_GRID`` (common random numbers), and the uncalibrated prior
   (``PRIORS``) is updated on that grid by the likelihood of the observed gaps (a kernel
   density of the draws), tempered because overlapping forecasts are not independent
   (``half_life_posterior``; ``effective_checks``: ``n_h`` forecasts at horizon ``h`` count
   as ``n_h / h`` independent ones). The
   calibrated prior is the lognormal matching the posterior of ``ln tau``. The mean CRPS
   per ``tau`` (and the values within one overlap-corrected standard error of the best)
   are reported beside it.
3. ``ensemble.compute_weight`` ``w``: the mixture's CRPS is a quadratic in ``w``,

   .. math:: \operatorname{CRPS}(w) = w A_c + (1 - w) A_t - \tfrac12 \bigl[w^2 B_{cc}
             + (1 - w)^2 B_{tt} + 2 w (1 - w) B_{ct}\bigr],

   with ``A_m = E|X_m - y|`` and ``B_{mn} = E|X_m - X_n|`` over the draws (exact for the
   empirical distributions; ``mixture_terms``). Its mean over the forecasts is convex
   (``B_ct >= (B_cc + B_tt)/2``: the energy distance is non-negative) and minimised in
   closed form, clipped to [0, 1].

Everything is in-sample: the chosen values are those that scored best on the same
history the backtest reports afterwards, with ~30 overlapping origins. The LMArena backtest,
which uses the ECI-calibrated values unchanged, is the out-of-sample check.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gapcast.scenario.files import UNCALIBRATED

RHO_GRID = tuple(round(0.05 * i, 2) for i in range(20))
"""Common-progress values tried (0 to 0.95)."""

PRIORS: dict[str, Any] = UNCALIBRATED
"""The values before calibration (what ``gapcast calibrate`` starts from)."""


@dataclass(frozen=True)
class Calibration:
    """Calibrated scenario values with their provenance (``scenarios/calibration.json``)."""

    values: dict[str, Any]
    """Scenario path to value, substituted where a scenario says ``calibrated``."""
    provenance: dict[str, Any]
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def note(self) -> str:
        """Return the one-line provenance recorded in calibrated scenarios."""
        p = self.provenance
        return (
            f"scenarios/calibration.json: {p.get('method_short', 'backtest calibration')} on "
            f"{p.get('metric', 'eci')} data {p.get('data_hash', '?')} ({p.get('created', '?')})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the file's JSON document."""
        return {
            "values": self.values,
            "provenance": self.provenance,
            "diagnostics": self.diagnostics,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        """Read the file's JSON document."""
        return cls(
            dict(data.get("values", {})),
            dict(data.get("provenance", {})),
            dict(data.get("diagnostics", {})),
        )


METHOD = (
    "ECI backtest (origins monthly from the start month, as of each month end; horizons as "
    "listed), on the origins where both models forecast: trend.common_progress = the "
    "RHO_GRID value with the lowest mean CRPS of the gap; capability."
    "efficiency_half_life_months = the uncalibrated lognormal prior updated on TAU_GRID by "
    "the kernel-density likelihood of the observed gaps, tempered to sum_h n_h / h "
    "independent checks, refitted as a lognormal; ensemble.compute_weight = the closed-form "
    "minimiser of the mixture's mean CRPS given the first two. See gapcast.evaluate.calibration."
)


def interval_verdict(coverage: float, nominal: float, n: int, horizon: int) -> str:
    """Say whether an interval's coverage is consistent with its nominal level.

    Overlapping targets make forecasts ``horizon`` months apart roughly independent, so the
    effective number of checks is ``max(1, n / horizon)``; coverage more than two binomial
    standard errors ``sqrt(p (1 - p) / n_eff)`` from ``p`` is called too narrow or too wide.
    """
    n_eff = max(1.0, n / max(horizon, 1))
    tol = 2.0 * math.sqrt(nominal * (1 - nominal) / n_eff)
    if coverage < nominal - tol:
        return "too narrow"
    if coverage > nominal + tol:
        return "too wide"
    return "consistent"


__all__ = [
    "METHOD",
    "PRIORS",
    "RHO_GRID",
    "Calibration",
    "interval_verdict",
]

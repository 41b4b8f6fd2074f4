"""Quick, provisional forecasts for interactive use (the dashboard's sliders).

A probability estimated from ``n`` independent draws has a Monte Carlo standard error
of ``sqrt(p (1 - p) / n)``, at most ``0.5 / sqrt(n)`` (at ``p = 0.5``). A request that
states the error it can accept (``mc_error``, e.g. 0.01 for one percentage point) is
answered at once with ``draws_for(mc_error)`` draws (2,500 for 0.01), marked
``provisional``, while the full forecast runs as a background job; the next identical
request gets the full answer.
"""

from __future__ import annotations

import math

REFINE_CHUNK = 2_500
"""Draws per engine call of a background refinement (the result does not depend on it)."""

MC_ERROR_HELP = (
    "Answer at once with only the draws this Monte Carlo standard error of a probability "
    "needs (0.01: one percentage point, 2,500 draws), marked provisional; the full answer "
    "is computed in the background."
)


def draws_for(mc_error: float) -> int:
    """Return the draws that bound the standard error of any probability by ``mc_error``."""
    return math.ceil(0.25 / (mc_error * mc_error))

r"""What would it take: the value of one parameter at which a probability reaches a target.

Given ``p(x)``, the probability (e.g. P(challenger ahead within 60 months)) when one
scenario parameter is fixed at ``x`` and everything else keeps its distribution, find ``x*``
in ``[lo, hi]`` with ``p(x*) = target``.

``p`` is estimated by Monte Carlo with the **same seed** at every ``x``: every other
parameter and every noise term takes the same value in each draw whatever ``x`` is (common
random numbers), so ``p`` is the fraction of a fixed set of draws that end ahead. It is a
step function of ``x`` whose steps are ``1/n`` (monotone where the model is), not a noisy
one, and a root finder converges on it:

1. ``p`` is evaluated on a grid of ``GRID`` points over ``[lo, hi]``;
2. the first pair of neighbours with ``p - target`` changing sign brackets the answer, which
   ``scipy.optimize.brentq`` narrows to ``xtol`` (for a step function it converges onto the
   step where ``p`` crosses the target);
3. with no sign change the target is out of reach within the range: the result says so and
   gives ``p`` at both ends (and the grid).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize

from gapcast import glossary

GRID = 9
"""Points of the bracketing grid."""


@dataclass(frozen=True)
class WhatIf:
    """The answer: the value reaching the target, or why there is none in the range."""

    path: str
    target: float
    within: int
    lo: float
    hi: float
    value: float | None
    p_value: float | None
    p_lo: float
    p_hi: float
    grid: tuple[tuple[float, float], ...]
    evaluations: int
    model: str = "ensemble"
    notes: tuple[str, ...] = field(default=())

    @property
    def reached(self) -> bool:
        """Say whether the target is reached within the range."""
        return self.value is not None

    def message(self) -> str:
        """Return the answer in one plain sentence (the parameter by its glossary label)."""
        name = glossary.label(self.path)
        what = f"a {100 * self.target:g}% chance of being ahead within {self.within} months"
        if self.value is not None and self.p_value is not None:
            return (
                f"{name} = {self.value:.3g} gives {what} ({100 * self.p_value:.1f}% there; "
                f"values tried from {self.lo:.3g} to {self.hi:.3g})."
            )
        return (
            f"{what[0].upper()}{what[1:]} is out of reach for {name} between {self.lo:.3g} and "
            f"{self.hi:.3g}: the chance is {100 * self.p_lo:.1f}% at {self.lo:.3g} and "
            f"{100 * self.p_hi:.1f}% at {self.hi:.3g}."
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the answer as plain data."""
        return {
            "path": self.path,
            "model": self.model,
            "target": self.target,
            "within": self.within,
            "range": [self.lo, self.hi],
            "reached": self.reached,
            "value": self.value,
            "p_at_value": self.p_value,
            "p_at_range": [self.p_lo, self.p_hi],
            "grid": [{"value": x, "p": p} for x, p in self.grid],
            "evaluations": self.evaluations,
            "message": self.message(),
            "notes": list(self.notes),
        }


def solve(
    prob: Callable[[float], float],
    target: float,
    lo: float,
    hi: float,
    *,
    path: str = "x",
    within: int = 60,
    model: str = "ensemble",
    grid: int = GRID,
    xtol: float | None = None,
) -> WhatIf:
    """Find ``x`` in ``[lo, hi]`` with ``prob(x) = target`` (see the module docstring).

    Parameters
    ----------
    prob
        The probability as a function of the parameter (common random numbers inside).
    target
        The probability to reach, in (0, 1).
    lo, hi
        The range searched (``lo < hi``).
    xtol
        Absolute tolerance on ``x`` (default: ``1e-4`` of the range).
    """
    if not lo < hi:
        raise ValueError(f"empty range [{lo}, {hi}]")
    calls = 0
    cache: dict[float, float] = {}

    def p(x: float) -> float:
        nonlocal calls
        if x not in cache:
            calls += 1
            cache[x] = float(prob(x))
        return cache[x]

    xs = np.linspace(lo, hi, max(grid, 2))
    ps = [p(float(x)) for x in xs]
    table = tuple((float(x), v) for x, v in zip(xs, ps, strict=True))
    value = p_value = None
    for i in range(len(xs) - 1):
        a, b = ps[i] - target, ps[i + 1] - target
        if a == 0.0:
            value = float(xs[i])
            break
        if a * b <= 0.0:
            tol = xtol if xtol is not None else 1e-4 * (hi - lo)
            value = float(
                optimize.brentq(lambda x: p(x) - target, float(xs[i]), float(xs[i + 1]), xtol=tol)
            )
            break
    if value is not None:
        p_value = p(value)
    return WhatIf(path, target, within, lo, hi, value, p_value, ps[0], ps[-1], table, calls, model)


__all__ = ["GRID", "WhatIf", "solve"]

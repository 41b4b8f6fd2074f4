r"""Draws of the structural model's estimated parameters: the contract between fit and forecast.

The structural model (DESIGN.md, version 2; docs/model.md has the full account). For each
side ``b`` (0 the leader, 1 the challenger) and month ``t``:

.. math::

    R_b(t) &= (1 - s_b(t))\, K_b(t) \qquad \bar R_b(t) = \max_{u \le t} R_b(u) \\
    C_b(t+1) &= C_b(t) + \theta_b + \lambda\, [\ln \bar R_b(t+1) - \ln \bar R_b(t)]
               + \kappa \max\bigl(0,\ C_{1-b}(t+1-L) - C_b(t)\bigr) + \sigma\, \varepsilon_{b,t}

with ``C`` the latent frontier capability (ECI points), ``K`` the compute stock, ``s`` the
serving share, ``R`` research compute and ``R̄`` its running maximum (a training run that
has happened does not un-happen: less research compute slows progress, it never erases
capability), ``ε`` Student-t with ``shock_df`` degrees of freedom. A release of side ``b``
in month ``t`` observes ``C_b(t)`` with the metric's reported standard error and an extra
noise ``obs_sd``.

The fit (NumPyro) returns a ``Posterior``; the forecast engine draws parameter rows from it
(row ``j`` of every array belongs together) and simulates forward from the latent state
at the as-of month. A ``Posterior`` built from priors alone has ``method == "prior"``.

Parameter names (every array has shape ``(S,)``):

=====================  =============================================================
``lambda``             ECI points per unit of ``ln`` research compute (``λ``)
``kappa``              monthly catch-up fraction towards the other side's state
                       ``L`` months back (``κ``)
``theta_leader``       the leader's own progress per month at constant research
                       compute (ECI points, ``θ_0``)
``theta_challenger``   the challenger's (``θ_1``)
``shock_scale``        scale of the monthly shocks (ECI points, ``σ``)
``shock_df``           degrees of freedom of the Student-t shocks
``obs_sd``             release noise beyond the reported standard error (ECI points)
``state_leader``       the leader's latent capability at the as-of month, ``C_0(0)``
``state_challenger``   the challenger's, ``C_1(0)``
=====================  =============================================================

The catch-up lag ``L`` (months) is a scenario assumption, not estimated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

NAMES = (
    "lambda",
    "kappa",
    "theta_leader",
    "theta_challenger",
    "shock_scale",
    "shock_df",
    "obs_sd",
    "state_leader",
    "state_challenger",
)
"""Every parameter a ``Posterior`` carries, in this order."""

ESTIMATED_RATIO = 0.7
"""A parameter is called "estimated" when its posterior sd is below this share of its prior sd."""


@dataclass(frozen=True)
class ParamSummary:
    """One parameter's posterior next to its prior, with the sampler's diagnostics."""

    name: str
    mean: float
    sd: float
    lo90: float
    hi90: float
    prior_sd: float
    r_hat: float | None = None
    ess: float | None = None

    @property
    def sd_ratio(self) -> float:
        """Posterior sd over prior sd (below ``ESTIMATED_RATIO``: the data narrowed it)."""
        return self.sd / self.prior_sd if self.prior_sd > 0 else float("nan")

    @property
    def status(self) -> str:
        """``estimated`` when the data narrowed the prior enough, else ``prior``."""
        return "estimated" if self.sd_ratio < ESTIMATED_RATIO else "prior"

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as plain numbers."""
        return {
            "name": self.name,
            "mean": self.mean,
            "sd": self.sd,
            "ci90": [self.lo90, self.hi90],
            "prior_sd": self.prior_sd,
            "sd_ratio": self.sd_ratio,
            "status": self.status,
            "r_hat": self.r_hat,
            "ess": self.ess,
        }


@dataclass(frozen=True)
class Posterior:
    """Joint draws of the structural model's parameters, with how they were obtained."""

    samples: Mapping[str, Array]
    method: str
    """``NUTS``, ``SVI`` or ``prior``."""
    as_of: dt.date
    summaries: tuple[ParamSummary, ...] = ()
    divergences: int = 0
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        missing = [n for n in NAMES if n not in self.samples]
        if missing:
            raise ValueError(f"posterior lacks {', '.join(missing)}")
        sizes = {np.asarray(self.samples[n]).shape for n in NAMES}
        if len(sizes) != 1 or len(next(iter(sizes))) != 1:
            raise ValueError("every posterior array must have the same shape (S,)")

    @property
    def size(self) -> int:
        """Number of joint draws ``S``."""
        return int(np.asarray(self.samples[NAMES[0]]).shape[0])

    def matrix(self) -> Array:
        """Return the draws as an ``S × len(NAMES)`` array, columns in ``NAMES`` order."""
        return np.column_stack([np.asarray(self.samples[n], np.float64) for n in NAMES])

    def summary(self, name: str) -> ParamSummary | None:
        """Return the summary of ``name``, if the fit made one."""
        return next((s for s in self.summaries if s.name == name), None)


__all__ = ["ESTIMATED_RATIO", "NAMES", "ParamSummary", "Posterior"]

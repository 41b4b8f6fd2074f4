r"""The headline: P(challenger ahead within 12/36/60 months) with a 90% interval.

Two events, both reported everywhere (``gapcast.model.structural`` tallies them):

- **strict**: the challenger's observed frontier is above the leader's in some month;
- **sustained**: it leads by at least ``MARGIN`` ECI points for ``RUN_MONTHS`` consecutive
  months, completed within the horizon. The headline uses this one.

The interval covers parameter and model uncertainty
---------------------------------------------------
A run is split into ``O`` outer draws (a posterior row and one value of every scenario
assumption) of ``I`` inner paths each. Each outer draw ``o`` has a conditional probability
``p_o = P(event | parameters_o)``, estimated by ``p̂_o = c_o / I``. Across outer draws

.. math:: \operatorname{Var}(\hat p_o) = \operatorname{Var}(p_o) + E[p_o(1 - p_o)] / I,

so the binomial part is removed by the method of moments:
``V = Var(p̂) - mean(p̂ (1 - p̂)) / (I - 1)`` (unbiased for the second term), and every
``p̂_o`` is shrunk to the mean by ``sqrt(max(V, 0) / Var(p̂))``. The 90% interval is the 5th
and 95th percentiles of the shrunk values: the spread of the probability over what we do not
know about the parameters and the scenario's assumptions. The point estimate is the pooled
share over all draws. The Monte Carlo error of that point estimate, ``sqrt(Var(p̂) / O)``
(outer draws are independent), is reported separately as ``mc_se`` and is *not* the
forecast's uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

DEFINITIONS = {
    "strict": "the challenger's best released model scores above the leader's in some month",
    "sustained": (
        "the challenger's best released model leads the leader's by at least {m:g} ECI points "
        "for {k} consecutive months"
    ),
}


@dataclass(frozen=True)
class EventSummary:
    """One event: pooled probability, 90% interval and Monte Carlo error per horizon."""

    p_within: dict[int, float]
    interval90: dict[int, tuple[float, float]]
    mc_se: dict[int, float]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape (horizons as strings)."""
        return {
            "p_within": {str(k): v for k, v in self.p_within.items()},
            "interval90": {str(k): list(v) for k, v in self.interval90.items()},
            "mc_se": {str(k): v for k, v in self.mc_se.items()},
        }


def conditional_interval(
    counts: NDArray[np.int64], sizes: NDArray[np.int64]
) -> tuple[float, tuple[float, float], float]:
    """Return the pooled probability, its 90% interval and Monte Carlo error (module docstring)."""
    c = np.asarray(counts, np.float64)
    n = np.asarray(sizes, np.float64)
    p = c / n
    pooled = float(c.sum() / n.sum())
    if p.shape[0] < 2:
        return pooled, (pooled, pooled), 0.0
    var_obs = float(np.var(p, ddof=1))
    noise = float(np.mean(p * (1.0 - p) / np.maximum(n - 1.0, 1.0)))
    var_true = max(var_obs - noise, 0.0)
    shrink = np.sqrt(var_true / var_obs) if var_obs > 0 else 0.0
    mean = float(p.mean())
    adjusted = np.clip(mean + shrink * (p - mean), 0.0, 1.0)
    lo, hi = np.quantile(adjusted, [0.05, 0.95])
    se = float(np.sqrt(var_obs / p.shape[0]))
    return pooled, (float(lo), float(hi)), se


def summarize_events(
    outer: NDArray[np.int64], outer_n: NDArray[np.int64], horizons: tuple[int, ...]
) -> dict[str, EventSummary]:
    """Summarise a run's per-outer tallies (outer x event x horizon) by event."""
    out: dict[str, EventSummary] = {}
    for e, name in enumerate(("strict", "sustained")):
        p: dict[int, float] = {}
        iv: dict[int, tuple[float, float]] = {}
        se: dict[int, float] = {}
        for h, k in enumerate(horizons):
            p[k], iv[k], se[k] = conditional_interval(outer[:, e, h], outer_n)
        out[name] = EventSummary(p, iv, se)
    return out


@dataclass(frozen=True)
class Headline:
    """The headline forecast (the wire shape agreed in the working rules)."""

    events: dict[str, EventSummary]
    margin: float
    run_months: int
    lam: dict[str, Any]
    data_can_tell: bool
    method: str
    outer_draws: int
    inner_draws: int

    @property
    def definition(self) -> str:
        """The sustained event in plain words."""
        return DEFINITIONS["sustained"].format(m=self.margin, k=self.run_months)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"model": "structural", "event": "sustained", ...}``."""
        sus = self.events["sustained"].to_dict()
        strict = self.events["strict"].to_dict()
        return {
            "model": "structural",
            "event": "sustained",
            "definition": self.definition,
            "p_within": sus["p_within"],
            "interval90": sus["interval90"],
            "strict": {
                "definition": DEFINITIONS["strict"],
                "p_within": strict["p_within"],
                "interval90": strict["interval90"],
                "mc_se": strict["mc_se"],
            },
            "mc_se": sus["mc_se"],
            "lambda": self.lam,
            "data_can_tell": self.data_can_tell,
            "posterior": self.method,
            "interval_method": (
                f"5th-95th percentile of P(event | parameters) over {self.outer_draws} outer "
                f"draws (posterior rows x scenario values) of {self.inner_draws} paths each, "
                "binomial noise removed by the method of moments; mc_se is Monte Carlo error "
                "of the point estimate only"
            ),
        }


__all__ = ["DEFINITIONS", "EventSummary", "Headline", "conditional_interval", "summarize_events"]

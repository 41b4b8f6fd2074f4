r"""The residual half-life's prior, updated on a grid by the backtest's likelihood.

Step 2 of ``gapcast calibrate`` (``gapcast.evaluate.calibration``): the compute model is run
with the half-life ``tau`` fixed at each value of ``TAU_GRID``; each observed gap's log
density under those draws (``log_density``) forms a likelihood, tempered for overlapping
forecasts, that updates the uncalibrated lognormal prior (``half_life_posterior``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from gapcast.model.engine import Array

TAU_GRID = (6.0, 12.0, 24.0, 48.0, 96.0, 192.0, 384.0, 768.0)
"""Residual half-lives tried (months)."""


def log_density(draws: Array, y: float) -> float:
    """Return the log of a Gaussian kernel density estimate of sorted ``draws`` at ``y``.

    Bandwidth by Silverman's rule, ``0.9 min(sd, IQR / 1.34) n^(-1/5)`` (floored at 0.05
    points: draws often repeat the origin's gap exactly, when nobody releases).
    """
    n = draws.size
    q25, q75 = np.quantile(draws, [0.25, 0.75])
    spread = min(float(draws.std()), float(q75 - q25) / 1.34) or float(draws.std())
    bw = max(0.9 * spread * n ** (-0.2), 0.05)
    lo = int(np.searchsorted(draws, y - 8 * bw))
    hi = int(np.searchsorted(draws, y + 8 * bw))
    z = (draws[lo:hi] - y) / bw
    dens = float(np.exp(-0.5 * z * z).sum()) / (n * bw * math.sqrt(2 * math.pi))
    return math.log(dens + 1e-300)


@dataclass(frozen=True)
class HalfLifePosterior:
    """The half-life's prior updated on the grid by the backtest's tempered likelihood."""

    grid: tuple[float, ...]
    prior_weight: tuple[float, ...]
    log_likelihood: tuple[float, ...]
    posterior: tuple[float, ...]
    median: float
    sigma: float
    temper: float
    n: int

    def to_dict(self) -> dict[str, Any]:
        """Return the update as plain numbers."""
        return {**self.__dict__, "grid": list(self.grid)}


def half_life_posterior(
    loglik: Array, n_eff: float, prior_median: float, prior_sigma: float
) -> HalfLifePosterior:
    r"""Update a lognormal prior of ``tau`` on ``TAU_GRID`` with the backtest's likelihood.

    ``loglik`` is forecasts × ``TAU_GRID``: the log density (``log_density``) of each
    observed gap under the compute model with ``tau`` fixed. The forecasts overlap, so the
    summed log likelihood is tempered by ``n_eff / n`` (a power posterior counting about
    ``n_eff`` independent checks):

    .. math:: \pi(\tau_k \mid y) \propto \phi\Bigl(\frac{\ln \tau_k - \ln m_0}{s_0}
              \Bigr)\, \exp\Bigl(\frac{n_{\text{eff}}}{n} \sum_i \ln f_k(y_i)\Bigr).

    The calibrated prior is the lognormal with the posterior's mean and sd of ``ln tau``
    (the sd floored at half the grid's log spacing).
    """
    grid = np.log(np.asarray(TAU_GRID))
    n = loglik.shape[0]
    temper = n_eff / max(n, 1)
    ll = temper * loglik.sum(axis=0)
    log_prior = -0.5 * ((grid - math.log(prior_median)) / prior_sigma) ** 2
    log_post = log_prior + ll
    post = np.exp(log_post - log_post.max())
    post /= post.sum()
    prior = np.exp(log_prior - log_prior.max())
    prior /= prior.sum()
    mean = float((post * grid).sum())
    sd = math.sqrt(float((post * (grid - mean) ** 2).sum()))
    sd = max(sd, 0.5 * float(np.diff(grid).min()))
    return HalfLifePosterior(
        tuple(float(t) for t in TAU_GRID),
        tuple(float(x) for x in prior),
        tuple(float(x) for x in ll - ll.max()),
        tuple(float(x) for x in post),
        math.exp(mean),
        sd,
        temper,
        n,
    )


__all__ = ["TAU_GRID", "HalfLifePosterior", "half_life_posterior", "log_density"]

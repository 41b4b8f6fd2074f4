"""What the forecast models are given from the data, measured as of one date.

The pipeline builds these from the store (``gapcast.usecases.forecast``); tests build them
by hand. Everything here is a measurement, never an assumption: assumptions live in the
``Scenario``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gapcast.model.fit import CapabilityFit

Array = NDArray[np.float64]


@dataclass(frozen=True)
class StepHistory:
    """A group's frontier steps in the trend window: the releases that raised its frontier.

    ``sizes`` are the rises in points; ``exposure_months`` the length of the window (or of
    the group's history, if shorter); ``dates`` the step dates.
    """

    sizes: Array
    exposure_months: float
    dates: tuple[dt.date, ...] = ()

    @property
    def n(self) -> int:
        """Number of steps."""
        return int(self.sizes.shape[0])

    def to_dict(self) -> dict[str, Any]:
        """Return the history as plain numbers."""
        return {
            "n": self.n,
            "exposure_months": self.exposure_months,
            "sizes": self.sizes.tolist(),
            "dates": [d.isoformat() for d in self.dates],
            "rate_per_month": self.n / self.exposure_months if self.exposure_months else None,
            "mean_size": float(self.sizes.mean()) if self.n else None,
        }


@dataclass(frozen=True)
class GroupData:
    """One group as measured at the as-of date.

    Attributes
    ----------
    label
        The group's label (e.g. ``China``).
    frontier
        Its best score at the as-of date, ``F_b(0)``.
    history
        Its frontier at the end of each month before the as-of month, oldest first
        (months ``-len(history) .. -1``); starts at its first scored model.
    steps
        Frontier steps in the trend window.
    months_since_step
        Months from its last frontier step to the as-of date.
    compute_share
        Its share of the world's H100e in the GPU-cluster data at the as-of date.
    compute_h100e
        Its H100e in the GPU-cluster data at the as-of date (for reporting).
    release_months
        ``(n, T)``: months with a frontier-class release (the structural fit's observations:
        within the estimation margin of the group's best earlier release) among the ``T``
        months from the first month both groups released to the as-of month; ``None`` when
        not measured.
    """

    label: str
    frontier: float
    history: Array
    steps: StepHistory
    months_since_step: float
    compute_share: float
    compute_h100e: float = float("nan")
    release_months: tuple[int, int] | None = None


@dataclass(frozen=True)
class ForecastInputs:
    """Both groups as measured at ``as_of``, and the fitted capability relation."""

    as_of: dt.date
    metric: str
    leader: GroupData
    challenger: GroupData
    fit: CapabilityFit
    notes: tuple[str, ...] = field(default=())

    @property
    def groups(self) -> tuple[GroupData, GroupData]:
        """Return ``(leader, challenger)``."""
        return self.leader, self.challenger


def month_index(as_of: dt.date, when: dt.date) -> int:
    """Return the month of ``when`` counted from the as-of month (as-of month = 0)."""
    return (when.year * 12 + when.month) - (as_of.year * 12 + as_of.month)


def month_date(as_of: dt.date, t: int) -> dt.date:
    """Return the first day of month ``t`` after the as-of month."""
    k = as_of.year * 12 + as_of.month - 1 + t
    return dt.date(k // 12, k % 12 + 1, 1)

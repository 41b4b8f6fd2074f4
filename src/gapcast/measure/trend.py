"""The trend of a measured series: its least-squares slope per year, with an interval."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from gapcast.measure._engine import to_days
from gapcast.measure.results import Interval, Trend, day

F64 = npt.NDArray[np.float64]

TREND_METHOD = (
    "ordinary least squares of the series (month ends and as_of) on time over the last "
    "{months} months, slope per year; {pct}% t-interval with n - 2 degrees of freedom, "
    "assuming independent residuals (a step series is autocorrelated, so it is too narrow)"
)


def ols_trend(
    dates: pd.DatetimeIndex,
    values: F64,
    *,
    end: pd.Timestamp,
    months: int = 12,
    level: float = 0.95,
    quantity: str = "gap_points",
) -> Trend:
    """Fit ``y = a + b x`` by least squares over ``(end - months, end]``, ``x`` in years.

    ``b = sum((x - xbar)(y - ybar)) / sum((x - xbar)^2)``; its interval is
    ``b +/- t_{(1+level)/2, n-2} * sqrt(SSR / (n - 2) / Sxx)`` (``n >= 3``).
    """
    end = pd.Timestamp(end)
    start = end - pd.DateOffset(months=months)
    values = np.asarray(values, dtype=np.float64)
    keep = np.asarray((dates > start) & (dates <= end)) & np.isfinite(values)
    method = TREND_METHOD.format(months=months, pct=round(level * 100))
    n = int(keep.sum())
    if n < 2:
        return Trend(quantity, None, (None, None), n, day(start), day(end), method)
    x = to_days(dates[keep]).astype(np.float64) / 365.25
    y = values[keep]
    dx = x - x.mean()
    sxx = float(dx @ dx)
    if sxx == 0:
        return Trend(quantity, None, (None, None), n, day(start), day(end), method)
    slope = float(dx @ (y - y.mean())) / sxx
    ci: Interval = (None, None)
    if n >= 3:
        resid = y - y.mean() - slope * dx
        se = float(np.sqrt(float(resid @ resid) / (n - 2) / sxx))
        half = float(special.stdtrit(n - 2, 0.5 + level / 2)) * se
        ci = (slope - half, slope + half)
    return Trend(quantity, slope, ci, n, day(start), day(end), method)

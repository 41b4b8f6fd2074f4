"""How old the data are, and what that means for an as-of date and a forecast's horizons.

Pure functions of dates (today is an argument, never read here), used by every command that
takes ``--as-of`` and by every output that states a probability "within N years":

- an as-of date after the data's last date is an error that names that date (the data would
  otherwise be extrapolated silently: a lag grows by a month for every month typed past it);
- every output says how old its data is (``data_age``);
- a horizon that has partly passed between the data's end and today gets a warning, since a
  probability "within one year" of a date eleven months ago is mostly about the past.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gapcast.errors import RequestError

STALE_DAYS = 90
"""Data older than this (days between their last date and today) are called old."""
FETCH = "gapcast data fetch"
"""The command that brings newer data."""


def data_end(scores: Any, models: Any) -> dt.date:
    """Return the data's last date: the latest release or snapshot any model or score carries.

    ``scores`` and ``models`` are the store's canonical frames (``as_of`` is a snapshot date,
    ``release_date`` a release). A metric can have no new entry for weeks while the data are
    current, so the store's last date, not the metric's, bounds an as-of date.
    """
    import pandas as pd

    dates = [scores["release_date"].max(), models["release_date"].max()]
    if "as_of" in scores:
        dates.append(scores["as_of"].max())
    known = [pd.Timestamp(d) for d in dates if not pd.isna(d)]
    if not known:
        raise RequestError("as_of", "the store holds no dated data", hint=f"run `{FETCH}`")
    return max(known).date()


def month_end(day: dt.date) -> dt.date:
    """Return the last day of ``day``'s month."""
    first_next = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def check_as_of(requested: dt.date | None, last: dt.date, field: str = "as_of") -> None:
    """Raise when ``requested`` is after the data's last month, naming the data's last date.

    The last record is a lower bound of when the data were taken (a quiet week has no
    release), so an as-of up to the end of that record's month is accepted, as the monthly
    series do; anything later would extrapolate the data silently.
    """
    if requested is not None and requested > month_end(last):
        raise RequestError(
            field,
            f"{requested.isoformat()} is after the data's last date, {last.isoformat()}",
            hint=f"use {month_end(last).isoformat()} or earlier (or leave it out), or run "
            f"`{FETCH}` for newer data",
        )


def months_between(start: dt.date, end: dt.date) -> float:
    """Return the months from ``start`` to ``end`` (days / 30.4375)."""
    return (end - start).days / 30.4375


@dataclass(frozen=True)
class DataAge:
    """How old the data behind an output are, and which horizons have partly passed."""

    last: dt.date
    today: dt.date
    as_of: dt.date
    horizons: tuple[int, ...] = ()

    @property
    def days(self) -> int:
        """Days from the data's last date to today."""
        return max(0, (self.today - self.last).days)

    @property
    def stale(self) -> bool:
        """Whether the data are older than ``STALE_DAYS``."""
        return self.days > STALE_DAYS

    def passed(self) -> dict[int, float]:
        """Return, per horizon, the months of it already past today (0 when none)."""
        gone = max(0.0, months_between(self.as_of, self.today))
        return {h: min(float(h), gone) for h in self.horizons if gone > 0}

    def notes(self) -> list[str]:
        """Return the plain-English notes: the data's age, a fetch hint, passed horizons."""
        out = [
            f"Data through {self.last.isoformat()}: {self.days} days old on "
            f"{self.today.isoformat()}."
        ]
        if self.stale:
            out.append(f"The data are old: run `{FETCH}` for newer releases.")
        passed = self.passed()
        if passed and max(passed.values()) >= 1:
            gone = max(passed.values())
            first = min(passed)
            left = max(0.0, first - passed[first])
            out.append(
                f"{_months(gone)} of every horizon (counted from {self.as_of.isoformat()}, "
                f"the data's end) {'have' if round(gone) != 1 else 'has'} already passed: "
                f"'within {_years(first)}' has {_months(left)} left, and what happened "
                "meanwhile is not in the data."
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        return {
            "data_through": self.last.isoformat(),
            "today": self.today.isoformat(),
            "as_of": self.as_of.isoformat(),
            "days_old": self.days,
            "stale": self.stale,
            "months_passed": {str(h): round(m, 1) for h, m in self.passed().items()},
            "notes": self.notes(),
        }


def _months(n: float) -> str:
    return f"{n:.0f} month" if round(n) == 1 else f"{n:.0f} months"


def _years(months: int) -> str:
    if months % 12:
        return f"{months} months"
    years = months // 12
    return "1 year" if years == 1 else f"{years} years"

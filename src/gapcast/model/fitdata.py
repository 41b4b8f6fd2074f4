r"""The data of the structural model's fit: a cross-section of AI models and two monthly series.

``FitData`` holds what ``gapcast.model.bayes`` fits, as plain arrays (pure: the use case
``gapcast.usecases.estimate`` reads the store and calls the builders here).

Cross-section
    One row per AI model with an ECI score and a training-compute estimate (its best
    score, dated by release): ``ECI_i``, ``ln FLOP_i``, the release date in decimal years
    and whether the model's country is the challenger's or another country (the reference
    is the leader).

Monthly series (``T`` months from ``start`` to the as-of month, both sides)
    ``release[t, b]``: the best ECI among side ``b``'s releases in month ``t`` when it is
    *frontier-class*, i.e. at least the side's best earlier release minus ``margin``
    (a side also releases small models far below its frontier; those do not observe the
    frontier state). ``NaN`` where the side released nothing frontier-class.
    ``release_se[t, b]``: the release's reported standard error (0 where none is reported;
    the mirror's ECI file reports none, so ``obs_sd`` carries all of the release noise).
    ``ln_research[t, b]``: ``ln`` of the side's research-compute proxy at the end of month
    ``t``, as a running maximum (a training run that has happened does not un-happen).
    ``initial[b]``: the side's first frontier-class release on or after ``start`` (the
    prior mean of its state at ``start``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gapcast.errors import InsufficientDataError

Array = NDArray[np.float64]
SIDES = ("leader", "challenger")
MIN_CROSS_ROWS = 10
"""Fewest cross-section rows the fit accepts."""
MIN_MONTHS = 6
"""Fewest months the state-space part accepts."""


@dataclass(frozen=True)
class CrossSection:
    """AI models with an ECI score and a training-compute estimate."""

    eci: Array
    ln_flop: Array
    year: Array
    challenger: Array
    other: Array

    def __post_init__(self) -> None:
        n = self.eci.shape
        for name in ("ln_flop", "year", "challenger", "other"):
            if getattr(self, name).shape != n:
                raise ValueError(
                    f"cross-section: {name} has shape {getattr(self, name).shape}, not {n}"
                )
        for name in ("eci", "ln_flop", "year"):
            if not np.isfinite(getattr(self, name)).all():
                raise ValueError(f"cross-section: {name} has missing or infinite values")

    @property
    def size(self) -> int:
        """Number of AI models."""
        return int(self.eci.shape[0])


@dataclass(frozen=True)
class StateSeries:
    """Both sides' monthly frontier-class releases and research-compute history."""

    start: dt.date
    release: Array
    release_se: Array
    ln_research: Array
    initial: Array

    def __post_init__(self) -> None:
        shape = self.release.shape
        if len(shape) != 2 or shape[1] != 2:
            raise ValueError(f"release must have shape (months, 2), not {shape}")
        if self.release_se.shape != shape or self.ln_research.shape != shape:
            raise ValueError("release, release_se and ln_research must have the same shape")
        if not np.isfinite(self.ln_research).all():
            raise ValueError("ln_research has missing or infinite values")
        if self.initial.shape != (2,) or not np.isfinite(self.initial).all():
            raise ValueError("initial must hold two finite values")

    @property
    def months(self) -> int:
        """Number of months ``T``."""
        return int(self.release.shape[0])


@dataclass(frozen=True)
class FitData:
    """Everything the Bayesian fit uses, as of one date."""

    as_of: dt.date
    labels: tuple[str, str]
    cross: CrossSection
    series: StateSeries
    research_proxy: str = "clusters"
    margin: float = 5.0

    def __post_init__(self) -> None:
        if self.cross.size < MIN_CROSS_ROWS:
            raise InsufficientDataError(
                f"the fit needs at least {MIN_CROSS_ROWS} AI models with an ECI score and a "
                f"training-compute estimate; found {self.cross.size} on or before {self.as_of}"
            )
        if self.series.months < MIN_MONTHS:
            raise InsufficientDataError(
                f"the fit needs at least {MIN_MONTHS} months in which both sides have data; "
                f"found {self.series.months} ({self.series.start} to {self.as_of})"
            )
        for b, label in enumerate(self.labels):
            if not np.isfinite(self.series.release[:, b]).any():
                raise InsufficientDataError(f"no frontier-class ECI release of {label}")

    def content_hash(self) -> str:
        """Return a hash of every number and choice in the data (16 hex digits)."""
        digest = hashlib.sha256()
        digest.update(f"{self.as_of}|{self.labels}|{self.series.start}|".encode())
        digest.update(f"{self.research_proxy}|{self.margin!r}|".encode())
        for arr in (
            self.cross.eci,
            self.cross.ln_flop,
            self.cross.year,
            self.cross.challenger,
            self.cross.other,
            self.series.release,
            self.series.release_se,
            self.series.ln_research,
            self.series.initial,
        ):
            digest.update(np.ascontiguousarray(arr, dtype=np.float64).tobytes())
        return digest.hexdigest()[:16]

    def describe(self) -> list[str]:
        """Return one line per part of the data, for reports."""
        s = self.series
        n_obs = [int(np.isfinite(s.release[:, b]).sum()) for b in (0, 1)]
        n_ch = int(self.cross.challenger.sum())
        n_other = int(self.cross.other.sum())
        return [
            f"cross-section: {self.cross.size} AI models with an ECI score and a training-"
            f"compute estimate ({self.cross.size - n_ch - n_other} {self.labels[0]}, {n_ch} "
            f"{self.labels[1]}, {n_other} other), released on or before {self.as_of}",
            f"state space: {s.months} months from {s.start:%Y-%m} to {self.as_of:%Y-%m}; "
            f"frontier-class releases (within {self.margin:g} ECI of the side's best earlier "
            f"release): {n_obs[0]} months {self.labels[0]}, {n_obs[1]} months {self.labels[1]}",
            f"research compute: {_PROXY_WORDS.get(self.research_proxy, self.research_proxy)}; "
            f"ln growth over the window {s.ln_research[-1, 0] - s.ln_research[0, 0]:.2f} "
            f"({self.labels[0]}), {s.ln_research[-1, 1] - s.ln_research[0, 1]:.2f} "
            f"({self.labels[1]})",
        ]


_PROXY_WORDS = {
    "clusters": "counted GPU-cluster stock (H100e, running maximum; serving share constant)",
    "training_compute": "running maximum of the side's training compute (FLOP)",
}


def month_index(start: dt.date, end: dt.date) -> pd.PeriodIndex:
    """Return the months from ``start`` to ``end`` inclusive."""
    return pd.period_range(pd.Period(start, "M"), pd.Period(end, "M"), freq="M")


def monthly_best(releases: pd.DataFrame, end: dt.date) -> pd.DataFrame:
    """Return each side's best release per month, up to ``end``.

    ``releases`` has columns ``date``, ``value``, ``se`` and ``side`` (``leader`` or
    ``challenger``). The result is indexed by month (from the first release of either side)
    with columns ``(leader, challenger)`` for the value and ``(leader_se, challenger_se)``.
    """
    rows = releases.loc[pd.to_datetime(releases["date"]) <= pd.Timestamp(end)]
    rows = rows.loc[rows["side"].isin(SIDES) & np.isfinite(rows["value"].astype(float))]
    if rows.empty:
        raise InsufficientDataError(f"no ECI releases of either side on or before {end}")
    month = pd.to_datetime(rows["date"]).dt.to_period("M")
    rows = rows.assign(month=month).sort_values(["value"], ascending=False)
    best = rows.drop_duplicates(["month", "side"])
    index = pd.period_range(month.min(), pd.Period(end, "M"), freq="M")
    value = best.pivot(index="month", columns="side", values="value").reindex(index)
    se = best.pivot(index="month", columns="side", values="se").reindex(index)
    out = pd.DataFrame(index=index)
    for side in SIDES:
        out[side] = value[side].astype(float) if side in value else np.nan
        out[f"{side}_se"] = se[side].astype(float).fillna(0.0) if side in se else 0.0
    return out


def frontier_class(best: Array, margin: float) -> Array:
    """Keep a month's best release only if it is within ``margin`` of the earlier best.

    ``best`` is ``(months, sides)`` with ``NaN`` for no release; the earlier best is the
    running maximum over *earlier* months (every release counts there). A side's first
    release always counts.
    """
    out = np.full_like(best, np.nan)
    for b in range(best.shape[1]):
        record = -np.inf
        for t, value in enumerate(best[:, b]):
            if not np.isfinite(value):
                continue
            if value >= record - margin:
                out[t, b] = value
            record = max(record, value)
    return out


def release_months(best: pd.DataFrame, margin: float) -> list[tuple[int, int]]:
    """Return ``(n, T)`` per side: months with a frontier-class release among ``T`` months.

    The months are those the fit's state space observes (from ``start_month`` on), and a
    release is frontier-class as ``series_from`` decides it (earlier releases set the record).
    """
    values = frontier_class(best[list(SIDES)].to_numpy(np.float64), margin)
    seen = np.isfinite(values[best.index >= start_month(best)])
    return [(int(seen[:, b].sum()), int(seen.shape[0])) for b in range(len(SIDES))]


def start_month(best: pd.DataFrame) -> pd.Period:
    """Return the first month from which both sides have released (the later first release)."""
    firsts: list[pd.Period] = []
    for side in SIDES:
        seen = best.index[np.isfinite(best[side].to_numpy(np.float64))]
        if len(seen) == 0:
            raise InsufficientDataError(f"no ECI releases of the {side}")
        firsts.append(pd.Period(seen[0], "M"))
    return max(firsts)


def series_from(
    best: pd.DataFrame, ln_research: Array, margin: float, start: pd.Period | None = None
) -> StateSeries:
    """Build the monthly series from ``monthly_best`` and the matching research history.

    ``ln_research`` is ``(len(best), 2)``, aligned with ``best``'s months. The series starts
    at ``start`` (default ``start_month(best)``); earlier releases set the frontier-class
    record only.
    """
    start = start if start is not None else start_month(best)
    values = best[list(SIDES)].to_numpy(np.float64)
    kept = frontier_class(values, margin)
    keep = best.index >= start
    release = kept[keep]
    se = best[[f"{s}_se" for s in SIDES]].to_numpy(np.float64)[keep]
    research = np.maximum.accumulate(np.asarray(ln_research, np.float64), axis=0)[keep]
    initial = np.array(
        [
            release[np.isfinite(release[:, b]), b][0]
            if np.isfinite(release[:, b]).any()
            else np.nan
            for b in (0, 1)
        ]
    )
    missing = [SIDES[b] for b in (0, 1) if not np.isfinite(initial[b])]
    if missing:
        raise InsufficientDataError(
            f"no frontier-class ECI release of the {', '.join(missing)} from {start}"
        )
    return StateSeries(
        start.start_time.date(), release, np.where(np.isfinite(release), se, 0.0), research, initial
    )


def cluster_history(
    clusters: pd.DataFrame, labels: tuple[str, str], months: pd.PeriodIndex
) -> Array:
    """Return ``ln`` of each side's counted cluster H100e at the end of every month.

    ``clusters`` has columns ``country``, ``date``, ``end_date`` and ``h100e`` (counted rows
    only). A cluster counts in month ``m`` when it is operational at the month's end.
    """
    out = np.zeros((len(months), 2))
    start = pd.to_datetime(clusters["date"])
    stop = pd.to_datetime(clusters["end_date"])
    h100e = clusters["h100e"].astype(float).fillna(0.0).to_numpy(np.float64)
    country = clusters["country"].astype(str).to_numpy()
    for i, month in enumerate(months):
        end = month.end_time.normalize()
        live = ((start <= end) & (stop.isna() | (stop > end))).fillna(False).to_numpy(bool)
        for b, label in enumerate(labels):
            out[i, b] = h100e[live & (country == label)].sum()
    if (out <= 0).any():
        b = int(np.argwhere(out <= 0)[0][1])
        first = months[int(np.argwhere(out[:, b] <= 0)[0][0])]
        raise InsufficientDataError(
            f"no counted GPU-cluster compute for {labels[b]} in {first}",
            hint="import the Epoch GPU-cluster data, or set estimation.research_proxy: "
            "training_compute",
        )
    return np.log(out)


def training_history(
    models: pd.DataFrame, labels: tuple[str, str], months: pd.PeriodIndex
) -> Array:
    """Return the running maximum of each side's ``ln`` training compute at every month's end.

    ``models`` has columns ``country``, ``date`` and ``ln_flop``.
    """
    out = np.full((len(months), 2), np.nan)
    date = pd.to_datetime(models["date"]).to_numpy()
    country = models["country"].astype(str).to_numpy()
    ln_flop = models["ln_flop"].astype(float).to_numpy(np.float64)
    for b, label in enumerate(labels):
        own = (country == label) & np.isfinite(ln_flop) & ~pd.isna(date)
        for i, month in enumerate(months):
            upto = own & (date <= month.end_time.normalize().to_datetime64())
            if upto.any():
                out[i, b] = float(ln_flop[upto].max())
        if not np.isfinite(out[:, b]).all():
            raise InsufficientDataError(
                f"no training-compute estimate of {labels[b]} on or before {months[0]}"
            )
    return out


def cross_section(rows: pd.DataFrame) -> CrossSection:
    """Build the cross-section from rows with ``value``, ``log10_flop``, ``year``, ``group``."""
    group = rows["group"].astype(str).to_numpy()
    return CrossSection(
        eci=rows["value"].to_numpy(np.float64),
        ln_flop=rows["log10_flop"].to_numpy(np.float64) * np.log(10.0),
        year=rows["year"].to_numpy(np.float64),
        challenger=(group == "challenger").astype(np.float64),
        other=(group == "other").astype(np.float64),
    )


__all__ = [
    "CrossSection",
    "FitData",
    "StateSeries",
    "cluster_history",
    "cross_section",
    "frontier_class",
    "month_index",
    "monthly_best",
    "series_from",
    "start_month",
    "training_history",
]

"""Published claims: market prices, expert statements and published measurements of the gap.

Files
-----
``claims.csv`` (gapcast's ``claims`` folder, beside the data mirror; its README describes
the columns): one row per claim, with its resolution rules, dates and source. Its rows are
opinions, prices and other people's measurements, kept for comparison only: never a target
to calibrate against. Natural key: ``id``.

Rules checked on import (a bad row stops the import and names file, row and column; nothing
is stored):

- ``id`` is present and unique; ``kind`` is one of :data:`KINDS`; ``event`` one of
  :data:`EVENTS`; ``metric`` is not empty (``unspecified`` where the claim names none);
- ``published``, ``as_seen`` and ``deadline`` are ``YYYY-MM-DD`` or empty; an event that
  resolves by a date (:data:`DATED_EVENTS`) needs a ``deadline``;
- ``value`` is a number, or empty where the claim states only a bound (``value_high``
  0.20 for "less than 20%"); ``value_low <= value <= value_high`` where given; a
  ``probability`` (value and bounds) lies in [0, 1].

Prices
------
A price seen later than the file's (``gapcast claims fetch`` from a market's public API,
``gapcast claims record`` by hand) is a ``prices`` row: claim id, value, date seen, market,
the market's own id and how it was obtained (:class:`ClaimPrice`). Each price is imported
like a file (its provenance row names the market's URL or ``manual``), so a re-recorded
price replaces the earlier one of the same claim, market and day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Final

import pandas as pd

from gapcast.errors import DataError
from gapcast.sources.base import Download, Parsed
from gapcast.sources.common import basename, blank_to_na, has_columns, parsed
from gapcast.sources.tabular import dates, dedupe, numbers, read_csv, strip

__all__ = [
    "DATED_EVENTS",
    "EVENTS",
    "KINDS",
    "MARKETS",
    "ClaimPrice",
    "Claims",
    "price_parsed",
]

KINDS: Final[tuple[str, ...]] = ("market", "forecast platform", "expert", "measurement")
"""What a claim is: a market price, a community forecast, an expert's figure, a measurement."""

FORECAST_EVENTS: Final[tuple[str, ...]] = (
    "ahead_within",
    "top_any_time",
    "sole_top_any_time",
    "top_at_date",
    "frontier_lab_before",
)
MEASURED_EVENTS: Final[tuple[str, ...]] = (
    "relative_gap",
    "gap",
    "mean_gap",
    "mean_lag_months",
    "growth_per_year",
)
EVENTS: Final[tuple[str, ...]] = FORECAST_EVENTS + MEASURED_EVENTS
"""Every event a claim may name (``gapcast.evaluate.events`` computes the forecast ones)."""

DATED_EVENTS: Final[tuple[str, ...]] = (
    "top_any_time",
    "sole_top_any_time",
    "top_at_date",
    "frontier_lab_before",
    *MEASURED_EVENTS,
)
"""Events that resolve on, or measure at, a date: they need a ``deadline``."""

MARKETS: Final[tuple[str, ...]] = ("manifold", "polymarket", "kalshi", "metaculus", "manual")
"""Where a recorded price came from."""

REQUIRED = ("id", "kind", "metric", "event", "value", "unit")
SOURCE = "claims"
PRICE_SOURCE = "claim_prices"


def _check_choice(values: pd.Series, allowed: tuple[str, ...], file: str, column: str) -> None:
    bad = ~values.isin(allowed)
    if bad.any():
        row = int(values.index[bad][0])
        shown = values[row] or "(empty)"
        raise DataError(
            file,
            f"unknown {column} '{shown}' (expected one of: {', '.join(allowed)})",
            row=row,
            column=column,
        )


def _check_present(values: pd.Series, file: str, column: str, what: str) -> None:
    empty = values == ""
    if empty.any():
        raise DataError(file, f"empty {what}", row=int(values.index[empty][0]), column=column)


class Claims:
    """The claims file: markets, expert statements and published measurements."""

    name = SOURCE
    title = "gapcast: published claims (markets, experts, measurements)"
    license = "facts and short quotations for comparison (each row cites its source)"
    homepage = "https://hai.stanford.edu/ai-index/2025-ai-index-report"
    """The report most of the file's measurements come from (each row links its own page)."""
    downloads: tuple[Download, ...] = ()
    """None: the claims file is made by hand (each row cites its page) and imported from
    its folder; ``gapcast data fetch`` does not look for it."""

    def matches(self, file: str, head: bytes) -> bool:
        """Match ``claims*.csv`` with ``id``, ``kind`` and ``event`` columns."""
        name = basename(file)
        return (
            name.startswith("claims")
            and name.endswith(".csv")
            and has_columns(head, ["id", "kind", "event"])
        )

    def parse(self, raw: bytes, file: str) -> Parsed:
        """Parse into ``claims`` rows; any bad row raises ``DataError`` (see module docs)."""
        frame = read_csv(raw, file, required=REQUIRED)
        claim_id = strip(frame, "id")
        _check_present(claim_id, file, "id", "claim id")
        frame = dedupe(frame, file, claim_id, what="claim id")
        claim_id = claim_id.reindex(frame.index)
        kind, event, metric = (strip(frame, c) for c in ("kind", "event", "metric"))
        _check_choice(kind, KINDS, file, "kind")
        _check_choice(event, EVENTS, file, "event")
        _check_present(metric, file, "metric", "metric (write 'unspecified' if none is named)")
        published, as_seen, deadline = (
            dates(frame, c, file) for c in ("published", "as_seen", "deadline")
        )
        undated = event.isin(DATED_EVENTS) & deadline.isna()
        if undated.any():
            row = int(event.index[undated][0])
            raise DataError(
                file, f"event '{event[row]}' needs a deadline", row=row, column="deadline"
            )
        value, low, high = (
            numbers(frame, c, file, what=c) for c in ("value", "value_low", "value_high")
        )
        none = value.isna() & low.isna() & high.isna()
        if none.any():
            raise DataError(
                file,
                "no value: give value, or value_low / value_high for a bound",
                row=int(value.index[none][0]),
                column="value",
            )
        unit = strip(frame, "unit")
        _check_range(file, value, low, high, unit)
        rows = pd.DataFrame(
            {
                "claim_id": claim_id,
                "kind": kind,
                "metric": metric,
                "event": event,
                "published": published,
                "as_seen": as_seen,
                "deadline": deadline,
                "value": value,
                "value_low": low,
                "value_high": high,
                "unit": unit,
                **{
                    c: blank_to_na(strip(frame, c))
                    for c in (
                        "publisher",
                        "title",
                        "url",
                        "leader",
                        "challenger",
                        "resolution",
                        "reliability",
                        "notes",
                    )
                },
            },
            index=frame.index,
        )
        return parsed(self.name, file, claims=rows)


def _check_range(
    file: str, value: pd.Series, low: pd.Series, high: pd.Series, unit: pd.Series
) -> None:
    checks = (
        ("value_low", low > value, "value_low {lo:g} is above value {v:g}"),
        ("value_high", high < value, "value_high {hi:g} is below value {v:g}"),
    )
    for column, values in (("value", value), ("value_low", low), ("value_high", high)):
        outside = (unit == "probability") & values.notna() & ~values.between(0.0, 1.0)
        hit = outside.to_numpy(dtype=bool)
        if hit.any():
            row = int(values.index[hit][0])
            raise DataError(
                file, f"probability {values[row]:g} is outside [0, 1]", row=row, column=column
            )
    for column, mask, problem in checks:  # comparisons with a missing value are False
        hit = mask.fillna(False).to_numpy(dtype=bool)
        if hit.any():
            row = int(value.index[hit][0])
            text = problem.format(lo=low[row], hi=high[row], v=value[row])
            raise DataError(file, text, row=row, column=column)


@dataclass(frozen=True)
class ClaimPrice:
    """One price (or figure) for a claim, seen on a date.

    ``market`` is one of :data:`MARKETS`; ``market_id`` the market's own id, slug or ticker
    (empty for a manual record); ``note`` how it was obtained (``GET <url>``, or a user's
    note).
    """

    claim_id: str
    value: float
    as_seen: dt.date
    market: str
    market_id: str = ""
    note: str = ""

    @property
    def file(self) -> str:
        """The name the price is imported under: one per claim, market and day."""
        return f"{self.market}-{self.claim_id}-{self.as_seen.isoformat()}"

    def raw(self) -> bytes:
        """Return the price as canonical JSON bytes (hashed for provenance)."""
        return json.dumps(
            {
                "claim_id": self.claim_id,
                "value": self.value,
                "as_seen": self.as_seen.isoformat(),
                "market": self.market,
                "market_id": self.market_id,
                "note": self.note,
            },
            sort_keys=True,
        ).encode()

    def sha256(self) -> str:
        """Return the SHA-256 of :meth:`raw`."""
        return hashlib.sha256(self.raw()).hexdigest()


def price_parsed(price: ClaimPrice) -> Parsed:
    """Return a price as one ``prices`` row (``Parsed`` ready for ``Store.import_files``).

    Raises
    ------
    DataError
        The claim id is empty, the market unknown, or the value not a probability in
        [0, 1] for a market (a manual figure may be in another unit).
    """
    where = price.file
    if not price.claim_id.strip():
        raise DataError(where, "empty claim id", column="claim_id")
    if price.market not in MARKETS:
        raise DataError(
            where,
            f"unknown market '{price.market}' (expected one of: {', '.join(MARKETS)})",
            column="market",
        )
    if not (price.value == price.value) or (
        price.market != "manual" and not 0.0 <= price.value <= 1.0
    ):
        raise DataError(where, f"price {price.value!r} is not in [0, 1]", column="value")
    row = pd.DataFrame(
        {
            "claim_id": [price.claim_id.strip()],
            "value": [float(price.value)],
            "as_seen": [pd.Timestamp(price.as_seen)],
            "market": [price.market],
            "market_id": [price.market_id],
            "note": [price.note],
        },
        index=[1],
    )
    return parsed(PRICE_SOURCE, where, prices=row)

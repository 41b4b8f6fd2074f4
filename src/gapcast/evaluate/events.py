r"""A claim's own event, computed on simulated (or observed) frontier paths.

Pure NumPy: paths in, booleans and probabilities out. A path is the best rating of the
*incumbent* side (index 0: every model not in the challenger group, or the claim's
leader) and of the *challenger* side (index 1) at the end of each month ``t = 0 .. T``
(``t = 0`` the as-of month); arrays are draws × months × 2 (the engine's axis rule).

Events
------
``top_any_time``
    The challenger holds the top of the leaderboard at some month ``t <= T`` (``T`` the
    deadline's month): ``top(t)`` for some ``t``.
``sole_top_any_time``
    The challenger's best model is *alone at rank 1* at some ``t <= T``.
``top_at_date``
    ``top(T)`` only: standing on the deadline, whatever happened before.
``ahead_within``
    The same as ``top_any_time`` (the expert's "exceeds within N years").

Ties and rank (:class:`TieRule`)
--------------------------------
``ties="displayed"`` (default)
    Ratings are compared as LMArena displays them, rounded to whole points; equal displayed
    ratings are a tie. ``ties_count=False``: ``top`` needs ``round(c) > round(l)``;
    ``ties_count=True``: ``round(c) >= round(l)``.
``ties="exact"``
    Unrounded ratings (a tie then has probability zero on simulated paths).
Sole rank 1 (LMArena's rank from rating intervals)
    LMArena ranks a model ``i`` as ``1 + #{j : lo_j > hi_i}``: a model shares rank 1 with
    every model whose interval overlaps the top one's. With the challenger's best ``c`` and
    the incumbent's best ``l`` (the only candidates for rank 1), and 95% interval half-widths
    ``h_c``, ``h_l``, the challenger is alone at rank 1 when its lower bound is above the
    incumbent's upper bound:

    .. math:: c - h_c > l + h_l \iff c - l > h_c + h_l.

    ``h`` is ``1.96`` times the rating's standard deviation; for future models the current
    top models' typical half-width is used (``TieRule.half_width``).

Observed leaderboards (:func:`standing`)
----------------------------------------
On real snapshot rows (every model with its rating and 95% interval) ``top`` compares the
two sides' best (displayed) ratings and "alone at rank 1" uses LMArena's rank exactly: the
rank-1 models are those no other model's lower bound beats (``lo_j > hi_i`` for no ``j``);
the challenger is alone at rank 1 when every rank-1 model is the challenger's. The same
rows with a ``draw`` column are a set of synthetic histories: the probability of an event
is the share of histories where it happens (:func:`history_hits`).

Probability and interval
------------------------
``P`` is the share of draws in which the event happens; its Monte Carlo standard error is
``sqrt(P (1 - P) / n)``. The interval is parameter uncertainty: the draws are sorted by a
parameter (``strata``, e.g. the drawn step rate of the challenger minus the incumbent's),
cut into ``bins`` equal groups, and the 5% and 95% quantiles of the groups' ``P`` are
reported (:func:`probability`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = [
    "EVENT_KINDS",
    "EventProbability",
    "TieRule",
    "event_hits",
    "history_hits",
    "is_sole_top",
    "is_top",
    "probability",
    "standing",
]

EVENT_KINDS: Final[tuple[str, ...]] = (
    "top_any_time",
    "sole_top_any_time",
    "top_at_date",
    "ahead_within",
)
"""Events computed on paths (``gapcast.sources.claims.FORECAST_EVENTS`` less the ones
without a metric)."""

Z95: Final[float] = 1.96

Array = NDArray[np.float64]
Ties = Literal["displayed", "exact"]


@dataclass(frozen=True)
class TieRule:
    """How a leaderboard's ties and rank are read.

    Parameters
    ----------
    ties_count
        An equal (displayed) rating counts as the top.
    ties
        ``displayed`` (whole points, as LMArena shows them) or ``exact``.
    half_width
        95% interval half-width of a top model's rating (points), for "alone at rank 1".
    """

    ties_count: bool = False
    ties: Ties = "displayed"
    half_width: float = 0.0

    def describe(self) -> str:
        """Return the rule in words."""
        shown = "displayed (whole-point)" if self.ties == "displayed" else "exact"
        count = "count" if self.ties_count else "do not count"
        return f"{shown} ratings; ties {count}; rating interval half-width {self.half_width:.1f}"


def _compare(values: Array, rule: TieRule) -> Array:
    return np.round(values) if rule.ties == "displayed" else values


def is_top(paths: Array, rule: TieRule) -> NDArray[np.bool_]:
    """Say, per draw and month, whether the challenger (index 1) holds the top.

    ``paths`` is ``... × 2``; returns the same shape less the last axis.
    """
    seen = _compare(paths, rule)
    if rule.ties_count:
        return np.asarray(seen[..., 1] >= seen[..., 0])
    return np.asarray(seen[..., 1] > seen[..., 0])


def is_sole_top(paths: Array, rule: TieRule) -> NDArray[np.bool_]:
    """Say whether the challenger is alone at LMArena rank 1: ``c - l > h_c + h_l``.

    Both half-widths are ``rule.half_width``; a margin of zero reduces to a strict lead.
    """
    return np.asarray(paths[..., 1] - paths[..., 0] > 2.0 * rule.half_width)


def event_hits(paths: Array, event: str, month: int, rule: TieRule) -> NDArray[np.bool_]:
    """Say, per draw, whether the event happens by (or on) month ``month``.

    Parameters
    ----------
    paths
        Draws × months × 2 (incumbent, challenger); month 0 is the as-of month.
    event
        One of :data:`EVENT_KINDS`.
    month
        The deadline's month index (``0 <= month < paths.shape[1]``).
    rule
        How ties and rank are read.

    Raises
    ------
    ValueError
        An unknown event, or a month outside the paths.
    """
    if event not in EVENT_KINDS:
        raise ValueError(f"unknown event '{event}' (expected one of: {', '.join(EVENT_KINDS)})")
    if not 0 <= month < paths.shape[1]:
        raise ValueError(f"month {month} is outside the paths (0 .. {paths.shape[1] - 1})")
    window = paths[:, : month + 1, :]
    if event == "top_at_date":
        return is_top(paths[:, month, :], rule)
    if event == "sole_top_any_time":
        return np.asarray(is_sole_top(window, rule).any(axis=1))
    return np.asarray(is_top(window, rule).any(axis=1))


@dataclass(frozen=True)
class EventProbability:
    """A probability from draws: its value, Monte Carlo error and parameter interval."""

    p: float
    mc_se: float
    interval90: tuple[float, float]
    draws: int

    def to_dict(self) -> dict[str, object]:
        """Return plain numbers."""
        return {
            "p": self.p,
            "mc_se": self.mc_se,
            "interval90": list(self.interval90),
            "draws": self.draws,
        }


def probability(
    hits: NDArray[np.bool_], strata: Array | None = None, bins: int = 10
) -> EventProbability:
    """Return ``P(hit)``, its Monte Carlo error, and a 90% interval over parameter groups.

    ``strata`` (one number per draw) orders the draws by a parameter; the draws are cut
    into ``bins`` groups of (near) equal size along it, and the interval is the 5% and 95%
    quantiles of the groups' hit rates. Without strata the interval is the Monte Carlo
    one, ``P +- 1.645 se``, clipped to [0, 1].
    """
    n = int(hits.shape[0])
    if n == 0:
        raise ValueError("no draws")
    p = float(hits.mean())
    se = float(np.sqrt(p * (1.0 - p) / n))
    if strata is None or bins < 2 or n < bins:
        lo, hi = max(0.0, p - 1.645 * se), min(1.0, p + 1.645 * se)
    else:
        order = np.argsort(strata, kind="stable")
        rates = np.array([part.mean() for part in np.array_split(hits[order], bins)])
        lo, hi = (float(x) for x in np.quantile(rates, [0.05, 0.95]))
    return EventProbability(p, se, (lo, hi), n)


STANDING_COLUMNS: Final[tuple[str, ...]] = (
    "draw",
    "snapshot",
    "incumbent",
    "challenger",
    "top",
    "sole_top",
)
"""Columns of :func:`standing`: per history and snapshot, both sides' best and the flags."""


def standing(rows: pd.DataFrame, rule: TieRule) -> pd.DataFrame:
    """Read leaderboard snapshots: who is at the top, and is the challenger alone at rank 1.

    Parameters
    ----------
    rows
        One row per model and snapshot: ``snapshot``, ``challenger`` (bool: the model is
        in the challenger group; every other model is the incumbent's), ``rating``,
        ``lo``, ``hi`` (95% interval), and optionally ``draw`` (the history it belongs to;
        one history if absent).
    rule
        How ties are read (``half_width`` is unused: real rows carry their intervals).

    Returns
    -------
    pandas.DataFrame
        :data:`STANDING_COLUMNS`, one row per history and snapshot, sorted.
    """
    frame = rows.assign(draw=rows["draw"] if "draw" in rows.columns else 0)
    out = []
    for (draw, snapshot), snap in frame.groupby(["draw", "snapshot"], sort=True):
        side = snap["challenger"].to_numpy(dtype=bool)
        rating = snap["rating"].to_numpy(np.float64)
        seen = _compare(rating, rule)
        best_c = seen[side].max() if side.any() else -np.inf
        best_l = seen[~side].max() if (~side).any() else -np.inf
        top = best_c >= best_l if rule.ties_count else best_c > best_l
        lo, hi = snap["lo"].to_numpy(np.float64), snap["hi"].to_numpy(np.float64)
        beaten = (lo[None, :] > hi[:, None]).any(axis=1)  # some j has lo_j > hi_i
        first = ~beaten
        sole = bool(side.any() and first.any() and side[first].all())
        out.append(
            (
                draw,
                snapshot,
                rating[~side].max() if (~side).any() else np.nan,
                rating[side].max() if side.any() else np.nan,
                bool(side.any() and top),
                sole,
            )
        )
    return pd.DataFrame(out, columns=list(STANDING_COLUMNS))


def history_hits(table: pd.DataFrame, event: str, deadline: object) -> pd.Series:
    """Say, per history (``draw``), whether an event happens by (or on) ``deadline``.

    ``table`` is :func:`standing`'s output. ``top_at_date`` reads the last snapshot on or
    before the deadline (the leaderboard standing that day); the others any snapshot up to
    it.
    """
    if event not in EVENT_KINDS:
        raise ValueError(f"unknown event '{event}' (expected one of: {', '.join(EVENT_KINDS)})")
    upto = table.loc[table["snapshot"] <= deadline]
    by = upto.groupby("draw", sort=True)
    if event == "top_at_date":
        return by.apply(lambda part: bool(part.sort_values("snapshot")["top"].iloc[-1]))
    column = "sole_top" if event == "sole_top_any_time" else "top"
    return by[column].any()

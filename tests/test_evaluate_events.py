"""Claim events on small synthetic LMArena histories, with hand-computed probabilities.

Four equally likely histories of three monthly snapshots each. Models: ``us-a`` and
``us-b`` (incumbent), ``cn-x`` (challenger). Ratings and 95% intervals are chosen so that:

- history 0: the challenger is always behind;
- history 1: in February the challenger's displayed rating equals the top one (1450.4 and
  1449.6 both show 1450): a tie; behind in January and March;
- history 2: in February the challenger leads by 3 points with overlapping intervals (top,
  but sharing rank 1); behind again in March;
- history 3: in March the challenger leads by 20 points with intervals that do not overlap
  (alone at rank 1).

Hand counts (4 histories):
top at any point, ties not counting: histories 2, 3 -> 2/4; ties counting: 1, 2, 3 -> 3/4;
sole rank 1 at any point: history 3 -> 1/4; standing on 2026-03-31: history 3 -> 1/4;
standing on 2026-02-28 (the February snapshot in force): history 2 -> 1/4, and with ties
counting histories 1, 2 -> 2/4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gapcast.evaluate import events

JAN, FEB, MAR = (pd.Timestamp(d) for d in ("2026-01-31", "2026-02-28", "2026-03-31"))


def _history(draw: int, ratings: dict[pd.Timestamp, dict[str, tuple[float, float]]]) -> list:
    rows = []
    for snapshot, models in ratings.items():
        for model, (rating, half) in models.items():
            rows.append(
                {
                    "draw": draw,
                    "snapshot": snapshot,
                    "model": model,
                    "challenger": model.startswith("cn-"),
                    "rating": rating,
                    "lo": rating - half,
                    "hi": rating + half,
                }
            )
    return rows


BEHIND = {"us-a": (1460.0, 5.0), "us-b": (1440.0, 5.0), "cn-x": (1430.0, 5.0)}


@pytest.fixture
def histories() -> pd.DataFrame:
    rows = []
    rows += _history(0, {JAN: BEHIND, FEB: BEHIND, MAR: BEHIND})
    tie = {"us-a": (1450.4, 5.0), "us-b": (1440.0, 5.0), "cn-x": (1449.6, 5.0)}
    rows += _history(1, {JAN: BEHIND, FEB: tie, MAR: BEHIND})
    close = {"us-a": (1450.0, 5.0), "us-b": (1440.0, 5.0), "cn-x": (1453.0, 5.0)}
    rows += _history(2, {JAN: BEHIND, FEB: close, MAR: BEHIND})
    alone = {"us-a": (1460.0, 4.0), "us-b": (1440.0, 4.0), "cn-x": (1480.0, 4.0)}
    rows += _history(3, {JAN: BEHIND, FEB: BEHIND, MAR: alone})
    return pd.DataFrame(rows)


def _p(histories: pd.DataFrame, event: str, deadline: pd.Timestamp, ties: bool) -> float:
    table = events.standing(histories, events.TieRule(ties_count=ties))
    return float(events.history_hits(table, event, deadline).mean())


def test_top_at_any_point_ties_not_counting(histories: pd.DataFrame) -> None:
    assert _p(histories, "top_any_time", MAR, ties=False) == 2 / 4


def test_top_at_any_point_ties_counting(histories: pd.DataFrame) -> None:
    assert _p(histories, "top_any_time", MAR, ties=True) == 3 / 4


def test_sole_rank_one(histories: pd.DataFrame) -> None:
    assert _p(histories, "sole_top_any_time", MAR, ties=False) == 1 / 4


def test_standing_on_a_date(histories: pd.DataFrame) -> None:
    assert _p(histories, "top_at_date", MAR, ties=False) == 1 / 4
    # the snapshot in force on 2026-03-15 is February's
    assert _p(histories, "top_at_date", pd.Timestamp("2026-03-15"), ties=False) == 1 / 4
    assert _p(histories, "top_at_date", pd.Timestamp("2026-03-15"), ties=True) == 2 / 4


def test_deadline_cuts_the_window(histories: pd.DataFrame) -> None:
    # by the end of February history 3 has not happened yet
    assert _p(histories, "top_any_time", FEB, ties=False) == 1 / 4
    assert _p(histories, "sole_top_any_time", FEB, ties=False) == 0.0


def test_rank_one_is_shared_when_intervals_overlap() -> None:
    # the challenger leads but us-a's interval reaches it: both hold rank 1
    snap = pd.DataFrame(
        {
            "snapshot": [FEB] * 3,
            "challenger": [False, False, True],
            "rating": [1450.0, 1400.0, 1458.0],
            "lo": [1445.0, 1395.0, 1452.0],
            "hi": [1455.0, 1405.0, 1464.0],
        }
    )
    row = events.standing(snap, events.TieRule()).iloc[0]
    assert (bool(row["top"]), bool(row["sole_top"])) == (True, False)
    # narrow the intervals until us-a's upper bound is below the challenger's lower bound
    snap.loc[0, "hi"] = 1451.0
    assert bool(events.standing(snap, events.TieRule()).iloc[0]["sole_top"])


def test_path_events_match_hand_counts() -> None:
    # draws x months x (incumbent, challenger); month 0 is the as-of month
    paths = np.array(
        [
            [[1460, 1430], [1460, 1440], [1460, 1450]],  # never top
            [[1460, 1430], [1460, 1460.2], [1470, 1460]],  # displayed tie in month 1
            [[1460, 1430], [1460, 1465], [1470, 1460]],  # top by 5 in month 1, not alone
            [[1460, 1430], [1460, 1440], [1460, 1480]],  # top by 20 in month 2, alone
        ],
        dtype=float,
    )
    rule = events.TieRule(ties_count=False, half_width=6.0)
    hits = {e: events.event_hits(paths, e, 2, rule).tolist() for e in events.EVENT_KINDS}
    assert hits["top_any_time"] == [False, False, True, True]
    assert hits["ahead_within"] == hits["top_any_time"]
    assert hits["sole_top_any_time"] == [False, False, False, True]  # needs a 12-point lead
    assert hits["top_at_date"] == [False, False, False, True]
    tied = events.event_hits(paths, "top_any_time", 2, events.TieRule(ties_count=True))
    assert tied.tolist() == [False, True, True, True]
    assert events.event_hits(paths, "top_any_time", 1, rule).tolist() == [
        False,
        False,
        True,
        False,
    ]


def test_bad_event_and_month_are_refused() -> None:
    paths = np.zeros((2, 3, 2))
    with pytest.raises(ValueError, match="unknown event 'top_ever'"):
        events.event_hits(paths, "top_ever", 1, events.TieRule())
    with pytest.raises(ValueError, match=r"month 3 is outside the paths \(0 .. 2\)"):
        events.event_hits(paths, "top_any_time", 3, events.TieRule())


def test_probability_interval_over_parameter_groups() -> None:
    # draws sorted by a parameter: the lower half never hits, the upper half always does
    hits = np.r_[np.zeros(50, bool), np.ones(50, bool)]
    strata = np.arange(100, dtype=float)
    prob = events.probability(hits, strata, bins=10)
    assert prob.p == 0.5
    assert prob.mc_se == pytest.approx(0.05)  # sqrt(0.25 / 100)
    assert prob.interval90 == (0.0, 1.0)
    # without strata: the Monte Carlo interval, P +- 1.645 se
    assert events.probability(hits).interval90 == pytest.approx((0.5 - 0.08225, 0.5 + 0.08225))

"""The report's out-of-sample track record, rendered from a stored ``gapcast backtest`` result."""

from __future__ import annotations

from typing import Any

import pytest

from gapcast.report import i18n
from gapcast.report.track_record import track_record_section


def doc() -> dict[str, Any]:
    def row(metric: str, h: int, skill: float, lo: float | None, c80: float) -> dict[str, Any]:
        cov = {"rate": c80, "n": 20, "n_eff": 6.5, "ci90": [0.5, 0.9]}
        return {
            "metric": metric,
            "target": "gap",
            "model": "trend",
            "horizon": h,
            "n": 20,
            "skill": skill,
            "skill_ci90": [lo, None if lo is None else lo + 0.3],
            "baseline": "no_change",
            "coverage": {"50": {**cov, "rate": 0.45}, "80": cov, "95": cov},
            "pit_p": 0.2,
        }

    return {
        "model": "trend",
        "tuning_metric": "eci",
        "held_out": ["lmarena"],
        "scores": [row("eci", 6, 0.4, 0.1, 0.75), row("lmarena", 6, -0.1, None, 0.3)],
        "targets": [{"target": "lmarena 6m: 80% coverage >= 65%", "value": 0.3, "met": False}],
        "calibrated": {"what": "trend window", "on": "eci origins before each origin"},
    }


@pytest.mark.parametrize("lang", ["en", "zh", "ja"])
def test_rows_with_intervals_and_failures(lang: str) -> None:
    loc = i18n.Locale(lang)
    out = track_record_section(doc(), loc)
    eci, lm = out["rows"]
    assert eci["skill"] == f"{loc.num(0.4, 2, sign=True)} [{loc.num(0.1, 2, sign=True)}, " + (
        f"{loc.num(0.4, 2, sign=True)}]"
    )
    assert lm["skill"] == loc.num(-0.1, 2, sign=True)  # no interval: too few origins
    assert (eci["bad"], lm["bad"]) == (False, True)
    assert eci["role"] == loc.t("track.tuning") and lm["role"] == loc.t("track.held_out")
    assert out["fails"] == loc.t("track.fails", targets="lmarena 6m: 80% coverage >= 65%")
    assert "eci origins before each origin" in out["calibrated"]


def test_absent_record_says_how_to_make_one() -> None:
    loc = i18n.Locale("en")
    out = track_record_section(None, loc)
    assert out["rows"] == [] and "gapcast backtest" in out["text"]


@pytest.mark.parametrize("lang", ["en", "zh", "ja"])
def test_the_headline_is_put_beside_its_event_check(lang: str) -> None:
    from gapcast.report.track_record import headline_record

    loc = i18n.Locale(lang)

    def check(model: str, h: int, mean_p: float, p_outcome: float) -> dict[str, Any]:
        return {
            "model": model,
            "event": "strict",
            "horizon": h,
            "origins": 13,
            "first_origin": "2023-11-30",
            "last_origin": "2024-11-30",
            "mean_p": mean_p,
            "observed_rate": 0.0,
            "brier": mean_p**2,
            "disjoint_windows": 2,
            "p_of_outcome": p_outcome,
        }

    surprised = {
        "event_check": [
            check("structural", 6, 0.4, 0.2),
            check("structural", 12, 0.68, 0.079),
            check("trend", 12, 0.03, 0.94),
        ]
    }
    events, warning = headline_record(surprised, "China", loc)
    assert "2023-11" in events and "2024-11" in events  # the 12-month row, not the 6-month one
    assert loc.pct(0.68) in events and loc.pct(0.079) in events and loc.pct(0.03) in events
    assert warning == loc.t("summary.track_surprised", challenger="China")
    calm = {"event_check": [check("structural", 12, 0.2, 0.64)]}
    assert len(headline_record(calm, "China", loc)) == 1
    assert headline_record(None, "China", loc) == [loc.t("summary.track_none")]

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

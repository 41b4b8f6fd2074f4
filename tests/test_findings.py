"""The wording rules: every comparative word, with a case where each rule must not fire."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gapcast.report import findings
from gapcast.report.i18n import Locale


@dataclass(frozen=True)
class T:
    slope_per_year: float | None
    ci: tuple[float | None, float | None]
    n: int = 13


EN = Locale("en")


def test_direction_needs_the_whole_interval_on_one_side_of_zero() -> None:
    assert findings.direction(-2.0, (-3.5, -0.5)) == "narrowing"
    assert findings.direction(5.2, (3.0, 7.4)) == "widening"
    # must not fire: a negative slope whose interval includes zero is not "narrowing"
    assert findings.direction(-2.1, (-6.0, 1.8)) == "unclear"
    assert findings.direction(0.4, (-4.0, 4.9)) == "unclear"
    assert findings.direction(1.0, (None, None)) == "unclear"
    assert findings.direction(None, (1.0, 2.0)) == "unclear"


def test_gap_narrowed_but_lag_widened_is_called_a_disagreement() -> None:
    gap, lag = T(-2.0, (-3.5, -0.5)), T(5.2, (3.0, 7.4))
    text = findings.trend_findings(gap, lag, EN)
    assert text[0].startswith("The gap narrowed over the past 12 months")
    assert "falls by 2.0 points a year (95% interval \u22123.5 to \u22120.5)" in text[0]
    assert (
        text[1]
        == "The lag grew over the past 12 months: by 5.2 months a year (95% interval 3.0 to 7.4)."
    )
    assert "opposite directions" in text[2]
    # must not fire: both narrowing is agreement, not a disagreement
    both = findings.trend_findings(gap, T(-1.0, (-1.5, -0.5)), EN)
    assert not any("opposite" in s for s in both)
    assert both[2] == "The gap in points and the lag in months point the same way."


def test_the_mirror_case_says_only_the_lag_has_a_direction() -> None:
    # ECI on the mirror as of 2025-12-22: gap +0.4 [-4.0, 4.9], lag +5.2 [3.0, 7.4] a year
    text = findings.trend_findings(T(0.43, (-3.99, 4.85)), T(5.21, (3.01, 7.41)), EN)
    assert text[0].startswith("The gap shows no clear trend")
    assert "+0.4 points a year" in text[0]
    assert not any("narrowed" in s or "widened" in s for s in text)
    assert (
        text[2]
        == "Only the lag in months has a clear direction; the gap in points does not confirm it."
    )


def test_no_sentence_about_both_when_neither_has_a_direction() -> None:
    text = findings.trend_findings(T(0.4, (-4.0, 4.9)), T(-0.2, (-1.0, 0.6)), EN)
    assert len(text) == 2


@pytest.mark.parametrize(
    ("p", "q", "expected"),
    [
        (0.17, 0.04, "far"),  # the serving-bound case: never "agree closely"
        (0.17, 0.11, "differ"),  # the baseline case: 6 points and a factor 1.5
        (0.167, 0.160, "close"),
        (0.02, 0.04, "far"),  # 2 points apart, but a factor of two
        (0.50, 0.40, "differ"),  # a factor 1.25, but 10 points
        (0.60, 0.45, "far"),
        (0.0, 0.0, "close"),
    ],
)
def test_closeness_of_two_probabilities(p: float, q: float, expected: str) -> None:
    assert findings.closeness(p, q) == expected
    assert findings.closeness(q, p) == expected


def test_seventeen_and_four_percent_do_not_agree_closely_in_any_language() -> None:
    for lang in ("en", "zh", "ja"):
        loc = Locale(lang)
        text = findings.models_text(0.17, 0.04, loc.horizon(60), loc)
        assert text.startswith(findings.PHRASES[lang]["models.far"].split("{")[0])
    assert "agree closely" not in findings.models_text(0.17, 0.04, "5 years", EN)
    assert "agree closely" in findings.models_text(0.167, 0.16, "5 years", EN)


def test_decimals_follow_the_width_of_the_interval() -> None:
    assert findings.decimals(-4.0, 4.9) == 1  # width 8.9
    assert findings.decimals(10.0, 25.0) == 0  # 15 percentage points
    assert findings.decimals(0.40, 0.94) == 2  # width 0.54
    assert findings.decimals(120.0, 380.0) == 0
    assert findings.decimals(None, 1.0) == 1


def test_an_estimate_at_the_top_of_its_interval_is_explained() -> None:
    assert findings.position(8.2, 6.4, 8.2) == "top"
    assert findings.position(7.7, 4.4, 9.1) == "inside"  # must not fire
    assert findings.position(1.0, 1.0, 3.0) == "bottom"
    assert "top end of its interval" in findings.edge_text(8.2, 6.4, 8.2, EN)
    assert findings.edge_text(7.7, 4.4, 9.1, EN) == ""
    assert "at least" in findings.edge_text(8.2, 6.4, 8.2, EN, censored=True)


def test_every_language_has_every_phrase_with_the_same_fields() -> None:
    from gapcast.report.i18n import fields

    english = findings.PHRASES["en"]
    for lang in ("zh", "ja"):
        other = findings.PHRASES[lang]
        assert set(other) == set(english)
        for key, template in english.items():
            assert fields(other[key]) == fields(template), (lang, key)

"""Findings: the rules that choose every comparative word gapcast prints.

One module decides when the gap "narrowed" or "widened", when the gap and the lag tell
different stories, and when two probabilities "agree closely"; the CLI, the API, the dashboard
(through the API) and the report take their sentences from here, so two outputs cannot
contradict each other.

Rules
-----
Trend of a series (the gap in points, the lag in months)
    Stated from the fitted least-squares trend over a stated trailing window
    (``gapcast.measure.trend.ols_trend``), never from two hand-picked dates. Its direction
    is ``narrowing`` when the whole 95% interval of the slope is below zero, ``widening``
    when it is above zero, and ``unclear`` when the interval contains zero (or there is no
    interval). For both series a rise means the leader pulls away.
Gap and lag together
    ``disagree`` when one is narrowing and the other widening; ``one_clear`` when only one
    has a clear direction; ``agree`` when both point the same way; ``unclear`` when neither
    does.
Two probabilities (the trend baseline and the structural model; two scenarios)
    ``close`` only when they differ by at most ``CLOSE_POINTS`` percentage points *and* the
    larger is at most ``CLOSE_RATIO`` times the smaller; ``far`` when they differ by more
    than ``FAR_POINTS`` points or by a factor of ``FAR_RATIO`` or more; else ``differ``.
    17% against 11% differ; 17% against 4% are far apart.
Digits
    A number gets the decimals its interval supports: one more than the order of magnitude
    of the interval's width (a width of 8.9 gives one decimal, of 15 percentage points none).
"""

# ruff: noqa: E501  (the phrases read better unbroken)
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from gapcast.report.i18n import Locale

Direction = Literal["narrowing", "widening", "unclear"]
Together = Literal["agree", "disagree", "one_clear", "unclear"]
Closeness = Literal["close", "differ", "far"]

CLOSE_POINTS = 3.0
"""Two probabilities at most this many percentage points apart may "agree closely"..."""
CLOSE_RATIO = 1.3
"""...and only when the larger is at most this many times the smaller."""
FAR_POINTS = 10.0
"""Probabilities more than this many percentage points apart are "far apart"..."""
FAR_RATIO = 2.0
"""...as are probabilities a factor of this or more apart."""
FLOOR = 0.001
"""Probabilities below this count as this much in a ratio (a ratio to zero is meaningless)."""
WORDS: dict[Direction, str] = {
    "narrowing": "narrowing",
    "widening": "widening",
    "unclear": "no clear trend",
}
"""A direction in a table cell (English)."""
EDGE = 0.02
"""An estimate within this share of its interval's width from an end sits "at the end"."""


class TrendLike(Protocol):
    """What a fitted trend carries (``gapcast.measure.results.Trend``)."""

    @property
    def slope_per_year(self) -> float | None:
        """Slope per year (``None`` when it cannot be fitted)."""

    @property
    def ci(self) -> tuple[float | None, float | None]:
        """The slope's 95% interval."""

    @property
    def n(self) -> int:
        """Points in the window."""


@dataclass(frozen=True)
class TrendFinding:
    """The direction of one series' fitted trend, with its slope and interval."""

    quantity: Literal["gap", "lag"]
    direction: Direction
    slope: float | None
    ci: tuple[float | None, float | None]
    window_months: int
    n: int

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        return {
            "quantity": self.quantity,
            "direction": self.direction,
            "slope_per_year": self.slope,
            "ci95": list(self.ci),
            "window_months": self.window_months,
            "n": self.n,
        }


def direction(slope: float | None, ci: tuple[float | None, float | None]) -> Direction:
    """Return ``narrowing``, ``widening`` or ``unclear`` from a slope and its 95% interval."""
    lo, hi = ci
    if slope is None or lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return "unclear"
    if hi < 0:
        return "narrowing"
    if lo > 0:
        return "widening"
    return "unclear"


def trend_finding(
    quantity: Literal["gap", "lag"], trend: TrendLike, window_months: int = 12
) -> TrendFinding:
    """Return the finding of one fitted trend."""
    return TrendFinding(
        quantity,
        direction(trend.slope_per_year, trend.ci),
        trend.slope_per_year,
        trend.ci,
        window_months,
        trend.n,
    )


def together(gap: Direction, lag: Direction) -> Together:
    """Return how the gap's and the lag's directions read together."""
    clear = [d for d in (gap, lag) if d != "unclear"]
    if not clear:
        return "unclear"
    if len(clear) == 1:
        return "one_clear"
    return "agree" if gap == lag else "disagree"


def closeness(p: float, q: float) -> Closeness:
    """Return ``close``, ``differ`` or ``far`` for two probabilities (see the module rules)."""
    points = 100 * abs(p - q)
    ratio = max(p, q, FLOOR) / max(min(p, q), FLOOR)
    if points > FAR_POINTS or ratio >= FAR_RATIO:
        return "far"
    if points <= CLOSE_POINTS and ratio <= CLOSE_RATIO:
        return "close"
    return "differ"


def decimals(lo: float | None, hi: float | None, *, most: int = 3) -> int:
    """Return the decimals an interval of this width supports (one digit past its size)."""
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return 1
    width = abs(hi - lo)
    if width == 0:
        return most
    return max(0, min(most, 1 - math.floor(math.log10(width))))


def position(
    value: float | None, lo: float | None, hi: float | None
) -> Literal["top", "bottom", "inside"]:
    """Say whether an estimate sits at the top or bottom end of its interval."""
    if value is None or lo is None or hi is None or hi <= lo:
        return "inside"
    tol = EDGE * (hi - lo)
    if hi - value <= tol:
        return "top"
    if value - lo <= tol:
        return "bottom"
    return "inside"


# ---- words -------------------------------------------------------------------------------

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "gap.narrowing": "The gap narrowed over the past {window} months: a straight line fitted to it falls by {slope} points a year (95% interval {ci}).",
        "gap.widening": "The gap widened over the past {window} months: a straight line fitted to it rises by {slope} points a year (95% interval {ci}).",
        "gap.unclear": "The gap shows no clear trend over the past {window} months: a straight line fitted to it changes by {slope} points a year, and its 95% interval ({ci}) includes zero.",
        "lag.narrowing": "The lag shortened over the past {window} months: by {slope} months a year (95% interval {ci}).",
        "lag.widening": "The lag grew over the past {window} months: by {slope} months a year (95% interval {ci}).",
        "lag.unclear": "The lag shows no clear trend over the past {window} months ({slope} months a year, 95% interval {ci}, which includes zero).",
        "together.disagree": "The gap in points and the lag in months point in opposite directions: read both before saying the race tightened or loosened.",
        "together.one_clear": "Only the {clear} has a clear direction; the {other} does not confirm it.",
        "together.agree": "The gap in points and the lag in months point the same way.",
        "together.unclear": "",
        "name.gap": "gap in points",
        "name.lag": "lag in months",
        "models.close": "The two models agree closely: the trend model gives {p} within {horizon} and the structural model {q} (strict lead).",
        "models.differ": "The two models differ: the trend model gives {p} within {horizon} and the structural model {q} (strict lead).",
        "models.far": "The two models are far apart: the trend model gives {p} within {horizon} and the structural model {q} (strict lead); the choice of model matters more than the Monte Carlo error.",
        "edge.top": "The estimate sits at the top end of its interval: a frontier is the best score measured, and noise in the scores can only make the true best lower, so the interval reaches downward only.",
        "edge.bottom": "The estimate sits at the bottom of its interval: uncertainty can only raise it.",
        "edge.censored": "The interval is censored: the leader's recorded history starts above the challenger's level, so the true value is at least this.",
    },
    "zh": {
        "gap.narrowing": "过去{window}个月差距缩小：拟合直线每年下降{slope}分（95%区间{ci}）。",
        "gap.widening": "过去{window}个月差距扩大：拟合直线每年上升{slope}分（95%区间{ci}）。",
        "gap.unclear": "过去{window}个月差距没有明确趋势：拟合直线每年变化{slope}分，其95%区间（{ci}）包含零。",
        "lag.narrowing": "过去{window}个月滞后缩短：每年缩短{slope}个月（95%区间{ci}）。",
        "lag.widening": "过去{window}个月滞后拉长：每年拉长{slope}个月（95%区间{ci}）。",
        "lag.unclear": "过去{window}个月滞后没有明确趋势（每年{slope}个月，95%区间{ci}，包含零）。",
        "together.disagree": "以分数计的差距与以月计的滞后方向相反：在断言竞争收紧或放松之前，请同时参看两者。",
        "together.one_clear": "只有{clear}有明确方向；{other}并未印证。",
        "together.agree": "以分数计的差距与以月计的滞后方向一致。",
        "together.unclear": "",
        "name.gap": "分数差距",
        "name.lag": "月数滞后",
        "models.close": "两个模型的结果非常接近：趋势模型给出{horizon}内{p}，结构模型给出{q}（严格领先）。",
        "models.differ": "两个模型的结果不同：趋势模型给出{horizon}内{p}，结构模型给出{q}（严格领先）。",
        "models.far": "两个模型的结果相差很大：趋势模型给出{horizon}内{p}，结构模型给出{q}（严格领先）；模型的选择比蒙特卡洛误差更重要。",
        "edge.top": "估计值位于区间上端：前沿是测得的最高分，分数中的噪声只会使真实的最高分更低，因此区间只向下延伸。",
        "edge.bottom": "估计值位于区间下端：不确定性只会使其升高。",
        "edge.censored": "该区间是截断的：领先方有记录的历史起点已高于追赶方的水平，因此真实值至少为此。",
    },
    "ja": {
        "gap.narrowing": "過去{window}か月で差は縮まりました：当てはめた直線は年{slope}ポイント下がっています（95%区間{ci}）。",
        "gap.widening": "過去{window}か月で差は広がりました：当てはめた直線は年{slope}ポイント上がっています（95%区間{ci}）。",
        "gap.unclear": "過去{window}か月の差にははっきりした傾向がありません：当てはめた直線は年{slope}ポイント変化しますが、95%区間（{ci}）はゼロを含みます。",
        "lag.narrowing": "過去{window}か月で遅れは短くなりました：年{slope}か月（95%区間{ci}）。",
        "lag.widening": "過去{window}か月で遅れは長くなりました：年{slope}か月（95%区間{ci}）。",
        "lag.unclear": "過去{window}か月の遅れにははっきりした傾向がありません（年{slope}か月、95%区間{ci}はゼロを含みます）。",
        "together.disagree": "ポイントで測った差と月数で測った遅れは逆の方向を示しています：競争が縮まった・広がったと言う前に両方を見てください。",
        "together.one_clear": "はっきりした方向があるのは{clear}だけで、{other}はそれを裏付けていません。",
        "together.agree": "ポイントで測った差と月数で測った遅れは同じ方向を示しています。",
        "together.unclear": "",
        "name.gap": "ポイントの差",
        "name.lag": "月数の遅れ",
        "models.close": "2つのモデルはよく一致しています：トレンドモデルは{horizon}以内で{p}、構造モデルは{q}（厳密なリード）です。",
        "models.differ": "2つのモデルは異なります：トレンドモデルは{horizon}以内で{p}、構造モデルは{q}（厳密なリード）です。",
        "models.far": "2つのモデルは大きく離れています：トレンドモデルは{horizon}以内で{p}、構造モデルは{q}（厳密なリード）です。モデルの選び方はモンテカルロ誤差より大きく効きます。",
        "edge.top": "推定値は区間の上端にあります：フロンティアは測定された最高スコアであり、スコアのノイズは真の最高値を下げる方向にしか働かないため、区間は下側にだけ広がります。",
        "edge.bottom": "推定値は区間の下端にあります：不確かさは値を上げる方向にしか働きません。",
        "edge.censored": "この区間は打ち切られています：先行側の記録の始まりがすでに追い上げ側の水平より上なので、真の値は少なくともこの値です。",
    },
}


def phrase(lang: str, key: str, **values: Any) -> str:
    """Return one phrase of this module in a language, its fields filled in."""
    return PHRASES[lang][key].format(**values)


def trend_text(finding: TrendFinding, loc: Locale) -> str:
    """Return the sentence of one trend finding."""
    lo, hi = finding.ci
    d = decimals(lo, hi)
    slope = finding.slope
    magnitude = abs(slope) if slope is not None and finding.direction != "unclear" else slope
    return phrase(
        loc.lang,
        f"{finding.quantity}.{finding.direction}",
        window=finding.window_months,
        slope=loc.num(magnitude, d, sign=finding.direction == "unclear"),
        ci=loc.range(lo, hi, d),
    )


def together_text(gap: TrendFinding, lag: TrendFinding, loc: Locale) -> str:
    """Return the sentence that reads the gap's and the lag's trends together ('' if none)."""
    kind = together(gap.direction, lag.direction)
    if kind != "one_clear":
        return phrase(loc.lang, f"together.{kind}")
    clear, other = (gap, lag) if gap.direction != "unclear" else (lag, gap)
    return phrase(
        loc.lang,
        "together.one_clear",
        clear=phrase(loc.lang, f"name.{clear.quantity}"),
        other=phrase(loc.lang, f"name.{other.quantity}"),
    )


def trend_findings(gap_trend: TrendLike, lag_trend: TrendLike, loc: Locale) -> list[str]:
    """Return the sentences on how the gap and the lag moved (gap, lag, then both)."""
    gap, lag = trend_finding("gap", gap_trend), trend_finding("lag", lag_trend)
    out = [trend_text(gap, loc), trend_text(lag, loc), together_text(gap, lag, loc)]
    return [s for s in out if s]


def models_text(p_trend: float, p_compute: float, horizon: str, loc: Locale) -> str:
    """Return the sentence comparing the trend baseline's and the structural model's probabilities."""
    return phrase(
        loc.lang,
        f"models.{closeness(p_trend, p_compute)}",
        p=loc.pct(p_trend),
        q=loc.pct(p_compute),
        horizon=horizon,
    )


def edge_text(
    value: float | None, lo: float | None, hi: float | None, loc: Locale, *, censored: bool = False
) -> str:
    """Return the one-line explanation of an interval with its estimate at an end ('' if none)."""
    if censored:
        return phrase(loc.lang, "edge.censored")
    where = position(value, lo, hi)
    return "" if where == "inside" else phrase(loc.lang, f"edge.{where}")


def gap_findings(result: Any, lang: str = "en") -> dict[str, Any]:
    """Return the JSON-ready findings of a ``GapResult``: directions and sentences."""
    loc = Locale(lang)
    gap, lag = trend_finding("gap", result.trend), trend_finding("lag", result.lag_trend)
    lo, hi = result.gap_points_ci
    return {
        "gap_trend": gap.to_dict(),
        "lag_trend": lag.to_dict(),
        "together": together(gap.direction, lag.direction),
        "sentences": trend_findings(result.trend, result.lag_trend, loc),
        "gap_interval_note": edge_text(result.gap_points, lo, hi, loc),
        "lag_interval_note": edge_text(
            result.lag.months, result.lag.ci[0], result.lag.ci[1], loc, censored=result.lag.censored
        ),
    }

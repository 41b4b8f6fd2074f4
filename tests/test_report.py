"""The report: message catalogues, number formats, and the rendered HTML in three languages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from markupsafe import escape

from gapcast import glossary
from gapcast.cli import app
from gapcast.errors import RequestError
from gapcast.report import findings, i18n
from gapcast.store import Store
from gapcast.usecases import report, scenarios

OPTIONAL_KEYS = ("scenario.",)
"""Keys a catalogue may leave out (it then falls back to the scenario file's title)."""


def _required(keys: set[str]) -> set[str]:
    return {k for k in keys if not k.startswith(OPTIONAL_KEYS)}


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_catalogues_have_the_same_keys_and_fields_as_english(lang: str) -> None:
    english, other = i18n.catalogue("en"), i18n.catalogue(lang)
    assert _required(set(other)) == _required(set(english))
    for key, template in english.items():
        if key in other:
            assert i18n.fields(other[key]) == i18n.fields(template), key


def test_number_and_date_formats_per_language() -> None:
    en, zh, ja = i18n.Locale("en"), i18n.Locale("zh"), i18n.Locale("ja")
    assert en.num(-1234.56, 1) == "\u22121,234.6"
    assert en.num(0.04, 1, sign=True) == "0.0"
    assert en.num(2.0, 1, sign=True) == "+2.0"
    assert en.num(None) == "n/a" and zh.num(float("nan")) == "无数据"
    assert en.pct(0.3925) == "39%" and ja.pct(0.3926, 1) == "39.3%"
    day = dt.date(2025, 12, 22)
    assert en.date(day) == "22 December 2025"
    assert zh.date(day) == ja.date(day) == "2025年12月22日"
    assert en.month("2025-12-01") == "December 2025" and zh.month("2025-12-01") == "2025年12月"
    assert en.range(1, 2) == "1.0 to 2.0" and zh.range(1, 2) == "1.0至2.0"
    assert ja.range(1, 2) == "1.0～2.0"
    assert en.months(8.2) == "8.2 months" and zh.months(8.2) == "8.2个月"
    assert ja.months(8.2) == "8.2か月"
    assert en.horizon(12) == "1 year" and en.horizon(60) == "5 years" and zh.horizon(36) == "3年"
    assert en.group("United States") == "the United States" and zh.group("China") == "中国"
    assert en.group("Atlantis") == "Atlantis"
    assert en.join("A.", "B.") == "A. B." and zh.join("甲。", "乙。") == "甲。乙。"
    assert en.list(["a", "b"]) == "a, b" and zh.list(["甲", "乙"]) == "甲，乙"


def test_unknown_language_names_the_field() -> None:
    with pytest.raises(RequestError, match="lang: 'fr' is not allowed"):
        report.languages("fr")
    assert report.languages("all") == ("en", "zh", "ja")


@pytest.fixture(scope="module")
def data(mirror_db: Path) -> report.ReportData:
    with Store(mirror_db, read_only=True) as store:
        return report.build(store, "baseline", draws=3000, save=False)


@pytest.mark.mirror
@pytest.mark.parametrize("lang", report.LANGS)
def test_report_is_self_contained_and_fully_filled(
    data: report.ReportData, tmp_path: Path, lang: str
) -> None:
    (path,) = report.write(data, tmp_path, [lang])
    html = path.read_text(encoding="utf-8")
    assert path.name == f"gapcast-report-baseline-{lang}.html"
    assert f'<html lang="{lang}">' in html
    assert html.count("<svg") >= 3
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?:", html)
    assert not re.search(r"\{[a-z_0-9]+\}", html), "an unfilled message field"
    for bad in (">None<", " nan", "NaN", "n/a n/a"):
        assert bad not in html
    loc = i18n.Locale(lang)
    res = data.gap.result
    assert loc.num(res.gap_points) in html
    assert loc.pct(data.forecast.selected.p_ahead_within[60]) in html
    assert "CC-BY-4.0" in html
    assert loc.t("h.forecast") in html and loc.t("h.data") in html
    assert data.missing == {}  # the sensitivity analysis and the backtest both ran
    assert [r.scenario.name for r in data.comparison] == scenarios.names()
    top = max(data.sensitivity["indices"], key=lambda row: row["total"])  # type: ignore[index]
    assert top["path"] in glossary.PARAMS  # every Sobol parameter has a label of its own
    label = glossary.label(top["path"], lang)
    assert loc.t("drivers.sobol", first=label, total=loc.num(top["total"], 2)) in html
    assert loc.t("model.trend") in html and loc.t("backtest.intro") in html
    assert loc.t("table.compare_caption") in html
    assert loc.t("h.sweep") in html and loc.t("fig.sweep") in html  # the map of two assumptions
    ensemble_sentence = loc.t("backtest.ensemble", coverage="{c}", skill="{s}")
    assert escape(ensemble_sentence.split("{c}")[0]) in html  # the ensemble's coverage, read out
    for sentence in findings.trend_findings(res.trend, res.lag_trend, loc):
        assert escape(sentence) in html  # fitted trends, never two hand-picked dates
    if lang == "en":  # on the mirror: no clear gap trend, a growing lag
        assert "The lag grew over the past 12 months" in html
        assert "narrowed by" not in html and "agree closely" not in html
    for rep in data.comparison:  # every shipped scenario, with the report's seed
        assert escape(loc.scenario(rep.scenario.name, rep.scenario.title)) in html
        assert rep.seed == data.forecast.seed


@pytest.mark.mirror
def test_report_says_why_a_trust_section_is_missing(
    data: report.ReportData, tmp_path: Path
) -> None:
    reason = "no backtest origin from 2023-06 has an observed eci target"
    bare = dataclasses.replace(
        data, sensitivity=None, backtest=None, missing={"sensitivity": "x", "backtest": reason}
    )
    (path,) = report.write(bare, tmp_path, ["en"])
    html = path.read_text(encoding="utf-8")
    assert i18n.Locale("en").t("backtest.none", reason=reason) in html
    assert "total-order Sobol" not in html


@pytest.mark.mirror
def test_report_command_writes_every_language(
    mirror_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from typer.testing import CliRunner

    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "--db",
            str(mirror_db),
            "report",
            "--scenario",
            "serving-bound",
            "--out",
            str(out),
            "--lang",
            "all",
            "--draws",
            "2000",
            "--no-save",
        ],
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"gapcast-report-serving-bound-{lang}.html" for lang in ("en", "ja", "zh")]
    assert "wrote" in result.output


def test_serve_is_a_command_bound_to_localhost() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "127.0.0.1" in result.output and "--port" in result.output

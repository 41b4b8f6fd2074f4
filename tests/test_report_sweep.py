"""The report's map section in every language, on a synthetic store."""

from __future__ import annotations

import numpy as np
import pytest

from forecast_data import make_forecast_db
from gapcast import glossary
from gapcast.report import i18n
from gapcast.report.render import _env
from gapcast.report.sweep_section import sweep_section
from gapcast.store import Store
from gapcast.usecases import sweep as use


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> use.SweepReport:
    db = make_forecast_db(tmp_path_factory.mktemp("report-sweep") / "s.duckdb")
    with Store(db, read_only=True) as store:
        return use.shipped(store)


@pytest.mark.parametrize("lang", ["en", "zh", "ja"])
def test_section_reads_the_map_out(shipped: use.SweepReport, lang: str) -> None:
    loc = i18n.Locale(lang)
    section = sweep_section(shipped, None, loc)
    html = _env().get_template("sweep.html.j2").render(sweep=section, t=loc.t)
    assert loc.t("h.sweep") in html and loc.t("fig.sweep") in html
    assert html.count("<svg") == 1
    z = shipped.result.surface(60)
    assert loc.pct(float(z.min())) in section["paragraphs"][1]
    assert loc.pct(float(z.max())) in section["paragraphs"][1]
    growth = glossary.label("groups.challenger.compute.growth", lang)
    assert growth in section["paragraphs"][0] and growth in html
    assert "{" not in " ".join(section["paragraphs"])


def test_section_says_why_the_map_is_missing() -> None:
    loc = i18n.Locale("en")
    section = sweep_section(None, "no data", loc)
    assert section == {"paragraphs": [loc.t("sweep.missing", reason="no data")], "figure": None}


def test_shipped_map_is_bounded_and_two_dimensional(shipped: use.SweepReport) -> None:
    sweep = shipped.result.sweep
    assert [a.path for a in sweep.axes] == [
        "groups.challenger.compute.growth",
        "groups.challenger.serving.share",
    ]
    assert sweep.draws == use.SHIPPED_DRAWS and shipped.ran_on["where"] == "serial"
    assert np.all(shipped.result.surface(36) <= shipped.result.surface(60))

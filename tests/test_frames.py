"""Result objects in a notebook: ``to_frame()`` and ``_repr_html_`` on the real data."""

from __future__ import annotations

from pathlib import Path

import pytest

import gapcast
from gapcast.model.bayes import SamplerSettings
from gapcast.store import Store

pytestmark = pytest.mark.mirror


def test_gap_forecast_and_fit_turn_into_frames(mirror_db: Path) -> None:
    with Store(mirror_db, read_only=True) as store:
        gap = gapcast.gap(store, "eci", draws=100)
        fc = gapcast.forecast(store, "baseline", draws=2000, save=False)
        tiny = SamplerSettings(warmup=50, samples=50, chains=1)
        fit = gapcast.fit(store, settings=tiny)
    frame = gap.to_frame()
    last = frame.iloc[-1]
    assert last["gap"] == pytest.approx(gap.result.gap_points)
    assert last["lag_months"] == pytest.approx(gap.result.lag.months)
    assert frame.attrs["as_of"] == "2025-12-22"
    probs = fc.to_frame()
    structural = fc.forecast.models["structural"]
    assert probs.loc[("structural", 60), "p_ahead"] == structural.p_ahead_within[60]
    head = fc.forecast.headline
    assert head is not None
    sustained = probs.loc[("structural (sustained)", 60)]
    assert sustained["p_lo90"] <= sustained["p_ahead"] <= sustained["p_hi90"]
    assert probs.loc[("trend", 12), "mc_error"] == fc.forecast.models["trend"].p_ahead_within_se[12]
    lam = fit.to_frame().loc["lambda"]  # the structural model's posterior (``gapcast fit``)
    assert lam["lo90"] < lam["mean"] < lam["hi90"] and lam["label"] in ("estimated", "prior")
    assert fit.to_frame().attrs["method"] == "NUTS"
    for result in (gap, fc, fit):
        page = result._repr_html_()
        assert page.startswith("<div><p><strong>") and "<table" in page
    assert "Epoch Capabilities Index (ECI): United States vs China" in gap._repr_html_()

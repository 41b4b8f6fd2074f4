"""Scenarios: every shipped file loads and runs; bad files and overrides give exact errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from forecast_data import baseline, baseline_text, group, inputs
from gapcast.errors import NotFoundError, ScenarioError
from gapcast.model import engine, structural
from gapcast.model.params import Beta, Fixed, LogNormal
from gapcast.model.trend import TrendModel
from gapcast.scenario.files import (
    Fitted,
    documented_fields,
    parse_scenario,
    scenario_table,
)
from gapcast.usecases import scenarios as files

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = files.names()


def test_the_required_scenarios_ship() -> None:
    assert {
        "baseline",
        "serving-bound",
        "node-doubling",
        "export-controls-tighten",
        "export-controls-loosen",
        "open-diffusion-fast",
        "china-research-push",
    } <= set(SHIPPED)
    assert SHIPPED[0] == "baseline"


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_scenario_loads_and_runs(name: str) -> None:
    sc = files.load(name)
    assert sc.name == name
    for row in scenario_table(sc):
        if row["value"].startswith(
            ("fixed", "uniform", "normal", "lognormal", "beta", "triangular")
        ):
            assert len(row["source"]) > 20, row["path"]
            assert "PRIORS" not in row["source"], row["path"]  # cite the publication
    inp = inputs(group("United States", 154.0, share=0.75), group("China", 146.0, share=0.09))
    tot = engine.run(TrendModel(sc, inp), 500, 1)
    assert tot.draws == 500 and 0 <= tot.ahead[-1] <= 500
    st = structural.run(structural.StructuralModel(sc, inp), 500, 1)
    assert st.draws == 500 and st.sfirst is not None and st.sfirst.sum() == 500


def test_china_research_push_lowers_china_serving_share() -> None:
    """The research push's demand grows more slowly than China's compute: the share falls."""
    inp = inputs(group("United States", 154.0, share=0.75), group("China", 146.0, share=0.09))
    drift = {}
    for name in ("baseline", "china-research-push"):
        sc = files.load(name)
        demand = sc.groups.challenger.serving.demand_growth.quantile(0.5)
        growth = sc.groups.challenger.compute.growth.quantile(0.5)
        drift[name] = demand / growth
        assert structural.StructuralModel(sc, inp).space
    assert drift["china-research-push"] < 1.0 < drift["baseline"]


def test_extends_merges_and_lists_replace() -> None:
    base, serving = files.load("baseline"), files.load("serving-bound")
    assert serving.world == base.world
    assert serving.groups.challenger.compute == base.groups.challenger.compute
    assert serving.groups.challenger.serving != base.groups.challenger.serving
    node = files.load("node-doubling")
    assert len(node.shocks) == 2 and node.shocks[0].date.isoformat() == "2026-02-01"
    assert node.content_hash() != base.content_hash()
    assert files.load("baseline").content_hash() == base.content_hash()


def test_fitted_and_interval_forms() -> None:
    sc = baseline()
    assert isinstance(sc.groups.challenger.releases.rate, Fitted)
    assert isinstance(sc.groups.challenger.serving.share, Beta)
    lo, hi = sc.groups.challenger.serving.share.interval()
    assert (lo, hi) == pytest.approx((0.5, 0.9), abs=1e-6)
    assert isinstance(sc.world.stock_h100e, LogNormal)


def _error(text: str, *sets: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, file="bad.yaml", overrides=sets)
    return str(info.value)


def test_unknown_field() -> None:
    text = baseline_text().replace(
        "    compute:\n      share_adjust:", "    compute:\n      share_adjst:", 1
    )
    assert _error(text) == (
        "bad.yaml: groups.leader.compute.share_adjst: unknown field; "
        "allowed: share_adjust, growth (and 1 more problem)"
    )


def test_wrong_type() -> None:
    text = baseline_text().replace("interval90: [14.0e+6, 22.0e+6]", "median: lots\n    sigma: 1")
    assert _error(text) == "bad.yaml: world.stock_h100e.median: 'lots' is not a number"


def test_negative_sd() -> None:
    text = baseline_text().replace(
        "  volatility:\n    value: 0.02",
        "  volatility:\n    dist: normal\n    mean: 0.02\n    sd: -0.01",
    )
    assert _error(text) == (
        "bad.yaml: world.volatility.sd: -0.01 is not allowed; must be > 0 (and 1 more problem)"
    ) or "world.volatility.sd: -0.01" in _error(text)


def test_bad_date() -> None:
    text = (files.SCENARIO_DIR / "node-doubling.yaml").read_text().replace("2026-02", "2026-13")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, file="bad.yaml", resolve=lambda n: (baseline_text(), "b.yaml"))
    assert str(info.value) == (
        "bad.yaml: shocks.0.date: '2026-13' is not a valid date; use YYYY-MM or YYYY-MM-DD"
    )


def test_unknown_distribution() -> None:
    text = baseline_text().replace("  catch_up:\n    dist: beta", "  catch_up:\n    dist: gamma", 1)
    assert _error(text) == (
        "bad.yaml: estimation.catch_up.dist: 'gamma' is not a "
        "distribution; allowed: fixed, uniform, normal, lognormal, beta"
    )
    fitted = baseline_text().replace("      rate: fitted", "      rate: fited", 1)
    assert _error(fitted) == (
        "bad.yaml: groups.leader.releases.rate: 'fited' is not a distribution; "
        "allowed: fixed, uniform, normal, lognormal, beta, triangular, "
        "fitted"
    )


def test_out_of_range_distribution() -> None:
    text = baseline_text().replace("interval90: [0.5, 0.9]", "interval90: [0.5, 1.2]")
    assert _error(text) == (
        "bad.yaml: groups.challenger.serving.share: interval90 of a beta "
        "must lie inside (0, 1), not [0.5, 1.2]"
    )
    normal = baseline_text().replace(
        "  volatility:\n    value: 0.02",
        "  volatility:\n    dist: normal\n    mean: 0.0\n    sd: 0.01",
    )
    assert (
        "world.volatility: normal median 0, 90% [-0.01645, 0.01645] has values outside "
        "the allowed range; must be >= 0" in _error(normal)
    )


def test_bad_extends(tmp_path: Path) -> None:
    (tmp_path / "child.yaml").write_text("extends: nowhere\nname: child\n")
    with pytest.raises(ScenarioError) as info:
        files.load(str(tmp_path / "child.yaml"), directory=tmp_path)
    assert str(info.value) == "extends: 'nowhere' is not a scenario; available: child"
    (tmp_path / "a.yaml").write_text("extends: b\nname: a\n")
    (tmp_path / "b.yaml").write_text("extends: a\nname: b\n")
    with pytest.raises(
        ScenarioError,
        match=r"extends: 'a' extends itself \(a -> b -> a\)|"
        r"extends: 'b' extends itself",
    ):
        files.load(str(tmp_path / "a.yaml"), directory=tmp_path)
    (tmp_path / "num.yaml").write_text("extends: 3\nname: n\n")
    with pytest.raises(ScenarioError, match="extends: 3 is not allowed; give a scenario name"):
        files.load(str(tmp_path / "num.yaml"), directory=tmp_path)


def test_not_yaml_and_not_found(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("name: [unclosed\n")
    with pytest.raises(ScenarioError, match="line 2: not valid YAML"):
        files.load(str(tmp_path / "x.yaml"))
    with pytest.raises(NotFoundError, match="no scenario 'nope'"):
        files.load("nope")


def test_set_overrides_are_validated() -> None:
    sc = files.load(
        "baseline",
        [
            "groups.challenger.serving.share=0.8",
            "horizon_months=36",
            "capability.research_elasticity={dist: normal, mean: 8, sd: 1}",
        ],
    )
    share = sc.groups.challenger.serving.share
    assert isinstance(share, Fixed) and share.value == 0.8
    assert share.source == "--set groups.challenger.serving.share"
    assert sc.horizon_months == 36 and sc.capability.research_elasticity.dist == "normal"
    node = files.load("node-doubling", ["shocks.0.add_h100e=20000"])
    assert node.shocks[0].add_h100e == Fixed(value=20000, source="--set shocks.0.add_h100e")
    cases = {
        "groups.challenger.serving.shar=0.8": "groups.challenger.serving.shar: unknown field; "
        "allowed: share, demand_growth, volatility",
        "groups.challenger.serving.share=1.5": "groups.challenger.serving.share: fixed 1.5 has "
        "values outside the allowed range; must be >= 0 "
        "and <= 1",
        "horizon_months=forever": "horizon_months: 'forever' is not a number",
        "horizon_months=0": "horizon_months: 0 is not allowed; must be >= 1",
        "groups.challenger.serving.share={dist: normal, mean: 0.5, sd: -1}": (
            "groups.challenger.serving.share.sd: -1 is not allowed; must be > 0"
        ),
        "world.stock_h100e.median.x=1": "world.stock_h100e.median: unknown field; this value "
        "has no sub-fields",
        "groups": "groups: is not allowed; write path=value",
    }
    for item, message in cases.items():
        with pytest.raises(ScenarioError) as info:
            files.load("baseline", [item])
        assert str(info.value).startswith(message), (item, str(info.value))


def test_every_scenario_field_is_documented() -> None:
    doc = (ROOT / "docs" / "scenarios.md").read_text()
    fields = documented_fields()
    assert len(fields) > 30
    for path, help_text in fields.items():
        assert help_text, path
        assert f"`{path}`" in doc, f"docs/scenarios.md does not document {path}"

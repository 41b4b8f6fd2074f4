"""Re-measuring published figures: sides, the LMArena preview rules, known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gapcast import names, schema
from gapcast.measure import claims as mc
from gapcast.measure.points import Selection, metric_rows

SNAP = pd.Timestamp("2025-02-28")


def _arena_scores() -> pd.DataFrame:
    """One LMArena snapshot: a released US model, a US preview, a US test entry, China."""
    rows = [
        # model key, country, accessibility, rating
        ("chatgpt-4o-latest", "United States", "closed", 1377.0),
        ("gemini-2.0-flash-thinking-exp-01-21", "United States", "closed", 1385.0),
        ("early-grok-3", "United States", "closed", 1403.0),
        ("deepseek-r1", "China", "open", 1363.0),
        ("llama-3.1-405b", "United States", "open", 1260.0),
    ]
    frame = pd.DataFrame(
        {
            "model_id": [r[0] for r in rows],
            "model": [r[0] for r in rows],
            "metric": "lmarena",
            "category": "overall",
            "style_control": False,
            "value": [r[3] for r in rows],
            "lo": [r[3] - 5 for r in rows],
            "hi": [r[3] + 5 for r in rows],
            "as_of": SNAP,
            "release_date": pd.Timestamp("2025-01-01"),
            "country": [r[1] for r in rows],
            "accessibility": [r[2] for r in rows],
            "preliminary": names.is_preliminary(pd.Series([r[0] for r in rows])).to_numpy(),
        }
    )
    return schema.conform(frame, "scores")


def test_preliminary_kinds() -> None:
    keys = pd.Series(
        [
            "gemini-exp-1206",
            "gemini-2.5-pro-preview-05-06",
            "deepseek-v3.2-exp",
            "early-grok-3",
            "late-june-chatbot",
            "im-also-a-late-june-chatbot",
            "gpt-4o",
            "c4ai-aya-expanse-32b",
        ]
    )
    assert names.preliminary_kind(keys).tolist() == [
        "preview",
        "preview",
        "preview",
        "test",
        "test",
        "test",
        "",
        "",
    ]


def test_preview_rules_choose_which_entries_count() -> None:
    scores, models = _arena_scores(), schema.empty("models")

    def versions(selection: Selection) -> set[str]:
        return set(metric_rows(scores, models, selection, SNAP)["version"])

    everything = {
        "chatgpt-4o-latest",
        "gemini-2.0-flash-thinking-exp-01-21",
        "early-grok-3",
        "deepseek-r1",
        "llama-3.1-405b",
    }
    assert versions(Selection("lmarena")) == everything - {"early-grok-3"}
    assert versions(Selection("lmarena", previews=False)) == everything - {
        "early-grok-3",
        "gemini-2.0-flash-thinking-exp-01-21",
    }
    assert versions(Selection("lmarena", test_entries=True)) == everything
    assert versions(Selection("lmarena", include_preliminary=True)) == everything
    settings = Selection("lmarena").settings(True)
    assert (settings["previews"], settings["test_entries"]) == (True, False)


def test_arena_relative_gap_under_each_rule() -> None:
    result = mc.arena_relative_gap(
        _arena_scores(), schema.empty("models"), "United States", "China", SNAP
    )
    # default: the public preview (1385) leads; (1385 - 1363) / 1363
    assert result.value == pytest.approx(22 / 1363 * 100)
    v = result.variants
    assert v["released models only (no previews, no test entries)"] == pytest.approx(
        14 / 1363 * 100
    )
    assert v["every entry (previews and anonymous test entries)"] == pytest.approx(40 / 1363 * 100)
    assert v["style control on (default entries)"] is None  # no style-controlled ratings


def test_sides_combine_country_and_accessibility() -> None:
    rows = _arena_scores()
    assert rows.loc[mc.side_mask(rows, "United States open-weights"), "model"].tolist() == [
        "llama-3.1-405b"
    ]
    assert rows.loc[mc.side_mask(rows, "China open-weights"), "model"].tolist() == ["deepseek-r1"]
    assert rows.loc[mc.side_mask(rows, "closed"), "model"].nunique() == 3
    assert rows.loc[mc.side_mask(rows, "everyone but China"), "model"].nunique() == 4
    result = mc.arena_relative_gap(rows, schema.empty("models"), "closed", "open", SNAP)
    assert result.value == pytest.approx(22 / 1363 * 100)


def _compute_models(growth: float) -> pd.DataFrame:
    """China's runs grow exactly ``growth`` x per year; the rest of the world 5x."""
    rows = []
    for i in range(12):
        when = pd.Timestamp("2022-01-01") + pd.Timedelta(days=round(i * 365.25 / 4))
        year = when.year + (when.day_of_year - 1) / 365.25 - 2022.0
        rows.append((f"cn-{i}", "China", when, 1e23 * growth**year))
        rows.append((f"us-{i}", "United States", when, 1e24 * 5.0**year))
    frame = pd.DataFrame(
        {
            "model_id": [r[0] for r in rows],
            "name": [r[0] for r in rows],
            "country": [r[1] for r in rows],
            "release_date": [r[2] for r in rows],
            "training_compute_flop": [r[3] for r in rows],
        }
    )
    return schema.conform(frame, "models")


def test_compute_growth_known_answer() -> None:
    models = _compute_models(3.0)
    result = mc.compute_growth(
        models,
        schema.empty("scores"),
        "China",
        pd.Timestamp("2025-01-22"),
        pd.Timestamp("2021-10-01"),
    )
    # every run is a new largest one, so all count: the fitted growth is the true 3x
    assert result.value == pytest.approx(3.0, rel=1e-6)
    assert result.variants["everyone but China: top 10 when released"] == pytest.approx(
        5.0, rel=1e-6
    )
    assert np.isfinite(result.variants["China: the 10 largest runs of the window"] or np.nan)

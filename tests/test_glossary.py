"""One word per concept: every parameter has a human label in three languages, never its path."""

from __future__ import annotations

import re

import pytest

from gapcast import glossary
from gapcast.scenario.files import scenario_table
from gapcast.usecases import scenarios


def _uncertain_paths() -> set[str]:
    paths: set[str] = set()
    for name in scenarios.names():
        for row in scenario_table(scenarios.load(name, [])):
            paths.add(str(row["path"]))
    return paths


@pytest.mark.parametrize("lang", glossary.LANGS)
def test_every_shipped_parameter_has_a_label_that_is_not_its_path(lang: str) -> None:
    for path in _uncertain_paths():
        text = glossary.label(path, lang)
        assert text and text != path, path
        assert not re.search(r"[a-z]+\.[a-z_]+|_", text), (path, text)  # no raw field path


def test_every_entry_has_all_three_languages() -> None:
    for table in (glossary.TERMS, glossary.PARTS, glossary.PARAMS, glossary.SEGMENTS):
        for key, words in table.items():
            assert set(words) == set(glossary.LANGS), key


def test_labels_of_paths_the_glossary_does_not_list() -> None:
    assert glossary.label("growth_changes.0.factor") == "Change of compute growth no. 1, factor"
    assert glossary.label("shocks.1.date", "ja") == "計算資源ショック2・日付"
    assert (
        glossary.label("groups.challenger.releases.rate")
        == "Challenger: frontier releases per month"
    )
    assert glossary.label("groups.leader.new_thing.rate") == "Leader: new thing, per month"
    assert glossary.part("group_term") == "persistent offset"
    assert glossary.term("persistent_offset", "zh") == glossary.part("group_term", "zh")

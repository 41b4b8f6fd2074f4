"""Normalisation as data: model keys, countries, organisations, accessibility, places."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gapcast import names
from gapcast.data import read_table


def series(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype="str")


@pytest.mark.parametrize(
    "name,key",
    [
        ("GPT-4.1", "gpt-4-1"),
        ("Llama-2-70b-hf ", "llama-2-70b-hf"),
        ("GPT-3.5 (davinci-002)\n", "gpt-3-5-davinci-002"),
        ("Command R+", "command-r-plus"),
        ("PointNet++", "pointnet-plus-plus"),
        ("Mutimodal-T-SciQ_Large \U0001f947", "mutimodal-t-sciq-large"),
        ("Qwen/Qwen3-235B-A22B", "qwen-qwen3-235b-a22b"),
        ("文心一言 4.0", "文心一言-4-0"),
        ("", ""),
    ],
)
def test_model_key(name: str, key: str) -> None:
    assert names.model_key(name) == key


@given(st.text())
def test_model_key_is_idempotent_and_vectorised_the_same(name: str) -> None:
    key = names.model_key(name)
    assert names.model_key(key) == key
    assert names.model_keys(series(name)).tolist() == [key]


@pytest.mark.parametrize(
    "version,model",
    [
        ("o3-2025-04-16_high", "o3-2025-04-16"),
        ("gpt-5.2-pro-2025-12-11_xhigh", "gpt-5.2-pro-2025-12-11"),
        ("claude-opus-4-5-20251101_32K", "claude-opus-4-5-20251101"),
        ("claude-opus-4-5-20251101-thinking-32k", "claude-opus-4-5-20251101"),
        ("DeepSeek-V3.2-Exp_thinking", "DeepSeek-V3.2-Exp"),
        ("fireworks/deepseek-v3p2", "deepseek-v3p2"),
        ("chutes/gpt-oss-120b_high", "gpt-oss-120b"),
        ("gemini-2.5-deep-think-2025-08-01-webapp", "gemini-2.5-deep-think-2025-08-01"),
        ("qwen3-235b-a22b-no-thinking", "qwen3-235b-a22b"),
        ("gpt-5-high", "gpt-5"),
        ("InternVL2_5-78B", "InternVL2_5-78B"),
        ("qwen3-235b-a22b-thinking-2507", "qwen3-235b-a22b-thinking-2507"),
        ("_high", "_high"),
    ],
)
def test_strip_variant(version: str, model: str) -> None:
    assert names.strip_variant(version) == model
    assert names.strip_variants(series(version)).tolist() == [model]


def test_countries_under_the_several_countries_rule() -> None:
    country, countries = names.countries(
        series(
            "United States of America",
            "United States of America,China",
            "United States of America,United States of America",
            "Hong Kong,China",
            "Korea (Republic of)",
            "United Kingdom of Great Britain and Northern Ireland, Canada",
            "",
            " France ",
        )
    )
    assert country.tolist() == [
        "United States",
        "United States",
        "United States",
        "China",
        "South Korea",
        "United Kingdom",
        pd.NA,
        "France",
    ]
    assert countries.tolist() == [
        "United States",
        "United States|China",
        "United States",
        "China",
        "South Korea",
        "United Kingdom|Canada",
        pd.NA,
        "France",
    ]
    assert country.dtype == "string"


@pytest.mark.parametrize(
    "raw,country",
    [
        ("US", "United States"),
        ("other", "Other"),
        ("Iran (Islamic Republic of)", "Iran"),
        ("Atlantis", "Atlantis"),
        ("  ", None),
    ],
)
def test_normalize_country(raw: str, country: str | None) -> None:
    assert names.normalize_country(raw) == country


def test_known_countries() -> None:
    assert names.is_known_country("us") and names.is_known_country("France")
    assert not names.is_known_country("Mars")


def test_accessibility() -> None:
    labels = series(
        "Open weights (unrestricted)",
        "Open weights (non-commercial)",
        "API access",
        "Hosted access (no API)",
        "Unreleased",
        "Yes",
        "No",
        "",
        "Something new",
    )
    assert names.accessibility(labels).tolist() == [
        "open",
        "open",
        "closed",
        "closed",
        "closed",
        "open",
        "closed",
        pd.NA,
        pd.NA,
    ]
    licences = series("Proprietary", "Propretary", "MIT", "Llama 4", "Other", "", "Brand-new 2.0")
    assert names.accessibility(licences, licenses=True).tolist() == [
        "closed",
        "closed",
        "open",
        "open",
        pd.NA,
        pd.NA,
        "open",
    ]


def test_canonical_organizations() -> None:
    orgs = series(
        "DeepSeek AI",
        "Z.ai (Zhipu AI),Tsinghua University",
        "Google DeepMind,Google",
        "Meta AI",
        "zhipu",
        "Unheard Of Labs",
        "",
    )
    assert names.canonical_organizations(orgs).tolist() == [
        "DeepSeek",
        "Zhipu AI",
        "Google",
        "Meta",
        "Zhipu AI",
        "Unheard Of Labs",
        pd.NA,
    ]


def test_builtin_organizations_table() -> None:
    table = names.builtin_organizations()
    assert list(table.columns) == ["organization", "country", "note", "source", "file", "row"]
    row = table.set_index("organization").loc["Z.ai (Zhipu AI)"]
    assert row["country"] == "China" and row["note"].startswith("Zhipu AI: ")


@pytest.mark.parametrize(
    "key,preliminary",
    [
        ("gemini-2.5-pro-preview-05-06", True),
        ("gemini-exp-1206", True),
        ("llama-4-maverick-03-26-experimental", True),
        ("late-june-chatbot", True),
        ("im-also-a-late-june-chatbot", True),
        ("early-grok-3", True),
        ("deepseek-v3.2-exp", True),
        ("c4ai-aya-expanse-32b", False),
        ("gpt-4o", False),
        ("o1-preview", True),
    ],
)
def test_preliminary(key: str, preliminary: bool) -> None:
    assert names.is_preliminary(series(key)).tolist() == [preliminary]


@pytest.mark.parametrize(
    "text,country",
    [
        ("5502 Spinks Rd, Abilene, TX 79601", "United States"),
        ("Madison Mega Site Canton, Mississippi Madison County", "United States"),
        ("Zhangbei County, Zhangjiakou, Hebei, China, 076471", "China"),
        ("Al Dhafrah, Abu Dhabi, United Arab Emirates", "United Arab Emirates"),
        ("OpenAI-Oracle Stargate Abu Dhabi", "United Arab Emirates"),
        ("Microsoft Fairwater Fayetteville Georgia", "United States"),
        ("somewhere unknown", None),
    ],
)
def test_country_of_places(text: str, country: str | None) -> None:
    found = names.country_of_places(series(text)).tolist()[0]
    assert (None if pd.isna(found) else found) == country


@pytest.mark.parametrize(
    "table,key",
    [
        ("countries.csv", "name"),
        ("organizations.csv", "alias"),
        ("accessibility.csv", "value"),
        ("model_aliases.csv", "alias"),
        ("places.csv", "place"),
        ("benchmarks.csv", "file"),
    ],
)
def test_data_tables_have_unique_keys_and_notes(table: str, key: str) -> None:
    rows = read_table(table)
    keys = [row[key].casefold() for row in rows]
    assert len(keys) == len(set(keys)), table
    assert all("note" in row for row in rows)
    assert all(row[key] for row in rows)


def test_model_aliases_are_keyed() -> None:
    aliases = names.model_aliases()
    assert aliases["chatgpt-4o-latest-20250326"] == "gpt-4o-mar-2025"
    assert aliases["gpt-4"] == "gpt-4-mar-2023"

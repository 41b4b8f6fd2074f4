"""LMArena sources and the org -> country table, on small fixtures in the real formats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from gapcast.errors import DataError
from gapcast.sources import REGISTRY
from gapcast.sources.base import Parsed
from gapcast.sources.common import MirrorOnlyDownload
from gapcast.sources.lmarena import LmarenaCatalog

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def parse(source: str, rel: str) -> Parsed:
    return REGISTRY[source].parse((FIXTURES / rel).read_bytes(), rel)


def test_history_without_style_control() -> None:
    scores = parse("lmarena_history", "lmarena/leaderboard_history.csv").tables["scores"]
    assert len(scores) == 8  # the exact duplicate deepseek-r1 row is dropped
    assert set(scores["metric"]) == {"lmarena"} and not scores["style_control"].any()
    first = scores.iloc[0]
    assert (first["model"], first["category"], first["as_of"]) == (
        "gpt-4",
        "overall",
        pd.Timestamp("2023-05-08"),
    )
    assert pd.isna(first["lo"]) and pd.isna(first["hi"])  # lmarena-history rows: no interval
    r1 = scores[(scores["model"] == "deepseek-r1") & (scores["category"] == "overall")].iloc[0]
    assert (r1["value"], r1["lo"], r1["hi"]) == (1360.2, 1352.1, 1368.0)
    assert scores.loc[scores["preliminary"], "model"].tolist() == [
        "gemini-2.0-pro-exp-02-05",
        "late-june-chatbot",
    ]


def test_history_with_style_control() -> None:
    scores = parse("lmarena_history", "lmarena/leaderboard_history_style_control.csv")
    assert scores.tables["scores"]["style_control"].all()


def test_raw_wide_result_csv_drops_zeros() -> None:
    scores = parse("lmarena_history_raw", "lmarena/raw/result.csv").tables["scores"]
    assert scores[["model", "as_of", "value", "row"]].values.tolist() == [
        ["claude-v1", pd.Timestamp("2023-05-08"), 1224.715101889762, 2],
        ["gpt-4", pd.Timestamp("2023-05-08"), 1274.1856580388371, 2],
        ["deepseek-r1", pd.Timestamp("2025-02-21"), 1360.2, 3],
        ["gpt-4", pd.Timestamp("2025-02-21"), 1252.3, 3],
    ]
    assert (scores["category"] == "overall").all() and not scores["style_control"].any()


def test_catalog_json_takes_the_snapshot_date_from_the_caller() -> None:
    raw = (FIXTURES / "lmarena/raw/leaderboard-text.json").read_bytes()
    catalog = LmarenaCatalog().with_snapshot_date(dt.date(2025, 12, 11))
    scores = catalog.parse(raw, "lmarena/raw/leaderboard-text.json").tables["scores"]
    assert scores["category"].tolist() == ["overall", "overall", "chinese"]  # full -> overall
    assert (scores["as_of"] == pd.Timestamp("2025-12-11")).all()
    assert scores["row"].tolist() == [1, 2, 3]
    assert scores.loc[scores["preliminary"], "model"].tolist() == ["deepseek-v3.2-exp-thinking"]
    gemini = scores.iloc[0]
    assert (gemini["value"], gemini["lo"], gemini["hi"]) == (1492.4, 1484.9, 1500.1)


def test_catalog_snapshot_date_rule() -> None:
    catalog = LmarenaCatalog(snapshot_date=dt.date(2025, 12, 17))
    assert catalog.snapshot_of("leaderboard-text-2025-11-06.json") == dt.date(2025, 11, 6)
    assert catalog.snapshot_of("x/leaderboard-text-20250221.json") == dt.date(2025, 2, 21)
    assert catalog.snapshot_of("leaderboard-text.json") == dt.date(2025, 12, 17)
    assert LmarenaCatalog().snapshot_of("leaderboard-text.json") is None
    style = REGISTRY["lmarena_catalog"].parse(
        (FIXTURES / "lmarena/raw/leaderboard-text-style-control.json").read_bytes(),
        "leaderboard-text-style-control-20251217.json",
    )
    assert style.tables["scores"]["style_control"].all()
    assert (style.tables["scores"]["as_of"] == pd.Timestamp("2025-12-17")).all()


def test_model_metadata() -> None:
    models = parse("lmarena_models", "lmarena/models.csv").tables["models"]
    assert models[["version", "organization", "accessibility"]].values.tolist() == [
        ["deepseek-r1", "DeepSeek", "open"],
        ["o1-2024-12-17", "OpenAI", "closed"],
        ["gemini-exp-1206", "Google", "closed"],
        ["claude-3-5-sonnet-20241022", "Anthropic", "closed"],  # 'Propretary'
    ]
    supplement = parse("lmarena_models", "lmarena/models_supplement.csv").tables["models"]
    chatbot = supplement.set_index("version").loc["late-june-chatbot"]
    assert pd.isna(chatbot["organization"]) and pd.isna(chatbot["accessibility"])
    scatter = parse("lmarena_catalog", "lmarena/raw/scatterplot-data.json").tables["models"]
    assert scatter[["model_id", "name", "accessibility"]].values.tolist() == [
        ["chatgpt-4o-latest-20241120", "GPT-4o", "closed"],
        ["deepseek-r1", "DeepSeek-R1", "open"],
    ]


def test_org_country() -> None:
    rows = parse("org_country", "org_country.csv").tables["organizations"]
    assert rows[["organization", "country"]].values.tolist() == [
        ["DeepSeek", "China"],
        ["OpenAI", "United States"],
        ["Mistral", "Other"],
        ["LMSYS", "United States"],
        ["Google", "United States"],
    ]
    assert rows["note"].iloc[0] == "main-lab list (by hand): China"


@pytest.mark.parametrize(
    "raw,message",
    [
        (
            b"organization,country\nAcme,Mars\n",
            "org_country.csv: row 2, column country: unknown country 'Mars' (expected US, China "
            "or other, or a country named in gapcast's countries table)",
        ),
        (b"organization,country\nAcme,\n", "org_country.csv: row 2, column country: empty country"),
        (
            b"organization,country\n,US\n",
            "org_country.csv: row 2, column organization: empty organization",
        ),
    ],
)
def test_org_country_errors(raw: bytes, message: str) -> None:
    with pytest.raises(DataError) as caught:
        REGISTRY["org_country"].parse(raw, "org_country.csv")
    assert str(caught.value) == message


def test_mirror_only_files_say_so() -> None:
    mirror_only = {
        d.file: d
        for s in REGISTRY.values()
        for d in s.downloads
        if isinstance(d, MirrorOnlyDownload)
    }
    assert sorted(mirror_only) == [
        "lmarena/leaderboard_history.csv",
        "lmarena/leaderboard_history_style_control.csv",
        "lmarena/models.csv",
        "lmarena/models_supplement.csv",
        "org_country.csv",
    ]
    assert all(d.note.startswith("gapcast mirror only") for d in mirror_only.values())

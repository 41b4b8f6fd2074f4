"""Cross-source resolution: linking, model merging, country filling, unresolved names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gapcast import schema
from gapcast.resolve import Resolved, link_table, resolve
from gapcast.sources import detect

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load() -> dict[str, pd.DataFrame]:
    tables: dict[str, list[pd.DataFrame]] = {}
    for path in sorted(FIXTURES.rglob("*.*")):
        rel = path.relative_to(FIXTURES).as_posix()
        if rel.startswith("bad/"):
            continue
        raw = path.read_bytes()
        for name, frame in detect(rel, raw).parse(raw, rel).tables.items():
            tables.setdefault(name, []).append(frame)
    return {name: pd.concat(frames, ignore_index=True) for name, frames in tables.items()}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return load()


@pytest.fixture(scope="module")
def resolved(tables: dict[str, pd.DataFrame]) -> Resolved:
    return resolve(tables["models"], tables["scores"], tables["organizations"])


def score(model: str, source: str = "epoch_benchmarks", **values: object) -> dict[str, object]:
    return {
        "model": model,
        "model_id": model.lower(),
        "metric": "m",
        "value": 1.0,
        "source": source,
        "file": "f.csv",
        "row": 2,
        **values,
    }


def test_models_merge_one_row_per_model_by_source_precedence(resolved: Resolved) -> None:
    models = resolved.models
    assert list(models.columns) == list(schema.MODELS)
    assert models["model_id"].is_unique
    gpt4 = models.set_index("model_id").loc["gpt-4-mar-2023"]
    # ECI, frontier and notable all list it: ECI wins every column it has
    assert (gpt4["source"], gpt4["name"], gpt4["release_date"]) == (
        "epoch_eci",
        "GPT-4 (Mar 2023)",
        pd.Timestamp("2023-03-14"),
    )
    deepseek = models.set_index("model_id").loc["deepseek-v3"]
    assert (deepseek["country"], deepseek["accessibility"], deepseek["training_compute_flop"]) == (
        "China",
        "open",
        3.3e24,
    )
    grok = models.set_index("model_id").loc["grok-3"]
    assert grok["source"] == "epoch_frontier_models" and pd.isna(grok["accessibility"])


def test_columns_fill_from_lower_precedence_sources() -> None:
    models = pd.DataFrame(
        [
            {
                "model_id": "x",
                "name": "X",
                "source": "epoch_eci",
                "file": "e",
                "row": 2,
                "organization": "Acme",
            },
            {
                "model_id": "x",
                "name": "X",
                "source": "epoch_notable_models",
                "file": "n",
                "row": 9,
                "organization": "Other Org",
                "country": "France",
                "countries": "France|Germany",
                "training_compute_flop": 1e24,
            },
        ]
    )
    merged = resolve(models, schema.empty("scores"), schema.empty("organizations")).models
    row = merged.iloc[0]
    assert (row["organization"], row["country"], row["countries"]) == (
        "Acme",
        "France",
        "France|Germany",
    )
    assert (row["training_compute_flop"], row["source"], row["row"]) == (1e24, "epoch_eci", 2)


def test_lmarena_keys_link_to_epoch_models(resolved: Resolved) -> None:
    lm = resolved.scores[resolved.scores["source"] == "lmarena_history"]
    by_model = lm.drop_duplicates("model").set_index("model")
    gpt4 = by_model.loc["gpt-4"]  # through the alias table
    assert (gpt4["model_id"], gpt4["organization"], gpt4["country"], gpt4["accessibility"]) == (
        "gpt-4-mar-2023",
        "OpenAI",
        "United States",
        "closed",
    )
    sonnet = by_model.loc["claude-3-5-sonnet-20241022"]  # an ECI model version
    assert (sonnet["model_id"], sonnet["country"]) == ("claude-3-5-sonnet", "United States")
    r1 = by_model.loc["deepseek-r1"]  # LMArena metadata + org_country
    assert (r1["model_id"], r1["organization"], r1["country"], r1["accessibility"]) == (
        "deepseek-r1",
        "DeepSeek",
        "China",
        "open",
    )
    vicuna = by_model.loc["vicuna-13b"]
    assert (vicuna["organization"], vicuna["country"]) == ("LMSYS", "United States")


def test_benchmark_versions_link_after_stripping_variants(resolved: Resolved) -> None:
    bench = resolved.scores[resolved.scores["source"] == "epoch_benchmarks"]
    ids = dict(zip(bench["model"].fillna(""), bench["model_id"].fillna(""), strict=True))
    assert ids["fireworks/deepseek-v3p2"] == "deepseek-v3-2"
    assert ids["o3-2025-04-16_high"] == "o3"
    assert ids["gpt-4-0314"] == "gpt-4-mar-2023"
    assert ids["AquilaChat2 34B"] == "aquilachat2-34b"  # links to nothing: keeps its key


def test_link_table_levels(tables: dict[str, pd.DataFrame]) -> None:
    lookup = link_table(tables["models"])
    assert lookup["gpt-4-0314"] == "gpt-4-mar-2023"  # ECI version and frontier versions
    assert lookup["grok-3-beta"] == "grok-3"  # frontier 'Model versions (benchmarks)'
    assert lookup["o3-2025-04-16"] == "o3"  # version with its effort suffix stripped
    assert lookup["deepseek-v3"] == "deepseek-v3"  # Epoch names
    assert lookup["chatgpt-4o-latest-20241120"] == "gpt-4o"  # alias -> frontier name


def test_country_precedence() -> None:
    models = pd.DataFrame(
        [
            {
                "model_id": "m1",
                "name": "M1",
                "organization": "OpenAI",
                "country": "United States",
                "countries": "United States",
                "source": "epoch_eci",
                "file": "e",
                "row": 2,
            }
        ]
    )
    organizations = pd.DataFrame(
        [
            {"organization": "Mistral", "country": "Other", "source": "org_country"},
            {"organization": "Acme", "country": "Other", "source": "org_country"},
            {"organization": "Qwen", "country": "China", "source": "org_country"},
        ]
    )
    scores = pd.DataFrame(
        [
            score("M1", country="France", countries="France"),  # the file's own country wins
            score("M1"),  # else the linked model's
            score("x", organization="Mistral"),  # a specific country beats 'Other'
            score("y", organization="Acme"),  # 'Other' when nothing more specific is known
            score("z", organization="Qwen,Stanford"),  # first-listed organisation
            score("w", organization="DeepSeek AI"),  # built-in alias table
            score("v", organization="Nobody Labs"),
            score("u"),
        ]
    )
    out = resolve(models, scores, organizations)
    assert out.scores["country"].tolist() == [
        "France",
        "United States",
        "France",
        "Other",
        "China",
        "China",
        pd.NA,
        pd.NA,
    ]
    assert out.scores["organization"].tolist()[:2] == ["OpenAI", "OpenAI"]
    assert out.scores["countries"].tolist()[:3] == ["France", "United States", "France"]
    assert out.unresolved.values.tolist() == [
        ["organization", "Nobody Labs", "epoch_benchmarks", 1],
        ["model", "u", "epoch_benchmarks", 1],
    ]


def test_unresolved_lists_everything_without_a_country(resolved: Resolved) -> None:
    unresolved = resolved.unresolved
    assert list(unresolved.columns) == ["kind", "name", "source", "rows"]
    rows = {(k, n, s): r for k, n, s, r in unresolved.itertuples(index=False)}
    assert rows[("model", "AquilaChat2 34B", "epoch_benchmarks")] == 2
    assert rows[("model", "(no model name)", "epoch_benchmarks")] == 1
    assert rows[("model", "late-june-chatbot", "lmarena_history")] == 1
    assert ("model", "late-june-chatbot", "lmarena_models") not in rows  # scores only
    assert rows[("model", "mystery-model", "epoch_eci")] == 1
    # every score row without a country is counted exactly once
    scores = resolved.scores
    nameless = scores["country"].isna() & scores["organization"].isna()
    assert unresolved.loc[unresolved["kind"] == "model", "rows"].sum() == nameless.sum()


def test_scores_keep_every_row_in_order(
    tables: dict[str, pd.DataFrame], resolved: Resolved
) -> None:
    assert len(resolved.scores) == len(tables["scores"])
    assert list(resolved.scores.columns) == list(schema.SCORES)
    assert resolved.scores["value"].tolist() == tables["scores"]["value"].tolist()


def test_empty_inputs() -> None:
    out = resolve(schema.empty("models"), schema.empty("scores"), schema.empty("organizations"))
    assert out.models.empty and out.scores.empty and out.unresolved.empty
    assert list(out.unresolved.columns) == ["kind", "name", "source", "rows"]

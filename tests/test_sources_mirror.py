"""Every file of the real data mirror is recognised, parses, and holds what MANIFEST says."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from gapcast.resolve import Resolved, resolve
from gapcast.sources import HEAD_BYTES, detect
from gapcast.sources.base import Parsed
from gapcast.sources.epoch_benchmarks import benchmarks

pytestmark = pytest.mark.mirror

# canonical table each 1:1 file maps onto (one canonical row per data record)
ONE_TO_ONE = {
    "epoch/eci.csv": "models",
    "epoch/notable_ai_models.csv": "models",
    "epoch/frontier_ai_models.csv": "models",
    "epoch/large_scale_ai_models.csv": "models",
    "epoch/gpu_clusters.csv": "compute",
    "epoch/data_centers.csv": "compute",
    "epoch/data_center_timelines.csv": "compute",
    "epoch/ml_hardware.csv": "hardware",
    "lmarena/leaderboard_history.csv": "scores",
    "lmarena/leaderboard_history_style_control.csv": "scores",
    "lmarena/models.csv": "models",
    "lmarena/models_supplement.csv": "models",
    "org_country.csv": "organizations",
}


def data_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".csv", ".json"):
            yield path


@pytest.fixture(scope="module")
def parsed(mirror: Path) -> dict[str, Parsed]:
    out = {}
    for path in data_files(mirror):
        rel = path.relative_to(mirror).as_posix()
        raw = path.read_bytes()
        out[rel] = detect(rel, raw[:HEAD_BYTES]).parse(raw, rel)
    return out


@pytest.fixture(scope="module")
def manifest_rows(mirror: Path) -> dict[str, int]:
    text = (mirror / "MANIFEST.md").read_text(encoding="utf-8")
    found = re.findall(r"^\| `([^`]+)` \| [^|]+ \| (\d+) \|", text, flags=re.MULTILINE)
    return {name: int(rows) for name, rows in found}


@pytest.fixture(scope="module")
def resolved(parsed: dict[str, Parsed]) -> Resolved:
    def table(name: str) -> pd.DataFrame:
        return pd.concat(
            [p.tables[name] for p in parsed.values() if name in p.tables], ignore_index=True
        )

    return resolve(table("models"), table("scores"), table("organizations"))


def test_every_file_is_recognised_and_parses(mirror: Path, parsed: dict[str, Parsed]) -> None:
    assert len(parsed) == len(list(data_files(mirror))) == 66
    sources = {rel: p.source for rel, p in parsed.items()}
    assert sources["epoch/eci.csv"] == "epoch_eci"
    assert sources["lmarena/raw/result.csv"] == "lmarena_history_raw"
    assert {s for rel, s in sources.items() if rel.startswith("epoch/benchmarks/")} == {
        "epoch_benchmarks"
    }


@pytest.mark.parametrize("head", [1024, 4096])
def test_short_heads_are_enough_to_detect(
    mirror: Path, parsed: dict[str, Parsed], head: int
) -> None:
    for path in data_files(mirror):
        rel = path.relative_to(mirror).as_posix()
        with path.open("rb") as handle:
            assert detect(rel, handle.read(head)).name == parsed[rel].source, rel


def test_row_counts_match_the_manifest(
    parsed: dict[str, Parsed], manifest_rows: dict[str, int]
) -> None:
    for rel, table in ONE_TO_ONE.items():
        assert len(parsed[rel].tables[table]) == manifest_rows[rel], rel
    assert len(parsed["lmarena/raw/scatterplot-data.json"].tables["models"]) == 141
    assert len(parsed["lmarena/raw/leaderboard-text.json"].tables["scores"]) == 7461
    assert parsed["lmarena/raw/leaderboard-text.json"].tables["scores"]["category"].nunique() == 29


def test_benchmark_rows_are_all_kept_unless_the_score_is_empty(
    mirror: Path, parsed: dict[str, Parsed], manifest_rows: dict[str, int]
) -> None:
    table = benchmarks()
    for rel, result in parsed.items():
        if not rel.startswith("epoch/benchmarks/"):
            continue
        spec = table[rel.rsplit("/", 1)[1]]
        with (mirror / rel).open(encoding="utf-8", newline="") as handle:
            records = list(csv.DictReader(handle))
        assert len(records) == manifest_rows[rel], rel
        empty = sum(r[spec.score_column].strip() in ("", "NaN") for r in records)
        assert len(result.tables["scores"]) == len(records) - empty, rel
        assert set(result.tables["scores"]["metric"]) == {spec.metric}


def test_raw_lmarena_history_keeps_only_real_ratings(
    mirror: Path, parsed: dict[str, Parsed]
) -> None:
    text = (mirror / "lmarena/raw/result.csv").read_text(encoding="utf-8")
    wide = list(csv.reader(io.StringIO(text)))
    ratings = sum(float(cell) > 0 for row in wide[1:] for cell in row[1:] if cell)
    scores = parsed["lmarena/raw/result.csv"].tables["scores"]
    assert len(scores) == ratings == 11827
    assert scores["as_of"].min() == pd.Timestamp("2023-05-08")
    assert scores["as_of"].max() == pd.Timestamp("2025-02-27")


def test_real_values_by_hand(parsed: dict[str, Parsed]) -> None:
    eci = parsed["epoch/eci.csv"].tables["scores"].set_index("model")
    assert eci.loc["gpt-4-0314", "value"] == pytest.approx(126.16336, abs=1e-4)
    assert eci.loc["gpt-4-0314", "model_id"] == "gpt-4-mar-2023"
    models = parsed["epoch/eci.csv"].tables["models"].set_index("version")
    assert models.loc["DeepSeek-V3", "training_compute_flop"] == 3.3e24
    assert models.loc["DeepSeek-V3", "country"] == "China"
    assert models.loc["Llama-2-70b-hf", "organization"] == "Meta AI"  # 'Llama-2-70b-hf '
    assert models.loc["text-davinci-002", "name"] == "GPT-3.5 (davinci-002)"
    assert eci.loc["claude-3-5-sonnet-20241022", "preliminary"]  # the Unverified row

    notable = parsed["epoch/notable_ai_models.csv"].tables["models"].set_index("name")
    assert "Solar Open 100B" in notable.index
    assert notable.loc["DeepSeek-V3", "accessibility"] == "open"

    history = parsed["lmarena/leaderboard_history.csv"].tables["scores"]
    first = history.iloc[0]
    assert (first["model"], first["value"]) == ("gpt-4", pytest.approx(1274.1856580388371))
    assert history["as_of"].nunique() == 115 and history["model"].nunique() == 349

    hardware = parsed["epoch/ml_hardware.csv"].tables["hardware"].set_index("name")
    assert hardware.loc["NVIDIA H100 SXM5 80GB", "h100e"] == 1.0
    assert hardware.loc["NVIDIA A100 SXM4 80 GB", "h100e"] == pytest.approx(312 / 989.4)

    clusters = parsed["epoch/gpu_clusters.csv"].tables["compute"].set_index("name")
    phase1 = clusters.loc["xAI Colossus Memphis Phase 1"]
    assert phase1["counted"] and phase1["end_date"] == pd.Timestamp("2025-02-18")
    sites = parsed["epoch/data_centers.csv"].tables["compute"]
    assert sites["country"].notna().all()


def test_the_natural_keys_hold_on_the_real_files(parsed: dict[str, Parsed]) -> None:
    eci = parsed["epoch/eci.csv"].tables["models"]
    assert eci["version"].is_unique
    for rel in ("lmarena/leaderboard_history.csv", "lmarena/leaderboard_history_style_control.csv"):
        scores = parsed[rel].tables["scores"]
        assert not scores.duplicated(["as_of", "category", "model"]).any()
    assert parsed["org_country.csv"].tables["organizations"]["organization"].is_unique


def test_resolved_mirror(resolved: Resolved) -> None:
    models, scores = resolved.models, resolved.scores
    assert models["model_id"].is_unique
    lmarena = scores[scores["source"] == "lmarena_history"]
    missing = lmarena.loc[lmarena["country"].isna(), "model"].unique().tolist()
    assert sorted(missing) == ["im-also-a-late-june-chatbot", "late-june-chatbot"]
    by_model = lmarena.drop_duplicates("model").set_index("model")
    assert by_model.loc["deepseek-r1", ["model_id", "country", "accessibility"]].tolist() == [
        "deepseek-r1",
        "China",
        "open",
    ]
    assert by_model.loc["gpt-4", "model_id"] == "gpt-4-mar-2023"
    assert by_model.loc["qwen3-235b-a22b-no-thinking", "country"] == "China"
    assert by_model.loc["mistral-large-2407", "country"] == "France"  # not org_country's 'other'
    linked = lmarena.drop_duplicates("model")["model_id"].isin(
        models.loc[models["source"].str.startswith("epoch_"), "model_id"]
    )
    assert linked.sum() >= 250  # of 349 LMArena keys

    unresolved = resolved.unresolved
    assert list(unresolved.columns) == ["kind", "name", "source", "rows"]
    assert not (unresolved["kind"] == "organization").any()
    assert {"late-june-chatbot", "(no model name)"} <= set(unresolved["name"])
    eci = scores[scores["source"] == "epoch_eci"]
    assert eci["country"].notna().all()  # every scored ECI row names its country

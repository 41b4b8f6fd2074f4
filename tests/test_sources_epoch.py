"""Epoch AI sources on small fixtures with the real formats' quirks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gapcast import schema
from gapcast.errors import DataError
from gapcast.sources import REGISTRY
from gapcast.sources.base import Parsed
from gapcast.sources.common import ArchiveDownload
from gapcast.sources.epoch_benchmarks import benchmarks

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def parse(source: str, rel: str, raw: bytes | None = None) -> Parsed:
    data = (FIXTURES / rel).read_bytes() if raw is None else raw
    parsed = REGISTRY[source].parse(data, rel)
    for table, frame in parsed.tables.items():
        assert list(frame.columns) == list(schema.TABLES[table]), table
        assert (frame["source"] == source).all()
        assert (frame["file"] == rel.rsplit("/", 1)[-1]).all()  # the name, without folders
    return parsed


def test_eci_models_and_scores() -> None:
    parsed = parse("epoch_eci", "epoch/eci.csv")
    models, scores = parsed.tables["models"], parsed.tables["scores"]
    assert len(models) == 12  # 13 records, the exact duplicate of DeepSeek-V3 dropped
    by_version = models.set_index("version")
    assert "Llama-2-70b-hf" in by_version.index  # trailing space stripped
    davinci = by_version.loc["text-davinci-002"]
    assert (davinci["name"], davinci["model_id"]) == (
        "GPT-3.5 (davinci-002)",
        "gpt-3-5-davinci-002",
    )
    assert by_version.loc["o3-2025-04-16_high", "model_id"] == "o3"
    assert by_version.loc["o3-2025-04-16_medium", "model_id"] == "o3"
    assert by_version.loc["mystery-model", "model_id"] == "mystery-model"
    qwen = by_version.loc["Qwen2.5-72B"]
    assert (qwen["country"], qwen["countries"]) == ("China", "China|United States")
    assert by_version.loc["SenseChat", "country"] == "China"  # Hong Kong,China
    assert by_version.loc["DeepSeek-V3", "training_compute_flop"] == 3.3e24
    assert by_version.loc["DeepSeek-V3", "accessibility"] == "open"
    assert pd.isna(by_version.loc["T5-11B", "release_date"])
    assert models.loc[models["version"] == "o3-2025-04-16_medium", "row"].item() == 4

    assert len(scores) == 10  # rows without an ECI score give no score
    assert set(scores["metric"]) == {"eci"}
    assert scores.set_index("model").loc["o3-2025-04-16_medium", "value"] == 147.2
    preliminary = scores.loc[scores["preliminary"], "model"].tolist()
    assert preliminary == ["claude-3-5-sonnet-20241022"]  # Confidence == Unverified
    assert scores["as_of"].isna().all()


def test_benchmark_epoch_run_file() -> None:
    scores = parse("epoch_benchmarks", "epoch/benchmarks/gpqa_diamond.csv").tables["scores"]
    assert scores["metric"].unique().tolist() == ["gpqa_diamond"]
    row = scores.set_index("model").loc["o3-2025-04-16_high"]
    assert (row["value"], row["se"], row["model_id"]) == (0.8301, 0.0262, "o3-2025-04-16")
    assert scores.set_index("model").loc["fireworks/deepseek-v3p2", "model_id"] == "deepseek-v3p2"
    assert scores["row"].tolist() == [2, 3, 4]  # row 2 spans two lines, counted once


def test_benchmark_external_file_names_models_from_other_columns() -> None:
    scores = parse("epoch_benchmarks", "epoch/benchmarks/mmlu_external.csv").tables["scores"]
    assert scores["model"].tolist()[:4] == [
        "gpt-4-0314",
        "AquilaChat2 34B",
        "AquilaChat2 34B",
        "DeepSeek-V3",
    ]
    assert scores["model"].tolist()[4] == "step-2-16k-202411"  # an identifier in Notes
    assert pd.isna(scores["model"].tolist()[5])  # no model named anywhere: kept, unnamed
    assert scores["value"].tolist() == [0.864, 0.652, 0.667, 0.885, 0.701, 0.5]
    assert scores["country"].tolist()[:4] == ["United States", pd.NA, pd.NA, "China"]


def test_benchmark_intervals() -> None:
    webdev = parse("epoch_benchmarks", "epoch/benchmarks/webdev_arena_external.csv")
    row = webdev.tables["scores"].iloc[0]
    assert (row["value"], row["lo"], row["hi"]) == (
        1245.1,
        pytest.approx(1236.24),
        pytest.approx(1252.44),
    )
    metr = parse("epoch_benchmarks", "epoch/benchmarks/metr_time_horizons_external.csv")
    row = metr.tables["scores"].iloc[0]
    assert (row["value"], row["lo"], row["hi"]) == (91.6, 45.2, 200.5)


def test_unknown_benchmark_file_uses_the_first_numeric_column_after_model_version() -> None:
    scores = parse("epoch_benchmarks", "epoch/benchmarks/new_bench_external.csv").tables["scores"]
    assert scores["metric"].unique().tolist() == ["new_bench"]
    assert scores["value"].tolist() == [0.41, 0.62]  # 'Tools' skipped; the NaN row dropped
    assert scores["row"].tolist() == [2, 4]


def test_benchmark_table_covers_every_mirror_file_with_a_known_scale() -> None:
    table = benchmarks()
    assert len(table) == 49
    assert {spec.scale for spec in table.values()} == {
        "fraction",
        "percent",
        "minutes",
        "elo",
        "points",
    }
    assert table["mmlu_external.csv"].metric == "mmlu"
    assert table["swe_bench_verified.csv"].score_column == "mean_score"
    assert table["aider_polyglot_external.csv"].scale == "percent"


def test_ai_models_files() -> None:
    notable = parse("epoch_notable_models", "epoch/notable_ai_models.csv").tables["models"]
    by_name = notable.set_index("name")
    assert "Solar Open 100B" in by_name.index  # the trailing newline is stripped
    assert by_name.loc["Solar Open 100B", "country"] == "South Korea"
    assert by_name.loc["Solar Open 100B", "accessibility"] == "open"  # from 'Open model weights?'
    assert by_name.loc["AlphaGo Zero", "country"] == "United Kingdom"
    assert by_name.loc["Perceptron Mark I", "countries"] == "United States"
    assert by_name.loc["GPT-4 (Mar 2023)", "model_id"] == "gpt-4-mar-2023"

    frontier = parse("epoch_frontier_models", "epoch/frontier_ai_models.csv").tables["models"]
    assert frontier.set_index("name").loc["Grok 3", "version"] == "grok-3-beta,grok-3"
    assert pd.isna(frontier.set_index("name").loc["Grok 3", "accessibility"])

    large = parse("epoch_large_scale_models", "epoch/large_scale_ai_models.csv").tables["models"]
    assert large["confidence"].tolist() == ["Confident", "Unverified"]


def test_gpu_clusters() -> None:
    compute = parse("epoch_gpu_clusters", "epoch/gpu_clusters.csv").tables["compute"]
    assert len(compute) == 7  # identical 'Anonymized Chinese System' rows are two clusters
    by_name = compute.drop_duplicates("name").set_index("name")
    phase1 = by_name.loc["xAI Colossus Memphis Phase 1"]
    assert phase1["counted"] and phase1["end_date"] == pd.Timestamp("2025-02-18")
    assert phase1["h100e"] == pytest.approx(1e5)
    assert not by_name.loc["Meta $200B Campus Rumor", "counted"]  # planned
    assert not by_name.loc["Google TPUv3 POD Generic", "counted"]  # possible duplicate
    old = by_name.loc["Old Cluster"]
    assert (old["status"], old["country"], old["end_date"]) == (
        "decommissioned",
        "China",
        pd.Timestamp("2021-07-01"),
    )


def test_data_centers_and_timelines() -> None:
    sites = parse("epoch_data_centers", "epoch/data_centers.csv").tables["compute"]
    assert sites["owner"].tolist() == ["Oracle", "Alibaba", "G42"]
    assert sites["certainty"].tolist() == ["confident", "confident", "likely"]
    assert sites["country"].tolist() == ["United States", "China", "United Arab Emirates"]
    assert sites["status"].tolist() == ["existing", "existing", "planned"]
    assert not sites["counted"].any()

    timeline = parse("epoch_data_centers", "epoch/data_center_timelines.csv").tables["compute"]
    alibaba = timeline[timeline["name"] == "Alibaba Zhangbei Zhangjiakou Hebei"]
    assert alibaba["end_date"].tolist()[:2] == [
        pd.Timestamp("2018-01-28"),
        pd.Timestamp("2025-09-17"),
    ]
    assert pd.isna(alibaba["end_date"].tolist()[2])
    assert timeline["country"].tolist() == ["China"] * 3 + ["United States"]
    assert timeline["row"].tolist() == [2, 3, 4, 5]


def test_ml_hardware() -> None:
    hardware = parse("epoch_ml_hardware", "epoch/ml_hardware.csv").tables["hardware"]
    by_name = hardware.set_index("name")
    assert by_name.loc["NVIDIA H100 SXM5 80GB", "h100e"] == 1.0
    assert by_name.loc["NVIDIA A100 SXM4 80 GB", "h100e"] == pytest.approx(312 / 989.4)
    assert by_name.loc["Huawei Ascend 910B", "bf16_flops"] == 376e12  # from FP16
    assert pd.isna(by_name.loc["Huawei Ascend 910B1 (v2)", "release_date"])


def test_downloads_are_mirror_paths_with_real_upstream_urls() -> None:
    for source in REGISTRY.values():
        if source.name == "claims":
            continue  # published claims are collected by hand (../shared/claims): no upstream file
        assert source.downloads, source.name
        for download in source.downloads:
            assert download.url.startswith("https://"), download
            assert not download.file.startswith("/"), download
    [eci] = REGISTRY["epoch_eci"].downloads
    assert isinstance(eci, ArchiveDownload)
    assert (eci.file, eci.url, eci.member) == (
        "epoch/eci.csv",
        "https://epoch.ai/data/benchmark_data.zip",
        "epoch_capabilities_index.csv",
    )
    assert REGISTRY["epoch_notable_models"].downloads[0].url == (
        "https://epoch.ai/data/notable_ai_models.csv"
    )


def test_models_file_with_older_column_set_still_parses() -> None:
    raw = b"Model,Organization,Publication date\nBERT-Large,Google,2018-10-11\n"
    models = parse("epoch_notable_models", "notable_ai_models.csv", raw).tables["models"]
    assert models["name"].tolist() == ["BERT-Large"]
    assert models["country"].isna().all() and models["training_compute_flop"].isna().all()


def test_empty_model_name_is_an_error() -> None:
    raw = b"Model,Organization,Publication date\n ,Google,2018-10-11\n"
    with pytest.raises(DataError) as caught:
        parse("epoch_notable_models", "notable_ai_models.csv", raw)
    assert str(caught.value) == "notable_ai_models.csv: row 2, column Model: empty model name"

"""The registry, detection by name and content, the StaticSource fake, and bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gapcast.errors import DataError, UnknownSourceError
from gapcast.sources import HEAD_BYTES, REGISTRY, StaticSource, detect

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KNOWN = (
    "claims, epoch_benchmarks, epoch_data_centers, epoch_eci, epoch_frontier_models, "
    "epoch_gpu_clusters, "
    "epoch_large_scale_models, epoch_ml_hardware, epoch_notable_models, lmarena_catalog, "
    "lmarena_history, lmarena_history_raw, lmarena_models, org_country"
)


def test_registry_is_sorted_and_keyed_by_name() -> None:
    assert list(REGISTRY) == sorted(REGISTRY) == KNOWN.split(", ")
    for name, source in REGISTRY.items():
        assert source.name == name
        assert source.title and source.homepage.startswith("https://")
    assert REGISTRY["epoch_eci"].license == "CC-BY-4.0"
    assert REGISTRY["lmarena_history"].license == "unspecified (LMArena)"


GOOD = {
    "epoch/eci.csv": "epoch_eci",
    "epoch/benchmarks/gpqa_diamond.csv": "epoch_benchmarks",
    "epoch/benchmarks/mmlu_external.csv": "epoch_benchmarks",
    "epoch/benchmarks/new_bench_external.csv": "epoch_benchmarks",
    "epoch/notable_ai_models.csv": "epoch_notable_models",
    "epoch/frontier_ai_models.csv": "epoch_frontier_models",
    "epoch/large_scale_ai_models.csv": "epoch_large_scale_models",
    "epoch/gpu_clusters.csv": "epoch_gpu_clusters",
    "epoch/data_centers.csv": "epoch_data_centers",
    "epoch/data_center_timelines.csv": "epoch_data_centers",
    "epoch/ml_hardware.csv": "epoch_ml_hardware",
    "lmarena/leaderboard_history.csv": "lmarena_history",
    "lmarena/leaderboard_history_style_control.csv": "lmarena_history",
    "lmarena/models.csv": "lmarena_models",
    "lmarena/models_supplement.csv": "lmarena_models",
    "lmarena/raw/result.csv": "lmarena_history_raw",
    "lmarena/raw/leaderboard-text.json": "lmarena_catalog",
    "lmarena/raw/scatterplot-data.json": "lmarena_catalog",
    "org_country.csv": "org_country",
}


@pytest.mark.parametrize("rel,source", sorted(GOOD.items()))
def test_detect_fixture_files(rel: str, source: str) -> None:
    head = (FIXTURES / rel).read_bytes()[:HEAD_BYTES]
    assert detect(rel, head).name == source


def test_detect_needs_name_and_content() -> None:
    eci_head = (FIXTURES / "epoch/eci.csv").read_bytes()
    assert detect("/downloads/eci (1).csv", eci_head).name == "epoch_eci"
    with pytest.raises(UnknownSourceError) as caught:
        detect("capabilities.txt", eci_head)
    assert str(caught.value) == f"capabilities.txt: not a file of any known source (known: {KNOWN})"
    with pytest.raises(UnknownSourceError):
        detect("eci.csv", b"item,price\napple,1\n")
    with pytest.raises(UnknownSourceError):
        detect("leaderboard-text.json", b'[{"model_api_name": "x"}]')


def test_detect_refuses_an_ambiguous_claim() -> None:
    a = StaticSource({"x.csv": {}}, name="a")
    b = StaticSource({"x.csv": {}}, name="b")
    with pytest.raises(UnknownSourceError) as caught:
        detect("x.csv", b"h\n", {"a": a, "b": b})
    assert str(caught.value) == "x.csv: claimed by several sources (a, b); rename the file"


def test_static_source_serves_fixed_tables() -> None:
    frame = pd.DataFrame({"model": ["m"], "metric": ["eci"], "value": [1.5]})
    fake = StaticSource({"toy.csv": {"scores": frame}})
    source = detect("some/folder/toy.csv", b"anything", {fake.name: fake})
    parsed = source.parse(b"", "some/folder/toy.csv")
    scores = parsed.tables["scores"]
    assert (parsed.source, parsed.file, parsed.rows) == ("static", "toy.csv", 1)
    assert scores[["model", "value", "source", "file", "row"]].values.tolist() == [
        ["m", 1.5, "static", "toy.csv", 2],
    ]
    assert [d.file for d in fake.downloads] == ["toy.csv"]


BAD = {
    "missing_column/eci.csv": "column ECI Score: missing required column 'ECI Score' (found: "
    "'Model version', 'Release date', 'Organization', 'Country', 'Model accessibility', "
    "'Training compute (FLOP)', 'Confidence', 'Model name')",
    "bad_date/eci.csv": "row 3, column Release date: unparseable date '2024-13-45' "
    "(expected YYYY-MM-DD)",
    "non_numeric_score/eci.csv": "row 2, column ECI Score: not a number: 'high'",
    "absurd_compute/eci.csv": "row 3, column Training compute (FLOP): training compute "
    "2.1e+45 is above the plausible maximum 1e+30",
    "negative_compute/notable_ai_models.csv": "row 2, column Training compute (FLOP): "
    "training compute -3.3e+24 is not positive",
    "empty/eci.csv": "file is empty",
    "header_only/org_country.csv": "file has a header row but no data rows",
    "truncated/eci.csv": "row 4: unterminated quoted field (the file may be truncated)",
    "garbled/eci.csv": "row 3: expected 11 fields (as in the header), found 12; the line is "
    "garbled or the file truncated",
    "cut_line/leaderboard_history.csv": "row 3: expected 7 fields (as in the header), found 5; "
    "the line is garbled or the file truncated",
    "latin1/eci.csv": "row 3: not valid UTF-8 (byte 0xe1 at offset 322); save the file as UTF-8",
    "conflicting_duplicate/eci.csv": "row 4: duplicate model version 'DeepSeek-V3' (also on "
    "row 3) with different values in column 'ECI Score': '137.5' vs '139.0'",
    "conflicting_duplicate/leaderboard_history.csv": "row 4: duplicate snapshot, category and "
    "model '2025-02-21 | overall | deepseek-r1' (also on row 2) with different values in "
    "column 'rating': '1360.2' vs '1361.0'",
    "conflicting_duplicate/org_country.csv": "row 4: duplicate organization 'DeepSeek' (also "
    "on row 2) with different values in column 'country': 'China' vs 'US'",
    "benchmark_score/gpqa_diamond.csv": "row 3, column mean_score: not a number: 'n/a'",
    "benchmark_scale/mmlu_external.csv": "row 2, column EM: fraction score 86.4 is above the "
    "plausible maximum 1",
    "json_truncated/leaderboard-text.json": "not valid JSON: Expecting property name enclosed "
    "in double quotes (line 1, column 62)",
    "json_rating/leaderboard-text.json": "category 'overall', model 'gpt-4o', field 'rating': "
    "not a number: 'high'",
    "result_rating/result.csv": "row 2, column claude-v1: not a rating: 'abc'",
    "unknown/prices.csv": f"not a file of any known source (known: {KNOWN})",
}


@pytest.mark.parametrize("rel,message", sorted(BAD.items()))
def test_bad_files_fail_with_one_exact_message(rel: str, message: str) -> None:
    raw = (FIXTURES / "bad" / rel).read_bytes()
    with pytest.raises(DataError) as caught:
        detect(rel, raw[:HEAD_BYTES]).parse(raw, rel)
    assert str(caught.value) == f"{rel}: {message}"
    assert isinstance(caught.value, UnknownSourceError) == rel.startswith("unknown/")


def test_every_bad_fixture_is_tested() -> None:
    files = {str(p.relative_to(FIXTURES / "bad")) for p in (FIXTURES / "bad").rglob("*.*")}
    assert files == set(BAD)

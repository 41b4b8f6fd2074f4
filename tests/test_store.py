from __future__ import annotations

import pandas as pd
import pytest

from gapcast.errors import NotFoundError, StoreError
from gapcast.sources.base import Parsed
from gapcast.store import FileImport, Store


def _parsed(file: str, names: list[str], source: str = "demo") -> Parsed:
    frame = pd.DataFrame(
        {
            "model_id": [n.lower() for n in names],
            "name": names,
            "release_date": pd.to_datetime([f"2024-01-0{i + 1}" for i in range(len(names))]),
            "source": source,
            "file": file,
            "row": range(2, len(names) + 2),
        }
    )
    return Parsed(source, file, {"models": frame})


def test_import_records_provenance(store: Store) -> None:
    results = store.import_files([FileImport(_parsed("a.csv", ["A", "B"]), "sha-a", "CC-BY-4.0")])
    assert [(r.file, r.rows, r.action) for r in results] == [("a.csv", 2, "imported")]
    imports = store.imports()
    assert imports[["source", "file", "sha256", "rows", "license"]].values.tolist() == [
        ["demo", "a.csv", "sha-a", 2, "CC-BY-4.0"]
    ]
    assert store.table("models")["name"].tolist() == ["A", "B"]


def test_reimport_unchanged_is_a_noop(store: Store) -> None:
    store.import_files([FileImport(_parsed("a.csv", ["A"]), "sha-a", "x")])
    before = store.snapshot()
    results = store.import_files([FileImport(_parsed("a.csv", ["A"]), "sha-a", "x")])
    assert results[0].action == "unchanged"
    assert results[0].rows == 1
    assert store.snapshot() == before


def test_changed_file_replaces_only_its_rows(store: Store) -> None:
    store.import_files(
        [
            FileImport(_parsed("a.csv", ["A", "B"]), "sha-a", "x"),
            FileImport(_parsed("b.csv", ["C"]), "sha-b", "x"),
        ]
    )
    results = store.import_files([FileImport(_parsed("a.csv", ["D"]), "sha-a2", "x")])
    assert results[0].action == "replaced"
    assert sorted(store.table("models")["name"]) == ["C", "D"]
    assert store.imports().set_index("file").loc["a.csv", "sha256"] == "sha-a2"


def test_failed_import_changes_nothing(store: Store) -> None:
    store.import_files([FileImport(_parsed("a.csv", ["A"]), "sha-a", "x")])
    before = store.snapshot()
    bad = _parsed("b.csv", ["B"])
    bad.tables["models"]["row"] = ["not a number"]  # the INSERT fails inside the transaction
    with pytest.raises(StoreError, match="nothing was changed"):
        store.import_files(
            [FileImport(_parsed("a.csv", ["Z"]), "sha-a3", "x"), FileImport(bad, "sha-b", "x")]
        )
    assert store.snapshot() == before


def test_unwritable_path_is_a_store_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open the store"):
        Store(blocker / "sub" / "gapcast.duckdb")


def test_runs_round_trip(store: Store) -> None:
    run_id = store.save_run(
        kind="forecast",
        scenario="baseline",
        scenario_hash="h",
        data_hash=store.data_hash(),
        seed=7,
        version="0.1.0",
        request={"draws": 10},
        results={"p": 0.25},
    )
    run = store.run(run_id)
    assert (run["kind"], run["seed"], run["request"], run["results"]) == (
        "forecast",
        7,
        {"draws": 10},
        {"p": 0.25},
    )
    assert store.runs()["id"].tolist() == [run_id]
    with pytest.raises(NotFoundError, match="no stored run with id 99"):
        store.run(99)


def test_data_hash_follows_imports(store: Store) -> None:
    empty = store.data_hash()
    store.import_files([FileImport(_parsed("a.csv", ["A"]), "sha-a", "x")])
    assert store.data_hash() != empty

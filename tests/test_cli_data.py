"""The data commands end to end: import, status, fetch, models, and bad input."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_helpers import run_cli
from gapcast.sources import ArchiveDownload, MirrorOnlyDownload, StaticSource
from gapcast.store import Store
from gapcast.usecases import data as data_use

ECI_HEADER = (
    "Model version,ECI Score,Release date,Organization,Country,Model accessibility,"
    "Training compute (FLOP),Confidence,Model name,Description,Display name\n"
)
ECI_ROWS = [
    "gpt-4-0613,126.0,2023-06-13,OpenAI,United States of America,API access,2.1e+25,"
    "Confident,GPT-4,,\n",
    "DeepSeek-V3,137.5,2024-12-26,DeepSeek,China,Open weights (unrestricted),3.3e+24,"
    "Confident,DeepSeek-V3,,\n",
    'qwen-max,133.0,2025-01-28,Alibaba,China,API access,,Likely,"Qwen Max",'
    '"multi-line\ndescription",\n',
]
GOOD = ECI_HEADER + "".join(ECI_ROWS)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, *args)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store" / "gapcast.duckdb"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_import_then_status_json(tmp_path: Path, db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path / "in", "eci.csv", GOOD)
    code, out, err = run(capsys, "--db", str(db), "data", "import", str(path), "--json")
    assert (code, err) == (0, "")
    files = json.loads(out)["files"]
    assert [(f["source"], f["file"], f["rows"], f["action"]) for f in files][0][:2] == (
        "epoch_eci",
        "eci.csv",
    )
    code, out, _ = run(capsys, "--db", str(db), "data", "status", "--json")
    status = json.loads(out)
    [item] = status["sources"]
    assert {"source", "file", "rows", "sha256", "license"} <= item.keys()
    assert item["license"] == "CC-BY-4.0"
    assert item["first"] == "2023-06-13" and item["last"] == "2025-01-28"
    code, out, _ = run(capsys, "--db", str(db), "data", "import", str(path), "--json")
    assert json.loads(out)["files"][0]["action"] == "unchanged"


def test_models_filters(tmp_path: Path, db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path / "in", "eci.csv", GOOD)
    run(capsys, "--db", str(db), "data", "import", str(path))
    code, out, _ = run(
        capsys, "--db", str(db), "models", "--country", "China", "--metric", "eci", "--json"
    )
    assert code == 0
    rows = json.loads(out)
    assert [r["name"] for r in rows] == ["DeepSeek-V3", "Qwen Max"]
    assert rows[0]["accessibility"] == "open" and rows[1]["accessibility"] == "closed"
    assert rows[0]["eci"] == 137.5
    code, _, err = run(capsys, "--db", str(db), "models", "--accessibility", "weights")
    assert code == 2
    assert err.strip() == "Error: accessibility: 'weights' is not allowed (allowed: open, closed)"


BAD_INPUTS = {
    "missing column": (
        ECI_HEADER.replace("ECI Score,", "")
        + "gpt-4,2023-06-13,OpenAI,United States of America,API access,2e25,"
        "Confident,GPT-4,,\n",
        None,
        "ECI Score",
    ),
    "bad date": (ECI_HEADER + ECI_ROWS[0].replace("2023-06-13", "2023-13-45"), 2, "Release date"),
    "non-numeric score": (
        ECI_HEADER + ECI_ROWS[0] + ECI_ROWS[1].replace("137.5", "high"),
        3,
        "ECI Score",
    ),
    "negative compute": (
        ECI_HEADER + ECI_ROWS[0].replace("2.1e+25", "-2.1e+25"),
        2,
        "Training compute (FLOP)",
    ),
    "absurd compute": (
        ECI_HEADER + ECI_ROWS[0].replace("2.1e+25", "2.1e+45"),
        2,
        "Training compute (FLOP)",
    ),
    "conflicting duplicate": (
        ECI_HEADER + ECI_ROWS[0] + ECI_ROWS[1] + ECI_ROWS[1].replace("137.5", "139.0"),
        4,
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_and_changes_nothing(
    case: str,
    tmp_path: Path,
    db: Path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    good = write(tmp_path / "good", "eci.csv", GOOD)
    run(capsys, "--db", str(db), "data", "import", str(good))
    with Store(db) as s:
        before = s.snapshot()
    content, row, column = BAD_INPUTS[case]
    bad = write(tmp_path / "bad", "eci.csv", content)
    code, out, err = run(capsys, "--db", str(db), "data", "import", str(bad))
    assert code == 2
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"Error: {bad}: ")
    if row is not None:
        assert f"row {row}" in lines[0]
    if column is not None:
        assert f"column {column!r}" in lines[0] or f"column {column}" in lines[0]
    assert "Traceback" not in err
    with Store(db) as s:
        assert s.snapshot() == before


@pytest.mark.parametrize(
    "case,content,message",
    [
        ("empty", b"", "file is empty"),
        ("latin-1", GOOD.replace("Qwen Max", "Qwen Máx").encode("latin-1"), "not valid UTF-8"),
        ("truncated", (GOOD + 'o1,"150.0,2024-12-05').encode(), "row 5"),
    ],
)
def test_unreadable_files(
    case: str, content: bytes, message: str, tmp_path: Path, db: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    bad = write(tmp_path, "eci.csv", content)
    code, _, err = run(capsys, "--db", str(db), "data", "import", str(bad))
    assert code == 2, err
    assert err.startswith(f"Error: {bad}: ") and message in err
    with Store(db) as s:
        assert s.imports().empty


def test_unknown_source(tmp_path: Path, db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = write(tmp_path, "prices.csv", "item,price\napple,1\n")
    code, _, err = run(capsys, "--db", str(db), "data", "import", str(bad))
    assert code == 2
    assert err.startswith(f"Error: {bad}: not a file of any known source")


def test_bad_file_in_a_batch_imports_nothing(tmp_path: Path, db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "batch"
    write(folder, "eci.csv", GOOD)
    write(folder, "org_country.csv", "organization,country,source_note\nAcme,Mars,x\n")
    code, _, err = run(capsys, "--db", str(db), "data", "import", str(folder))
    assert code == 2, err
    with Store(db) as s:
        assert s.imports().empty


def test_unwritable_store(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    blocker = write(tmp_path, "blocker", "a file, not a folder")
    good = write(tmp_path / "in", "eci.csv", GOOD)
    code, _, err = run(capsys, "--db", str(blocker / "gapcast.duckdb"), "data", "import", str(good))
    assert code == 2
    assert err.startswith(f"Error: {blocker / 'gapcast.duckdb'}: cannot open the store")
    assert "Traceback" not in err


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A real HTTP server on 127.0.0.1 serving a folder of fixture files."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def test_fetch_from_a_mirror_url(served: tuple[Path, str], db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    root, url = served
    write(root, "epoch/eci.csv", GOOD)
    code, out, err = run(
        capsys, "--db", str(db), "data", "fetch", "--source", "epoch_eci", "--from", url, "--json"
    )
    assert code == 0, err
    [item] = json.loads(out)["files"]
    assert (item["source"], item["file"], item["action"]) == ("epoch_eci", "eci.csv", "imported")
    assert item["sha256"] == hashlib.sha256(GOOD.encode()).hexdigest()
    assert item["url"] == "https://epoch.ai/data/benchmark_data.zip"


def test_fetch_extracts_files_served_in_a_zip(
    served: tuple[Path, str],
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    root, url = served
    with zipfile.ZipFile(root / "benchmark_data.zip", "w") as archive:
        archive.writestr("benchmark_data/epoch_capabilities_index.csv", GOOD)
    fake = StaticSource({}, name="epoch_eci")
    fake.downloads = (
        ArchiveDownload(
            "epoch/eci.csv", f"{url}/benchmark_data.zip", member="epoch_capabilities_index.csv"
        ),
        MirrorOnlyDownload("org_country.csv", "https://example.org/none"),
    )
    monkeypatch.setattr(data_use, "REGISTRY", {"epoch_eci": fake})
    code, out, err = run(capsys, "--db", str(db), "data", "fetch", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert [f["file"] for f in report["files"]] == ["eci.csv"]
    assert report["skipped"] == ["org_country.csv (only in the gapcast mirror)"]


def test_fetch_reports_http_errors(served: tuple[Path, str], db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _, url = served
    code, _, err = run(
        capsys, "--db", str(db), "data", "fetch", "--source", "epoch_eci", "--from", url
    )
    assert code == 1
    assert err.startswith(f"Error: {url}/epoch/eci.csv: download failed (HTTP 404)")


def test_entry_points_and_usage_errors(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "gapcast", "--help"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0 and "Usage: gapcast" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "gapcast", "--db", str(tmp_path / "x.duckdb"), "gap", "--bogus"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "No such option: --bogus" in bad.stderr and "Traceback" not in bad.stderr

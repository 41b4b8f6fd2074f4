"""Data use cases: import files, fetch from upstream, report status, list models.

An import reads and parses every file first (pure), and only then writes them all in
one store transaction, so a bad file anywhere leaves the store exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import httpx
import pandas as pd

from gapcast.errors import DataError, GapcastError, NotFoundError, RequestError
from gapcast.resolve import Resolved, resolve
from gapcast.sources import (
    HEAD_BYTES,
    REGISTRY,
    ArchiveDownload,
    MirrorOnlyDownload,
    detect,
)
from gapcast.sources.base import Parsed
from gapcast.sources.lmarena import LmarenaCatalog
from gapcast.store import FileImport, ImportResult, Store, sha256_of

#: File name suffixes an import looks at inside a folder; others (README, MANIFEST) are
#: listed as skipped. A file named explicitly is always read.
DATA_SUFFIXES = (".csv", ".json", ".zip")

MAX_FILE_BYTES = 256 * 2**20
"""The largest file an HTTP import reads."""
MAX_MEMBER_BYTES = 256 * 2**20
"""The largest zip member any import decompresses (a zip bomb stops there)."""


@dataclass(frozen=True)
class Limits:
    """Where an import may read and how much: the HTTP import's bounds.

    Attributes
    ----------
    root
        Only paths under this folder (after following links) are read; ``None``: any.
    max_file_bytes
        Files larger than this are refused; ``None``: no bound.
    max_member_bytes
        Zip members larger than this (uncompressed) are refused.
    """

    root: Path | None = None
    max_file_bytes: int | None = None
    max_member_bytes: int = MAX_MEMBER_BYTES


@dataclass(frozen=True)
class RawFile:
    """A file's bytes and the path a user would recognise it by."""

    path: str
    raw: bytes


@dataclass(frozen=True)
class ImportReport:
    """What an import did: one result per file, plus files passed over."""

    results: tuple[ImportResult, ...]
    skipped: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "files": [r.__dict__ for r in self.results],
            "skipped": list(self.skipped),
        }


def collect(
    paths: Iterable[str | Path], limits: Limits = Limits()
) -> tuple[list[RawFile], list[str]]:
    """Read the files named, and the data files under the folders named.

    Zip archives (Epoch's ``benchmark_data.zip``) are opened and their members read as
    files named ``<archive>/<member>``. ``limits`` bounds where and how much is read.
    """
    files: list[RawFile] = []
    skipped: list[str] = []
    for given in paths:
        path = Path(given)
        _check_root(path, limits.root)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                _check_root(child, limits.root)
                if child.suffix.lower() in DATA_SUFFIXES:
                    files.extend(_read(child, limits))
                else:
                    skipped.append(str(child))
        elif path.is_file():
            files.extend(_read(path, limits))
        else:
            raise DataError(str(path), "no such file or folder")
    return files, skipped


def _check_root(path: Path, root: Path | None) -> None:
    if root is None:
        return
    if not path.is_absolute():
        path = root / path
    if not path.resolve().is_relative_to(root.resolve()):
        raise RequestError(
            "paths",
            f"{path} is outside the folder this server imports from",
            hint="the server's GAPCAST_IMPORT_ROOT names that folder",
        )


def _read(path: Path, limits: Limits = Limits()) -> list[RawFile]:
    try:
        size = path.stat().st_size
        if limits.max_file_bytes is not None and size > limits.max_file_bytes:
            raise DataError(
                str(path), f"the file is larger than {limits.max_file_bytes:,} bytes ({size:,})"
            )
        raw = path.read_bytes()
    except OSError as err:
        raise DataError(str(path), f"cannot read the file ({err.strerror})") from None
    if path.suffix.lower() != ".zip":
        return [RawFile(str(path), raw)]
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return [
                RawFile(f"{path}/{info.filename}", _member_bytes(archive, info, path, limits))
                for info in sorted(archive.infolist(), key=lambda i: i.filename)
                if not info.is_dir() and PurePosixPath(info.filename).suffix.lower() == ".csv"
            ]
    except zipfile.BadZipFile:
        raise DataError(str(path), "not a valid zip archive") from None


def _member_bytes(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, limits: Limits
) -> bytes:
    cap = limits.max_member_bytes
    too_big = DataError(
        f"{path}/{info.filename}", f"the archive member is larger than {cap:,} bytes"
    )
    if info.file_size > cap:
        raise too_big
    with archive.open(info) as member:  # the header's size may lie: read at most cap + 1
        raw = member.read(cap + 1)
    if len(raw) > cap:
        raise too_big
    return raw


def parse_files(
    store: Store, files: Sequence[RawFile], *, downloaded: dt.date | None = None
) -> list[FileImport]:
    """Recognise and parse every file; unchanged files are not parsed again.

    ``downloaded`` is the day files were fetched from upstream; it dates snapshots
    that carry no date of their own (LMArena's current leaderboard JSON).
    """
    known = {
        (str(r["source"]), str(r["file"])): str(r["sha256"])
        for r in store.imports().to_dict(orient="records")
    }
    prepared: list[FileImport] = []
    for item in files:
        source = detect(item.path, item.raw[:HEAD_BYTES])
        if downloaded is not None and isinstance(source, LmarenaCatalog):
            source = source.with_snapshot_date(downloaded)
        digest = sha256_of(item.raw)
        name = PurePosixPath(item.path.replace("\\", "/")).name
        if known.get((source.name, name)) == digest:
            parsed = Parsed(source.name, name, unchanged=True)
        else:
            parsed = source.parse(item.raw, item.path)
        url = next((d.url for d in source.downloads if PurePosixPath(d.file).name == name), None)
        prepared.append(FileImport(parsed, digest, source.license, url))
    _check_unique(prepared)
    return prepared


def _check_unique(prepared: Sequence[FileImport]) -> None:
    seen: dict[tuple[str, str], int] = {}
    for item in prepared:
        key = (item.parsed.source, item.parsed.file)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            raise DataError(
                item.parsed.file,
                "the same file name is given twice in one import",
                hint="import one copy of each file",
            )


def prepare(
    store: Store, paths: Iterable[str | Path], limits: Limits = Limits()
) -> tuple[list[FileImport], list[str]]:
    """Read and parse files and folders for an import (no write); return them and the skipped."""
    files, skipped = collect(paths, limits)
    if not files:
        raise RequestError(
            "paths", "no data files found (looked for " + ", ".join(DATA_SUFFIXES) + ")"
        )
    return parse_files(store, files), skipped


def import_paths(store: Store, paths: Iterable[str | Path]) -> ImportReport:
    """Import files and folders into the store, all or nothing.

    Every file is read and parsed before the store is written; the write is one
    transaction.
    """
    prepared, skipped = prepare(store, paths)
    results = store.import_files(prepared)
    return ImportReport(tuple(results), tuple(skipped))


def fetch(
    store: Store, source: str | None = None, mirror: str | None = None, *, timeout: float = 60.0
) -> ImportReport:
    """Download each source's files from upstream (or a mirror) and import them.

    ``mirror`` is a folder or a base URL under which each download's relative file path
    (``Download.file``, e.g. ``epoch/eci.csv``) is found. From upstream, files served
    only inside a zip archive (Epoch's ``benchmark_data.zip``) are extracted from it
    (downloaded once), and files that exist only in gapcast's mirror (the tidy LMArena
    histories, ``org_country.csv``) are skipped and listed as such.
    """
    names = [source] if source else sorted(REGISTRY)
    for name in names:
        if name not in REGISTRY:
            raise RequestError(
                "source", f"unknown source '{name}' (known: {', '.join(sorted(REGISTRY))})"
            )
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="gapcast-fetch-") as tmp:
        paths: list[Path] = []
        archives: dict[str, zipfile.ZipFile] = {}
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            for name in names:
                for download in REGISTRY[name].downloads:
                    if mirror:
                        raw = _from_mirror(client, mirror, download.file)
                    elif isinstance(download, MirrorOnlyDownload):
                        skipped.append(f"{download.file} (only in the gapcast mirror)")
                        continue
                    elif isinstance(download, ArchiveDownload):
                        if download.url not in archives:
                            archives[download.url] = _zip(download.url, _get(client, download.url))
                        raw = _member(archives[download.url], download.url, download.member)
                    else:
                        raw = _get(client, download.url)
                    target = Path(tmp) / download.file
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(raw)
                    paths.append(target)
        if not paths:
            raise RequestError(
                "source",
                f"nothing to fetch for {', '.join(names)} from upstream; use --from with a mirror",
            )
        files, _ = collect(paths)
        for index, item in enumerate(files):  # name files as upstream does, not by temp path
            files[index] = RawFile(str(Path(item.path).relative_to(tmp)), item.raw)
        today = None if mirror else dt.datetime.now(dt.UTC).date()
        results = store.import_files(parse_files(store, files, downloaded=today))
    return ImportReport(tuple(results), tuple(skipped))


def _from_mirror(client: httpx.Client, mirror: str, file: str) -> bytes:
    if mirror.startswith(("http://", "https://")):
        return _get(client, f"{mirror.rstrip('/')}/{file}")
    local = Path(mirror) / file
    if not local.is_file():
        raise DataError(str(local), "not found in the mirror folder")
    return local.read_bytes()


def _get(client: httpx.Client, address: str) -> bytes:
    try:
        response = client.get(address)
    except httpx.HTTPError as err:
        raise GapcastError(
            f"{address}: download failed ({err})",
            hint="check the network, or use --from DIR with a local copy",
        ) from None
    if response.status_code != 200:
        raise GapcastError(f"{address}: download failed (HTTP {response.status_code})")
    return response.content


def _zip(url: str, raw: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise DataError(url, "not a valid zip archive") from None


def _member(archive: zipfile.ZipFile, url: str, member: str) -> bytes:
    names = {PurePosixPath(n).name: n for n in archive.namelist()}
    found = member if member in archive.namelist() else names.get(PurePosixPath(member).name)
    if found is None:
        raise DataError(url, f"the archive has no member '{member}'")
    return archive.read(found)


def resolved(store: Store) -> Resolved:
    """Return the store's models and scores with countries and model links resolved."""
    return resolve(store.table("models"), store.table("scores"), store.table("organizations"))


def status(store: Store) -> dict[str, Any]:
    """Return what the store holds: per source and file, and what could not be resolved."""
    imports = store.imports()
    ranges = store.date_ranges()
    merged = imports.merge(ranges, on=["source", "file"], how="left")
    sources = [
        {
            "source": row["source"],
            "file": row["file"],
            "rows": int(row["rows"]),
            "first": _date(row["first"]),
            "last": _date(row["last"]),
            "sha256": row["sha256"],
            "license": row["license"],
            "url": None if pd.isna(row["url"]) else row["url"],
            "imported_at": str(row["imported_at"]),
        }
        for row in merged.to_dict(orient="records")
    ]
    res = resolved(store)
    unresolved = res.unresolved.sort_values(["kind", "rows", "name"], ascending=[True, False, True])
    return {
        "db": store.path,
        "data_hash": store.data_hash(),
        "sources": sources,
        "tables": {
            name: int(len(store.table(name)))
            for name in ("models", "scores", "compute", "organizations", "hardware")
        },
        "unresolved": unresolved.to_dict(orient="records"),
    }


def _date(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return str(pd.Timestamp(value).date())


def models(
    store: Store,
    *,
    country: str | None = None,
    accessibility: str | None = None,
    metric: str | None = None,
    search: str | None = None,
) -> pd.DataFrame:
    """Return resolved models, filtered; with ``metric``, each model's best score on it."""
    if accessibility not in (None, "open", "closed"):
        raise RequestError(
            "accessibility", f"'{accessibility}' is not allowed (allowed: open, closed)"
        )
    res = resolved(store)
    frame = res.models
    if country is not None:
        frame = frame[frame["country"].str.casefold() == country.casefold()]
    if accessibility is not None:
        frame = frame[frame["accessibility"] == accessibility]
    if search is not None:
        frame = frame[frame["name"].str.contains(search, case=False, regex=False)]
    columns = [
        "model_id",
        "name",
        "organization",
        "country",
        "accessibility",
        "release_date",
        "training_compute_flop",
        "source",
    ]
    frame = frame[columns]
    if metric is not None:
        scores = res.scores[res.scores["metric"] == metric]
        if scores.empty:
            known = sorted(res.scores["metric"].dropna().unique())
            raise NotFoundError(
                f"no scores for metric '{metric}'", hint="known metrics: " + ", ".join(known)
            )
        best = scores.groupby("model_id")["value"].max().rename(metric)
        frame = frame.merge(best, left_on="model_id", right_index=True, how="inner")
        frame = frame.sort_values(metric, ascending=False)
    else:
        frame = frame.sort_values(["release_date", "name"], ascending=[False, True])
    return frame.reset_index(drop=True)

"""What the source modules share: licences, detection helpers, the mirror-only download."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from gapcast import schema
from gapcast.sources.base import Download, Parsed
from gapcast.sources.tabular import header_of, numbers

__all__ = [
    "EPOCH_LICENSE",
    "LMARENA_LICENSE",
    "ArchiveDownload",
    "MirrorOnlyDownload",
    "MAX_FLOP",
    "basename",
    "file_name",
    "blank_to_na",
    "has_columns",
    "parsed",
    "training_compute",
]

EPOCH_LICENSE = "CC-BY-4.0"
LMARENA_LICENSE = "unspecified (LMArena)"
MAX_FLOP = 1e30


@dataclass(frozen=True)
class MirrorOnlyDownload(Download):
    """A file that exists only in gapcast's offline data mirror, not upstream.

    ``file`` (like every download's) is the path relative to the mirror's root.

    ``url`` is the closest real upstream (what the file was built from); fetching it
    gives a different file, so a fetcher should take this file from a mirror
    (``--from``) and skip it otherwise. ``note`` says how the file was made.
    """

    note: str = ""


@dataclass(frozen=True)
class ArchiveDownload(Download):
    """A file upstream serves only inside a zip archive at ``url``.

    A fetcher downloads the archive (once per URL) and extracts ``member``; from a
    mirror folder or URL it takes ``file`` directly.
    """

    member: str = ""


def file_name(file: str) -> str:
    """File name without folders, as recorded (``epoch/eci.csv`` -> ``eci.csv``)."""
    return posixpath.basename(file.replace("\\", "/"))


def basename(file: str) -> str:
    """Lower-case file name without folders (``epoch/eci.csv`` -> ``eci.csv``)."""
    return file_name(file).lower()


def has_columns(head: bytes, names: Iterable[str]) -> bool:
    """Say whether the CSV header in ``head`` has every one of ``names``."""
    header = set(header_of(head))
    return all(name in header for name in names)


def parsed(source: str, file: str, **tables: pd.DataFrame) -> Parsed:
    """Build a ``Parsed`` whose frames carry source/file and conform to their tables.

    ``file`` is the path the file was read from (errors name it in full); what is
    recorded, in ``Parsed.file`` and the ``file`` column, is its file name without
    folders (``epoch/eci.csv`` -> ``eci.csv``; every mirror file name is unique).
    Each frame's index must be the spreadsheet row number of its records; it becomes
    the ``row`` column unless the frame already has one.
    """
    name = file_name(file)
    out: dict[str, pd.DataFrame] = {}
    for table, frame in tables.items():
        frame = frame.copy()
        if "row" not in frame.columns:
            frame["row"] = frame.index.to_numpy()
        frame["source"] = source
        frame["file"] = name
        out[table] = schema.conform(frame, table)
    return Parsed(source=source, file=name, tables=out)


def blank_to_na(values: pd.Series) -> pd.Series:
    """Turn empty strings into ``<NA>`` (string dtype)."""
    return values.mask(values == "").astype("string")


def training_compute(frame: pd.DataFrame, column: str, file: str) -> pd.Series:
    """Parse a training-compute column (FLOP): empty = unknown, else in (0, 1e30].

    1e30 FLOP is about 10,000 times the largest training run in Epoch's data (2025);
    a larger or non-positive value is a typo or a unit error.
    """
    return numbers(frame, column, file, positive=True, maximum=MAX_FLOP, what="training compute")

"""Epoch AI Benchmarking Hub files (``epoch/benchmarks/*.csv``): one loader, one metric per file.

Format
------
Every file carries the columns Epoch joins from its model database: ``Model version``,
``Release date``, ``Organization``, ``Country``, ``Training compute (FLOP)``. Files
without ``_external`` hold evaluations Epoch ran (``mean_score``, ``stderr``, one row
per run); ``_external`` files hold results collected from leaderboards and papers, and
name their score column per file (``Percent correct``, ``EM``, ``% Resolved``, ...).

The metric table
----------------
``gapcast/data/benchmarks.csv`` maps each known file (by name) to its metric name (the
file stem without ``_external``), a display title, its score column, its standard-error
column, its interval columns (``CI_low``/``CI_high``, or one ``+a / -b`` column), and
its scale:

=========  ===========================================  ====================
scale      meaning                                      plausible values
=========  ===========================================  ====================
fraction   share of tasks solved / accuracy             0 to 1
percent    the same, in percent                         0 to 100
minutes    a duration (METR time horizons)              0 or more
elo        a Bradley-Terry rating (WebDev Arena)        any finite number
points     a score on the benchmark's own points scale  0 or more
=========  ===========================================  ====================

Several upstream columns named ``(%)`` hold fractions; the table says which.

Fallback for an unknown file
----------------------------
A file not in the table but with the shared columns still loads: its metric is the
file stem without ``_external``, its score column is the first column after
``Model version`` whose non-empty values all parse as numbers, it has no error or
interval columns, and its scale is ``unknown`` (finite values only).

Model identity
--------------
``model`` is ``Model version``; where that is empty (results for models outside
Epoch's database) it is ``Name``, else ``Agent``, else ``Notes`` when ``Notes`` is a
single identifier (``chatgpt-4o-latest-2025-03-27`` in LiveBench; no spaces, at least
one ``-``). A row with none of these keeps its score with no model (``<NA>``); the
resolver lists it as unresolved. ``model_id`` is the key of the model with its
variant suffixes stripped; :mod:`gapcast.resolve` links it to Epoch's models.
Organisation falls back to ``Model Org`` (Terminal-Bench) unless that says
``Multiple``. Rows without a score are dropped (nothing to record).

Natural key: the record id (``id``, ``ID`` or ``UUID``, in that order) where the file
has one; otherwise every column except the score, error and interval columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import pandas as pd

from gapcast import names
from gapcast.data import read_table
from gapcast.errors import DataError
from gapcast.sources.base import Download, Parsed
from gapcast.sources.common import (
    EPOCH_LICENSE,
    ArchiveDownload,
    basename,
    blank_to_na,
    has_columns,
    parsed,
    training_compute,
)
from gapcast.sources.epoch_eci import is_eci_name
from gapcast.sources.tabular import dates, dedupe, numbers, read_csv, require, strip

__all__ = ["SHARED_COLUMNS", "Benchmark", "EpochBenchmarks", "benchmarks"]

SHARED_COLUMNS = (
    "Model version",
    "Release date",
    "Organization",
    "Country",
    "Training compute (FLOP)",
)
_BOUNDS: Mapping[str, tuple[float | None, float | None]] = {
    "fraction": (0.0, 1.0),
    "percent": (0.0, 100.0),
    "minutes": (0.0, None),
    "points": (0.0, None),
    "elo": (None, None),
    "unknown": (None, None),
}
_IDENTIFIER = re.compile(r"^[A-Za-z][\w.:/]*-[\w.:/\-]*$")
_PLUS_MINUS = re.compile(r"^\+\s*([0-9.eE+-]+)\s*/\s*-\s*([0-9.eE+-]+)$")


@dataclass(frozen=True)
class Benchmark:
    """How one benchmark file maps onto a metric (a row of ``benchmarks.csv``)."""

    file: str
    metric: str
    title: str
    score_column: str
    scale: str
    stderr_column: str = ""
    lo_column: str = ""
    hi_column: str = ""
    ci_column: str = ""
    note: str = ""


@cache
def benchmarks() -> Mapping[str, Benchmark]:
    """Return the metric table, by lower-case file name."""
    table = {}
    for row in read_table("benchmarks.csv"):
        spec = Benchmark(**row)
        if spec.scale not in _BOUNDS:
            raise ValueError(f"benchmarks.csv: unknown scale {spec.scale!r} for {spec.file}")
        table[spec.file.lower()] = spec
    return table


def _metric_of(file: str) -> str:
    stem = basename(file).removesuffix(".csv")
    return re.sub(r"_external$", "", stem)


def _fallback(frame: pd.DataFrame, file: str) -> Benchmark:
    """Spec for an unknown file: first all-numeric column after ``Model version``."""
    columns = list(frame.columns)
    for column in columns[columns.index("Model version") + 1 :]:
        values = frame[column].str.strip()
        values = values[(values != "") & (values != "NaN")]
        if len(values) and pd.to_numeric(values, errors="coerce").notna().all():
            metric = _metric_of(file)
            return Benchmark(basename(file), metric, metric, column, "unknown")
    raise DataError(
        file,
        "no score column: no column after 'Model version' holds only numbers "
        "(and the file is not in gapcast's benchmark table)",
    )


def _model_names(frame: pd.DataFrame) -> pd.Series:
    model = strip(frame, "Model version")
    for column in ("Name", "Agent"):
        model = model.where(model != "", strip(frame, column))
    notes = strip(frame, "Notes")
    model = model.where((model != "") | ~notes.str.match(_IDENTIFIER.pattern), notes)
    return blank_to_na(model)


def _plus_minus(
    frame: pd.DataFrame, column: str, value: pd.Series, file: str
) -> tuple[pd.Series, pd.Series]:
    text = strip(frame, column)
    parts = text.str.extract(_PLUS_MINUS)
    bad = (text != "") & parts[0].isna()
    if bad.any():
        row = int(text.index[bad][0])
        raise DataError(
            file, f"unreadable interval '{text[row]}' (expected '+a / -b')", row=row, column=column
        )
    plus = pd.to_numeric(parts[0], errors="coerce")
    minus = pd.to_numeric(parts[1], errors="coerce")
    return value - minus, value + plus


class EpochBenchmarks:
    """Epoch AI Benchmarking Hub: every benchmark file, each a metric."""

    name = "epoch_benchmarks"
    title = "Epoch AI: AI Benchmarking Hub (per-benchmark results)"
    license = EPOCH_LICENSE
    homepage = "https://epoch.ai/benchmarks"

    def __init__(self) -> None:
        # Every known benchmark file; Epoch serves them all in one archive.
        self.downloads: tuple[Download, ...] = tuple(
            ArchiveDownload(
                f"epoch/benchmarks/{spec.file}",
                "https://epoch.ai/data/benchmark_data.zip",
                member=spec.file,
            )
            for spec in benchmarks().values()
        )

    def __repr__(self) -> str:
        return "EpochBenchmarks()"

    def matches(self, file: str, head: bytes) -> bool:
        """Match a ``.csv`` with the shared model columns that is not the ECI file."""
        return (
            basename(file).endswith(".csv")
            and not is_eci_name(file)
            and has_columns(head, SHARED_COLUMNS)
            and not has_columns(head, ("ECI Score",))
        )

    def parse(self, raw: bytes, file: str) -> Parsed:
        """Parse one benchmark file into ``scores`` rows of its metric."""
        frame = read_csv(raw, file, required=SHARED_COLUMNS)
        spec = benchmarks().get(basename(file)) or _fallback(frame, file)
        value_columns = [
            c
            for c in (
                spec.score_column,
                spec.stderr_column,
                spec.lo_column,
                spec.hi_column,
                spec.ci_column,
            )
            if c
        ]
        require(frame, file, value_columns)
        id_column = next((c for c in ("id", "ID", "UUID") if c in frame.columns), None)
        key = [id_column] if id_column else [c for c in frame.columns if c not in value_columns]
        frame = dedupe(frame, file, key, what="record" if id_column else "result")

        low, high = _BOUNDS[spec.scale]
        value = numbers(
            frame,
            spec.score_column,
            file,
            minimum=low,
            maximum=high,
            what=f"{spec.scale} score" if spec.scale != "unknown" else "score",
        )
        training_compute(frame, "Training compute (FLOP)", file)
        lo: pd.Series | None
        hi: pd.Series | None
        if spec.ci_column:
            lo, hi = _plus_minus(frame, spec.ci_column, value, file)
        else:
            lo = numbers(frame, spec.lo_column, file) if spec.lo_column else None
            hi = numbers(frame, spec.hi_column, file) if spec.hi_column else None
        model = _model_names(frame)
        organization = strip(frame, "Organization")
        model_org = strip(frame, "Model Org")
        organization = organization.where(
            (organization != "") | (model_org == "Multiple"), model_org
        )
        country, countries = names.countries(frame["Country"])
        scores = pd.DataFrame(
            {
                "model_id": blank_to_na(names.model_keys(names.strip_variants(model))),
                "model": model,
                "metric": spec.metric,
                "value": value,
                "lo": lo,
                "hi": hi,
                "se": numbers(frame, spec.stderr_column, file) if spec.stderr_column else None,
                "release_date": dates(frame, "Release date", file),
                "organization": blank_to_na(organization),
                "country": country,
                "countries": countries,
                "preliminary": False,
            },
            index=frame.index,
        )
        return parsed(self.name, file, scores=scores[value.notna()])

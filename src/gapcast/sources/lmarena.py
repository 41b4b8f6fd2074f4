"""LMArena (formerly Chatbot Arena) text leaderboard: rating histories and model metadata.

Sources and files
-----------------
``lmarena_history``
    ``leaderboard_history.csv`` (no style control) and
    ``leaderboard_history_style_control.csv``: tidy rows ``snapshot_date``,
    ``category``, ``model``, ``rating``, ``rating_q025``, ``rating_q975`` (and an
    extra ``source`` column). Built for gapcast's mirror from the two upstreams
    below; they exist only there. Natural key: (``snapshot_date``, ``category``,
    ``model``).
``lmarena_history_raw``
    ``result.csv`` of ``nakasyou/lmarena-history``: a wide table, the leaderboard
    date as an integer ``YYYYMMDD`` in an unnamed first column, then one column per
    model key; ``0.0`` means "not on that leaderboard" and is dropped, never read as a
    rating. Category ``overall``, no intervals, no style control. Natural key: the
    date.
``lmarena_catalog``
    ``lmarena/arena-catalog``'s ``leaderboard-text.json`` and
    ``leaderboard-text-style-control.json`` (category -> model key -> ``rating``,
    ``rating_q025``, ``rating_q975``; LMArena's ``full`` category is stored as
    ``overall``) and ``scatterplot-data.json`` (model metadata: ``model_api_name``,
    ``organization``, ``license``).
``lmarena_models``
    ``models.csv`` and ``models_supplement.csv``: model key -> organisation and
    licence, built for the mirror from every version of ``scatterplot-data.json``
    and LMArena's leaderboard tables. Natural key: ``model``.

Scores are metric ``lmarena``, ``category`` as given, ``style_control`` from the file
name (``style_control`` / ``style-control`` in it), ``lo``/``hi`` from the 2.5% /
97.5% bootstrap quantiles, ``as_of`` the snapshot date. Ratings are comparable only
within one snapshot (LMArena re-anchors the scale).

Snapshot date of the catalogue JSON
-----------------------------------
``leaderboard-text*.json`` carries no date. ``parse`` takes it, in this order, from a
date in the file name (``leaderboard-text-2025-12-11.json`` or ``...20251211...``),
else from the source's ``snapshot_date`` (``LmarenaCatalog(snapshot_date=...)`` or
``source.with_snapshot_date(...)``, what an importer that knows the download date
supplies: ``gapcast data fetch`` dates a file fetched from upstream with the day of the
download), else it stays undated (``as_of`` null). Undated ratings are stored for
provenance but not measured: a rating without a date cannot be placed on the timeline,
and a mirror copy of the file is not "today's" leaderboard.

Preliminary entries
-------------------
``preliminary`` is true for preview, experimental and anonymous test entries, by
the model key's words (:func:`gapcast.names.is_preliminary`): ``*-preview*``,
``*-exp*``, ``*-experimental*``, ``early-*``, ``*-chatbot`` (``late-june-chatbot``),
``anonymous``. They are kept, marked.

Rows
----
CSV rows are spreadsheet rows; in ``result.csv`` a rating's row is its date's row.
JSON has no rows: ``row`` is the 1-based position of the entry in the file (models
in file order, category after category).

Model metadata
--------------
``models`` rows: ``model_id`` = key of the LMArena model key, ``version`` the key
itself, ``organization`` as given, ``accessibility`` from the licence
(``Proprietary`` -> closed, an open licence -> open; see ``accessibility.csv``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pandas as pd

from gapcast import names
from gapcast.errors import DataError
from gapcast.sources.base import Download, Parsed
from gapcast.sources.common import (
    LMARENA_LICENSE,
    MirrorOnlyDownload,
    basename,
    blank_to_na,
    has_columns,
    parsed,
)
from gapcast.sources.tabular import dates, decode, dedupe, header_of, numbers, read_csv, strip

__all__ = ["LmarenaCatalog", "LmarenaHistory", "LmarenaHistoryRaw", "LmarenaModels"]

HISTORY_COLUMNS = ("snapshot_date", "category", "model", "rating", "rating_q025", "rating_q975")
MODEL_COLUMNS = ("model", "organization", "license")
HOMEPAGE = "https://lmarena.ai/leaderboard"
CATALOG = "https://raw.githubusercontent.com/lmarena/arena-catalog/main/data/"
HISTORY_RAW = "https://raw.githubusercontent.com/nakasyou/lmarena-history/main/output/result.csv"
MAX_RATING = 10_000.0
_DATE_IN_NAME = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")


def _style_control(file: str) -> bool:
    name = basename(file)
    return "style_control" in name or "style-control" in name


def _ratings(frame: pd.DataFrame, file: str, column: str) -> pd.Series:
    return numbers(frame, column, file, positive=True, maximum=MAX_RATING, what="rating")


def _scores(frame: pd.DataFrame, model: pd.Series, file: str) -> pd.DataFrame:
    """Build the common score columns of LMArena ratings (frame indexed by row)."""
    return pd.DataFrame(
        {
            "model_id": names.model_keys(model),
            "model": model,
            "metric": "lmarena",
            "style_control": _style_control(file),
            "preliminary": names.is_preliminary(model),
        },
        index=frame.index,
    )


class LmarenaHistory:
    """Tidy LMArena rating histories (gapcast mirror), with and without style control."""

    name = "lmarena_history"
    title = "LMArena: text leaderboard rating history"
    license = LMARENA_LICENSE
    homepage = HOMEPAGE
    downloads: tuple[Download, ...] = (
        MirrorOnlyDownload(
            "lmarena/leaderboard_history.csv",
            CATALOG + "leaderboard-text.json",
            note="gapcast mirror only: every historical version of arena-catalog's "
            "leaderboard-data.json / leaderboard-text.json plus nakasyou/lmarena-history's "
            "result.csv, as tidy rows",
        ),
        MirrorOnlyDownload(
            "lmarena/leaderboard_history_style_control.csv",
            CATALOG + "leaderboard-text-style-control.json",
            note="gapcast mirror only: every historical version of arena-catalog's "
            "style-controlled leaderboard JSON, as tidy rows",
        ),
    )

    def matches(self, file: str, head: bytes) -> bool:
        """Match ``leaderboard_history*.csv`` with a ``snapshot_date`` column."""
        name = basename(file)
        return (
            name.startswith("leaderboard_history")
            and name.endswith(".csv")
            and has_columns(head, ["snapshot_date"])
        )

    def parse(self, raw: bytes, file: str) -> Parsed:
        """Parse a tidy history into ``scores`` rows."""
        frame = read_csv(raw, file, required=HISTORY_COLUMNS)
        frame = dedupe(
            frame, file, ["snapshot_date", "category", "model"], what="snapshot, category and model"
        )
        model = strip(frame, "model")
        scores = _scores(frame, model, file).assign(
            category=strip(frame, "category"),
            value=_ratings(frame, file, "rating"),
            lo=_ratings(frame, file, "rating_q025"),
            hi=_ratings(frame, file, "rating_q975"),
            as_of=dates(frame, "snapshot_date", file),
        )
        return parsed(self.name, file, scores=scores[scores["value"].notna()])


class LmarenaHistoryRaw:
    """``nakasyou/lmarena-history``'s wide ``result.csv`` (overall ratings, 2023-2025)."""

    name = "lmarena_history_raw"
    title = "LMArena: overall ratings per leaderboard release (nakasyou/lmarena-history)"
    license = LMARENA_LICENSE + "; converter repository MIT"
    homepage = "https://github.com/nakasyou/lmarena-history"
    downloads: tuple[Download, ...] = (Download("lmarena/raw/result.csv", HISTORY_RAW),)

    def matches(self, file: str, head: bytes) -> bool:
        """Match ``result*.csv`` whose header starts with an empty name.

        When the head reaches the first data line, that line must start with a
        ``YYYYMMDD`` date (the header alone is ~4 KiB: 227 model keys).
        """
        name = basename(file)
        lines = head.split(b"\n", 2)
        second = lines[1] if len(lines) > 1 else b""
        return (
            name.startswith("result")
            and name.endswith(".csv")
            and header_of(head)[:1] == [""]
            and (len(second) < 9 or re.match(rb"^\d{8},", second) is not None)
        )

    def parse(self, raw: bytes, file: str) -> Parsed:
        """Melt the wide table into ``scores`` rows; ``0.0`` and empty cells are dropped."""
        frame = read_csv(raw, file)
        date_column = frame.columns[0]
        stamp = strip(frame, date_column)
        frame = dedupe(frame, file, stamp, what="leaderboard date")
        iso = stamp.str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
        as_of = dates(frame.assign(**{date_column: iso}), date_column, file)
        if as_of.isna().any():
            row = int(as_of.index[as_of.isna()][0])
            raise DataError(file, "empty leaderboard date", row=row, column=date_column)
        long = frame.iloc[:, 1:].melt(ignore_index=False, var_name="model", value_name="text")
        text = long["text"].str.strip()
        missing = (text == "") | (text == "NaN")
        value = pd.to_numeric(text.where(~missing), errors="coerce").astype("float64")
        bad = (~missing & ~value.between(0, MAX_RATING)).to_numpy()
        if bad.any():
            at = int(bad.nonzero()[0][0])
            raise DataError(
                file,
                f"not a rating: '{text.iloc[at]}'",
                row=int(long.index[at]),
                column=str(long["model"].iloc[at]),
            )
        long = long.assign(value=value, row=long.index)[value > 0]
        model = long["model"].astype("str").str.strip()
        scores = _scores(long, model, file).assign(
            category="overall",
            value=long["value"],
            as_of=as_of.reindex(long.index).to_numpy(),
            row=long["row"],
        )
        return parsed(self.name, file, scores=scores.sort_values(["row", "model"]))


class LmarenaModels:
    """Model key -> organisation and licence (gapcast mirror, from LMArena's tables)."""

    name = "lmarena_models"
    title = "LMArena: model organisations and licences"
    license = LMARENA_LICENSE + "; organisation labels via fboulnois/llm-leaderboard-csv MPL-2.0"
    homepage = HOMEPAGE
    downloads: tuple[Download, ...] = (
        MirrorOnlyDownload(
            "lmarena/models.csv",
            CATALOG + "scatterplot-data.json",
            note="gapcast mirror only: model_api_name, organization and license of every "
            "historical version of arena-catalog's scatterplot-data.json (newest wins)",
        ),
        MirrorOnlyDownload(
            "lmarena/models_supplement.csv",
            "https://github.com/fboulnois/llm-leaderboard-csv",
            note="gapcast mirror only: organisation and licence of history models missing "
            "from models.csv, from LMArena's leaderboard table (via fboulnois/"
            "llm-leaderboard-csv) or assigned by hand from the name",
        ),
    )

    def matches(self, file: str, head: bytes) -> bool:
        """Match ``models*.csv`` with a ``model`` column."""
        name = basename(file)
        return name.startswith("models") and name.endswith(".csv") and has_columns(head, ["model"])

    def parse(self, raw: bytes, file: str) -> Parsed:
        """Parse into ``models`` rows."""
        frame = read_csv(raw, file, required=MODEL_COLUMNS)
        model = strip(frame, "model")
        frame = dedupe(frame, file, model, what="model")
        model = model.reindex(frame.index)
        return parsed(self.name, file, models=_model_rows(frame, model, model))


def _model_rows(frame: pd.DataFrame, key: pd.Series, display: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model_id": names.model_keys(key),
            "name": display.where(display != "", key),
            "version": key,
            "organization": blank_to_na(strip(frame, "organization")),
            "accessibility": names.accessibility(strip(frame, "license"), licenses=True),
        },
        index=frame.index,
    )


class LmarenaCatalog:
    """``lmarena/arena-catalog``'s leaderboard and scatterplot JSON files."""

    name = "lmarena_catalog"
    title = "LMArena: arena-catalog leaderboard and model files"
    license = LMARENA_LICENSE
    homepage = "https://github.com/lmarena/arena-catalog"
    downloads: tuple[Download, ...] = (
        Download("lmarena/raw/leaderboard-text.json", CATALOG + "leaderboard-text.json"),
        Download(
            "lmarena/raw/leaderboard-text-style-control.json",
            CATALOG + "leaderboard-text-style-control.json",
        ),
        Download("lmarena/raw/scatterplot-data.json", CATALOG + "scatterplot-data.json"),
    )

    def __init__(self, snapshot_date: dt.date | None = None) -> None:
        self.snapshot_date = snapshot_date

    def __repr__(self) -> str:
        return f"LmarenaCatalog(snapshot_date={self.snapshot_date!r})"

    def with_snapshot_date(self, snapshot_date: dt.date | None) -> LmarenaCatalog:
        """Return a copy that dates undated leaderboard files ``snapshot_date``."""
        return LmarenaCatalog(snapshot_date)

    def matches(self, file: str, head: bytes) -> bool:
        """Match ``leaderboard-text*.json`` (an object of ratings) or ``scatterplot*.json``."""
        name = basename(file)
        text = head.lstrip()
        if name.startswith("leaderboard-text") and name.endswith(".json"):
            return text.startswith(b"{") and b'"rating"' in head
        if name.startswith("scatterplot") and name.endswith(".json"):
            return text.startswith(b"[") and b'"model_api_name"' in head
        return False

    def snapshot_of(self, file: str) -> dt.date | None:
        """Return the snapshot date of a leaderboard file (see the module docstring)."""
        found = _DATE_IN_NAME.search(basename(file))
        if found:
            try:
                return dt.date(*(int(part) for part in found.groups()))
            except ValueError:
                pass
        return self.snapshot_date

    def parse(self, raw: bytes, file: str) -> Parsed:
        """Parse a leaderboard into ``scores`` rows or the scatterplot into ``models``."""
        data = _load_json(raw, file)
        if basename(file).startswith("scatterplot"):
            return self._scatterplot(data, file)
        return self._leaderboard(data, file)

    def _leaderboard(self, data: Any, file: str) -> Parsed:
        if not isinstance(data, dict) or not data:
            raise DataError(file, "expected a JSON object of categories")
        parts = []
        for category, entries in data.items():
            if not isinstance(entries, dict) or not all(
                isinstance(entry, dict) for entry in entries.values()
            ):
                raise DataError(file, f"category '{category}': expected an object of models")
            part = pd.DataFrame.from_dict(entries, orient="index", dtype=object)
            parts.append(
                part.rename_axis("model")
                .reset_index()
                .assign(category="overall" if category == "full" else category)
            )
        frame = pd.concat(parts, ignore_index=True)
        frame = frame.reindex(columns=["model", "category", *HISTORY_COLUMNS[3:]])
        frame = frame.fillna("").astype("str")
        frame.index = pd.RangeIndex(1, len(frame) + 1)
        model = strip(frame, "model")
        try:
            value, lo, hi = (_ratings(frame, file, column) for column in HISTORY_COLUMNS[3:])
        except DataError as err:  # JSON has no rows: name the entry instead
            at = int(err.row or 1)
            raise DataError(
                file,
                f"category '{frame.at[at, 'category']!s}', model '{frame.at[at, 'model']!s}', "
                f"field '{err.column}': {err.problem}",
            ) from None
        scores = _scores(frame, model, file).assign(
            category=frame["category"],
            value=value,
            lo=lo,
            hi=hi,
            as_of=_timestamp(self.snapshot_of(file)),
        )
        return parsed(self.name, file, scores=scores[scores["value"].notna()])

    def _scatterplot(self, data: Any, file: str) -> Parsed:
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise DataError(file, "expected a JSON list of model objects")
        frame = (
            pd.DataFrame(data, dtype=object)
            .reindex(columns=["model_api_name", "name", "organization", "license"])
            .fillna("")
            .astype("str")
        )
        frame.index = pd.RangeIndex(1, len(frame) + 1)
        key = strip(frame, "model_api_name")
        if (key == "").any():
            raise DataError(file, f"entry {int(key.index[key == ''][0])}: no model_api_name")
        frame = dedupe(frame, file, key, what="model_api_name")
        key = key.reindex(frame.index)
        return parsed(self.name, file, models=_model_rows(frame, key, strip(frame, "name")))


def _load_json(raw: bytes, file: str) -> Any:
    """Decode strict UTF-8 JSON, reporting syntax errors with their line and column."""
    if not raw.strip():
        raise DataError(file, "file is empty")
    text = decode(raw, file)
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(
            file, f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})"
        ) from None


def _timestamp(day: dt.date | None) -> pd.Timestamp | None:
    return None if day is None else pd.Timestamp(day)

r"""Strict reading helpers shared by every source: bytes -> checked string tables.

Every source parses its file through these functions, so that every bad file fails the
same way: with a ``DataError`` naming the file, the row and the column.

Rows
----
Row numbers are spreadsheet rows: the header is row 1 and the first record row 2.
A record with a multi-line quoted field (an abstract, an author list, a model name
ending in ``\\n``) counts once, so the row of a record is its record number + 1, not
its physical line number. Blank lines count as (empty) records, as a spreadsheet
shows them, and are then dropped. The frames returned by :func:`read_csv` are indexed
by these row numbers, so any later check can name the row with ``frame.index``.

Strictness
----------
- The file must be UTF-8 (a leading byte-order mark is accepted and dropped). A
  non-UTF-8 byte is reported with its offset and the row it sits in.
- Structure is checked before pandas parses the file, with a quote-aware scan of the
  raw bytes (RFC 4180: fields are separated by commas, records by line ends outside
  double quotes, a quote inside a quoted field is doubled). Every record must have as
  many fields as the header; an unterminated quoted field means a truncated file. A
  double quote inside an *unquoted* field is not valid CSV and shows up as one of
  these two errors.
- All columns are read as strings, with ``keep_default_na=False``: an empty cell is
  the empty string (unknown), never ``0``; the literal ``NaN`` stays a string until a
  numeric column is parsed (:func:`numbers` reads it as missing).
- Key strings are stripped of surrounding whitespace, including the trailing
  newlines some Epoch model names carry (:func:`strip`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from pandas.errors import ParserError

from gapcast.errors import DataError

__all__ = [
    "dates",
    "decode",
    "dedupe",
    "header_of",
    "numbers",
    "per_unique",
    "read_csv",
    "require",
    "strip",
]

_BOM = b"\xef\xbb\xbf"
_QUOTE, _COMMA, _LF, _CR = 0x22, 0x2C, 0x0A, 0x0D
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}){0,2}$")


def header_of(head: bytes) -> list[str]:
    """Return the column names of a CSV file from its first bytes (no checks).

    Used by source detection, which sees only the head of a file: decoding errors
    are replaced and a header cut short by the head's end keeps its complete fields.
    """
    text = head.removeprefix(_BOM).decode("utf-8", errors="replace")
    first = next(csv.reader(io.StringIO(text)), [])
    return [name.strip() for name in first]


def _scan(data: bytes) -> tuple[np.ndarray, np.ndarray, int | None, int | None]:
    """Find record boundaries and field counts with a quote-aware scan of the bytes.

    A comma or line end is structural when an even number of double quotes precedes
    it. Returns the end offset of every record (exclusive, at its line end), the
    number of fields of every record (0 for a blank record), the offset of the quote
    that opened a quoted field the file ends inside (else None), and the offset of
    a carriage return that ends no line (else None): pandas would split the record
    there, and the row numbers would no longer match.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(buf == _QUOTE)

    def outside(positions: np.ndarray) -> np.ndarray:
        if len(quotes) == 0:
            return positions
        kept: np.ndarray = positions[np.searchsorted(quotes, positions) % 2 == 0]
        return kept

    newlines = np.flatnonzero(buf == _LF)
    returns = outside(np.flatnonzero(buf == _CR))
    ends = outside(newlines) if len(newlines) else returns
    stray = returns[buf[np.minimum(returns + 1, len(buf) - 1)] != _LF] if len(newlines) else []
    stray_cr = int(stray[0]) if len(stray) else None
    if len(ends) == 0 or ends[-1] != len(buf) - 1:
        ends = np.append(ends, len(buf))
    starts = np.concatenate(([0], ends[:-1] + 1))
    commas = outside(np.flatnonzero(buf == _COMMA))
    fields = np.bincount(np.searchsorted(ends, commas), minlength=len(ends)) + 1
    length = ends - starts - (buf[np.maximum(ends - 1, 0)] == _CR)
    fields[(length <= 0) & (fields == 1)] = 0
    open_quote = int(quotes[-1]) if len(quotes) % 2 else None
    return ends, fields, open_quote, stray_cr


def _row_at(ends: np.ndarray, offset: int) -> int:
    """Spreadsheet row of the record that holds byte ``offset``."""
    return int(np.searchsorted(ends, offset)) + 1


def decode(raw: bytes, file: str, *, ends: np.ndarray | None = None) -> str:
    """Decode ``raw`` as strict UTF-8 (dropping a byte-order mark).

    Raises
    ------
    DataError
        ``not valid UTF-8 (byte 0xe9 at offset 1234); save the file as UTF-8``, with
        the row of the bad byte when the record ends (from the scan) are given.
    """
    data = raw.removeprefix(_BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        row = _row_at(ends, err.start) if ends is not None else None
        raise DataError(
            file,
            f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset "
            f"{err.start + len(raw) - len(data)}); save the file as UTF-8",
            row=row,
        ) from None


def read_csv(raw: bytes, file: str, *, required: Iterable[str] = ()) -> pd.DataFrame:
    """Parse a CSV file into a frame of strings indexed by spreadsheet row.

    Parameters
    ----------
    raw
        The file's bytes.
    file
        The name errors report.
    required
        Columns that must be present (see :func:`require`).

    Returns
    -------
    pandas.DataFrame
        One column per header field (names as written, surrounding spaces removed),
        every value a string (``""`` = empty), index = spreadsheet row number.
        All-empty records (blank lines) are dropped.

    Raises
    ------
    DataError
        Empty file, a file with no data rows, invalid UTF-8, an unterminated quoted
        field, a record with the wrong number of fields, a duplicate or missing
        column; the message names the row where one applies.
    """
    data = raw.removeprefix(_BOM)
    if not data.strip():
        raise DataError(file, "file is empty")
    ends, fields, open_quote, stray_cr = _scan(data)
    decode(raw, file, ends=ends)
    if open_quote is not None:
        raise DataError(
            file,
            "unterminated quoted field (the file may be truncated)",
            row=_row_at(ends, open_quote),
        )
    if stray_cr is not None:
        raise DataError(
            file,
            "carriage return inside an unquoted field; save the file with standard line ends",
            row=_row_at(ends, stray_cr),
        )
    expected = int(fields[0])
    if expected == 0:
        raise DataError(file, "the header row is empty", row=1)
    bad = np.flatnonzero((fields != expected) & (fields != 0))
    if len(bad):
        index = int(bad[0])
        raise DataError(
            file,
            f"expected {expected} fields (as in the header), found {int(fields[index])}; "
            "the line is garbled or the file truncated",
            row=index + 1,
        )
    header = header_of(data[: int(ends[0])])
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise DataError(file, f"duplicate column '{name}'", row=1, column=name)
        seen.add(name)
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8",
        )
    except (ParserError, ValueError) as err:  # the scan should have caught it first
        raise DataError(file, f"unreadable CSV ({err})") from None
    if len(frame) != len(ends) - 1:  # a safety net: row numbers must be record numbers
        raise DataError(file, "unreadable CSV: the parser and the row count disagree")
    frame.columns = pd.Index(header)
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    maybe_blank = frame.iloc[:, 0] == ""
    if maybe_blank.any():
        blank = (frame[maybe_blank] == "").all(axis=1)
        frame = frame.drop(index=blank.index[blank])
    if frame.empty:
        raise DataError(file, "file has a header row but no data rows")
    require(frame, file, required)
    return frame


def require(frame: pd.DataFrame, file: str, columns: Iterable[str]) -> None:
    """Raise ``DataError`` naming the first of ``columns`` the frame lacks."""
    for name in columns:
        if name not in frame.columns:
            found = ", ".join(f"'{c}'" for c in frame.columns[:12])
            more = ", ..." if len(frame.columns) > 12 else ""
            raise DataError(
                file,
                f"missing required column '{name}' (found: {found}{more})",
                column=name,
            )


def strip(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return a column with surrounding whitespace (spaces, tabs, newlines) removed.

    A missing optional column reads as all-empty.
    """
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="str")
    return frame[column].str.strip()


def per_unique(values: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply a vectorised ``func`` to the distinct values only, then broadcast back.

    Key columns repeat a few hundred values over ~100k rows (LMArena dates, models):
    this keeps string work proportional to the distinct values.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    result = func(pd.Series(uniques, dtype=values.dtype))
    return pd.Series(result.to_numpy()[codes], index=values.index, dtype=result.dtype)


def _first_bad(mask: pd.Series) -> int | None:
    """Position of the first True in ``mask`` (missing = False), or None."""
    hits = np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))
    return int(hits[0]) if len(hits) else None


def _fail(file: str, values: pd.Series, at: int, problem: str, column: str) -> DataError:
    """Build the DataError for the value at position ``at`` of a column (index = rows)."""
    return DataError(
        file, problem.format(value=values.iloc[at]), row=int(values.index[at]), column=column
    )


def dates(
    frame: pd.DataFrame,
    column: str,
    file: str,
    *,
    partial: bool = False,
    timestamps: bool = False,
) -> pd.Series:
    """Parse a date column (``YYYY-MM-DD``) into ``datetime64[s]``; empty = missing.

    Parameters
    ----------
    partial
        Also accept ``YYYY-MM`` and ``YYYY`` (read as the first day of the period);
        Epoch uses them for a few decommissioning dates.
    timestamps
        Accept ISO-8601 timestamps (``2025-10-30T10:00:02.998Z``) and keep their date.

    Raises
    ------
    DataError
        ``unparseable date '2024-13-45' (expected YYYY-MM-DD)`` on the first bad row.
    """
    values = strip(frame, column)
    parsed = per_unique(values, lambda uniques: _parse_dates(uniques, partial, timestamps))
    at = _first_bad((values != "") & parsed.isna())
    if at is not None:
        expected = "YYYY-MM-DD" + (", YYYY-MM or YYYY" if partial else "")
        raise _fail(file, values, at, f"unparseable date '{{value}}' (expected {expected})", column)
    return parsed


def _parse_dates(values: pd.Series, partial: bool, timestamps: bool) -> pd.Series:
    """Parse stripped date strings; empty or malformed ones give ``NaT``."""
    if timestamps:
        text = values.str.slice(0, 10)
        shape_ok = text.str.match(_ISO_DATE.pattern)
    elif partial:
        text = values.str.cat(values.str.len().map({4: "-01-01", 7: "-01"}).fillna(""))
        shape_ok = values.str.match(_PARTIAL_DATE.pattern)
    else:
        text, shape_ok = values, values.str.match(_ISO_DATE.pattern)
    parsed = pd.to_datetime(text.where(shape_ok), format="%Y-%m-%d", errors="coerce")
    return parsed.astype("datetime64[s]")


def numbers(
    frame: pd.DataFrame,
    column: str,
    file: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    positive: bool = False,
    what: str = "value",
) -> pd.Series:
    """Parse a numeric column into float64; empty and the literal ``NaN`` = missing.

    Parameters
    ----------
    minimum, maximum
        Inclusive plausibility bounds.
    positive
        Require values > 0 (training compute, FLOP/s).
    what
        How the message names the quantity (``training compute``, ``score``).

    Raises
    ------
    DataError
        ``not a number: 'abc'``, ``not a finite number: 'inf'`` or an implausible value
        (``training compute -1e+24 FLOP is not positive``), on the first bad row.
    """
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    values = frame[column]
    # to_numeric reads surrounding spaces, "" and "NaN"; look closer only at failures
    parsed = pd.to_numeric(values, errors="coerce").astype("float64")
    failed = parsed.isna().to_numpy()
    missing = pd.Series(failed, index=frame.index)
    if failed.any():
        text = values[failed].str.strip()
        missing[failed] = ((text == "") | (text == "NaN")).to_numpy()
        values = values.str.strip()
    at = _first_bad(~missing & parsed.isna())
    if at is not None:
        raise _fail(file, values, at, "not a number: '{value}'", column)
    at = _first_bad(~missing & ~np.isfinite(parsed))
    if at is not None:
        raise _fail(file, values, at, "not a finite number: '{value}'", column)
    checks: list[tuple[pd.Series, str]] = []
    if positive:
        checks.append((parsed <= 0, "is not positive"))
    if minimum is not None:
        checks.append((parsed < minimum, f"is below the plausible minimum {minimum:g}"))
    if maximum is not None:
        checks.append((parsed > maximum, f"is above the plausible maximum {maximum:g}"))
    for mask, problem in checks:
        at = _first_bad(mask)
        if at is not None:
            raise _fail(file, values, at, f"{what} {{value}} {problem}", column)
    return parsed


def dedupe(
    frame: pd.DataFrame,
    file: str,
    key: Sequence[str] | pd.Series,
    *,
    what: str,
) -> pd.DataFrame:
    """Drop exact duplicate records; reject records that share a key but differ.

    Parameters
    ----------
    key
        Column names forming the natural key, or a precomputed key series aligned
        with ``frame`` (e.g. stripped model versions). No columns: only exact
        duplicates are dropped. Empty keys are never compared.
    what
        How the message names the key (``model version``, ``organization``).

    Raises
    ------
    DataError
        ``duplicate model version 'x' (also on row 3) with different values in column
        'ECI Score': '140' vs '141'``, on the later of the two rows.
    """
    if isinstance(key, pd.Series):
        keys = key.reindex(frame.index).to_frame()
    elif key:
        keys = pd.DataFrame({column: strip(frame, column) for column in key})
    else:
        return frame[~frame.duplicated(keep="first")]
    keyed = (keys != "").any(axis=1)
    shared = (keys.duplicated(keep=False) & keyed).to_numpy()
    if not shared.any():
        return frame
    exact = frame[shared].duplicated(keep="first")
    frame = frame.drop(index=exact.index[exact])
    keys, keyed = keys.drop(index=exact.index[exact]), keyed.drop(index=exact.index[exact])
    at = _first_bad(keys.duplicated(keep="first") & keyed)
    if at is None:
        return frame
    row = int(keys.index[at])
    same = (keys == keys.iloc[at]).all(axis=1).to_numpy()
    first = int(keys.index[same][0])
    value = " | ".join(str(part) for part in keys.iloc[at])
    before, after = frame.loc[first].astype("str"), frame.loc[row].astype("str")
    differs = [str(c) for c in frame.columns if before[c] != after[c]]
    column = differs[0] if differs else None
    detail = f" in column '{column}': '{before[column]}' vs '{after[column]}'" if column else ""
    raise DataError(
        file,
        f"duplicate {what} '{value}' (also on row {first}) with different values{detail}",
        row=row,
    )

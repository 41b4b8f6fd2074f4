"""The strict CSV helpers every source reads through: structure, encoding, values, keys."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gapcast.errors import DataError
from gapcast.sources.tabular import dates, dedupe, header_of, numbers, read_csv, require


def error(raw: bytes, **kwargs: object) -> str:
    with pytest.raises(DataError) as caught:
        read_csv(raw, "f.csv", **kwargs)  # type: ignore[arg-type]
    return str(caught.value)


def frame(text: str) -> pd.DataFrame:
    return read_csv(text.encode(), "f.csv")


def test_rows_are_records_not_lines() -> None:
    table = frame('a,b\n1,"two\nlines"\n3,x\n\n4,y\n')
    assert list(table.index) == [2, 3, 5]  # the blank line is row 4, then dropped
    assert table.loc[3, "a"] == "3" and table.loc[2, "b"] == "two\nlines"


def test_strings_stay_strings_and_empty_means_unknown() -> None:
    table = frame("a,b,c\n007,,NaN\n")
    assert table.loc[2].tolist() == ["007", "", "NaN"]


def test_byte_order_mark_crlf_and_missing_final_newline() -> None:
    table = read_csv(b"\xef\xbb\xbfa,b\r\n1,2\r\n3,4", "f.csv")
    assert list(table.columns) == ["a", "b"] and table.loc[3, "b"] == "4"


@pytest.mark.parametrize(
    "raw,message",
    [
        (b"", "f.csv: file is empty"),
        (b" \n\n", "f.csv: file is empty"),
        (b"a,b\n", "f.csv: file has a header row but no data rows"),
        (b"a,b\n,\n", "f.csv: file has a header row but no data rows"),
        (
            b'a,b\n1,2\n3,"unfinished\n',
            "f.csv: row 3: unterminated quoted field (the file may be truncated)",
        ),
        (
            b"a,b\n1,2\n3,4,5\n",
            "f.csv: row 3: expected 2 fields (as in the header), found 3; "
            "the line is garbled or the file truncated",
        ),
        (
            b'a,b,c\n"x\ny",2,3\n4,5',
            "f.csv: row 3: expected 3 fields (as in the header), found 2; "
            "the line is garbled or the file truncated",
        ),
        (b"a,b,a\n1,2,3\n", "f.csv: row 1, column a: duplicate column 'a'"),
        (b"\na,b\n1,2\n", "f.csv: row 1: the header row is empty"),
        (
            b"a,b\n1,x\ry\n3,4\n",
            "f.csv: row 2: carriage return inside an unquoted field; save the file with "
            "standard line ends",
        ),
        (
            "a,b\n1,2\n3,caf\u00e9\n".encode("latin-1"),
            "f.csv: row 3: not valid UTF-8 (byte 0xe9 at offset 13); save the file as UTF-8",
        ),
    ],
)
def test_structural_errors(raw: bytes, message: str) -> None:
    assert error(raw) == message


def test_bad_byte_row_counts_records_with_embedded_newlines() -> None:
    raw = 'a,b\n"x\ny\nz",1\n2,\u00e9\n'.encode("latin-1")
    assert error(raw).startswith("f.csv: row 3: not valid UTF-8 (byte 0xe9 at offset 16)")


def test_missing_required_column() -> None:
    assert error(b"a,b\n1,2\n", required=("a", "Score")) == (
        "f.csv: column Score: missing required column 'Score' (found: 'a', 'b')"
    )
    table = frame("a\n1\n")
    require(table, "f.csv", ["a"])


def test_header_of_a_head_cut_short() -> None:
    assert header_of(b'\xef\xbb\xbfModel, "Release date",Organiz') == [
        "Model",
        '"Release date"',
        "Organiz",
    ]


def test_dates() -> None:
    table = frame("d,t,p\n2024-02-29, ,2021-07\n,2025-10-30T10:00:02.998Z,2019\n")
    assert dates(table, "d", "f.csv").tolist()[0] == pd.Timestamp("2024-02-29")
    assert dates(table, "d", "f.csv").dtype == "datetime64[s]"
    assert pd.isna(dates(table, "d", "f.csv")[3])
    assert dates(table, "t", "f.csv", timestamps=True)[3] == pd.Timestamp("2025-10-30")
    assert dates(table, "p", "f.csv", partial=True).tolist() == [
        pd.Timestamp("2021-07-01"),
        pd.Timestamp("2019-01-01"),
    ]
    assert dates(table, "absent", "f.csv").isna().all()


@pytest.mark.parametrize("bad", ["2024-13-45", "2024-02-30", "12/03/2024", "2024-1-5", "soon"])
def test_unparseable_date_names_the_first_bad_row(bad: str) -> None:
    table = frame(f"Release date\n2024-01-01\n{bad}\n{bad}\n")
    with pytest.raises(DataError) as caught:
        dates(table, "Release date", "f.csv")
    assert str(caught.value) == (
        f"f.csv: row 3, column Release date: unparseable date '{bad}' (expected YYYY-MM-DD)"
    )


def test_numbers() -> None:
    table = frame("x\n1.5\n\nNaN\n 4.00000001e+22 \n8443234211932070000\n")
    values = numbers(table, "x", "f.csv")
    assert values.dtype == "float64"
    assert values[2] == 1.5 and np.isnan(values[4]) and values[5] == 4.00000001e22
    assert values[6] == 8443234211932070000.0
    assert list(values.index) == [2, 4, 5, 6]  # the all-empty row 3 was dropped


@pytest.mark.parametrize(
    "value,kwargs,message",
    [
        ("high", {}, "row 3, column x: not a number: 'high'"),
        ("1,000", {}, "row 3, column x: not a number: '1,000'"),
        ("inf", {}, "row 3, column x: not a finite number: 'inf'"),
        (
            "-2e24",
            {"positive": True, "what": "training compute"},
            "row 3, column x: training compute -2e24 is not positive",
        ),
        ("0", {"positive": True}, "row 3, column x: value 0 is not positive"),
        (
            "2.1e+45",
            {"maximum": 1e30, "what": "training compute"},
            "row 3, column x: training compute 2.1e+45 is above the plausible maximum 1e+30",
        ),
        ("-1", {"minimum": 0.0}, "row 3, column x: value -1 is below the plausible minimum 0"),
    ],
)
def test_number_errors(value: str, kwargs: dict[str, object], message: str) -> None:
    table = frame(f"x\n1\n{value if ',' not in value else chr(34) + value + chr(34)}\n")
    with pytest.raises(DataError) as caught:
        numbers(table, "x", "f.csv", **kwargs)  # type: ignore[arg-type]
    assert str(caught.value) == "f.csv: " + message


def test_dedupe_drops_exact_duplicates_and_rejects_conflicts() -> None:
    table = frame("k,v\na,1\nb,2\na,1\n")
    assert list(dedupe(table, "f.csv", ["k"], what="key").index) == [2, 3]
    clash = frame("k,v,w\na,1,x\nb,2,x\n a ,3,x\n")
    with pytest.raises(DataError) as caught:
        dedupe(clash, "f.csv", ["k"], what="key")
    assert str(caught.value) == (
        "f.csv: row 4: duplicate key 'a' (also on row 2) with different values "
        "in column 'k': 'a' vs ' a '"
    )
    two = frame("d,m,v\n1,x,5\n1,y,5\n1,x,6\n")
    with pytest.raises(DataError) as caught:
        dedupe(two, "f.csv", ["d", "m"], what="date and model")
    assert str(caught.value) == (
        "f.csv: row 4: duplicate date and model '1 | x' (also on row 2) with different "
        "values in column 'v': '5' vs '6'"
    )


def test_dedupe_ignores_empty_keys_and_keeps_identical_rows_without_a_key() -> None:
    table = frame("k,v\n,1\n,2\n")
    assert len(dedupe(table, "f.csv", ["k"], what="key")) == 2
    same = frame("k,v\nx,1\nx,1\n")
    assert len(dedupe(same, "f.csv", [], what="row")) == 1


# No CR: pandas reads a quoted lone carriage return as an empty field.
cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(cells.filter(lambda s: s.strip() != ""), cells, cells), min_size=1, max_size=8
    )
)
def test_csv_round_trip(rows: list[tuple[str, str, str]]) -> None:
    """Whatever csv.writer writes (quotes, commas, newlines), read_csv reads back."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["a", "b", "c"])
    writer.writerows(rows)
    table = read_csv(out.getvalue().encode(), "f.csv")
    assert [tuple(r) for r in table.itertuples(index=False)] == rows
    assert list(table.index) == list(range(2, len(rows) + 2))

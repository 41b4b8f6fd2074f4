"""The claims file as a source: parsing, provenance, and bad rows (file, row, column)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gapcast.errors import DataError
from gapcast.sources import REGISTRY, detect
from gapcast.sources.claims import ClaimPrice, Claims, price_parsed
from gapcast.store import Store
from gapcast.usecases.data import import_paths

HEADER = (
    "id,kind,publisher,title,url,published,as_seen,metric,leader,challenger,event,deadline,"
    "value,value_low,value_high,unit,resolution,reliability,notes\n"
)
GOOD = (
    "m1,market,Polymarket,Chinese #1?,https://polymarket.com/,2026-01-01,2026-06-15,lmarena,"
    'United States,China,top_any_time,2026-12-31,0.11,0.08,0.25,probability,"LMArena text, '
    'ties do not count.",aggregator,\n'
    "e1,expert,Summit,Less than 20%,,2026-01-10,2026-01-10,unspecified,United States,China,"
    "ahead_within,,,,0.20,probability,no metric,news,\n"
    "x1,measurement,AI Index,Arena gap,https://hai.stanford.edu/,2025-04-07,2025-04-07,"
    "lmarena,United States,China,relative_gap,2025-02-28,1.70,,,percent,relative,report,\n"
)


def _parse(body: str) -> object:
    return Claims().parse((HEADER + body).encode(), "claims/claims.csv")


def test_claims_file_is_registered_and_detected() -> None:
    raw = (HEADER + GOOD).encode()
    assert REGISTRY["claims"].name == "claims"
    assert detect("claims/claims.csv", raw).name == "claims"


def test_parse_keeps_rows_bounds_and_provenance() -> None:
    parsed = Claims().parse((HEADER + GOOD).encode(), "claims/claims.csv")
    rows = parsed.tables["claims"]
    assert list(rows["claim_id"]) == ["m1", "e1", "x1"]
    assert list(rows["row"]) == [2, 3, 4]
    assert set(rows["source"]) == {"claims"} and set(rows["file"]) == {"claims.csv"}
    m1 = rows.iloc[0]
    assert (m1["value"], m1["value_low"], m1["value_high"]) == (0.11, 0.08, 0.25)
    assert m1["deadline"] == dt.datetime(2026, 12, 31)
    assert m1["resolution"] == "LMArena text, ties do not count."
    e1 = rows.iloc[1]  # "less than 20%": a bound only
    assert str(e1["value"]) == "nan" and e1["value_high"] == 0.20


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "m1,market,P,t,,,,lmarena,US,China,top_any_time,2026-12-31,0.1,,,probability,,,\n"
            "m1,market,P,t,,,,lmarena,US,China,top_any_time,2026-12-31,0.2,,,probability,,,\n",
            "claims/claims.csv: row 3: duplicate claim id 'm1' (also on row 2) with different "
            "values in column 'value': '0.1' vs '0.2'",
        ),
        (
            "m1,bet,P,t,,,,lmarena,US,China,top_any_time,2026-12-31,0.1,,,probability,,,\n",
            "claims/claims.csv: row 2, column kind: unknown kind 'bet' (expected one of: "
            "market, forecast platform, expert, measurement)",
        ),
        (
            "m1,market,P,t,,,,lmarena,US,China,top_ever,2026-12-31,0.1,,,probability,,,\n",
            "claims/claims.csv: row 2, column event: unknown event 'top_ever' (expected one of: "
            "ahead_within, top_any_time, sole_top_any_time, top_at_date, frontier_lab_before, "
            "relative_gap, gap, mean_gap, mean_lag_months, growth_per_year)",
        ),
        (
            "m1,market,P,t,,,,lmarena,US,China,top_any_time,,0.1,,,probability,,,\n",
            "claims/claims.csv: row 2, column deadline: event 'top_any_time' needs a deadline",
        ),
        (
            "m1,market,P,t,,,,lmarena,US,China,top_any_time,2026-13-01,0.1,,,probability,,,\n",
            "claims/claims.csv: row 2, column deadline: unparseable date '2026-13-01' "
            "(expected YYYY-MM-DD)",
        ),
        (
            "m1,market,P,t,,,,lmarena,US,China,top_any_time,2026-12-31,1.1,,,probability,,,\n",
            "claims/claims.csv: row 2, column value: probability 1.1 is outside [0, 1]",
        ),
        (
            "m1,market,P,t,,,,lmarena,US,China,top_any_time,2026-12-31,0.1,0.2,,probability,,,\n",
            "claims/claims.csv: row 2, column value_low: value_low 0.2 is above value 0.1",
        ),
        (
            "m1,market,P,t,,,,lmarena,US,China,top_any_time,2026-12-31,abc,,,probability,,,\n",
            "claims/claims.csv: row 2, column value: not a number: 'abc'",
        ),
        (
            "m1,market,P,t,,,,lmarena,US,China,top_any_time,2026-12-31,,,,probability,,,\n",
            "claims/claims.csv: row 2, column value: no value: give value, or value_low / "
            "value_high for a bound",
        ),
        (
            "m1,market,P,t,,,,,US,China,top_any_time,2026-12-31,0.1,,,probability,,,\n",
            "claims/claims.csv: row 2, column metric: empty metric (write 'unspecified' if none "
            "is named)",
        ),
        (
            ",market,P,t,,,,lmarena,US,China,top_any_time,2026-12-31,0.1,,,probability,,,\n",
            "claims/claims.csv: row 2, column id: empty claim id",
        ),
    ],
)
def test_bad_rows_name_file_row_and_column(row: str, message: str) -> None:
    with pytest.raises(DataError) as err:
        _parse(row)
    assert str(err.value) == message


def test_bad_claims_file_stores_nothing(tmp_path: Path, store: Store) -> None:
    good = tmp_path / "good"
    good.mkdir()
    (good / "claims.csv").write_text(HEADER + GOOD)
    import_paths(store, [good])
    before = store.snapshot()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "claims.csv").write_text(
        HEADER + GOOD + "z9,market,P,t,,,,lmarena,US,China,gap,,0.1,,,probability,,,\n"
    )
    with pytest.raises(DataError, match="row 5, column deadline: event 'gap' needs a deadline"):
        import_paths(store, [bad])
    assert store.snapshot() == before
    assert len(store.table("claims")) == 3


def test_price_rows_and_bad_prices() -> None:
    price = ClaimPrice("m1", 0.12, dt.date(2026, 7, 1), "manifold", "slug-1", "GET url")
    rows = price_parsed(price).tables["prices"]
    assert rows.iloc[0]["value"] == 0.12 and rows.iloc[0]["file"] == "manifold-m1-2026-07-01"
    with pytest.raises(DataError) as err:
        price_parsed(ClaimPrice("m1", 1.5, dt.date(2026, 7, 1), "kalshi"))
    assert str(err.value) == "kalshi-m1-2026-07-01: column value: price 1.5 is not in [0, 1]"
    with pytest.raises(DataError) as err:
        price_parsed(ClaimPrice("m1", 0.5, dt.date(2026, 7, 1), "betfair"))
    assert str(err.value) == (
        "betfair-m1-2026-07-01: column market: unknown market 'betfair' (expected one of: "
        "manifold, polymarket, kalshi, metaculus, manual)"
    )
    # a manual figure may be in the claim's own unit
    manual = price_parsed(ClaimPrice("x1", 2.4, dt.date(2026, 7, 1), "manual"))
    assert manual.tables["prices"].iloc[0]["value"] == 2.4

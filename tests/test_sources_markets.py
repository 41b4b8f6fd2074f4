"""Market fetchers against a local HTTP server serving responses shaped as documented.

The server (127.0.0.1, a free port) answers each path with a fixed status and body: the
documented shapes of Manifold, Polymarket, Kalshi and Metaculus, and bad or partial
variants. A good response is stored as a price; a bad one raises an error naming the URL
and field, and the store is left exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from gapcast.errors import DataError, GapcastError, NotFoundError
from gapcast.sources.claims import Claims
from gapcast.store import FileImport, Store
from gapcast.usecases import claims as use

MANIFOLD = {
    "id": "abc",
    "slug": "chinese-top",
    "question": "Will a Chinese model top LMArena by end of 2026?",
    "outcomeType": "BINARY",
    "probability": 0.34,
    "isResolved": False,
}
POLYMARKET = [
    {
        "id": "1",
        "slug": "chinese-best",
        "question": "Will a Chinese company have the best AI model by December 31?",
        "outcomes": '["Yes", "No"]',
        "outcomePrices": '["0.115", "0.885"]',
    }
]
KALSHI = {"market": {"ticker": "KXBESTLLMCHINA-26", "title": "Chinese #1?", "last_price": 11}}
KALSHI_NO_TRADE = {
    "market": {"ticker": "KXNEW", "title": "t", "last_price": 0, "yes_bid": 10, "yes_ask": 14}
}
METACULUS = {
    "id": 17280,
    "title": "Will there be a frontier AI lab in China before 2026?",
    "question": {
        "id": 17280,
        "type": "binary",
        "aggregations": {"recency_weighted": {"latest": {"centers": [0.8]}}},
    },
}

ROUTES: dict[str, tuple[int, bytes]] = {
    "/v0/slug/chinese-top": (200, json.dumps(MANIFOLD).encode()),
    "/v0/slug/multi": (200, json.dumps({**MANIFOLD, "outcomeType": "MULTIPLE_CHOICE"}).encode()),
    "/v0/slug/partial": (200, json.dumps({"outcomeType": "BINARY"}).encode()),
    "/v0/slug/html": (200, b"<html>maintenance</html>"),
    "/v0/slug/broken": (500, b"{}"),
    "/markets?slug=chinese-best": (200, json.dumps(POLYMARKET).encode()),
    "/markets?slug=none": (200, b"[]"),
    "/markets?slug=short": (
        200,
        json.dumps([{**POLYMARKET[0], "outcomePrices": '["0.1"]'}]).encode(),
    ),
    "/trade-api/v2/markets/KXBESTLLMCHINA-26": (200, json.dumps(KALSHI).encode()),
    "/trade-api/v2/markets/KXNEW": (200, json.dumps(KALSHI_NO_TRADE).encode()),
    "/trade-api/v2/markets/KXBAD": (200, json.dumps({"market": {"last_price": 140}}).encode()),
    "/api/posts/17280/": (200, json.dumps(METACULUS).encode()),
    "/api/posts/1/": (
        200,
        json.dumps(
            {**METACULUS, "question": {**METACULUS["question"], "aggregations": {}}}
        ).encode(),
    ),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, body = ROUTES.get(self.path, (404, b'{"error": "not found"}'))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


CLAIMS = (
    "id,kind,metric,event,deadline,value,unit\n"
    "c1,market,lmarena,top_any_time,2026-12-31,0.11,probability\n"
)


@pytest.fixture
def claims_store(store: Store) -> Store:
    parsed = Claims().parse(CLAIMS.encode(), "claims.csv")
    store.import_files([FileImport(parsed, "sha", "test")])
    return store


DAY = dt.date(2026, 7, 1)


@pytest.mark.parametrize(
    ("market", "market_id", "expected"),
    [
        ("manifold", "chinese-top", 0.34),
        ("polymarket", "chinese-best", 0.115),
        ("kalshi", "KXBESTLLMCHINA-26", 0.11),
        ("kalshi", "KXNEW", 0.12),  # no trade yet: the bid/ask midpoint
        ("metaculus", "17280", 0.8),
    ],
)
def test_documented_responses_are_stored(
    server: str, claims_store: Store, market: str, market_id: str, expected: float
) -> None:
    with httpx.Client() as client:
        quote, result = use.fetch_price(
            claims_store, "c1", market, market_id, base=server, client=client, as_seen=DAY
        )
    assert quote.probability == pytest.approx(expected)
    prices = claims_store.table("prices")
    assert len(prices) == 1
    row = prices.iloc[0]
    assert (row["claim_id"], row["market"], row["market_id"]) == ("c1", market, market_id)
    assert row["value"] == pytest.approx(expected)
    assert row["note"] == f"GET {quote.url}"
    imports = claims_store.imports()
    assert imports.loc[imports["source"] == "claim_prices", "url"].tolist() == [quote.url]


@pytest.mark.parametrize(
    ("market", "market_id", "kind", "message"),
    [
        (
            "manifold",
            "multi",
            DataError,
            "/v0/slug/multi: column outcomeType: not a yes/no market (outcomeType "
            "'MULTIPLE_CHOICE')",
        ),
        (
            "manifold",
            "partial",
            DataError,
            "/v0/slug/partial: column probability: response has no 'probability' (partial "
            "response?)",
        ),
        ("manifold", "html", DataError, "/v0/slug/html: response is not JSON"),
        ("manifold", "broken", DataError, "/v0/slug/broken: HTTP 500 from manifold"),
        ("manifold", "missing", NotFoundError, "/v0/slug/missing: manifold has no market"),
        ("polymarket", "none", NotFoundError, "no Polymarket market with slug 'none'"),
        (
            "polymarket",
            "short",
            DataError,
            "/markets?slug=short: column outcomePrices: 2 outcomes but 1 prices (partial "
            "response?)",
        ),
        (
            "kalshi",
            "KXBAD",
            DataError,
            "/trade-api/v2/markets/KXBAD: column last_price: 'last_price' 1.4 is not a "
            "probability in [0, 1]",
        ),
        (
            "metaculus",
            "1",
            DataError,
            "/api/posts/1/: column recency_weighted: response has no 'recency_weighted'",
        ),
    ],
)
def test_bad_or_partial_responses_store_nothing(
    server: str,
    claims_store: Store,
    market: str,
    market_id: str,
    kind: type[GapcastError],
    message: str,
) -> None:
    before = claims_store.snapshot()
    with httpx.Client() as client, pytest.raises(kind) as err:
        use.fetch_price(
            claims_store, "c1", market, market_id, base=server, client=client, as_seen=DAY
        )
    assert message in str(err.value)
    assert str(err.value).startswith(server) or kind is NotFoundError
    assert claims_store.snapshot() == before


def test_unknown_claim_and_market_store_nothing(server: str, claims_store: Store) -> None:
    before = claims_store.snapshot()
    with httpx.Client() as client:
        with pytest.raises(NotFoundError, match="no claim 'c9'"):
            use.fetch_price(
                claims_store, "c9", "manifold", "chinese-top", base=server, client=client
            )
        with pytest.raises(NotFoundError, match="no market 'betfair'"):
            use.fetch_price(claims_store, "c1", "betfair", "x", base=server, client=client)
        with pytest.raises(DataError, match="is empty or not a plain id or slug"):
            use.fetch_price(claims_store, "c1", "manifold", "a/../b", base=server, client=client)
    assert claims_store.snapshot() == before


def test_unreachable_server_is_a_clear_error(claims_store: Store) -> None:
    # a port nothing listens on (bound, then closed)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    port = httpd.server_address[1]
    httpd.server_close()
    with httpx.Client() as client, pytest.raises(GapcastError) as err:
        use.fetch_price(
            claims_store, "c1", "manifold", "x", base=f"http://127.0.0.1:{port}", client=client
        )
    assert str(err.value).startswith(f"http://127.0.0.1:{port}/v0/slug/x: request failed")
    assert len(claims_store.table("prices")) == 0

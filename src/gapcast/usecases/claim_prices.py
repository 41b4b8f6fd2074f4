"""Recording a claim's price: by hand, or fetched from a market's public API."""

from __future__ import annotations

import datetime as dt

import httpx

from gapcast.errors import NotFoundError, RequestError
from gapcast.sources.claims import MARKETS, ClaimPrice, price_parsed
from gapcast.sources.markets import Quote, fetch_quote, today
from gapcast.store import FileImport, ImportResult, Store

__all__ = ["fetch_price", "record_price"]


def record_price(store: Store, price: ClaimPrice, url: str | None = None) -> ImportResult:
    """Store one price for a claim (one transaction; nothing stored on error).

    Raises
    ------
    NotFoundError
        The claim is not in the store.
    DataError
        The price is not valid (``gapcast.sources.claims.price_parsed``).
    """
    known = set(store.table("claims")["claim_id"].dropna().astype(str))
    if price.claim_id not in known:
        raise NotFoundError(
            f"no claim '{price.claim_id}'",
            hint="`gapcast claims` lists the claim ids; import the claims file first",
        )
    if price.market not in MARKETS:
        raise RequestError("market", f"'{price.market}' is not one of {', '.join(MARKETS)}")
    parsed = price_parsed(price)
    item = FileImport(parsed, price.sha256(), "as published by the market", url)
    return store.import_files([item])[0]


def fetch_price(
    store: Store,
    claim_id: str,
    market: str,
    market_id: str,
    *,
    base: str | None = None,
    headers: dict[str, str] | None = None,
    client: httpx.Client | None = None,
    as_seen: dt.date | None = None,
) -> tuple[Quote, ImportResult]:
    """Fetch a market's current price from its public API and store it for a claim.

    The request and the parsing happen before anything is written: a bad or partial
    response raises and stores nothing.
    """
    own = client is None
    http = client or httpx.Client(timeout=30.0, follow_redirects=True)
    try:
        quote = fetch_quote(market, market_id, client=http, base=base, headers=headers)
    finally:
        if own:
            http.close()
    price = ClaimPrice(
        claim_id, quote.probability, as_seen or today(), market, market_id, f"GET {quote.url}"
    )
    return quote, record_price(store, price, quote.url)

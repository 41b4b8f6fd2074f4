"""Current prices from the public APIs of Manifold, Polymarket, Kalshi and Metaculus.

Each market is a small class with the address of its public endpoint and a ``parse`` that
reads one response, shaped as the market's documentation shows, into a probability. Parsing
is pure (bytes in, :class:`Quote` out); :func:`fetch_quote` does the one HTTP GET. A bad or
partial response (an HTTP error, not JSON, a missing or malformed field, a price outside
[0, 1], a market that is not a yes/no market) raises ``DataError`` naming the URL and the
field, and nothing is stored.

Endpoints (``base`` + path) and the price read:

- manifold: ``GET /v0/slug/{slug}``, ``probability``;
- polymarket: ``GET /markets?slug={slug}`` (Gamma API, a list), the "Yes" entry of
  ``outcomePrices``;
- kalshi: ``GET /trade-api/v2/markets/{ticker}``, ``last_price`` in cents, else the bid/ask
  midpoint;
- metaculus: ``GET /api/posts/{id}/``, the recency-weighted community ``centers[0]``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from gapcast.errors import DataError, GapcastError, NotFoundError

__all__ = [
    "FETCHERS",
    "Kalshi",
    "Manifold",
    "Metaculus",
    "Polymarket",
    "Quote",
    "fetch_quote",
]


@dataclass(frozen=True)
class Quote:
    """A market's probability of "yes", as read from its API."""

    market: str
    market_id: str
    probability: float
    url: str
    title: str = ""


class Market(Protocol):
    """One market's public API."""

    name: str
    base: str
    docs: str

    def path(self, market_id: str) -> str:
        """Return the request path (and query) for one market."""
        ...

    def parse(self, raw: bytes, url: str, market_id: str) -> Quote:
        """Read a response into a ``Quote``; raise ``DataError`` on a bad one."""
        ...


def _json(raw: bytes, url: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataError(url, f"response is not JSON ({err})") from None


def _field(obj: Any, name: str, url: str) -> Any:
    if not isinstance(obj, dict):
        raise DataError(url, f"expected a JSON object holding '{name}'", column=name)
    if name not in obj or obj[name] is None:
        raise DataError(url, f"response has no '{name}' (partial response?)", column=name)
    return obj[name]


def _probability(value: Any, url: str, name: str, scale: float = 1.0) -> float:
    try:
        number = float(value) / scale
    except (TypeError, ValueError):
        raise DataError(url, f"'{name}' is not a number: {value!r}", column=name) from None
    if not 0.0 <= number <= 1.0:
        raise DataError(url, f"'{name}' {number:g} is not a probability in [0, 1]", column=name)
    return number


class Manifold:
    """Manifold Markets: ``GET https://api.manifold.markets/v0/slug/{slug}``.

    Documentation: https://docs.manifold.markets/api ("GET /v0/slug/[marketSlug]": a
    market object; binary markets carry ``probability`` and ``outcomeType`` "BINARY").
    """

    name = "manifold"
    base = "https://api.manifold.markets"
    docs = "https://docs.manifold.markets/api"

    def path(self, market_id: str) -> str:
        """Return ``/v0/slug/{slug}``."""
        return f"/v0/slug/{market_id}"

    def parse(self, raw: bytes, url: str, market_id: str) -> Quote:
        """Read ``probability`` of a binary market."""
        data = _json(raw, url)
        kind = _field(data, "outcomeType", url)
        if kind != "BINARY":
            raise DataError(
                url, f"not a yes/no market (outcomeType {kind!r})", column="outcomeType"
            )
        p = _probability(_field(data, "probability", url), url, "probability")
        return Quote(self.name, market_id, p, url, str(data.get("question", "")))


class Polymarket:
    """Polymarket Gamma API: ``GET https://gamma-api.polymarket.com/markets?slug={slug}``.

    Documentation: https://docs.polymarket.com/developers/gamma-markets-api/get-markets (a
    JSON list of markets; ``outcomes`` and ``outcomePrices`` are JSON-encoded string lists,
    such as the text ``["Yes", "No"]`` and ``["0.11", "0.89"]``).
    """

    name = "polymarket"
    base = "https://gamma-api.polymarket.com"
    docs = "https://docs.polymarket.com/developers/gamma-markets-api/get-markets"

    def path(self, market_id: str) -> str:
        """Return ``/markets?slug={slug}``."""
        return f"/markets?slug={market_id}"

    def parse(self, raw: bytes, url: str, market_id: str) -> Quote:
        """Read the price of the "Yes" outcome."""
        data = _json(raw, url)
        if not isinstance(data, list):
            raise DataError(url, "expected a JSON list of markets")
        if not data:
            raise NotFoundError(f"{url}: no Polymarket market with slug '{market_id}'")
        market = data[0]
        outcomes = _decoded(_field(market, "outcomes", url), url, "outcomes")
        prices = _decoded(_field(market, "outcomePrices", url), url, "outcomePrices")
        if len(outcomes) != len(prices):
            raise DataError(
                url,
                f"{len(outcomes)} outcomes but {len(prices)} prices (partial response?)",
                column="outcomePrices",
            )
        names = [str(o).casefold() for o in outcomes]
        if "yes" not in names:
            raise DataError(url, f"no 'Yes' outcome (outcomes {outcomes})", column="outcomes")
        p = _probability(prices[names.index("yes")], url, "outcomePrices")
        return Quote(self.name, market_id, p, url, str(market.get("question", "")))


def _decoded(value: Any, url: str, name: str) -> list[Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise DataError(url, f"'{name}' is not a JSON list: {value!r}", column=name) from None
    if not isinstance(value, list):
        raise DataError(url, f"'{name}' is not a list: {value!r}", column=name)
    return value


class Kalshi:
    """Kalshi: ``GET https://api.elections.kalshi.com/trade-api/v2/markets/{ticker}``.

    Documentation: https://docs.kalshi.com/api-reference/market/get-market (``{"market":
    {...}}``; prices in cents 0-100: ``last_price``, ``yes_bid``, ``yes_ask``). The last
    trade price is read; with no trade yet (``last_price`` 0), the bid/ask midpoint.
    """

    name = "kalshi"
    base = "https://api.elections.kalshi.com"
    docs = "https://docs.kalshi.com/api-reference/market/get-market"

    def path(self, market_id: str) -> str:
        """Return ``/trade-api/v2/markets/{ticker}``."""
        return f"/trade-api/v2/markets/{market_id}"

    def parse(self, raw: bytes, url: str, market_id: str) -> Quote:
        """Read ``last_price`` (or the bid/ask midpoint) in cents."""
        market = _field(_json(raw, url), "market", url)
        last = _probability(_field(market, "last_price", url), url, "last_price", 100.0)
        if last == 0.0:
            bid = _probability(_field(market, "yes_bid", url), url, "yes_bid", 100.0)
            ask = _probability(_field(market, "yes_ask", url), url, "yes_ask", 100.0)
            last = (bid + ask) / 2.0
        return Quote(self.name, market_id, last, url, str(market.get("title", "")))


class Metaculus:
    """Metaculus: ``GET https://www.metaculus.com/api/posts/{id}/``.

    Documentation: https://www.metaculus.com/api/ (OpenAPI: the Metaculus repository's
    ``docs/openapi.yml``; a post holds a ``question`` whose ``aggregations`` carry the
    ``recency_weighted`` community forecast, ``latest.centers`` the median of a binary
    question). The API needs a token (``Authorization: Token ...``) for most requests;
    pass one with ``headers``.
    """

    name = "metaculus"
    base = "https://www.metaculus.com"
    docs = "https://www.metaculus.com/api/"

    def path(self, market_id: str) -> str:
        """Return ``/api/posts/{id}/``."""
        return f"/api/posts/{market_id}/"

    def parse(self, raw: bytes, url: str, market_id: str) -> Quote:
        """Read the recency-weighted community median of a binary question."""
        post = _json(raw, url)
        question = _field(post, "question", url)
        kind = _field(question, "type", url)
        if kind != "binary":
            raise DataError(url, f"not a binary question (type {kind!r})", column="type")
        latest = _field(
            _field(_field(question, "aggregations", url), "recency_weighted", url), "latest", url
        )
        centers = _field(latest, "centers", url)
        if not isinstance(centers, list) or not centers:
            raise DataError(url, "'centers' is empty (no community forecast yet)", column="centers")
        p = _probability(centers[0], url, "centers")
        return Quote(self.name, market_id, p, url, str(post.get("title", "")))


FETCHERS: dict[str, Market] = {
    "kalshi": Kalshi(),
    "manifold": Manifold(),
    "metaculus": Metaculus(),
    "polymarket": Polymarket(),
}


def fetch_quote(
    market: str,
    market_id: str,
    *,
    client: httpx.Client,
    base: str | None = None,
    headers: dict[str, str] | None = None,
) -> Quote:
    """GET one market's current price from its public API (``base`` overrides the host).

    Raises
    ------
    NotFoundError
        Unknown market, or the market says it has no such id (HTTP 404).
    DataError
        An HTTP error or a bad or partial response (names the URL and field).
    GapcastError
        The request failed (network).
    """
    fetcher = FETCHERS.get(market)
    if fetcher is None:
        raise NotFoundError(
            f"no market '{market}'", hint=f"markets with an API: {', '.join(sorted(FETCHERS))}"
        )
    if not market_id.strip() or any(c in market_id for c in "/?#& "):
        raise DataError(market, f"market id {market_id!r} is empty or not a plain id or slug")
    url = (base or fetcher.base).rstrip("/") + fetcher.path(market_id.strip())
    try:
        response = client.get(url, headers=headers or {})
    except httpx.HTTPError as err:
        raise GapcastError(
            f"{url}: request failed ({err})",
            hint="check the network, or record the price by hand: gapcast claims record",
        ) from None
    if response.status_code == 404:
        raise NotFoundError(f"{url}: {market} has no market '{market_id}' (HTTP 404)")
    if response.status_code != 200:
        raise DataError(url, f"HTTP {response.status_code} from {market}")
    return fetcher.parse(response.content, url, market_id.strip())


def today() -> dt.date:
    """Return today's date (UTC), the date a fetched price is recorded under."""
    return dt.datetime.now(dt.UTC).date()

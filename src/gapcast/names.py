"""Name normalisation, as data: countries, organisations, accessibility, model keys.

Every rule here is a lookup in a hand-written table under ``gapcast/data/`` (each row
with a note saying why) plus a few documented string rules. Nothing else in gapcast
decides what country an organisation is in or whether a model is open.

Tables
------
``countries.csv``
    Country spellings -> short names: Epoch's ISO long forms (``United States of
    America`` -> ``United States``, ``Korea (Republic of)`` -> ``South Korea``, ...),
    ``org_country.csv``'s codes (``US``, ``China``, ``other`` -> ``Other``), and
    ``Hong Kong`` -> ``China`` (a Special Administrative Region of the PRC; for a US
    vs China comparison its labs count with China). A name not in the table is kept
    as written (stripped): ``France`` stays ``France``.
``organizations.csv``
    Organisation spellings -> canonical organisation and its country (``DeepSeek AI``
    -> ``DeepSeek``, ``Z.ai (Zhipu AI)`` -> ``Zhipu AI``, ``Google DeepMind`` ->
    ``Google``).
``accessibility.csv``
    Epoch ``Model accessibility`` values, Epoch ``Open model weights?`` (Yes/No) and
    LMArena licences -> ``open`` / ``closed`` (empty = unknown).
``model_aliases.csv``
    Model spellings the key rule cannot link -> the canonical model name.
``places.csv``
    Place names found in data-centre addresses (US states, a few regions) -> country.

Rules
-----
Model key
    :func:`model_key`: lower-case; ``+`` becomes the word ``plus`` (``Command R+``
    and ``Command R`` are different models); every run of characters that are not
    letters or digits (spaces, punctuation, ``_``, emoji) becomes one ``-``; leading
    and trailing ``-`` are removed. ``GPT-4.1`` -> ``gpt-4-1``; ``Llama-2-70b-hf ``
    -> ``llama-2-70b-hf``; ``Command R+`` -> ``command-r-plus``. The rule is
    idempotent.
Variant suffixes
    :func:`strip_variant` removes what distinguishes an evaluated *variant* from its
    model: an API-provider prefix (``fireworks/``, ``chutes/``, ``zai-org/``), a
    reasoning-effort or thinking-budget suffix (``_high``, ``_xhigh``, ``_unknown``,
    ``_32K``, ``_thinking``; LMArena's ``-thinking-32k``, ``-no-thinking``,
    ``-high``) and ``-webapp``.
Several countries
    Epoch lists one country per listed organisation (``United States of
    America,China``). After normalising each, duplicates are removed keeping the
    first occurrence; the *primary* ``country`` is the first one (the first-listed
    organisation's), and ``countries`` joins them all with ``|`` in source order.
    ``Hong Kong,China`` -> ``China`` / ``China``.
Several organisations
    ``Organization`` lists several developers separated by commas; the canonical
    organisation of a row is that of the first-listed one.
Accessibility
    Table lookup (case-insensitive). An LMArena licence not in the table counts as
    ``open``: LMArena names a licence only for models whose weights are published,
    and marks every other model ``Proprietary``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache

import pandas as pd

from gapcast.data import read_table

__all__ = [
    "accessibility",
    "builtin_organizations",
    "canonical_organizations",
    "countries",
    "country_of_places",
    "is_known_country",
    "is_preliminary",
    "preliminary_kind",
    "PRELIMINARY_KINDS",
    "map_distinct",
    "model_aliases",
    "model_key",
    "model_keys",
    "normalize_country",
    "strip_variant",
    "strip_variants",
]

_NOT_ALNUM = re.compile(r"[\W_]+")
_PROVIDER = re.compile(r"^[\w.\-]+/")
_EFFORT = re.compile(
    r"(?:_(?:low|medium|high|xhigh|max|minimal|none|unknown|thinking|\d+k)"
    r"|-(?:thinking(?:-\d+k)?|no-thinking|low|medium|high|xhigh|minimal)"
    r"|-webapp)$",
    re.IGNORECASE,
)
_PRELIMINARY = re.compile(
    r"(?:^|[-_.])(?:preview|exp|experimental|early|chatbot|anonymous)(?:$|[-_.])",
    re.IGNORECASE,
)
_TEST_ENTRY = re.compile(
    r"(?:^|[-_.])(?:early|chatbot|anonymous)(?:$|[-_.])",
    re.IGNORECASE,
)
_US_POSTCODE = re.compile(r"\b[A-Z]{2} \d{5}(?:-\d{4})?\b")


def map_distinct(values: pd.Series, func: Callable[[str], str]) -> pd.Series:
    """Apply a scalar string rule once per distinct value and broadcast it.

    Name columns repeat a few hundred values over up to ~100k rows, so this keeps
    the Python-level work proportional to the distinct names. Missing values are
    passed as ``""``.
    """
    values = values.fillna("").astype("str")
    uniques = values.unique()
    lookup = {value: func(value) for value in uniques}
    return values.map(lookup).astype("str")


# --- models ------------------------------------------------------------------------------


def model_key(name: str) -> str:
    """Return the canonical key of a model name (see the module docstring)."""
    return _NOT_ALNUM.sub("-", name.lower().replace("+", "-plus-")).strip("-")


def model_keys(names: pd.Series) -> pd.Series:
    """Vectorised :func:`model_key`; missing names give ``""``."""
    return map_distinct(names, model_key)


def strip_variant(version: str) -> str:
    """Remove a provider prefix and effort / thinking / ``-webapp`` suffixes.

    Suffixes are removed repeatedly (``gpt-5.2-pro-2025-12-11_high`` ->
    ``gpt-5.2-pro-2025-12-11``; ``claude-opus-4-5-20251101-thinking-32k`` ->
    ``claude-opus-4-5-20251101``).
    """
    text = _PROVIDER.sub("", version.strip())
    while True:
        shorter = _EFFORT.sub("", text)
        if shorter == text or not shorter:
            return text
        text = shorter


def strip_variants(versions: pd.Series) -> pd.Series:
    """Vectorised :func:`strip_variant`."""
    return map_distinct(versions, strip_variant)


@cache
def model_aliases() -> Mapping[str, str]:
    """Return ``model_aliases.csv`` as model key of the alias -> model key of the target."""
    return {
        model_key(row["alias"]): model_key(row["canonical"])
        for row in read_table("model_aliases.csv")
    }


def is_preliminary(keys: pd.Series) -> pd.Series:
    """Say which LMArena model keys name preview, experimental or anonymous entries.

    A key is preliminary when one of its ``-``/``_``/``.``-separated words is
    ``preview``, ``exp``, ``experimental``, ``early``, ``chatbot`` or ``anonymous``
    (``gemini-2.5-pro-preview-05-06``, ``gemini-exp-1206``, ``late-june-chatbot``,
    ``early-grok-3``); ``c4ai-aya-expanse-32b`` is not.
    """
    found = map_distinct(keys, lambda key: "1" if _PRELIMINARY.search(key) else "")
    return (found == "1").astype("boolean")


PRELIMINARY_KINDS = ("preview", "test")
"""The two kinds of preliminary LMArena entries (:func:`preliminary_kind`)."""


def preliminary_kind(keys: pd.Series) -> pd.Series:
    """Say which kind of preliminary entry each LMArena model key names.

    ``test``
        An anonymous or pre-release test entry: a codename or a checkpoint before the
        release (a word ``early``, ``chatbot`` or ``anonymous``: ``late-june-chatbot``,
        ``early-grok-3``). Nobody outside the arena could use it under that name.
    ``preview``
        A publicly usable preview or experimental release (a word ``preview``, ``exp`` or
        ``experimental``: ``gemini-exp-1206``, ``gemini-2.5-pro-preview-05-06``,
        ``deepseek-v3.2-exp``): listed on the public leaderboard and callable by users.
    ``""``
        Not preliminary. A key with both kinds of words is a ``test`` entry.
    """

    def kind(key: str) -> str:
        if _TEST_ENTRY.search(key):
            return "test"
        return "preview" if _PRELIMINARY.search(key) else ""

    return map_distinct(keys, kind).astype("string")


# --- countries ---------------------------------------------------------------------------


@cache
def _countries() -> Mapping[str, str]:
    return {row["name"].casefold(): row["country"] for row in read_table("countries.csv")}


def is_known_country(name: str) -> bool:
    """Say whether ``countries.csv`` lists this spelling (any case)."""
    return name.strip().casefold() in _countries()


def normalize_country(name: str) -> str | None:
    """Return the short country name for one spelling; ``None`` for an empty one."""
    name = name.strip()
    if not name:
        return None
    return _countries().get(name.casefold(), name)


def _split_countries(value: str) -> str:
    names: list[str] = []
    for part in value.split(","):
        country = normalize_country(part)
        if country and country not in names:
            names.append(country)
    return "|".join(names)


def countries(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Normalise a country column under the several-countries rule.

    Returns
    -------
    (country, countries)
        The primary country (first listed, after normalisation and de-duplication)
        and every country joined with ``|``; both ``<NA>`` where the cell is empty.
    """
    joined = map_distinct(values, _split_countries)
    primary = map_distinct(values, lambda value: _split_countries(value).split("|")[0])
    return primary.mask(primary == "").astype("string"), joined.mask(joined == "").astype("string")


@cache
def _places() -> tuple[re.Pattern[str], Mapping[str, str]]:
    rows = read_table("places.csv")
    lookup = {row["place"].casefold(): row["country"] for row in rows}
    names = sorted((row["place"] for row in rows), key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b", re.I)
    return pattern, lookup


def _place_country(text: str) -> str:
    pattern, lookup = _places()
    found = [(m.start(), lookup[m.group(1).casefold()]) for m in pattern.finditer(text)]
    found += [(m.start(), "United States") for m in _US_POSTCODE.finditer(text)]
    return max(found)[1] if found else ""


def country_of_places(texts: pd.Series) -> pd.Series:
    """Country named by an address or a site name: the place mentioned last wins.

    Places are the country and region names of ``places.csv`` (whole words, any
    case) and US postal codes (``TX 79019``); ``<NA>`` when none is found.
    """
    found = map_distinct(texts, _place_country)
    return found.mask(found == "").astype("string")


# --- organisations -----------------------------------------------------------------------


@cache
def _organizations() -> Mapping[str, tuple[str, str]]:
    return {
        row["alias"].casefold(): (row["organization"], row["country"])
        for row in read_table("organizations.csv")
    }


def _canonical_organization(value: str) -> str:
    first = value.split(",")[0].strip()
    return _organizations().get(first.casefold(), (first, ""))[0]


def canonical_organizations(values: pd.Series) -> pd.Series:
    """Canonical organisation of each cell: its first-listed organisation, de-aliased.

    ``Z.ai (Zhipu AI),Tsinghua University`` -> ``Zhipu AI``; an organisation not in
    the table is kept as written; empty cells give ``<NA>``.
    """
    found = map_distinct(values, _canonical_organization)
    return found.mask(found == "").astype("string")


def builtin_organizations() -> pd.DataFrame:
    """Return the built-in organisation table as ORGANIZATIONS rows (source ``gapcast``)."""
    rows = read_table("organizations.csv")
    frame = pd.DataFrame(
        {
            "organization": [row["alias"] for row in rows],
            "country": [row["country"] for row in rows],
            "note": [f"{row['organization']}: {row['note']}" for row in rows],
            "source": "gapcast",
            "file": "organizations.csv",
            "row": range(2, len(rows) + 2),
        }
    )
    return frame


# --- accessibility -----------------------------------------------------------------------


@cache
def _accessibility() -> Mapping[str, str]:
    return {
        row["value"].casefold(): row["accessibility"] for row in read_table("accessibility.csv")
    }


def _one_accessibility(value: str, *, license_default: str) -> str:
    value = value.strip()
    if not value:
        return ""
    return _accessibility().get(value.casefold(), license_default)


def accessibility(values: pd.Series, *, licenses: bool = False) -> pd.Series:
    """Normalise accessibility labels or licences to ``open`` / ``closed`` / ``<NA>``.

    Parameters
    ----------
    licenses
        The values are LMArena licences: one not in the table counts as ``open``
        (see the module docstring). Otherwise an unknown label gives ``<NA>``.
    """
    default = "open" if licenses else ""
    found = map_distinct(values, lambda v: _one_accessibility(v, license_default=default))
    return found.mask(found == "").astype("string")

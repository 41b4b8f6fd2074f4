"""Cross-source resolution: one row per model, and every score with its country.

``resolve(models, scores, organizations)`` takes the canonical rows of every imported
file (``models`` and ``scores`` from all sources, ``organizations`` from
``org_country.csv``) and returns a :class:`Resolved`: merged models, filled scores,
and what could not be resolved. It is pure and vectorised (string work is done once
per distinct name, never per score row).

Linking rule
------------
Epoch's model databases and ECI *define* model ids: an ECI row's ``model_id`` is the
key of its ``Model name`` (so every variant of a model shares it), an AI-models row's
the key of its ``Model``. Every other name (an LMArena key, a benchmark ``Model
version``, an LMArena metadata row) is linked to one of these ids through a lookup of
its key (``names.model_key``), tried as written and then with variant suffixes
stripped (``names.strip_variant``: ``-thinking-32k``, ``_high``, ``fireworks/`` ...).
The lookup holds, from strongest to weakest:

1. the alias table (``gapcast/data/model_aliases.csv``: alias -> canonical name,
   the name itself linked through entries 2-3 when it can be);
2. Epoch model names (ECI ``Model name``, the AI-models files' ``Model``);
3. Epoch version keys: ECI ``Model version`` (as written and variant-stripped) and
   the frontier file's ``Model versions (benchmarks)``.

Within one level, the source higher in :data:`PRECEDENCE` wins. A name that links to
nothing keeps its own key as ``model_id``. The alias table also renames Epoch ids
(two Epoch spellings of one model).

Merging models
--------------
Rows sharing a ``model_id`` merge into one: each column takes the first non-empty
value in source precedence ``epoch_eci`` > ``epoch_frontier_models`` >
``epoch_notable_models`` > ``epoch_large_scale_models`` > ``lmarena_models`` >
``lmarena_catalog`` > others (by name); within a source, earliest release date
first, then file order. ``country`` and ``countries`` come together from the same
row. ``source``/``file``/``row`` name the highest-precedence row.

Countries
---------
A score row's country is, in order: its file's own ``Country`` (Epoch benchmark and
ECI files); else its linked model's; else its organisation's (the first-listed
organisation, looked up in the imported ``organizations`` rows first, then in the
built-in ``organizations.csv``; an ``Other`` from the imported table gives way to a
specific country from the built-in one). Models without a country get their
organisation's the same way. Organisation and accessibility, where a row lacks
them, come from the linked model.

Unresolved
----------
Nothing is dropped. ``unresolved`` lists, per source, every organisation (as
spelled) of a score or model row left without a country (kind ``organization``), and
every model name of a score row with neither an organisation nor a country (kind
``model``; a benchmark row that names no model at all is ``(no model name)``). ``rows``
counts the score rows concerned (model rows, for an organisation of models only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gapcast import names, schema

__all__ = ["PRECEDENCE", "Resolved", "link_table", "resolve"]

PRECEDENCE: tuple[str, ...] = (
    "epoch_eci",
    "epoch_frontier_models",
    "epoch_notable_models",
    "epoch_large_scale_models",
    "lmarena_models",
    "lmarena_catalog",
)
EPOCH_MODEL_SOURCES = frozenset(PRECEDENCE[:4])
NO_MODEL = "(no model name)"


@dataclass(frozen=True)
class Resolved:
    """The result of :func:`resolve`.

    Attributes
    ----------
    models
        MODELS rows, one per ``model_id``.
    scores
        SCORES rows (same rows as given) with ``model_id`` linked and organisation,
        country, countries and accessibility filled where any source knows them.
    unresolved
        Columns ``kind`` (``organization`` | ``model``), ``name``, ``source``,
        ``rows``.
    """

    models: pd.DataFrame
    scores: pd.DataFrame
    unresolved: pd.DataFrame


def _rank(sources: pd.Series) -> pd.Series:
    order = {source: rank for rank, source in enumerate(PRECEDENCE)}
    others = sorted(set(sources.dropna().unique()) - set(order))
    order.update({source: len(PRECEDENCE) + i for i, source in enumerate(others)})
    return sources.map(order).astype("int64")


def link_table(models: pd.DataFrame) -> Mapping[str, str]:
    """Return the lookup ``model key -> model_id`` of the linking rule (levels 1-3)."""
    epoch = models[models["source"].isin(EPOCH_MODEL_SOURCES)]
    epoch = epoch.assign(rank=_rank(epoch["source"])).sort_values(["rank", "row"])
    ids = epoch["model_id"].astype("str")
    by_name: dict[str, str] = {}
    for key, model_id in zip(names.model_keys(epoch["name"]), ids, strict=True):
        by_name.setdefault(key, model_id)
    for model_id in ids:
        by_name.setdefault(model_id, model_id)

    versions = epoch["version"].fillna("").astype("str").str.split(",").explode()
    versions = versions[versions.str.strip() != ""]
    version_ids = ids.reindex(versions.index)
    by_version: dict[str, str] = {}
    for keys in (names.model_keys(versions), names.model_keys(names.strip_variants(versions))):
        for key, model_id in zip(keys, version_ids, strict=True):
            by_version.setdefault(key, model_id)

    lookup = {**by_version, **by_name}
    aliases = {alias: lookup.get(target, target) for alias, target in names.model_aliases().items()}
    return {**lookup, **aliases}


def _link(raw: pd.Series, own: pd.Series, lookup: Mapping[str, str]) -> pd.Series:
    """Model ids for names ``raw`` (as written, then variant-stripped), else ``own``."""
    raw = raw.fillna("").astype("str")
    direct = names.model_keys(raw).map(lookup)
    stripped = names.model_keys(names.strip_variants(raw)).map(lookup)
    return direct.fillna(stripped).fillna(own).astype("string")


def _renamed(ids: pd.Series, lookup: Mapping[str, str]) -> pd.Series:
    """Epoch-defined ids after the alias table (two Epoch spellings of one model)."""
    aliases = names.model_aliases()
    return (
        ids.fillna("")
        .astype("str")
        .map(lambda key: lookup.get(aliases[key], aliases[key]) if key in aliases else key)
    )


def _org_countries(organizations: pd.DataFrame) -> Mapping[str, str]:
    """Organisation spelling (case-folded) -> country, imported rows first."""
    builtin = names.builtin_organizations()
    table: dict[str, str] = {}
    for frame in (organizations, builtin):
        for org, country in zip(frame["organization"], frame["country"], strict=True):
            if pd.isna(org) or pd.isna(country) or not str(country):
                continue
            key = str(org).strip().casefold()
            if table.get(key, "Other") == "Other":
                table[key] = str(country)
    return table


def _country_of_orgs(values: pd.Series, table: Mapping[str, str]) -> pd.Series:
    """Country of each organisation cell: the whole cell, else its first-listed part."""

    def one(cell: str) -> str:
        cell = cell.strip()
        first = cell.split(",")[0].strip()
        return table.get(cell.casefold()) or table.get(first.casefold()) or ""

    found = names.map_distinct(values, one)
    return found.mask(found == "").astype("string")


def _merge_models(
    models: pd.DataFrame, lookup: Mapping[str, str], org_table: Mapping[str, str]
) -> pd.DataFrame:
    epoch = models["source"].isin(EPOCH_MODEL_SOURCES)
    own = models["model_id"].fillna("").astype("str")
    linked = _link(models["version"].fillna(models["name"]), own, lookup)
    frame = models.assign(model_id=_renamed(own, lookup).where(epoch, linked))
    frame = frame.assign(
        _rank=_rank(frame["source"]),
        countries=frame["countries"].where(frame["country"].notna()),
    ).sort_values(["_rank", "release_date", "row"], na_position="last", kind="stable")
    # first() takes each column's first non-empty value; source/file/row are never
    # empty, so they name the highest-precedence row
    merged = frame.groupby("model_id", sort=True, dropna=False).first()
    first_country = (
        frame[frame["country"].notna()].groupby("model_id")[["country", "countries"]].first()
    )
    merged[["country", "countries"]] = first_country.reindex(merged.index)
    merged = merged.reset_index()
    fill = _country_of_orgs(merged["organization"], org_table)
    merged["countries"] = merged["countries"].where(merged["country"].notna(), fill)
    merged["country"] = merged["country"].fillna(fill)
    return schema.conform(merged, "models")


def _fill_scores(
    scores: pd.DataFrame,
    models: pd.DataFrame,
    lookup: Mapping[str, str],
    org_table: Mapping[str, str],
) -> pd.DataFrame:
    own = scores["model_id"].fillna("").astype("str")
    linked = _link(scores["model"], own, lookup)
    eci = (scores["source"] == "epoch_eci").to_numpy()
    model_id = linked.where(~eci, _renamed(own, lookup).astype("string"))
    model_id = model_id.mask(model_id == "")
    known = models.set_index("model_id")

    def from_model(column: str) -> pd.Series:
        return model_id.map(known[column]).astype(known[column].dtype)

    organization = scores["organization"].fillna(from_model("organization"))
    has_own = scores["country"].notna()
    country = scores["country"].where(has_own, from_model("country"))
    countries = scores["countries"].where(has_own, from_model("countries"))
    fill = _country_of_orgs(organization, org_table)
    countries = countries.where(country.notna(), fill)
    country = country.fillna(fill)
    return schema.conform(
        scores.assign(
            model_id=model_id,
            organization=organization,
            country=country,
            countries=countries,
            accessibility=scores["accessibility"].fillna(from_model("accessibility")),
        ),
        "scores",
    )


def _unresolved(models: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for frame, name_column in ((scores, "model"), (models, None)):
        lost = frame[frame["country"].isna()]
        has_org = lost["organization"].notna()
        if name_column is None:  # model rows report only their organisations
            lost, has_org = lost[has_org], has_org[has_org]
            names_ = lost["organization"]
        else:
            names_ = lost["organization"].where(has_org, lost[name_column]).fillna(NO_MODEL)
        parts.append(
            pd.DataFrame(
                {
                    "kind": np.where(has_org, "organization", "model"),
                    "name": names_,
                    "source": lost["source"],
                }
            )
        )
    table = pd.concat(parts, ignore_index=True).astype("string")
    counted = table.groupby(["kind", "name", "source"], sort=False).size()
    out = counted.rename("rows").reset_index().astype({"rows": "int64"})
    out = out.sort_values(
        ["kind", "rows", "name", "source"], ascending=[False, False, True, True], kind="stable"
    )
    return out.reset_index(drop=True)


def resolve(models: pd.DataFrame, scores: pd.DataFrame, organizations: pd.DataFrame) -> Resolved:
    """Merge models across sources and fill every score's organisation and country.

    Parameters
    ----------
    models, scores, organizations
        Canonical MODELS, SCORES and ORGANIZATIONS rows (any number of sources;
        ``schema.conform``-ed or with at least those tables' columns).

    Returns
    -------
    Resolved
        See the module docstring for the linking, precedence and country rules.
    """
    models = schema.conform(models, "models")
    scores = schema.conform(scores, "scores")
    organizations = schema.conform(organizations, "organizations")
    lookup = link_table(models)
    org_table = _org_countries(organizations)
    merged = _merge_models(models, lookup, org_table)
    filled = _fill_scores(scores, merged, lookup, org_table)
    return Resolved(models=merged, scores=filled, unresolved=_unresolved(merged, filled))

"""Select one metric's scores as of a date, with the measurement rules made explicit.

The rows this module returns ("metric rows") are what every frontier is built from: one row
per score that may count, with a date on which it became available, a value, and a standard
deviation for per-score noise. Grouping (``frontier.assign_groups``) and version collapsing
(``frontier.make_points``) come after.

Rules
-----
Each rule has a flag and a default; every output names the settings it used.

Preliminary entries (``include_preliminary``, default ``False``)
    Rows with ``preliminary`` true (ECI's ``Unverified`` confidence, LMArena preview and
    anonymous entries, as the sources flag them) are dropped unless asked for. They are
    dropped *before* LMArena first appearances are computed, so an excluded preview cannot
    make the released model look older. ``include_preliminary`` keeps every kind.
LMArena previews and test entries (two rules; ``names.preliminary_kind``)
    ``previews`` (default ``True``): publicly usable preview and experimental releases
    (``gemini-exp-1206``, ``*-preview-*``) count, as they do for a reader of the public
    leaderboard, where they are ranked and anyone can call them.
    ``test_entries`` (default ``False``): anonymous and pre-release test entries
    (``late-june-chatbot``, ``early-grok-3``) do not count: nobody outside the arena could
    use them under that name. Both rules apply to snapshot metrics only; elsewhere a
    preliminary row counts only with ``include_preliminary``.
Dates
    A score counts from its model's release date: the row's ``release_date``, else the
    resolved model's ``release_date``. Rows with neither cannot be placed in time and are
    dropped. ``as_of`` keeps only rows dated on or before it.
LMArena (any metric whose rows carry a snapshot date ``as_of``)
    A rating is as of its snapshot; only snapshots on or before ``as_of`` are used. The
    category defaults to ``overall`` and style control to off. A model's availability date
    is the earlier of its release date and its first appearance on the leaderboard (any
    category, either style setting), which places models that LMArena lists without a
    release date.
Per-score noise
    ``sd = se`` where the file reports a standard error, else ``sd = (hi - lo) / 3.92``
    where it reports a 95% interval (the normal approximation, ``2 x 1.96``), else 0.
Training compute (metric ``training_compute``)
    ``log10`` of the models table's ``training_compute_flop`` (positive values only), dated
    by ``release_date``; no per-score noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from gapcast import names

TRAINING_COMPUTE = "training_compute"
"""Name of the pseudo-metric ``log10`` training compute (FLOP) from the models table."""

DEFAULT_CATEGORY = "overall"
"""LMArena category used when none is given."""

Z95_WIDTH = 3.92
"""Width of a normal 95% interval in standard deviations (``2 x 1.96``)."""

ROW_COLUMNS = (
    "model_id",
    "model",
    "version",
    "date",
    "value",
    "sd",
    "snapshot",
    "organization",
    "country",
    "countries",
    "accessibility",
    "preliminary",
)
"""Columns of the metric rows returned by ``metric_rows``."""


@dataclass(frozen=True)
class Selection:
    """Which scores of a metric count.

    Parameters
    ----------
    metric
        ``eci``, ``lmarena``, ``training_compute`` or a benchmark's name.
    category
        LMArena category; ``None`` means ``overall``. Ignored by other metrics.
    style_control
        LMArena ratings with style control (default off). Ignored by other metrics.
    include_preliminary
        Keep unverified, preview and anonymous entries (default ``False``).
    previews
        LMArena: count publicly usable preview and experimental releases (default ``True``).
    test_entries
        LMArena: count anonymous and pre-release test entries (default ``False``).
    """

    metric: str
    category: str | None = None
    style_control: bool = False
    include_preliminary: bool = False
    previews: bool = True
    test_entries: bool = False

    def settings(self, snapshots: bool) -> dict[str, object]:
        """Return the settings an output should name (category and style for LMArena)."""
        out: dict[str, object] = {
            "metric": self.metric,
            "include_preliminary": self.include_preliminary,
        }
        if snapshots:
            out["category"] = self.category or DEFAULT_CATEGORY
            out["style_control"] = self.style_control
            out["previews"] = self.include_preliminary or self.previews
            out["test_entries"] = self.include_preliminary or self.test_entries
        return out


def known_metrics(scores: pd.DataFrame) -> list[str]:
    """Return every metric in the scores table plus ``training_compute``, sorted."""
    names = {str(m) for m in scores["metric"].dropna().unique()}
    return sorted(names | {TRAINING_COMPUTE})


def is_snapshot_metric(scores: pd.DataFrame, metric: str) -> bool:
    """Say whether a metric's scores are leaderboard snapshots (rows carry ``as_of``)."""
    rows = scores.loc[scores["metric"] == metric, "as_of"]
    return bool(rows.notna().any())


def categories(scores: pd.DataFrame, metric: str) -> list[str]:
    """Return the categories a snapshot metric's rows carry, sorted."""
    rows = scores.loc[scores["metric"] == metric, "category"].dropna()
    return sorted({str(c) for c in rows.unique()})


def metric_rows(
    scores: pd.DataFrame, models: pd.DataFrame, selection: Selection, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Return the rows of one metric that count on ``as_of``, with the rules applied.

    Parameters
    ----------
    scores
        Resolved scores (``gapcast.schema.SCORES`` columns).
    models
        Resolved models, one row per ``model_id`` (``gapcast.schema.MODELS`` columns).
    selection
        The metric and the rule flags.
    as_of
        Only data released (or snapshotted) on or before this date is used.

    Returns
    -------
    pandas.DataFrame
        ``ROW_COLUMNS``; ``model`` is the display name (the models table's ``name``, else
        the score's model key), ``version`` the key as spelled in the file, ``snapshot``
        the LMArena snapshot date (``NaT`` elsewhere).
    """
    as_of = pd.Timestamp(as_of)
    if selection.metric == TRAINING_COMPUTE:
        return _compute_rows(models, as_of)
    # Masks on single columns, one gather of the kept rows at the end: LMArena has
    # ~160,000 rows and copying whole frames dominated the time.
    idx = np.flatnonzero(_objects(scores["metric"]) == selection.metric)
    if not selection.include_preliminary:
        idx = idx[_counted(scores, idx, selection)]

    def column(name: str, at: npt.NDArray[np.int64]) -> pd.Series:
        return scores[name].iloc[at]

    known = _model_lookup(models, column("model_id", idx))
    released = _days(column("release_date", idx))
    released = np.where(np.isnan(released), _days(known["release_date"]), released)
    snapshot = _days(column("as_of", idx))
    limit = float(_days(pd.Series([as_of]))[0])
    if not np.isnan(snapshot).all():
        listed = snapshot <= limit
        codes = pd.factorize(column("model_id", idx))[0]
        first = np.full(codes.max(initial=-1) + 2, np.inf)
        np.minimum.at(first, codes[listed], snapshot[listed])
        date = np.fmin(released, np.where(listed, first[codes], np.nan))
        keep = (
            listed
            & (_objects(column("category", idx)) == (selection.category or DEFAULT_CATEGORY))
            & (_flags(column("style_control", idx)) == selection.style_control)
        )
    else:
        date = released
        keep = released <= limit
    take = idx[keep]
    known = known.iloc[np.flatnonzero(keep)]
    index = pd.RangeIndex(take.size)

    def kept(name: str) -> pd.Series:
        return column(name, take).astype("string").set_axis(index)

    out = pd.DataFrame(
        {
            "model_id": kept("model_id"),
            "model": known["name"]
            .astype("string")
            .set_axis(index)
            .fillna(kept("model"))
            .str.strip(),
            "version": kept("model").str.strip(),
            "date": _from_days(date[keep], index),
            "value": column("value", take).astype(float).set_axis(index),
            "sd": _score_sd(scores[["se", "lo", "hi"]].iloc[take]).set_axis(index),
            "snapshot": _from_days(snapshot[keep], index),
            "organization": kept("organization"),
            "country": kept("country"),
            "countries": kept("countries"),
            "accessibility": kept("accessibility"),
            "preliminary": _flags(column("preliminary", take)),
        },
        index=index,
    )
    return _finish(out)


def _counted(
    scores: pd.DataFrame, idx: npt.NDArray[np.int64], selection: Selection
) -> npt.NDArray[np.bool_]:
    """Say which of the rows ``idx`` count under the preliminary rules (module docstring)."""
    flagged = _flags(scores["preliminary"].iloc[idx])
    snapshot = scores["as_of"].iloc[idx].notna().to_numpy()
    allowed = {"preview"} if selection.previews else set()
    if selection.test_entries:
        allowed.add("test")
    if not allowed or not (flagged & snapshot).any():
        return ~flagged
    kind = _objects(names.preliminary_kind(scores["model"].iloc[idx].astype("string").fillna("")))
    ok = np.isin(kind, sorted(allowed)) & snapshot
    out: npt.NDArray[np.bool_] = ~flagged | ok
    return out


def _objects(values: pd.Series) -> npt.NDArray[np.object_]:
    """Return a column as a numpy object array (compares ~4x faster than pandas strings)."""
    out: npt.NDArray[np.object_] = np.asarray(values.to_numpy(dtype=object), dtype=object)
    return out


def _flags(values: pd.Series) -> npt.NDArray[np.bool_]:
    """Return a nullable boolean column as booleans, missing as ``False``."""
    return values.astype("boolean").to_numpy(dtype=bool, na_value=False)


def _days(values: pd.Series) -> npt.NDArray[np.float64]:
    """Return dates as float days since 1970-01-01 (``NaN`` for missing)."""
    stamps = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
    out = stamps.astype(np.int64).astype(np.float64)
    out[np.isnat(stamps)] = np.nan
    return out


def _from_days(days: npt.NDArray[np.float64], index: pd.Index) -> pd.Series:
    """Return float days as a ``datetime64[s]`` column (``NaT`` for ``NaN``)."""
    stamps = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[s]")
    ok = ~np.isnan(days)
    stamps[ok] = days[ok].astype(np.int64).astype("datetime64[D]").astype("datetime64[s]")
    return pd.Series(stamps, index=index)


def _compute_rows(models: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    flop = models["training_compute_flop"].astype(float)
    date = _dates(models["release_date"])
    keep = ((flop > 0) & (date <= as_of)).fillna(False).astype(bool)
    rows = models.loc[keep]
    out = pd.DataFrame(
        {
            "model_id": rows["model_id"].astype("string"),
            "model": rows["name"].fillna(rows["model_id"]).astype("string").str.strip(),
            "version": rows["version"].fillna(rows["name"]).astype("string").str.strip(),
            "date": date.loc[keep],
            "value": np.log10(flop.loc[keep]),
            "sd": 0.0,
            "snapshot": pd.Series(pd.NaT, index=rows.index, dtype="datetime64[s]"),
            "organization": rows["organization"].astype("string"),
            "country": rows["country"].astype("string"),
            "countries": rows["countries"].astype("string"),
            "accessibility": rows["accessibility"].astype("string"),
            "preliminary": False,
        }
    )
    return _finish(out)


def _finish(out: pd.DataFrame) -> pd.DataFrame:
    out = out.loc[out["value"].notna() & out["date"].notna() & out["model_id"].notna()]
    return out.loc[:, list(ROW_COLUMNS)].reset_index(drop=True)


def _score_sd(rows: pd.DataFrame) -> pd.Series:
    se = rows["se"].astype(float)
    from_interval = (rows["hi"].astype(float) - rows["lo"].astype(float)) / Z95_WIDTH
    sd = se.where(se.notna(), from_interval).fillna(0.0)
    return sd.clip(lower=0.0)


def _model_lookup(models: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """Return the models-table ``name`` and ``release_date`` of each key, aligned with it."""
    table = models.loc[models["model_id"].notna(), ["model_id", "name", "release_date"]]
    if not table["model_id"].is_unique:
        table = table.drop_duplicates("model_id")
    position = pd.Index(table["model_id"]).get_indexer(keys)
    found = table.iloc[np.clip(position, 0, None)] if len(table) else None
    out = pd.DataFrame(index=keys.index)
    for column in ("name", "release_date"):
        values = found[column] if found is not None else models[column].iloc[:0]
        series = pd.Series(
            values.to_numpy() if found is not None else pd.NA,
            index=keys.index,
            dtype=models[column].dtype,
        )
        out[column] = series.where(position >= 0)
    return out


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).astype("datetime64[s]")

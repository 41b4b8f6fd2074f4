"""The canonical tables every source maps its rows onto.

Each table is declared once here, as an ordered mapping of column name to
``(duckdb type, pandas dtype, description)``. Sources return data frames with exactly
these columns (``conform`` enforces it); the store creates its tables from the same
declarations, so the two cannot drift.

Conventions
-----------
- ``model_id`` is the canonical model key: ``names.model_key`` of the model's family
  name (Epoch's ``Model name``, or the alias table's target). Scores from different
  sources for the same model share it.
- ``country`` is the model's primary country after normalisation (``United States``,
  ``China``, or another short country name; ``None`` when unknown); ``countries`` lists
  every country named, ``|``-separated, in source order.
- ``accessibility`` is ``open`` (weights downloadable), ``closed`` (API, hosted or
  unreleased) or ``None`` (unknown).
- Dates are calendar dates (``datetime64[s]`` in pandas, ``DATE`` in DuckDB).
- ``row`` is the spreadsheet row number of the record in its file (header = 1), so a
  number can be traced back to the line it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, cast

import pandas as pd

Column = tuple[str, str, str]

MODELS: Final[Mapping[str, Column]] = {
    "model_id": ("VARCHAR", "string", "canonical model key (see names.model_key)"),
    "name": ("VARCHAR", "string", "model name as the source spells it"),
    "version": ("VARCHAR", "string", "model version / variant key in the source, if any"),
    "organization": ("VARCHAR", "string", "developer(s), as the source spells them"),
    "country": ("VARCHAR", "string", "primary country after normalisation"),
    "countries": ("VARCHAR", "string", "every country named, '|'-separated"),
    "accessibility": ("VARCHAR", "string", "open | closed | null"),
    "release_date": ("DATE", "datetime64[s]", "public release or publication date"),
    "training_compute_flop": ("DOUBLE", "float64", "training compute in FLOP"),
    "confidence": ("VARCHAR", "string", "source's confidence label, if any"),
    "source": ("VARCHAR", "string", "registered source name"),
    "file": ("VARCHAR", "string", "file name the row came from"),
    "row": ("INTEGER", "int64", "spreadsheet row number in the file"),
}

SCORES: Final[Mapping[str, Column]] = {
    "model_id": ("VARCHAR", "string", "canonical model key"),
    "model": ("VARCHAR", "string", "model key as spelled in the file"),
    "metric": ("VARCHAR", "string", "metric name: eci, lmarena, or a benchmark's name"),
    "category": ("VARCHAR", "string", "LMArena category ('overall', ...); null elsewhere"),
    "style_control": ("BOOLEAN", "boolean", "LMArena ratings with style control"),
    "value": ("DOUBLE", "float64", "score on the metric's own scale"),
    "lo": ("DOUBLE", "float64", "lower bound of the reported 95% interval"),
    "hi": ("DOUBLE", "float64", "upper bound of the reported 95% interval"),
    "se": ("DOUBLE", "float64", "reported standard error"),
    "as_of": ("DATE", "datetime64[s]", "snapshot date (LMArena); null for one-off results"),
    "release_date": ("DATE", "datetime64[s]", "model release date as given in the file"),
    "organization": ("VARCHAR", "string", "developer as given in the file"),
    "country": ("VARCHAR", "string", "primary country after normalisation"),
    "countries": ("VARCHAR", "string", "every country named, '|'-separated"),
    "accessibility": ("VARCHAR", "string", "open | closed | null"),
    "preliminary": ("BOOLEAN", "boolean", "unverified, preview or anonymous entry"),
    "source": ("VARCHAR", "string", "registered source name"),
    "file": ("VARCHAR", "string", "file name the row came from"),
    "row": ("INTEGER", "int64", "spreadsheet row number in the file"),
}

COMPUTE: Final[Mapping[str, Column]] = {
    "name": ("VARCHAR", "string", "cluster or data-centre name"),
    "owner": ("VARCHAR", "string", "owner as the source spells it"),
    "country": ("VARCHAR", "string", "country after normalisation"),
    "date": ("DATE", "datetime64[s]", "first operational date or milestone date"),
    "end_date": ("DATE", "datetime64[s]", "decommissioned date, if any"),
    "h100e": ("DOUBLE", "float64", "H100-equivalents"),
    "status": ("VARCHAR", "string", "existing | planned | decommissioned"),
    "certainty": ("VARCHAR", "string", "source's certainty label"),
    "counted": ("BOOLEAN", "boolean", "counts toward the stock (no duplicate, not excluded)"),
    "source": ("VARCHAR", "string", "registered source name"),
    "file": ("VARCHAR", "string", "file name the row came from"),
    "row": ("INTEGER", "int64", "spreadsheet row number in the file"),
}

ORGANIZATIONS: Final[Mapping[str, Column]] = {
    "organization": ("VARCHAR", "string", "organisation name as some source spells it"),
    "country": ("VARCHAR", "string", "country after normalisation"),
    "note": ("VARCHAR", "string", "why this country"),
    "source": ("VARCHAR", "string", "registered source name"),
    "file": ("VARCHAR", "string", "file name the row came from"),
    "row": ("INTEGER", "int64", "spreadsheet row number in the file"),
}

HARDWARE: Final[Mapping[str, Column]] = {
    "name": ("VARCHAR", "string", "accelerator name"),
    "manufacturer": ("VARCHAR", "string", "manufacturer"),
    "release_date": ("DATE", "datetime64[s]", "release date"),
    "bf16_flops": ("DOUBLE", "float64", "dense tensor FP16/BF16 FLOP/s"),
    "fp8_flops": ("DOUBLE", "float64", "dense FP8 FLOP/s"),
    "h100e": ("DOUBLE", "float64", "H100-equivalents per chip (BF16 FLOP/s ratio)"),
    "source": ("VARCHAR", "string", "registered source name"),
    "file": ("VARCHAR", "string", "file name the row came from"),
    "row": ("INTEGER", "int64", "spreadsheet row number in the file"),
}

CLAIMS: Final[Mapping[str, Column]] = {
    "claim_id": ("VARCHAR", "string", "the claim's id in the claims file"),
    "kind": ("VARCHAR", "string", "market | forecast platform | expert | measurement"),
    "publisher": ("VARCHAR", "string", "who published the claim or runs the market"),
    "title": ("VARCHAR", "string", "the claim's title or question"),
    "url": ("VARCHAR", "string", "where the claim was published"),
    "published": ("DATE", "datetime64[s]", "when the claim or market appeared"),
    "as_seen": ("DATE", "datetime64[s]", "date of the value recorded"),
    "metric": ("VARCHAR", "string", "eci, lmarena, a benchmark, training_compute, unspecified"),
    "leader": ("VARCHAR", "string", "leader group, in gapcast's vocabulary"),
    "challenger": ("VARCHAR", "string", "challenger group, in gapcast's vocabulary"),
    "event": ("VARCHAR", "string", "what makes the claim true (see gapcast.evaluate.events)"),
    "deadline": ("DATE", "datetime64[s]", "resolution date or date measured"),
    "value": ("DOUBLE", "float64", "the claim's number"),
    "value_low": ("DOUBLE", "float64", "low end of its stated range"),
    "value_high": ("DOUBLE", "float64", "high end of its stated range"),
    "unit": ("VARCHAR", "string", "probability, percent, months, ..."),
    "resolution": ("VARCHAR", "string", "the claim's own resolution rules"),
    "reliability": ("VARCHAR", "string", "how the figure was obtained"),
    "notes": ("VARCHAR", "string", "notes"),
    "source": ("VARCHAR", "string", "registered source name"),
    "file": ("VARCHAR", "string", "file name the row came from"),
    "row": ("INTEGER", "int64", "spreadsheet row number in the file"),
}

PRICES: Final[Mapping[str, Column]] = {
    "claim_id": ("VARCHAR", "string", "the claim the price is for"),
    "value": ("DOUBLE", "float64", "probability (0-1) or the claim's unit"),
    "as_seen": ("DATE", "datetime64[s]", "date the price was seen"),
    "market": ("VARCHAR", "string", "manifold | polymarket | kalshi | metaculus | manual"),
    "market_id": ("VARCHAR", "string", "the market's own id, slug or ticker"),
    "note": ("VARCHAR", "string", "how the price was obtained"),
    "source": ("VARCHAR", "string", "registered source name"),
    "file": ("VARCHAR", "string", "file (or fetch/record name) the row came from"),
    "row": ("INTEGER", "int64", "row number in the file (1 for a fetched price)"),
}

TABLES: Final[Mapping[str, Mapping[str, Column]]] = {
    "models": MODELS,
    "scores": SCORES,
    "compute": COMPUTE,
    "organizations": ORGANIZATIONS,
    "hardware": HARDWARE,
    "claims": CLAIMS,
    "prices": PRICES,
}


def empty(table: str) -> pd.DataFrame:
    """Return an empty data frame with the columns and dtypes of a canonical table."""
    spec = TABLES[table]
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, (_, dtype, _) in spec.items()})


def conform(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Return ``frame`` with exactly the columns of ``table``, in order, with their dtypes.

    Missing columns are added as nulls; extra columns are dropped.
    """
    spec = TABLES[table]
    out = pd.DataFrame(index=frame.index)
    for name, (_, dtype, _) in spec.items():
        if name in frame.columns:
            out[name] = frame[name].astype(cast(Any, dtype))
        else:
            out[name] = pd.Series(
                pd.NA if dtype in ("string", "boolean") else None, index=frame.index, dtype=dtype
            )
    return out.reset_index(drop=True)

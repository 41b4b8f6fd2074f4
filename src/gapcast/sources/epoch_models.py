"""Epoch AI model databases: notable, frontier and large-scale AI models.

Three registered sources share one parser. Each file has one row per model (``Model``)
with its publication date, organisation(s), country(ies), accessibility and training
compute. The column sets differ between the files and between Epoch releases (the
frontier file has 61 columns, large-scale 34; ``Open model weights?`` appeared in
2025), so columns are selected by name and the optional ones may be missing.

Columns used
------------
Required: ``Model``, ``Organization``, ``Publication date``. Optional:
``Country (of organization)``, ``Model accessibility``, ``Open model weights?``
(used where ``Model accessibility`` is empty), ``Training compute (FLOP)``,
``Confidence`` (Epoch's confidence in the training-compute estimate),
``Model versions (benchmarks)`` (frontier file: the benchmark-hub version keys of the
model, comma-separated; kept in ``version`` so the resolver can link them).

Mapping
-------
``models`` rows: ``model_id`` = key of ``Model`` (stripped; some names end with a
newline). Natural key: ``Model``. Exact duplicate rows are dropped; conflicting
rows for one model are an error.
"""

from __future__ import annotations

import pandas as pd

from gapcast import names
from gapcast.errors import DataError
from gapcast.sources.base import Download, Parsed
from gapcast.sources.common import (
    EPOCH_LICENSE,
    basename,
    blank_to_na,
    has_columns,
    parsed,
    training_compute,
)
from gapcast.sources.tabular import dates, dedupe, read_csv, strip

__all__ = ["EpochModels", "FRONTIER", "LARGE_SCALE", "NOTABLE"]

REQUIRED = ("Model", "Organization", "Publication date")


class EpochModels:
    """One of Epoch AI's model databases (they share a format)."""

    license = EPOCH_LICENSE
    homepage = "https://epoch.ai/data/ai-models"

    def __init__(self, name: str, title: str, stem: str) -> None:
        self.name = name
        self.title = title
        self.stem = stem
        self.downloads: tuple[Download, ...] = (
            Download(f"epoch/{stem}.csv", f"https://epoch.ai/data/{stem}.csv"),
        )

    def __repr__(self) -> str:
        return f"EpochModels({self.name!r})"

    def matches(self, file: str, head: bytes) -> bool:
        """Match ``<stem>*.csv`` (e.g. ``notable_ai_models.csv``) with a ``Model`` column."""
        name = basename(file)
        return name.startswith(self.stem) and name.endswith(".csv") and has_columns(head, ["Model"])

    def parse(self, raw: bytes, file: str) -> Parsed:
        """Parse the file into ``models`` rows."""
        frame = read_csv(raw, file, required=REQUIRED)
        model = strip(frame, "Model")
        empty = model == ""
        if empty.any():
            raise DataError(
                file, "empty model name", row=int(model.index[empty][0]), column="Model"
            )
        frame = dedupe(frame, file, model, what="model")
        model = model.reindex(frame.index)
        access = names.accessibility(strip(frame, "Model accessibility"))
        access = access.fillna(names.accessibility(strip(frame, "Open model weights?")))
        country, countries = names.countries(strip(frame, "Country (of organization)"))
        versions = strip(frame, "Model versions (benchmarks)").str.replace(
            r"\s*,\s*", ",", regex=True
        )
        models = pd.DataFrame(
            {
                "model_id": names.model_keys(model),
                "name": model,
                "version": blank_to_na(versions),
                "organization": blank_to_na(strip(frame, "Organization")),
                "country": country,
                "countries": countries,
                "accessibility": access,
                "release_date": dates(frame, "Publication date", file),
                "training_compute_flop": training_compute(frame, "Training compute (FLOP)", file),
                "confidence": blank_to_na(strip(frame, "Confidence")),
            },
            index=frame.index,
        )
        return parsed(self.name, file, models=models)


NOTABLE = EpochModels("epoch_notable_models", "Epoch AI: notable AI models", "notable_ai_models")
FRONTIER = EpochModels(
    "epoch_frontier_models", "Epoch AI: frontier AI models", "frontier_ai_models"
)
LARGE_SCALE = EpochModels(
    "epoch_large_scale_models", "Epoch AI: large-scale AI models", "large_scale_ai_models"
)

"""Epoch Capabilities Index (``eci.csv``): gapcast's primary capability scale.

Format
------
One row per evaluated model *version* (``Model version``): reasoning-effort settings
(``o3-2025-04-16_high``), API providers (``fireworks/deepseek-v3p2``) and web-app
variants are separate rows, and ``Model name`` repeats across them. Columns used (by
name): ``Model version``, ``ECI Score``, ``Release date``, ``Organization``,
``Country`` (required); ``Model accessibility``, ``Training compute (FLOP)``,
``Confidence``, ``Model name`` (optional). Many rows have no score; some have no
release date, organisation or country (empty = unknown).

Mapping
-------
- ``models``: one row per version. ``model_id`` is the key of ``Model name`` (so the
  variants of one model share it); where ``Model name`` is empty, the key of the
  version with its variant suffixes stripped (``names.strip_variant``).
- ``scores``: one row per version with a score, metric ``eci``.
- ``preliminary`` is true where ``Confidence`` is ``Unverified`` (Epoch has not
  checked the model's metadata; one row in the 2025-12 release).

Natural key: ``Model version`` (stripped). Exact duplicate rows are dropped; two rows
for one version with different values are an error.
"""

from __future__ import annotations

import pandas as pd

from gapcast import names
from gapcast.errors import DataError
from gapcast.sources.base import Download, Parsed
from gapcast.sources.common import (
    EPOCH_LICENSE,
    ArchiveDownload,
    basename,
    blank_to_na,
    has_columns,
    parsed,
    training_compute,
)
from gapcast.sources.tabular import dates, dedupe, numbers, read_csv, strip

__all__ = ["EpochEci", "is_eci_name"]

REQUIRED = ("Model version", "ECI Score", "Release date", "Organization", "Country")


def is_eci_name(file: str) -> bool:
    """Say whether a file is named like the ECI file (``eci*.csv``, ``*capabilities_index*``)."""
    name = basename(file)
    return name.endswith(".csv") and (name.startswith("eci") or "capabilities_index" in name)


class EpochEci:
    """Epoch AI's Epoch Capabilities Index, one score per model version."""

    name = "epoch_eci"
    title = "Epoch AI: Epoch Capabilities Index (ECI)"
    license = EPOCH_LICENSE
    homepage = "https://epoch.ai/benchmarks/eci"
    downloads: tuple[Download, ...] = (
        ArchiveDownload(
            "epoch/eci.csv",
            "https://epoch.ai/data/benchmark_data.zip",
            member="epoch_capabilities_index.csv",
        ),
    )

    def matches(self, file: str, head: bytes) -> bool:
        """Match ``eci*.csv`` / ``*capabilities_index*.csv`` with a ``Model version`` column.

        The name decides; the rest of the header is checked by ``parse``, so that a
        file missing ``ECI Score`` is reported as such.
        """
        return is_eci_name(file) and has_columns(head, ("Model version",))

    def parse(self, raw: bytes, file: str) -> Parsed:
        """Parse ``eci.csv`` into ``models`` and ``scores`` rows."""
        frame = read_csv(raw, file, required=REQUIRED)
        version = strip(frame, "Model version")
        empty = version == ""
        if empty.any():
            raise DataError(
                file,
                "empty model version",
                row=int(version.index[empty][0]),
                column="Model version",
            )
        frame = dedupe(frame, file, version, what="model version")
        version = version.reindex(frame.index)

        model_name = strip(frame, "Model name")
        family = model_name.where(model_name != "", names.strip_variants(version))
        country, countries = names.countries(frame["Country"])
        confidence = blank_to_na(strip(frame, "Confidence"))
        common = pd.DataFrame(
            {
                "model_id": names.model_keys(family),
                "release_date": dates(frame, "Release date", file),
                "organization": blank_to_na(strip(frame, "Organization")),
                "country": country,
                "countries": countries,
                "accessibility": names.accessibility(strip(frame, "Model accessibility")),
            },
            index=frame.index,
        )
        models = common.assign(
            name=family,
            version=version,
            training_compute_flop=training_compute(frame, "Training compute (FLOP)", file),
            confidence=confidence,
        )
        value = numbers(frame, "ECI Score", file, what="ECI score")
        scores = common.assign(
            model=version,
            metric="eci",
            value=value,
            preliminary=(confidence == "Unverified").fillna(False),
        )[value.notna()]
        return parsed(self.name, file, models=models, scores=scores)

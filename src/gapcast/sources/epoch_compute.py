"""Epoch AI compute data: GPU clusters, frontier data centres, ML hardware.

Compute stock rows (``compute``)
--------------------------------
A row is a quantity of H100-equivalents (``h100e``) that exists from ``date`` until
``end_date`` (open-ended when empty). The stock of a group at time t is the sum of
``h100e`` over its rows with ``counted`` true and ``date <= t < end_date``. Sum the
rows of **one** source: the GPU-cluster and data-centre files describe overlapping
sites (xAI Colossus is in both).

``gpu_clusters.csv`` (source ``epoch_gpu_clusters``)
    One row per cluster. ``counted`` is true only for rows Epoch keeps in its own
    analysis: ``Include in Standard Analysis`` true, ``Possible Duplicate`` not
    true, ``Exclude`` not true, and ``Status`` not ``Planned``. Epoch's expansions
    are cumulative (``xAI Colossus Memphis Phase 1`` 100k H100e, ``Phase 2`` 200k,
    ``Phase 3`` 276k) and the earlier phase names its successor in ``Superseded
    by``: a superseded phase stays counted, with ``end_date`` set to its successor's
    ``First Operational Date``, so it counts until the expansion replaces it and
    never beside it. Otherwise ``end_date`` is ``Decommissioned Date (if
    applicable)`` (``YYYY-MM`` allowed). ``country`` comes from ``Country`` only:
    an owner's headquarters says nothing about where its cluster stands. The file
    has no natural key and identical rows are kept: they are distinct clusters (75
    "Anonymized Chinese System" rows share their size and date with another).
``data_center_timelines.csv`` (source ``epoch_data_centers``)
    One row per dated milestone of a site, ``H100 equivalents`` being the site's
    level at that date: each milestone counts until the site's next milestone
    (``end_date``). ``country`` comes from the site handle (``... Abilene Texas``,
    ``... Abu Dhabi``) through ``places.csv``; the file names no owner (join
    ``name`` with ``data_centers.csv``'s rows for it).
``data_centers.csv`` (source ``epoch_data_centers``)
    One row per site with its *current* H100e (mid-December 2025) and no date:
    ``counted`` is false (the timelines hold the same levels, dated). ``owner`` is
    ``Owner`` without Epoch's confidence hashtags (``Amazon #confident`` ->
    ``Amazon``; the hashtag becomes ``certainty``); ``country`` comes from
    ``Address``.

``status`` is ``existing``, ``planned`` or ``decommissioned`` (clusters: lower-cased
``Status``; data-centre rows: ``existing`` when the site has H100e > 0, else
``planned``).

Hardware rows (``hardware``)
----------------------------
``ml_hardware.csv``: one row per accelerator. ``bf16_flops`` is ``Tensor-FP16/BF16
performance (FLOP/s)``, or ``FP16 (half precision) performance (FLOP/s)`` where the
former is empty (chips such as Huawei's Ascend report their matrix throughput
there). ``h100e = bf16_flops / 989.4e12``, the dense BF16 tensor throughput of the
NVIDIA H100 SXM5 (NVIDIA datasheet; Epoch's row for the chip says the same).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gapcast import names
from gapcast.errors import DataError
from gapcast.sources.base import Download, Parsed
from gapcast.sources.common import EPOCH_LICENSE, basename, blank_to_na, has_columns, parsed
from gapcast.sources.tabular import dates, dedupe, numbers, read_csv, require, strip

__all__ = ["H100_BF16_FLOPS", "EpochDataCenters", "EpochGpuClusters", "EpochHardware"]

H100_BF16_FLOPS = 989.4e12
MAX_H100E = 1e9  # a billion H100s: far above any plan on record
MAX_CHIP_FLOPS = 1e18  # one exaFLOP/s per chip: 8x a Cerebras WSE-3 wafer
_TRUE = ("true", "yes", "1", "checked")

CLUSTER_COLUMNS = (
    "Name",
    "Status",
    "Country",
    "Owner",
    "First Operational Date",
    "H100 equivalents",
)
SITE_COLUMNS = ("Handle", "Address", "Owner", "Current H100 equivalents")
TIMELINE_COLUMNS = ("Date", "Data center", "H100 equivalents")
HARDWARE_COLUMNS = (
    "Hardware name",
    "Manufacturer",
    "Release date",
    "Tensor-FP16/BF16 performance (FLOP/s)",
)


def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    return strip(frame, column).str.lower().isin(_TRUE)


def _h100e(frame: pd.DataFrame, column: str, file: str) -> pd.Series:
    return numbers(frame, column, file, minimum=0, maximum=MAX_H100E, what="H100-equivalents")


class EpochGpuClusters:
    """Epoch AI's GPU clusters (AI supercomputers) dataset."""

    name = "epoch_gpu_clusters"
    title = "Epoch AI: GPU clusters"
    license = EPOCH_LICENSE
    homepage = "https://epoch.ai/data/gpu-clusters"
    downloads: tuple[Download, ...] = (
        Download("epoch/gpu_clusters.csv", "https://epoch.ai/data/gpu_clusters.csv"),
    )

    def matches(self, file: str, head: bytes) -> bool:
        """Match ``gpu_clusters*.csv`` with a ``Name`` column (``parse`` checks the rest)."""
        name = basename(file)
        return (
            name.startswith("gpu_clusters")
            and name.endswith(".csv")
            and has_columns(head, ["Name"])
        )

    def parse(self, raw: bytes, file: str) -> Parsed:
        """Parse the clusters into ``compute`` rows (see the module docstring)."""
        frame = read_csv(raw, file, required=CLUSTER_COLUMNS)
        # No dedupe: identical rows are distinct clusters (Epoch lists dozens of
        # "Anonymized Chinese System" rows with the same size and date).
        name = strip(frame, "Name")
        date = dates(frame, "First Operational Date", file)
        end = dates(frame, "Decommissioned Date (if applicable)", file, partial=True)
        successor = strip(frame, "Superseded by")
        opened = pd.Series(date.to_numpy(), index=name.to_numpy())
        opened = opened[~opened.index.duplicated()]
        superseded_on = successor.map(opened).astype("datetime64[s]")
        end = end.where(end.notna(), superseded_on.where(successor != ""))
        status = strip(frame, "Status").str.lower()
        counted = (
            _flag(frame, "Include in Standard Analysis")
            & ~_flag(frame, "Possible Duplicate")
            & ~_flag(frame, "Exclude")
            & (status != "planned")
        )
        compute = pd.DataFrame(
            {
                "name": name,
                "owner": blank_to_na(strip(frame, "Owner")),
                "country": names.countries(frame["Country"])[0],
                "date": date,
                "end_date": end,
                "h100e": _h100e(frame, "H100 equivalents", file),
                "status": blank_to_na(status),
                "certainty": blank_to_na(strip(frame, "Certainty")),
                "counted": counted,
            },
            index=frame.index,
        )
        return parsed(self.name, file, compute=compute)


class EpochDataCenters:
    """Epoch AI's frontier data centres: the site list and the dated timelines."""

    name = "epoch_data_centers"
    title = "Epoch AI: frontier AI data centers"
    license = EPOCH_LICENSE
    homepage = "https://epoch.ai/data/data-centers"
    downloads: tuple[Download, ...] = (
        Download("epoch/data_centers.csv", "https://epoch.ai/data/data_centers/data_centers.csv"),
        Download(
            "epoch/data_center_timelines.csv",
            "https://epoch.ai/data/data_centers/data_center_timelines.csv",
        ),
    )

    def matches(self, file: str, head: bytes) -> bool:
        """Match ``data_center*.csv`` with a ``Handle`` or ``Data center`` column."""
        name = basename(file)
        return (
            name.startswith("data_center")
            and name.endswith(".csv")
            and (has_columns(head, ["Handle"]) or has_columns(head, ["Data center"]))
        )

    def parse(self, raw: bytes, file: str) -> Parsed:
        """Parse either file into ``compute`` rows (see the module docstring)."""
        frame = read_csv(raw, file)
        if "Data center" not in frame.columns:
            return self._sites(frame, file)
        return self._timelines(frame, file)

    def _sites(self, frame: pd.DataFrame, file: str) -> Parsed:
        require(frame, file, SITE_COLUMNS)
        handle = strip(frame, "Handle")
        frame = dedupe(frame, file, handle, what="data center")
        owner = strip(frame, "Owner")
        h100e = _h100e(frame, "Current H100 equivalents", file)
        compute = pd.DataFrame(
            {
                "name": handle.reindex(frame.index),
                "owner": blank_to_na(owner.str.replace(r"\s*#\w+", "", regex=True).str.strip()),
                "country": names.country_of_places(strip(frame, "Address")),
                "h100e": h100e,
                "status": np.where(h100e > 0, "existing", "planned"),
                "certainty": blank_to_na(owner.str.extract(r"#(\w+)", expand=False).fillna("")),
                "counted": False,
            },
            index=frame.index,
        )
        return parsed(self.name, file, compute=compute)

    def _timelines(self, frame: pd.DataFrame, file: str) -> Parsed:
        require(frame, file, TIMELINE_COLUMNS)
        frame = dedupe(frame, file, ["Data center", "Date"], what="site and date")
        site = strip(frame, "Data center")
        date = dates(frame, "Date", file)
        if date.isna().any():
            row = int(date.index[date.isna()][0])
            raise DataError(file, "empty date", row=row, column="Date")
        order = pd.DataFrame({"site": site, "date": date}).sort_values(["site", "date"])
        following = order.groupby("site")["date"].shift(-1).reindex(frame.index)
        h100e = _h100e(frame, "H100 equivalents", file)
        compute = pd.DataFrame(
            {
                "name": site,
                "country": names.country_of_places(site),
                "date": date,
                "end_date": following,
                "h100e": h100e,
                "status": np.where(h100e > 0, "existing", "planned"),
                "counted": True,
            },
            index=frame.index,
        )
        return parsed(self.name, file, compute=compute)


class EpochHardware:
    """Epoch AI's machine-learning hardware dataset."""

    name = "epoch_ml_hardware"
    title = "Epoch AI: machine learning hardware"
    license = EPOCH_LICENSE
    homepage = "https://epoch.ai/data/machine-learning-hardware"
    downloads: tuple[Download, ...] = (
        Download("epoch/ml_hardware.csv", "https://epoch.ai/data/ml_hardware.csv"),
    )

    def matches(self, file: str, head: bytes) -> bool:
        """Match ``ml_hardware*.csv`` with a ``Hardware name`` column."""
        name = basename(file)
        return (
            name.startswith("ml_hardware")
            and name.endswith(".csv")
            and has_columns(head, ["Hardware name"])
        )

    def parse(self, raw: bytes, file: str) -> Parsed:
        """Parse the chips into ``hardware`` rows (see the module docstring)."""
        frame = read_csv(raw, file, required=HARDWARE_COLUMNS)
        name = strip(frame, "Hardware name")
        frame = dedupe(frame, file, name, what="hardware name")

        def flops(column: str) -> pd.Series:
            return numbers(
                frame, column, file, positive=True, maximum=MAX_CHIP_FLOPS, what="FLOP/s"
            )

        bf16 = flops("Tensor-FP16/BF16 performance (FLOP/s)")
        if "FP16 (half precision) performance (FLOP/s)" in frame.columns:
            bf16 = bf16.fillna(flops("FP16 (half precision) performance (FLOP/s)"))
        fp8 = flops("FP8 performance (FLOP/s)") if "FP8 performance (FLOP/s)" in frame else None
        hardware = pd.DataFrame(
            {
                "name": name.reindex(frame.index),
                "manufacturer": blank_to_na(strip(frame, "Manufacturer")),
                "release_date": dates(frame, "Release date", file),
                "bf16_flops": bf16,
                "fp8_flops": fp8,
                "h100e": bf16 / H100_BF16_FLOPS,
            },
            index=frame.index,
        )
        return parsed(self.name, file, hardware=hardware)

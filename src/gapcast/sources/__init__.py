"""The registered data sources, and detection of which one a file belongs to.

Each module parses one upstream dataset into the canonical tables of
``gapcast.schema`` (see ``base.py`` for the protocol):

======================== ==================================================== ===========
source                   files                                                tables
======================== ==================================================== ===========
claims                   ``claims.csv`` (published claims, beside the mirror) claims
epoch_benchmarks         ``epoch/benchmarks/*.csv`` (one metric per file)     scores
epoch_data_centers       ``data_centers.csv``, ``data_center_timelines.csv``  compute
epoch_eci                ``eci.csv``                                          models, scores
epoch_frontier_models    ``frontier_ai_models.csv``                           models
epoch_gpu_clusters       ``gpu_clusters.csv``                                 compute
epoch_large_scale_models ``large_scale_ai_models.csv``                        models
epoch_ml_hardware        ``ml_hardware.csv``                                  hardware
epoch_notable_models     ``notable_ai_models.csv``                            models
lmarena_catalog          ``leaderboard-text*.json``, ``scatterplot-data.json`` scores, models
lmarena_history          ``leaderboard_history*.csv``                         scores
lmarena_history_raw      ``result.csv`` (nakasyou/lmarena-history)            scores
lmarena_models           ``models.csv``, ``models_supplement.csv``            models
org_country              ``org_country.csv``                                  organizations
======================== ==================================================== ===========

Detection looks at the file name *and* its first bytes: :func:`detect` returns the one
source whose ``matches`` accepts both. A file is recognised by its upstream name (in
any folder; ``eci (1).csv`` still starts with ``eci``) plus one key column of its
header (``Model version``, ``snapshot_date``, ...) or its JSON shape; ``parse`` then
reports any other missing column by name. Benchmark-hub files, whose names vary, are
recognised by the five model columns they share. Pass at least :data:`HEAD_BYTES` of
the file.
"""

from __future__ import annotations

from collections.abc import Mapping

from gapcast.errors import DataError, UnknownSourceError
from gapcast.sources.base import Download, Parsed, Source
from gapcast.sources.claims import Claims
from gapcast.sources.common import ArchiveDownload, MirrorOnlyDownload
from gapcast.sources.epoch_benchmarks import EpochBenchmarks
from gapcast.sources.epoch_compute import EpochDataCenters, EpochGpuClusters, EpochHardware
from gapcast.sources.epoch_eci import EpochEci
from gapcast.sources.epoch_models import FRONTIER, LARGE_SCALE, NOTABLE
from gapcast.sources.lmarena import (
    LmarenaCatalog,
    LmarenaHistory,
    LmarenaHistoryRaw,
    LmarenaModels,
)
from gapcast.sources.org_country import OrgCountry
from gapcast.sources.static import StaticSource

__all__ = [
    "HEAD_BYTES",
    "REGISTRY",
    "ArchiveDownload",
    "Download",
    "MirrorOnlyDownload",
    "Parsed",
    "Source",
    "StaticSource",
    "detect",
]

HEAD_BYTES = 65536
"""How many leading bytes of a file :func:`detect` needs (the longest header is ~2 KiB)."""

REGISTRY: dict[str, Source] = {
    "claims": Claims(),
    "epoch_benchmarks": EpochBenchmarks(),
    "epoch_data_centers": EpochDataCenters(),
    "epoch_eci": EpochEci(),
    "epoch_frontier_models": FRONTIER,
    "epoch_gpu_clusters": EpochGpuClusters(),
    "epoch_large_scale_models": LARGE_SCALE,
    "epoch_ml_hardware": EpochHardware(),
    "epoch_notable_models": NOTABLE,
    "lmarena_catalog": LmarenaCatalog(),
    "lmarena_history": LmarenaHistory(),
    "lmarena_history_raw": LmarenaHistoryRaw(),
    "lmarena_models": LmarenaModels(),
    "org_country": OrgCountry(),
}


def detect(path: str, head: bytes, registry: Mapping[str, Source] | None = None) -> Source:
    """Return the source a file belongs to, from its path and first bytes.

    Parameters
    ----------
    path
        The file's path (relative or absolute; only the file name is used).
    head
        The file's first bytes (at least :data:`HEAD_BYTES`, or the whole file).
    registry
        Sources to choose from; :data:`REGISTRY` by default.

    Raises
    ------
    DataError
        ``file is empty`` (an empty or blank head).
    UnknownSourceError
        ``not a file of any known source (known: epoch_benchmarks, ...)``, or a file
        that several sources claim.
    """
    if not head.strip():
        # Nothing to recognise; say what is wrong rather than "unknown source".
        raise DataError(path, "file is empty")
    sources = REGISTRY if registry is None else registry
    found = [source for source in sources.values() if source.matches(path, head)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise UnknownSourceError(
            path, f"not a file of any known source (known: {', '.join(sorted(sources))})"
        )
    claims = ", ".join(sorted(source.name for source in found))
    raise UnknownSourceError(path, f"claimed by several sources ({claims}); rename the file")

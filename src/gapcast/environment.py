"""The install a run was made on: versions of the numeric dependencies and the kernel hash.

Same data, scenario, seed and version give the same numbers to the last digit only on
the same install: NumPy, SciPy, Numba (and JAX, where a model uses it) may change a
floating-point result between releases. Every stored run records ``environment()``, and
``gapcast runs show`` names what differs when a run is repeated elsewhere
(``differences``).
"""

from __future__ import annotations

import hashlib
import platform
from functools import cache
from importlib import metadata
from importlib.resources import files
from typing import Any

from gapcast import __version__

PACKAGES = ("numpy", "scipy", "numba", "jax", "pandas", "duckdb")
"""Distributions whose version can change a result's digits."""


def kernel_hash() -> str:
    """Return a hash of the source of ``gapcast.model`` (the kernels and what they inline)."""
    digest = hashlib.sha256()
    folder = files("gapcast") / "model"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            digest.update(entry.name.encode())
            digest.update(entry.read_bytes())
    return digest.hexdigest()[:16]


@cache
def environment() -> dict[str, Any]:
    """Return the install: gapcast, Python, the numeric packages and the kernel hash."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "gapcast": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "packages": versions,
        "kernel_hash": kernel_hash(),
    }


def differences(recorded: dict[str, Any] | None, current: dict[str, Any]) -> list[str]:
    """Return what differs between a run's recorded install and this one, in words."""
    if not recorded:
        return ["the run recorded no install details (made before gapcast recorded them)"]
    out: list[str] = []
    for key in ("gapcast", "python", "machine", "kernel_hash"):
        if recorded.get(key) != current.get(key):
            out.append(f"{key}: {recorded.get(key)} then, {current.get(key)} now")
    before = recorded.get("packages") or {}
    now = current.get("packages") or {}
    for name in sorted(set(before) | set(now)):
        if before.get(name) != now.get(name):
            out.append(f"{name}: {before.get(name)} then, {now.get(name)} now")
    return out

"""Numba compilation with an on-disk cache that cannot go stale across modules.

Numba's ``cache=True`` revalidates a cached function only against its *own* source file, so a
kernel that inlines a helper from another module (``_random.uniform``, ``_outcomes._bin``)
would keep running the old helper after that module changed: wrong numbers or worse. Every
kernel of ``gapcast.model`` is therefore compiled through ``jit``, which points Numba's cache
at a folder named after a hash of all of this package's source files (and the Numba
version): any edit gives a fresh folder, older folders are removed. The folder lives in the
user's private cache folder (``gapcast.paths.cache_dir()``, mode 0700), never in the package
(read-only when installed) nor in a shared, predictable temporary folder (another user could
plant compiled code there). If that folder cannot be used, kernels are compiled in memory.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numba

from gapcast.paths import cache_dir, private_dir

F = TypeVar("F", bound=Callable[..., Any])

_HERE = Path(__file__).resolve().parent


def source_hash() -> str:
    """Return a hash of every source file of ``gapcast.model`` and the Numba version."""
    digest = hashlib.sha256(numba.__version__.encode())
    for path in sorted(_HERE.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_dir(base: Path | None = None) -> str:
    """Return the private, writable cache folder of this source hash, or '' (in memory)."""
    name = f"numba-{source_hash()}"
    try:
        base = private_dir(cache_dir() if base is None else base)
        target = private_dir(base / name)
        probe = target / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return ""
    for old in base.glob("numba-*"):
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)
    return str(target)


CACHE_DIR = _cache_dir()
"""Where compiled kernels are cached ('' when nowhere is writable)."""


def jit(**options: Any) -> Callable[[F], F]:
    """``numba.njit(**options)`` with the source-hashed cache (see the module docstring).

    Kernels use NumPy's error model (a float division by zero gives inf or nan instead of
    raising), which spares a branch per division; they never divide by zero on valid input.
    """
    options.setdefault("error_model", "numpy")

    config: Any = numba.config

    def wrap(fn: F) -> F:
        previous = config.CACHE_DIR
        config.CACHE_DIR = CACHE_DIR
        try:
            compiled: F = numba.njit(cache=bool(CACHE_DIR), **options)(fn)
        finally:
            config.CACHE_DIR = previous
        return compiled

    return wrap

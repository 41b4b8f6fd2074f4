"""Numba compilation with an on-disk cache that cannot go stale across modules.

Numba's ``cache=True`` revalidates a cached function only against its *own* source file, so a
kernel that inlines a helper from another module (``_random.uniform``, ``_outcomes._bin``)
would keep running the old helper after that module changed: wrong numbers or worse. Every
kernel of ``gapcast.model`` is therefore compiled through ``jit``, which points Numba's cache
at a folder named after a hash of all of this package's source files (and the Numba
version): any edit gives a fresh folder, older folders are removed. The folder lives in the
package's ``__pycache__`` (or the temporary directory, if that is read-only); without either,
kernels are compiled in memory.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numba

F = TypeVar("F", bound=Callable[..., Any])

_HERE = Path(__file__).resolve().parent


def source_hash() -> str:
    """Return a hash of every source file of ``gapcast.model`` and the Numba version."""
    digest = hashlib.sha256(numba.__version__.encode())
    for path in sorted(_HERE.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_dir() -> str:
    name = f"numba-{source_hash()}"
    for base in (_HERE / "__pycache__", Path(tempfile.gettempdir()) / "gapcast-numba"):
        target = base / name
        try:
            target.mkdir(parents=True, exist_ok=True)
            probe = target / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError:
            continue
        for old in base.glob("numba-*"):
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)
        return str(target)
    return ""


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

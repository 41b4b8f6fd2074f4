"""Numba compilation with an on-disk cache that cannot go stale across modules.

Numba's ``cache=True`` revalidates a cached function only against its *own* source file, so a
kernel that inlines a helper from another module (``_random.uniform``, ``_outcomes._bin``)
would keep running the old helper after that module changed: wrong numbers or worse. Every
kernel of ``gapcast.model`` is therefore compiled through ``jit``, which points Numba's cache
at a folder named after gapcast's version and a hash of all of this package's source files
(and the Numba version): any edit gives a fresh folder. The folder lives in the user's
private cache folder (``gapcast.paths.cache_dir()``, mode 0700), never in the package
(read-only when installed) nor in a shared, predictable temporary folder (another user could
plant compiled code there). If that folder cannot be used, kernels are compiled in memory.

Several installs of different versions (or working copies with different sources) share
that cache folder, and each may be running. So another install's folder is removed only
when it is stale and free: unused for ``STALE_DAYS`` days (each process stamps its folder
when it starts) and not locked. Each process holds a shared lock (``flock``) on its folder's
``.lock`` for its whole life; the cleanup takes an exclusive lock without waiting, and skips
the folder when it cannot. A process that starts while its folder is being removed waits for
the removal and makes the folder again. Where ``flock`` does not exist (Windows) only the
age counts.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

import numba

from gapcast import __version__
from gapcast.paths import cache_dir, private_dir

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

F = TypeVar("F", bound=Callable[..., Any])

_HERE = Path(__file__).resolve().parent


def source_hash() -> str:
    """Return a hash of every source file of ``gapcast.model`` and the Numba version."""
    digest = hashlib.sha256(numba.__version__.encode())
    for path in sorted(_HERE.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


STALE_DAYS = 14
"""Another install's cache folder unused for this many days may be removed (if unlocked)."""

_STAMP = ".last-used"
_LOCK = ".lock"
_HELD: list[IO[bytes]] = []
"""Lock files this process holds open (its shared locks last as long as it runs)."""


@atexit.register
def _release() -> None:
    while _HELD:
        _HELD.pop().close()


def _folder_name() -> str:
    return f"numba-{__version__}-{source_hash()}"


def _hold(target: Path) -> None:
    """Make ``target`` (private), hold a shared lock on it and stamp it as used now.

    When a cleanup removes the folder while this process waits for the lock, the lock is on
    a removed file: make the folder again and retry.
    """
    for _ in range(5):
        private_dir(target)
        lock = target / _LOCK
        handle = lock.open("ab")
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
            try:
                same = os.stat(lock).st_ino == os.fstat(handle.fileno()).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                handle.close()
                continue
        (target / _STAMP).touch()
        _HELD.append(handle)
        return
    raise OSError(f"{target} keeps being removed")


def _last_used(folder: Path) -> float:
    stamp = folder / _STAMP
    return (stamp if stamp.exists() else folder).stat().st_mtime


def remove_stale(base: Path, keep: str, now: float | None = None) -> list[str]:
    """Remove the cache folders in ``base`` other than ``keep`` that are stale and free.

    Stale: unused for ``STALE_DAYS`` days; free: no process holds its lock. Return the
    names removed.
    """
    limit = (time.time() if now is None else now) - STALE_DAYS * 86400.0
    removed = []
    for old in sorted(base.glob("numba-*")):
        if old.name == keep or not old.is_dir():
            continue
        try:
            if _last_used(old) > limit:
                continue
            with (old / _LOCK).open("ab") as handle:
                if fcntl is not None:
                    try:
                        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        continue  # a live process uses it
                if _last_used(old) > limit:
                    continue
                shutil.rmtree(old, ignore_errors=True)
                removed.append(old.name)
        except OSError:
            continue
    return removed


def _cache_dir(base: Path | None = None) -> str:
    """Return the private, writable cache folder of this version and source, or '' (in memory)."""
    name = _folder_name()
    try:
        base = private_dir(cache_dir() if base is None else base)
        target = base / name
        _hold(target)
        # a probe of this process's own: a shared name raced with another process's unlink
        with tempfile.NamedTemporaryFile(dir=target, prefix=".write-test-"):
            pass
    except OSError:
        return ""
    remove_stale(base, name)
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

"""Where gapcast keeps writable state, and how it writes files: atomically.

Nothing gapcast writes goes inside the installed package (a wheel's folder may be
read-only, and is shared by every user). Writable state lives in two places:

- ``state_dir()``: the user's data (the default store, calibrated values):
  ``$GAPCAST_STATE_DIR``, else the folder of ``$GAPCAST_DB`` when that is set (the
  configured store folder), else the per-user data folder of ``platformdirs``
  (``~/.local/share/gapcast`` on Linux, honouring ``$XDG_DATA_HOME``);
- ``cache_dir()``: what can be rebuilt (compiled Numba kernels, result caches):
  ``$GAPCAST_CACHE_DIR``, else the per-user cache folder (``~/.cache/gapcast``).

Both are created private to the user (mode 0700). ``atomic_write_bytes`` and
``atomic_write_text`` write a temporary file beside the target, flush it to disk and
rename it over the target, so a reader sees the old file or the new one, never half of
one, even when the writer is killed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import platformdirs

APP = "gapcast"


def state_dir() -> Path:
    """Return the folder of writable user state (see the module docstring)."""
    explicit = os.environ.get("GAPCAST_STATE_DIR")
    if explicit:
        return Path(explicit)
    db = os.environ.get("GAPCAST_DB")
    if db:
        return Path(db).resolve().parent
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def cache_dir() -> Path:
    """Return the folder of rebuildable caches (see the module docstring)."""
    explicit = os.environ.get("GAPCAST_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def private_dir(path: Path) -> Path:
    """Create ``path`` (mode 0700) if missing and check it is the user's own; return it.

    Raises ``OSError`` when the folder belongs to another user or others may write it
    (a predictable shared folder another user could fill with files gapcast would load).
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = path.stat()
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise OSError(f"{path} belongs to another user")
    if st.st_mode & 0o022:
        raise OSError(f"{path} is writable by other users")
    return path


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename); return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically; return ``path``."""
    return atomic_write_bytes(path, text.encode("utf-8"))

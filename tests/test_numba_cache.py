"""The Numba cache folder is per version and source, and its cleanup spares live folders.

Before: every install sharing ``~/.cache/gapcast`` removed every other ``numba-*`` folder
when it started, so one install could delete another's compiled kernels mid-run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from gapcast import __version__
from gapcast.model import _jit
from gapcast.paths import private_dir


def _other(base: Path, name: str, age_days: float = 0.0) -> Path:
    folder = private_dir(base / name)
    (folder / "kernel.nbi").write_bytes(b"compiled")
    stamp = folder / ".last-used"
    stamp.touch()
    when = time.time() - age_days * 86400.0
    os.utime(stamp, (when, when))
    return folder


def test_the_folder_is_named_after_the_version_and_the_source(tmp_path: Path) -> None:
    folder = Path(_jit._cache_dir(tmp_path / "cache"))
    assert folder.name == f"numba-{__version__}-{_jit.source_hash()}"
    assert (folder / ".lock").exists() and (folder / ".last-used").exists()


def test_another_installs_folder_in_use_is_kept(tmp_path: Path) -> None:
    base = private_dir(tmp_path / "cache")
    other = _other(base, "numba-0.0.9-0123456789abcdef", age_days=0.5)
    mine = _jit._cache_dir(base)
    assert mine and Path(mine).name != other.name
    assert (other / "kernel.nbi").read_bytes() == b"compiled"


def test_a_stale_free_folder_is_removed(tmp_path: Path) -> None:
    base = private_dir(tmp_path / "cache")
    other = _other(base, "numba-0.0.9-0123456789abcdef", age_days=_jit.STALE_DAYS + 1)
    _jit._cache_dir(base)
    assert not other.exists()


def test_a_stale_folder_a_live_process_holds_is_kept(tmp_path: Path) -> None:
    """A process that has run longer than the stale age still holds its lock."""
    base = private_dir(tmp_path / "cache")
    other = _other(base, "numba-0.0.9-0123456789abcdef", age_days=_jit.STALE_DAYS + 1)
    holder = (
        "import fcntl, sys\n"
        f"h = open({str(other / '.lock')!r}, 'ab')\n"
        "fcntl.flock(h.fileno(), fcntl.LOCK_SH)\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        assert _jit.remove_stale(base, "numba-mine") == []
        assert (other / "kernel.nbi").exists()
        assert proc.stdin is not None
        proc.stdin.close()
    assert _jit.remove_stale(base, "numba-mine") == [other.name]
    assert not other.exists()


def test_a_folder_removed_while_waiting_is_made_again(tmp_path: Path) -> None:
    base = private_dir(tmp_path / "cache")
    target = base / "numba-x"
    _jit._hold(target)
    held = _jit._HELD.pop()
    held.close()
    shutil.rmtree(target)
    _jit._hold(target)
    _jit._HELD.pop().close()
    assert (target / ".lock").exists() and (target / ".last-used").exists()

"""The wheel installs and works outside the repository.

Before: ``scenarios/`` lived outside the package, so a wheel install found no scenarios,
and ``calibrate --write`` and the Numba cache wrote into the source tree. This test
builds the wheel (hatchling, no network), installs it into a fresh virtual environment
under a temporary folder, and runs ``data import``, ``gap``, ``forecast`` and ``report``
there, from a folder outside the repository, with no ``PYTHONPATH``. The environment
reuses the test interpreter's installed dependencies (a ``.pth`` line) and installs the
wheel alone (``--no-deps --no-index``), so nothing is downloaded. Nothing may be written
inside the installed package.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.mirror

ROOT = Path(__file__).resolve().parents[1]
SMALL = (
    "epoch/eci.csv",
    "epoch/notable_ai_models.csv",
    "epoch/ml_hardware.csv",
    "epoch/gpu_clusters.csv",
    "org_country.csv",
)


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{args}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    return result  # type: ignore[no-any-return]


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if "__pycache__" not in p.parts}


def test_the_wheel_installs_and_runs_outside_the_repository(tmp_path: Path, mirror: Path) -> None:
    dist = tmp_path / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        + ["--no-index", "--quiet", "-w", str(dist), str(ROOT)]
    )
    (wheel,) = dist.glob("gapcast-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).stdout.strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet"]
        + ["--target", str(site), str(wheel)]
    )
    (venv / "bin" / "gapcast").write_text(
        f"#!{python}\nimport sys\nfrom gapcast.cli import main\nsys.exit(main())\n"
    )
    (venv / "bin" / "gapcast").chmod(0o755)

    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("GAPCAST")}
    env |= {
        "GAPCAST_DB": str(work / "store" / "gapcast.duckdb"),
        "GAPCAST_CACHE_DIR": str(work / "cache"),
        "HOME": str(work),
    }
    where = _run([str(python), "-c", "import gapcast; print(gapcast.__file__)"], env=env, cwd=work)
    package = Path(where.stdout.strip()).parent
    assert package.is_relative_to(site) and not package.is_relative_to(ROOT)
    assert (package / "scenarios" / "baseline.yaml").is_file()
    before = _files(package)

    gapcast = [str(venv / "bin" / "gapcast")]
    _run(gapcast + ["data", "import", *(str(mirror / f) for f in SMALL)], env=env, cwd=work)
    gap = _run(gapcast + ["gap", "--draws", "200"], env=env, cwd=work)
    assert "lag" in gap.stdout
    forecast = _run(gapcast + ["forecast", "--draws", "500"], env=env, cwd=work)
    assert "P(" in forecast.stdout or "ahead" in forecast.stdout
    _run(gapcast + ["report", "--draws", "500", "--out", str(work / "out")], env=env, cwd=work)
    assert any((work / "out").glob("*.html"))
    assert any((work / "cache").glob("numba-*"))  # the private cache, not the package
    assert _files(package) == before  # nothing written inside the installed package

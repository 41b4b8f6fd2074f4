"""The library's public API: a sorted ``__all__``, every name importable, lazily loaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import gapcast


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert gapcast.__all__ == sorted(gapcast.__all__)
    for name in gapcast.__all__:
        assert getattr(gapcast, name) is not None, name
    assert set(dir(gapcast)) == set(gapcast.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        gapcast.nope  # noqa: B018


def test_importing_gapcast_loads_no_store_or_interface() -> None:
    code = (
        "import sys, gapcast, gapcast.measure\n"
        "print(','.join(m for m in ('duckdb', 'fastapi', 'typer', 'gapcast.store') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.mirror
def test_the_readme_example_runs_on_the_mirror(mirror_db: Path) -> None:
    with gapcast.Store(mirror_db, read_only=True) as store:
        report = gapcast.gap(store, "eci", draws=200)
        assert report.result.gap_points > 0  # the United States leads on ECI in the data
        fc = gapcast.forecast(store, "baseline", draws=2000, save=False)
        assert set(fc.selected.p_ahead_within) == {12, 36, 60}
        with pytest.raises(gapcast.GapcastError, match="metric"):
            gapcast.gap(store, "no-such-metric")

"""Hand-written data tables shipped with gapcast (CSV, each row with a note)."""

from __future__ import annotations

import csv
from importlib import resources

__all__ = ["read_table"]


def read_table(name: str) -> list[dict[str, str]]:
    """Return the rows of table ``name`` (e.g. ``countries.csv``), values stripped."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return [
        {key: (value or "").strip() for key, value in row.items()}
        for row in csv.DictReader(text.splitlines())
    ]

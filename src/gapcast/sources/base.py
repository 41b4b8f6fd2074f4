"""The protocol every data source implements, and a fake for tests.

A source knows one upstream dataset: its download address(es), its licence, how to
recognise its files by name and content, and how to parse the real upstream format
(quirks included) into the canonical tables of ``gapcast.schema``.

``parse`` is pure: bytes in, data frames out. It raises ``DataError`` naming the file,
row and column for anything it cannot read; it never returns a partial result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd


@dataclass(frozen=True)
class Download:
    """One file of a source: the name it is imported under and where upstream serves it."""

    file: str
    url: str


@dataclass(frozen=True)
class Parsed:
    """What one file contributes: canonical table name -> rows (conformed frames)."""

    source: str
    file: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    unchanged: bool = False
    """Not parsed: the store already held this exact file when the import was prepared."""

    @property
    def rows(self) -> int:
        """Number of canonical rows the file produced, over all tables."""
        return sum(len(frame) for frame in self.tables.values())


class Source(Protocol):
    """A registered upstream dataset."""

    name: str
    title: str
    license: str
    homepage: str
    downloads: tuple[Download, ...]

    def matches(self, file: str, head: bytes) -> bool:
        """Say whether a file (its relative path and first bytes) belongs to this source."""
        ...

    def parse(self, raw: bytes, file: str) -> Parsed:
        """Parse the file's bytes into canonical tables; raise ``DataError`` on bad input."""
        ...

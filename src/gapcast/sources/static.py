"""``StaticSource``: a fake source for tests, serving fixed canonical tables.

Like httpx's ``MockTransport``, it lets the store and pipeline tests exercise the
import path without a real upstream format::

    fake = StaticSource({"toy.csv": {"scores": frame}})
    registry = {fake.name: fake}
    source = detect("toy.csv", b"any bytes", registry)   # -> fake
    source.parse(b"", "toy.csv").tables["scores"]  # conformed copy of frame
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from gapcast import schema
from gapcast.sources.base import Download, Parsed
from gapcast.sources.common import basename, file_name

__all__ = ["StaticSource"]


class StaticSource:
    """A source that recognises given file names and returns given tables for them.

    Parameters
    ----------
    files
        File name (matched without folders, case-insensitively) -> canonical table
        name -> rows. ``parse`` ignores the bytes and returns the conformed rows with
        ``source`` and ``file`` (the file name, as real sources record it) filled in.
    name, license
        What the source reports.
    """

    title = "static test source"
    homepage = "https://example.invalid/static"

    def __init__(
        self,
        files: Mapping[str, Mapping[str, pd.DataFrame]],
        *,
        name: str = "static",
        license: str = "test data",
    ) -> None:
        self.name = name
        self.license = license
        self.files = {basename(file): dict(tables) for file, tables in files.items()}
        self.downloads: tuple[Download, ...] = tuple(
            Download(file, f"{self.homepage}/{file}") for file in files
        )

    def matches(self, file: str, head: bytes) -> bool:
        """Recognise exactly the configured file names."""
        return basename(file) in self.files

    def parse(self, raw: bytes, file: str) -> Parsed:
        """Return the configured tables, conformed, with ``source`` and ``file`` set."""
        tables = {}
        name = file_name(file)
        for table, frame in self.files[basename(file)].items():
            frame = frame.assign(source=self.name, file=name)
            if "row" not in frame.columns:
                frame = frame.assign(row=range(2, len(frame) + 2))
            tables[table] = schema.conform(frame, table)
        return Parsed(source=self.name, file=name, tables=tables)

"""gapcast's organisation -> country table (``org_country.csv``).

A hand-made fact table (no upstream): organisation names as the LMArena files spell
them, plus common aliases, mapped to ``US``, ``China`` or ``other`` (neither, or no
single country), with a ``source_note`` saying which rule applied. Countries are
normalised with :func:`gapcast.names.normalize_country` (``US`` -> ``United States``,
``other`` -> ``Other``).

Natural key: ``organization`` (stripped). An empty organisation or country is an error,
and so is a country that ``gapcast/data/countries.csv`` does not list (a typo such as
``Chnia`` would otherwise create a third group silently).
"""

from __future__ import annotations

import pandas as pd

from gapcast import names
from gapcast.errors import DataError
from gapcast.sources.base import Download, Parsed
from gapcast.sources.common import MirrorOnlyDownload, basename, blank_to_na, has_columns, parsed
from gapcast.sources.tabular import dedupe, read_csv, strip

__all__ = ["OrgCountry"]

REQUIRED = ("organization", "country")


class OrgCountry:
    """The project's hand-made organisation -> country table."""

    name = "org_country"
    title = "gapcast: organisation to country table"
    license = "same as gapcast (hand-made for the project)"
    homepage = "https://github.com/lmarena/arena-catalog"
    downloads: tuple[Download, ...] = (
        MirrorOnlyDownload(
            "org_country.csv",
            "https://raw.githubusercontent.com/lmarena/arena-catalog/main/data/"
            "scatterplot-data.json",
            note="gapcast mirror only: made by hand for the organisation spellings of "
            "LMArena's model metadata (the closest upstream)",
        ),
    )

    def matches(self, file: str, head: bytes) -> bool:
        """Match ``org_country*.csv`` with an ``organization`` column."""
        name = basename(file)
        return (
            name.startswith("org_country")
            and name.endswith(".csv")
            and has_columns(head, ["organization"])
        )

    def parse(self, raw: bytes, file: str) -> Parsed:
        """Parse into ``organizations`` rows."""
        frame = read_csv(raw, file, required=REQUIRED)
        organization = strip(frame, "organization")
        frame = dedupe(frame, file, organization, what="organization")
        organization = organization.reindex(frame.index)
        country = strip(frame, "country")
        for column, values in (("organization", organization), ("country", country)):
            if (values == "").any():
                row = int(values.index[values == ""][0])
                raise DataError(file, f"empty {column}", row=row, column=column)
        unknown = ~country.map(names.is_known_country).astype(bool)
        if unknown.any():
            row = int(country.index[unknown][0])
            raise DataError(
                file,
                f"unknown country '{country[row]}' (expected US, China or other, or a "
                "country named in gapcast's countries table)",
                row=row,
                column="country",
            )
        rows = pd.DataFrame(
            {
                "organization": organization,
                "country": country.map(names.normalize_country),
                "note": blank_to_na(strip(frame, "source_note")),
            },
            index=frame.index,
        )
        return parsed(self.name, file, organizations=rows)

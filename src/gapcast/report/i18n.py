"""Message catalogues and number and date formats of the report, per language.

Each language has one catalogue, ``report/locales/<lang>.yaml``: a flat mapping of message
keys to ``str.format`` templates with named fields (``{gap}``), written by hand (no
machine translation at runtime). A test checks that every catalogue has the same keys and,
in each message, the same fields as the English one.

Numbers are formatted here, per locale: decimal point and thousands separator, the minus
sign (U+2212), percentages, ranges, months and dates (``22 December 2025``;
``2025年12月22日``).
"""

from __future__ import annotations

import datetime as dt
import math
import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from gapcast.errors import RequestError

LANGS = ("en", "zh", "ja")
MINUS = "\u2212"
EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


SEPARATORS = ("sep", "list_sep")
"""Keys kept as written: between sentences, and between the items of a list."""


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Return the message catalogue of a language (``en``, ``zh``, ``ja``)."""
    if lang not in LANGS:
        raise RequestError("lang", f"'{lang}' is not allowed (allowed: {', '.join(LANGS)})")
    raw = resources.files("gapcast.report").joinpath("locales", f"{lang}.yaml").read_text("utf-8")
    data = yaml.safe_load(raw)
    out = {str(k): str(v).strip() for k, v in data.items()}
    for key in SEPARATORS:  # whitespace is their point
        out[key] = str(data[key])
    return out


def fields(template: str) -> set[str]:
    """Return the named fields of a message template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@dataclass(frozen=True)
class Locale:
    """Messages and formats of one language."""

    lang: str

    @property
    def messages(self) -> dict[str, str]:
        """Return the catalogue."""
        return catalogue(self.lang)

    def t(self, key: str, **values: Any) -> str:
        """Return message ``key`` with its fields filled in."""
        template = self.messages[key]
        return template.format(**values) if values else template

    def has(self, key: str) -> bool:
        """Say whether the catalogue has ``key``."""
        return key in self.messages

    def num(self, value: float | None, digits: int = 1, *, sign: bool = False) -> str:
        """Return a number with ``digits`` decimals, a thousands separator and a true minus."""
        if value is None or not math.isfinite(value):
            return self.t("n_a")
        text = f"{abs(value):,.{digits}f}"
        if round(value, digits) < 0:
            return MINUS + text
        return ("+" + text) if sign and round(value, digits) > 0 else text

    def pct(self, p: float | None, digits: int = 0) -> str:
        """Return a probability as a percentage (``0.39`` -> ``39%``)."""
        if p is None or not math.isfinite(p):
            return self.t("n_a")
        return self.t("percent", value=self.num(100 * p, digits))

    def range(self, lo: float | None, hi: float | None, digits: int = 1) -> str:
        """Return an interval (``12.0 to 15.3``) in the language's words."""
        return self.t("range", lo=self.num(lo, digits), hi=self.num(hi, digits))

    def months(self, value: float | None, digits: int = 1) -> str:
        """Return a duration in months."""
        return self.t("months", value=self.num(value, digits))

    def date(self, value: dt.date | str | None) -> str:
        """Return a calendar date (``22 December 2025``, ``2025年12月22日``)."""
        if value is None:
            return self.t("n_a")
        day = dt.date.fromisoformat(value) if isinstance(value, str) else value
        if self.lang == "en":
            return f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}"
        return f"{day.year}年{day.month}月{day.day}日"

    def month(self, value: dt.date | str | None) -> str:
        """Return a month (``December 2025``, ``2025年12月``)."""
        if value is None:
            return self.t("n_a")
        day = dt.date.fromisoformat(value) if isinstance(value, str) else value
        if self.lang == "en":
            return f"{EN_MONTHS[day.month - 1]} {day.year}"
        return f"{day.year}年{day.month}月"

    def group(self, label: str) -> str:
        """Return a group's name (a country, ``open``, ``closed``) in the language."""
        key = "group." + label.casefold().replace(" ", "_")
        return self.messages.get(key, label)

    def group_name(self, label: str) -> str:
        """Return a group's name as a table or legend shows it (``United States``)."""
        key = "group_name." + label.casefold().replace(" ", "_")
        return self.messages.get(key, label)

    def scenario(self, name: str, title: str) -> str:
        """Return a shipped scenario's title in the language (else the file's title)."""
        return self.messages.get(f"scenario.{name}", title or name)

    def list(self, items: Iterable[str]) -> str:
        """Join the items of a list as the language does (``, `` in English, ``、`` in CJK)."""
        return self.t("list_sep").join(items)

    def join(self, *sentences: str) -> str:
        """Join sentences as the language does (a space in English, nothing in CJK)."""
        return self.t("sep").join(sentences)

    def horizon(self, months: int) -> str:
        """Return a horizon in years where whole, else in months."""
        if months % 12 == 0:
            years = months // 12
            return self.t("years_one" if years == 1 else "years", n=years)
        return self.months(float(months), 0)

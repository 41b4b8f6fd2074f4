"""The report's claims section: each claim beside gapcast's value, in the report's language.

Reads the claims report (``gapcast.usecases.claims.ClaimsReport.to_dict()``, carried in
``ReportData.claims``) and writes every reading from its structured fields with the
language's messages (``claims.*`` keys): what each claim resolves on, gapcast's value and
interval, and where a large difference comes from. Model names, titles and the names of
measurement rules are data and stay as published.
"""

from __future__ import annotations

from typing import Any

from gapcast.report.i18n import Locale

__all__ = ["claims_section"]

_UNITS = ("percent", "percentage points", "months", "ECI points", "x per year")


def _side(loc: Locale, label: str | None, *, sentence: bool = False) -> str:
    """Return a side's name: a group, ``everyone but <group>`` or ``<country> open-weights``.

    ``sentence``: as a sentence names it (``the United States``), else as a table does.
    """
    if not label:
        return loc.t("n_a")
    if label.casefold().startswith("everyone but "):
        return loc.t("claims.group.everyone_but", group=_side(loc, label[len("everyone but ") :]))
    for word, key in (
        ("open-weights", "claims.group.open_of"),
        ("closed", "claims.group.closed_of"),
    ):
        if label.endswith(" " + word):
            return loc.t(key, country=loc.group_name(label[: -len(word) - 1]))
    if sentence or label in ("open", "closed"):
        return loc.group(label)
    return loc.group_name(label)


def _value(loc: Locale, value: float | None, unit: str | None) -> str:
    if value is None:
        return loc.t("n_a")
    if unit == "probability":
        return loc.pct(value)
    key = "claims.unit." + str(unit).replace(" ", "_")
    text = loc.num(value, 1 if abs(value) < 100 else 0)
    return loc.t(key, value=text) if unit in _UNITS else text


def _theirs(loc: Locale, t: dict[str, Any]) -> str:
    unit = t["unit"]
    if t["value"] is None and t["high"] is not None:
        return loc.t("claims.below", value=_value(loc, t["high"], unit))
    text = _value(loc, t["value"], unit)
    if t["low"] is not None and t["high"] is not None:
        text += (
            " ("
            + loc.t("range", lo=_value(loc, t["low"], unit), hi=_value(loc, t["high"], unit))
            + ")"
        )
    return text


def _ours(loc: Locale, row: dict[str, Any]) -> str:
    ours = row["ours"]
    if ours is None:
        return "–"
    unit = row["theirs"]["unit"]
    text = _value(loc, ours["value"], unit)
    if ours.get("interval90"):
        lo, hi = ours["interval90"]
        text += " (" + loc.t("range", lo=_value(loc, lo, unit), hi=_value(loc, hi, unit)) + ")"
    return text


def _diff(loc: Locale, row: dict[str, Any]) -> str:
    diff = row.get("difference")
    if diff is None:
        return "–"
    if row["theirs"]["unit"] == "probability":
        return loc.t("claims.points", value=loc.num(100 * diff, 0, sign=True))
    return loc.num(diff, 1, sign=True)


def _reading(loc: Locale, row: dict[str, Any], as_of: str) -> str:
    ours, event = row["ours"], row["event"]
    if ours is None:
        key = f"claims.reason.{event}"
        return loc.t(key) if loc.has(key) else loc.t("claims.reason.other")
    deadline = loc.date(row["deadline"]) if row["deadline"] else loc.t("n_a")
    if row["status"] == "forecast" and "mapping" in ours:
        answers = loc.list(
            loc.t("claims.answer", where=k.replace("/", " · "), value=loc.pct(v["value"]))
            for k, v in ours["mapping"].items()
        )
        return loc.t(
            "claims.read.ahead_within",
            challenger=_side(loc, row["challenger"], sentence=True),
            leader=_side(loc, row["leader"], sentence=True),
            answers=answers,
        )
    if row["status"] == "forecast":
        text = ours["resolves_on"]
        incumbent = text.split(" vs ", 1)[1].split(";", 1)[0] if " vs " in text else row["leader"]
        return loc.t(
            f"claims.read.{event}",
            style=loc.t("claims.style.on" if "style control on" in text else "claims.style.off"),
            challenger=_side(loc, row["challenger"]),
            incumbent=_side(loc, incumbent),
            deadline=deadline,
            ties=loc.t("claims.ties.count" if "ties count" in text else "claims.ties.no"),
            as_of=loc.date(as_of),
        )
    return loc.t(
        f"claims.read.{event}",
        leader=_side(loc, row["leader"]),
        challenger=_side(loc, row["challenger"]),
        metric=row["metric"],
        date=deadline,
        since=loc.date(ours["since"]) if ours.get("since") else loc.t("n_a"),
    )


def _why(loc: Locale, row: dict[str, Any]) -> str:
    facts = row.get("why_facts")
    if not facts:
        return ""
    if facts["kind"] == "forecast":
        behind = ""
        if facts.get("behind") is not None:
            behind = loc.t("claims.why.behind", points=loc.num(facts["behind"], 0))
        text = loc.t(
            "claims.why.forecast",
            as_of=loc.date(facts["as_of"]),
            seen=loc.date(facts["seen"]) if facts.get("seen") else loc.t("n_a"),
            behind=behind,
        )
        history = facts.get("history")
        if history:
            text = loc.join(
                text,
                loc.t(
                    "claims.why.history",
                    n=loc.num(history["snapshots"], 0),
                    since=loc.date(history["since"]),
                    top=loc.num(history["top"], 0),
                    sole=loc.num(history["sole_top"], 0),
                ),
            )
        return text
    parts = []
    lead, chal = facts.get("leader"), facts.get("challenger")
    if lead and chal:
        snap = (
            loc.t("claims.why.snapshot", date=loc.date(facts["snapshot"]))
            if facts.get("snapshot")
            else ""
        )
        parts.append(
            loc.t(
                "claims.why.measured",
                lead=lead["model"],
                lv=loc.num(lead["value"], 3 if abs(lead["value"]) < 2 else 1),
                chal=chal["model"],
                cv=loc.num(chal["value"], 3 if abs(chal["value"]) < 2 else 1),
                snapshot=snap,
            )
        )
    if facts.get("unlabelled"):
        parts.append(loc.t("claims.why.unlabelled", names=loc.list(facts["unlabelled"])))
    if facts.get("counted"):
        parts.append(loc.t("claims.why.counted", names=loc.list(facts["counted"])))
    if facts.get("closest_rule"):
        parts.append(
            loc.t(
                "claims.why.closest",
                rule=facts["closest_rule"],
                value=loc.num(facts["closest_value"], 2),
                published=loc.num(facts["published"], 2),
            )
        )
    return loc.join(*parts)


def _bar(row: dict[str, Any]) -> dict[str, float] | None:
    """Return percentages for the row's small 0-100% dot plot (probabilities only)."""
    ours, t = row["ours"], row["theirs"]
    if ours is None or t["unit"] != "probability" or ours.get("value") is None:
        return None
    theirs = t["value"] if t["value"] is not None else t["high"]
    lo, hi = ours.get("interval90") or (ours["value"], ours["value"])
    return {
        "ours": 100 * ours["value"],
        "lo": 100 * lo,
        "hi": 100 * hi,
        "theirs": 100 * theirs,
        "their_lo": 100 * (t["low"] if t["low"] is not None and t["value"] is not None else theirs),
        "their_hi": 100
        * (t["high"] if t["high"] is not None and t["value"] is not None else theirs),
    }


def claims_section(
    claims: dict[str, Any] | None, missing: str | None, loc: Locale
) -> dict[str, Any]:
    """Return the section's context: intro, one row per claim, notes."""
    if claims is None:
        return {"rows": [], "text": loc.t("claims.missing", reason=missing or loc.t("n_a"))}
    rows = []
    for row in claims["claims"]:
        ours = row["ours"] or {}
        rows.append(
            {
                "id": row["id"],
                "title": row["title"] or row["id"],
                "url": row["url"],
                "publisher": row["publisher"] or "",
                "kind": loc.t("claims.kind." + row["kind"].replace(" ", "_")),
                "status": loc.t(
                    "claims.status." + row["status"].replace(" ", "_").replace("-", "_")
                ),
                "model": ours.get("model", ""),
                "theirs": _theirs(loc, row["theirs"]),
                "ours": _ours(loc, row),
                "diff": _diff(loc, row),
                "reading": _reading(loc, row, claims["as_of"]),
                "why": _why(loc, row),
                "bar": _bar(row),
            }
        )
    return {
        "rows": rows,
        "text": loc.t(
            "claims.intro",
            as_of=loc.date(claims["as_of"]),
            model=claims["forecast_model"],
            draws=loc.num(claims["draws"], 0),
        ),
    }

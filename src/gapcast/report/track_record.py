"""The report's out-of-sample track record: the stored nested backtest, per metric and horizon.

Reads the result dictionary of ``gapcast backtest`` (``ReportData.track_record``); never runs
a use case. Shows, for the model under test (the structural model, ECI only) and the trend
model, on the gap, the CRPS skill against the
strongest baseline with its 90% interval, the 80% and 50% interval coverage with the
effective number of independent checks, and the PIT test; then the targets it fails.
"""

from __future__ import annotations

from typing import Any

from gapcast.report.i18n import Locale

HORIZONS = (1, 3, 6, 12)


def _skill(row: dict[str, Any], loc: Locale) -> str:
    if row.get("skill") is None:
        return "–"
    lo, hi = row["skill_ci90"]
    text = loc.num(row["skill"], 2, sign=True)
    if lo is not None:
        text += f" [{loc.num(lo, 2, sign=True)}, {loc.num(hi, 2, sign=True)}]"
    return text


def track_record_section(doc: dict[str, Any] | None, loc: Locale) -> dict[str, Any]:
    """Return the rows and sentences of the out-of-sample track record (or why it is absent)."""
    if not doc:
        return {"rows": [], "text": loc.t("track.none"), "fails": "", "calibrated": ""}
    model = doc["model"]
    metrics = [doc["tuning_metric"], *doc.get("held_out", [])]
    models = list(dict.fromkeys((model, "trend")))
    by = {(r["metric"], r["model"], r["horizon"]): r for r in doc["scores"] if r["target"] == "gap"}
    rows = []
    for m in metrics:
        role = loc.t("track.tuning" if m == doc["tuning_metric"] else "track.held_out")
        for name in models:
            for h in HORIZONS:
                r = by.get((m, name, h))
                if r is None:
                    continue
                c80, c50 = r["coverage"]["80"], r["coverage"]["50"]
                rows.append(
                    {
                        "metric": m,
                        "model": name,
                        "role": role,
                        "horizon": loc.months(float(h), 0),
                        "n": str(r["n"]),
                        "skill": _skill(r, loc),
                        "baseline": r.get("baseline") or "–",
                        "coverage80": loc.pct(c80["rate"]),
                        "coverage50": loc.pct(c50["rate"]),
                        "n_eff": loc.num(c80["n_eff"], 1),
                        "pit_p": loc.num(r.get("pit_p"), 3),
                        "bad": c80["rate"] is not None and not 0.7 <= c80["rate"] <= 0.9,
                    }
                )
    failed = [t["target"] for t in doc.get("targets", []) if t.get("met") is False]
    return {
        "rows": rows,
        "text": loc.t("track.intro", model=model, tuning=doc["tuning_metric"]),
        "fails": loc.t("track.fails", targets=loc.list(failed)) if failed else "",
        "calibrated": loc.t(
            "track.calibrated", what=doc["calibrated"]["what"], on=doc["calibrated"]["on"]
        ),
    }


def headline_record(doc: dict[str, Any] | None, challenger: str, loc: Locale) -> list[str]:
    """Return the sentences that put the headline beside its track record.

    The structural model's event check at 12 months (6 where no 12-month window is over):
    what it said at past origins about a lead within the horizon, what happened, and, when
    the outcome had less than a 10% chance under it, that its probabilities ran too high.
    """
    rows = [
        r
        for r in (doc or {}).get("event_check", [])
        if r["model"] == "structural" and r["event"] == "strict"
    ]
    if not rows:
        return [loc.t("summary.track_none")]
    r = max(rows, key=lambda x: x["horizon"])
    trend = next(
        (
            x
            for x in (doc or {}).get("event_check", [])
            if x["model"] == "trend" and x["event"] == r["event"] and x["horizon"] == r["horizon"]
        ),
        None,
    )
    out = [
        loc.t(
            "summary.track_events",
            n=r["origins"],
            first=r["first_origin"][:7],
            last=r["last_origin"][:7],
            challenger=challenger,
            p=loc.pct(r["mean_p"]),
            h=r["horizon"],
            seen=loc.t("summary.track_never")
            if r["observed_rate"] == 0
            else loc.t("summary.track_seen", p=loc.pct(r["observed_rate"])),
            k=r["disjoint_windows"],
            po=loc.pct(r["p_of_outcome"]),
            pt=loc.pct(trend["mean_p"]) if trend else loc.t("n_a"),
        )
    ]
    if r["p_of_outcome"] < 0.10:
        out.append(loc.t("summary.track_surprised", challenger=challenger))
    return out


__all__ = ["headline_record", "track_record_section"]

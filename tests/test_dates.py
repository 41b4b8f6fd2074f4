"""Dates: an as-of after the data's end is an error naming that date; outputs say how old the
data are and warn when a horizon has partly passed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cli_helpers import run_cli
from gapcast.errors import RequestError
from gapcast.freshness import DataAge, check_as_of

D = dt.date


def test_an_as_of_after_the_data_is_an_error_naming_the_last_date() -> None:
    check_as_of(D(2025, 12, 22), D(2025, 12, 22))
    check_as_of(D(2025, 12, 31), D(2025, 12, 22))  # the data's last month: a quiet week
    check_as_of(D(2024, 2, 29), D(2024, 2, 1))
    with pytest.raises(RequestError, match="2026-01-01 is after the data's last date, 2025-12-22"):
        check_as_of(D(2026, 1, 1), D(2025, 12, 22))
    check_as_of(None, D(2025, 12, 22))
    with pytest.raises(RequestError) as err:
        check_as_of(D(2026, 11, 29), D(2025, 12, 22))
    assert err.value.message == "as_of: 2026-11-29 is after the data's last date, 2025-12-22"
    assert err.value.hint is not None and "gapcast data fetch" in err.value.hint


def test_age_and_horizons_partly_passed() -> None:
    age = DataAge(D(2025, 12, 22), D(2026, 11, 29), D(2025, 12, 22), (12, 36, 60))
    assert age.days == 342 and age.stale
    assert age.passed() == pytest.approx({12: 11.24, 36: 11.24, 60: 11.24}, abs=0.01)
    notes = age.notes()
    assert notes[0] == "Data through 2025-12-22: 342 days old on 2026-11-29."
    assert "gapcast data fetch" in notes[1]
    assert "'within 1 year' has 1 month left" in notes[2]
    fresh = DataAge(D(2025, 12, 22), D(2025, 12, 30), D(2025, 12, 22), (12,))
    assert not fresh.stale and fresh.passed() == pytest.approx({12: 0.26}, abs=0.01)
    assert len(fresh.notes()) == 1  # must not warn: less than a month of the horizon passed
    same_day = DataAge(D(2025, 12, 22), D(2025, 12, 22), D(2025, 12, 22), (12,))
    assert same_day.passed() == {} and same_day.days == 0


@pytest.mark.mirror
@pytest.mark.parametrize("command", ["gap", "forecast", "fit"])
def test_gap_and_forecast_refuse_an_as_of_after_the_mirror_ends(
    mirror_db: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    args = ["--draws", "1000"] if command == "forecast" else []
    code, out, err = run_cli(
        capsys, "--db", str(mirror_db), command, "--as-of", "2026-11-29", *args
    )
    assert code == 2 and out == ""
    assert err.splitlines()[0] == (
        "Error: as_of: 2026-11-29 is after the data's last date, 2025-12-31"
    )
    assert "gapcast data fetch" in err


@pytest.mark.mirror
def test_gap_says_how_old_its_data_are(mirror_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--db", str(mirror_db), "gap", "--draws", "100")
    assert code == 0, err
    assert "Data through 2025-12-31:" in out
    code, out, err = run_cli(capsys, "--db", str(mirror_db), "gap", "--draws", "100", "--json")
    assert '"data_through": "2025-12-31"' in out


def test_an_unknown_scenario_is_an_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "scenarios", "show", "no-such-scenario")
    assert code == 2 and err.startswith("Error: no scenario 'no-such-scenario'")

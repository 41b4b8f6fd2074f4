"""Docs that cannot drift: the CLI reference and the settings table."""

from __future__ import annotations

from conftest import ROOT
from gapcast.cli.reference import render
from gapcast.settings import SETTINGS


def test_cli_reference_is_current() -> None:
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/cli.md is stale: run `make docs`"


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.env}`" in text, setting.env

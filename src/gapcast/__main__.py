"""``python -m gapcast``."""

from gapcast.cli import main

main()

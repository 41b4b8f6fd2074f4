"""The HTTP API (FastAPI) and the dashboard it serves: ``create_app``."""

from gapcast.api.app import create_app

__all__ = ["create_app"]

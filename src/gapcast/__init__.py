"""gapcast: measure and forecast the AI capability gap between two groups."""

__version__ = "0.1.0"

__all__ = ["__version__"]

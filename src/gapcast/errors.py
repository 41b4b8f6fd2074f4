"""The one exception hierarchy of gapcast.

::

    GapcastError                  any error gapcast reports to a user
    ├── DataError                 a bad input file: names the file, row and column
    │   └── UnknownSourceError    a file no registered source recognises
    ├── ScenarioError             a bad scenario or override: names the field path
    ├── RequestError              a bad request field (CLI option or API field)
    ├── StoreError                the store cannot be opened, written or read
    │   └── StoreBusyError        another process holds the store's lock (retry later): 503
    ├── InsufficientDataError     too little data to measure or fit what was asked
    ├── NotFoundError             a named thing (run, scenario, model, metric) does not exist
    ├── AuthError                 a missing (401) or wrong (403) API bearer token
    └── NotAvailableError         a feature that is not available (yet, or here): HTTP 503

Every error carries a one-line user-facing message (``str(err)``) and, where a fix is
known, a ``hint``. The CLI prints ``Error: <message>`` on stderr and exits with
``err.exit_code``; the API maps ``err.status_code`` and ``err.to_dict()`` to its one
JSON error body.
"""

from __future__ import annotations

from typing import Any


class GapcastError(Exception):
    """Base class: a failure explained to the user, never a traceback."""

    exit_code = 1
    status_code = 500
    kind = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """Return the error as the API's JSON error body."""
        body: dict[str, Any] = {"error": self.kind, "message": self.message}
        if self.hint:
            body["hint"] = self.hint
        return body


class DataError(GapcastError):
    """A malformed or implausible input file.

    The message reads ``<file>: row <n>, column <c>: <problem>``; row and column are
    omitted where they do not apply. Rows are numbered as a spreadsheet shows them:
    the header is row 1, the first record row 2.
    """

    exit_code = 2
    status_code = 422
    kind = "data_error"

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = [
            part
            for part in (
                f"row {row}" if row is not None else None,
                f"column {column}" if column is not None else None,
            )
            if part
        ]
        prefix = f"{file}: " + (", ".join(where) + ": " if where else "")
        super().__init__(prefix + problem, hint=hint)
        self.file = file
        self.row = row
        self.column = column
        self.problem = problem

    def to_dict(self) -> dict[str, Any]:
        """Return the error body with file, row and column."""
        body = super().to_dict()
        body.update({"file": self.file, "row": self.row, "column": self.column})
        return body


class UnknownSourceError(DataError):
    """A file that no registered source recognises by name or content."""


class ScenarioError(GapcastError):
    """A bad scenario file or override; names the field path, the value and what is allowed."""

    exit_code = 2
    status_code = 422
    kind = "scenario_error"

    def __init__(
        self, path: str, problem: str, *, file: str | None = None, hint: str | None = None
    ) -> None:
        prefix = f"{file}: " if file else ""
        super().__init__(f"{prefix}{path}: {problem}", hint=hint)
        self.path = path
        self.file = file

    def to_dict(self) -> dict[str, Any]:
        """Return the error body with the field path."""
        body = super().to_dict()
        body["field"] = self.path
        return body


class RequestError(GapcastError):
    """A bad request: an option or API field with a value that is not allowed."""

    exit_code = 2
    status_code = 422
    kind = "request_error"

    def __init__(self, field: str, problem: str, *, hint: str | None = None) -> None:
        super().__init__(f"{field}: {problem}", hint=hint)
        self.field = field

    def to_dict(self) -> dict[str, Any]:
        """Return the error body with the field name."""
        body = super().to_dict()
        body["field"] = self.field
        return body


class StoreError(GapcastError):
    """The store cannot be opened, written or read."""

    exit_code = 2
    status_code = 500
    kind = "store_error"


class StoreBusyError(StoreError):
    """Another process held the store's lock for longer than the retry bound.

    The CLI exits with 75 (``EX_TEMPFAIL``: try again); the API answers 503 with a
    ``Retry-After`` header of ``retry_after`` seconds.
    """

    exit_code = 75
    status_code = 503
    kind = "store_busy"

    def __init__(self, message: str, *, retry_after: int = 2, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class InsufficientDataError(GapcastError):
    """Too little data for what was asked (an empty group, a fit with too few points)."""

    exit_code = 1
    status_code = 422
    kind = "insufficient_data"


class NotFoundError(GapcastError):
    """A named run, scenario, metric or model that does not exist.

    The name was typed by the user, so the CLI treats it as an input error (exit 2).
    """

    exit_code = 2
    status_code = 404
    kind = "not_found"


class AuthError(GapcastError):
    """A request to a token-guarded API route without the right bearer token.

    ``status_code`` is 401 when no token was sent and 403 when a wrong one was.
    """

    exit_code = 2
    status_code = 401
    kind = "unauthorized"

    def __init__(self, message: str, *, forbidden: bool = False, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        if forbidden:
            self.status_code = 403
            self.kind = "forbidden"


class NotAvailableError(GapcastError):
    """A feature that is not available: not built yet, or not enabled in this setup."""

    exit_code = 1
    status_code = 503
    kind = "not_available"

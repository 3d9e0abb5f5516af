"""One root error; each error knows where it came from and says what to do next."""

from __future__ import annotations


class VpcFlowError(Exception):
    """Root of every error vpcflow raises for bad input or configuration.

    The CLI turns it into exit code 1 and one line; the web layer into one HTTP status.
    """

    exit_code = 1
    http_status = 400

    def __init__(self, message: str, *, location: str | None = None, hint: str | None = None):
        self.message = message
        self.location = location
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} ({self.hint})" if self.hint else text


class FormatError(VpcFlowError):
    """A log format string or header that cannot be used."""


class SourceError(VpcFlowError):
    """A source that cannot be read: missing, unreadable, corrupt, or too large once decompressed."""


class StoreError(VpcFlowError):
    """The store cannot be opened or refuses the operation (for example a write through a read-only query)."""


class QueryError(VpcFlowError):
    """A query that failed in the engine."""

    @classmethod
    def of(cls, exc: BaseException, **where) -> QueryError:
        """The engine's whole message, blank lines dropped: DuckDB's 'Candidate bindings: ...' and 'LINE 1: ...'
        lines after the first say what to write instead."""
        return cls("\n".join(line for line in str(exc).splitlines() if line.strip()), **where)


class NotFound(VpcFlowError):
    """A named thing (detection, scenario, interface) that does not exist."""

    http_status = 404

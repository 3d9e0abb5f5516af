"""The embedded store (DuckDB) and ingest."""

from .ingest import IngestResult, SourceResult
from .store import DEFAULT_PATH, Store

__all__ = ["DEFAULT_PATH", "IngestResult", "SourceResult", "Store"]

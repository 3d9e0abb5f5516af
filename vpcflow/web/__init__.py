"""The dashboard: `create_app(db_path, token=None)` gives a FastAPI app over a store opened read-only."""

from .app import create_app

__all__ = ["create_app"]

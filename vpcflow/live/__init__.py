"""Live: one process holds the store, follows deliveries, detects, alarms and serves; other processes go through it."""

from .run import Live
from .server import HolderServer

__all__ = ["HolderServer", "Live"]

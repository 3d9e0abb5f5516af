"""Which layer rejected a connection, security group or network ACL, and which rule."""

from .diagnose import VERDICTS, diagnose

__all__ = ["VERDICTS", "diagnose"]

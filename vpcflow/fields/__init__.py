"""The field table and log formats."""

from .formats import DEFAULT, PRESETS, TGW_DEFAULT, LogFormat
from .table import BY_COLUMN, BY_NAME, FIELDS, INT_32, INT_64, STRING, Field, field

__all__ = [
    "BY_COLUMN", "BY_NAME", "DEFAULT", "FIELDS", "INT_32", "INT_64", "PRESETS", "STRING", "TGW_DEFAULT",
    "Field", "LogFormat", "field",
]

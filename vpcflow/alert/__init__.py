"""Alerts: CloudWatch filter patterns over flow-log records, metric filters, alarms and notifications."""

from .evaluate import compile_predicate, matches
from .pattern import Pattern, PatternError, parse
from .sql import SqlFilter, compile_sql

__all__ = ["Pattern", "PatternError", "SqlFilter", "compile_predicate", "compile_sql", "matches", "parse"]

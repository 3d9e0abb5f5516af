"""Showing a store: the data behind the dashboard's pages and the self-contained HTML report."""

from .html import report_data, write_report

__all__ = ["report_data", "write_report"]

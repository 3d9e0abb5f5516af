"""Detections: named SQL queries with parameters that turn flow records into findings with evidence.

Importing this package registers the shipped detections (the `vpcflow.analyses` entry point `detect`).
"""

from . import catalog  # noqa: F401  (registers the shipped detections)
from .engine import DetectReport, ensure_tables, evidence, run, set_status
from .model import Detection, DetectorStatus, Finding, Param
from .registry import detections, get, register
from .threats import load_threat_list

__all__ = ["DetectReport", "Detection", "DetectorStatus", "Finding", "Param", "detections", "ensure_tables",
           "evidence", "get", "load_threat_list", "register", "run", "set_status"]

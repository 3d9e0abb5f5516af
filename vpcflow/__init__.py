"""vpcflow: a workbench for AWS VPC Flow Logs."""

from .analyze import top
from .errors import VpcFlowError
from .fields import DEFAULT, FIELDS, LogFormat
from .reader import SourceRecords, read
from .store import IngestResult, Store

__version__ = "0.1.0"

__all__ = [
    "DEFAULT", "FIELDS", "IngestResult", "LogFormat", "SourceRecords", "Store", "VpcFlowError", "__version__", "read",
    "top",
]

"""vpcflow: a workbench for AWS VPC Flow Logs."""

from .errors import VpcFlowError
from .fields import DEFAULT, FIELDS, LogFormat
from .store import IngestResult, Store

# isort: split
from .reader import SourceRecords, read  # after .store: parse.transform imports from the store package

__version__ = "0.1.0"

__all__ = [
    "DEFAULT", "FIELDS", "IngestResult", "LogFormat", "SourceRecords", "Store", "VpcFlowError", "__version__", "read",
]

"""vpcflow: a workbench for AWS VPC Flow Logs."""

from .errors import VpcFlowError
from .fields import DEFAULT, FIELDS, LogFormat
from .store import IngestResult, Store

__version__ = "0.1.0"

__all__ = ["DEFAULT", "FIELDS", "IngestResult", "LogFormat", "Store", "VpcFlowError", "__version__"]

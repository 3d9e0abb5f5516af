"""The AWS side of vpcflow: provision flow logs (plan, apply, destroy, status), read them from CloudWatch Logs
and S3, and deliver emulated records through the API. Everything takes an `AwsSession` (see `session.py`)."""

from .errors import AwsError
from .session import AwsSession, AwsSettings

__all__ = ["AwsError", "AwsSession", "AwsSettings"]

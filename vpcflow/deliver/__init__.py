"""Delivery of flow-log records in AWS's layouts: CloudWatch Logs, S3 (text or Parquet), Firehose."""

from .base import CLOUDWATCH, FIREHOSE, S3, WRITERS, FlowLog, Writer, register, writer_for

__all__ = ["CLOUDWATCH", "FIREHOSE", "S3", "WRITERS", "FlowLog", "Writer", "register", "writer_for"]

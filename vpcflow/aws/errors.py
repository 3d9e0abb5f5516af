"""AWS errors turned into one clear line: which resource, what went wrong, and what to do next."""

from __future__ import annotations

import re

import botocore.exceptions

from .session import AwsError

_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_BAD_KEYS = {
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "AuthFailure",
    "UnrecognizedClientException",
    "InvalidSignatureException",
}
_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "Forbidden",
    "AuthorizationError",
}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "SlowDown",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestThrottledException",
}
_NOT_FOUND = {
    "NoSuchBucket",
    "ResourceNotFoundException",
    "NoSuchEntity",
    "InvalidFlowLogId.NotFound",
    "InvalidVpcID.NotFound",
    "InvalidSubnetID.NotFound",
    "InvalidNetworkInterfaceID.NotFound",
    "InvalidID",
    "NotFound",
    "404",
    "NoSuchKey",
}
_ACTION_IN_MESSAGE = re.compile(r"perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)")


def missing_action(message: str, default: str) -> str:
    """The IAM action an AccessDenied message names (`... not authorized to perform: logs:PutLogEvents`)."""
    m = _ACTION_IN_MESSAGE.search(message or "")
    return m.group(1) if m else default


def explain(exc: BaseException, resource: str, action: str) -> AwsError:
    """An AwsError for `exc`, raised doing `action` (an IAM action such as `s3:GetObject`) on `resource`."""
    if isinstance(exc, AwsError):
        return exc
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return AwsError(
            "no AWS credentials found",
            location=resource,
            hint="run `aws configure`, `aws sso login`, or set AWS_PROFILE / AWS_ACCESS_KEY_ID",
        )
    if isinstance(
        exc,
        botocore.exceptions.EndpointConnectionError
        | botocore.exceptions.ConnectionClosedError
        | botocore.exceptions.ReadTimeoutError
        | botocore.exceptions.ConnectTimeoutError,
    ):
        return AwsError(
            f"cannot reach AWS for {action}: {exc}",
            location=resource,
            hint="check the network, --region and --endpoint-url",
        )
    if isinstance(exc, botocore.exceptions.ClientError):
        err = exc.response.get("Error", {})
        code, message = str(err.get("Code", "")), str(err.get("Message", ""))
        attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        if code in _EXPIRED:
            return AwsError(
                "the AWS credentials have expired",
                location=resource,
                hint="refresh them (`aws sso login`, a new session token) and run again",
            )
        if code in _BAD_KEYS:
            return AwsError(
                f"AWS does not accept these credentials ({code})",
                location=resource,
                hint="check AWS_PROFILE / --profile and the access key",
            )
        if code in _DENIED:
            needed = missing_action(message, action)
            return AwsError(
                f"permission denied: the caller lacks {needed}",
                location=resource,
                hint=f"grant {needed} on {resource} to this identity",
            )
        if code in _THROTTLED:
            return AwsError(
                f"AWS kept throttling {action} after {attempts + 1} attempts",
                location=resource,
                hint="run again later or lower the parallelism",
            )
        if code in _NOT_FOUND:
            return AwsError(
                f"not found ({code}: {message})" if message else f"not found ({code})",
                location=resource,
                hint="check the name, the account and --region",
            )
        return AwsError(f"AWS refused {action}: {code}: {message}", location=resource)
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return AwsError(f"{action} failed: {exc}", location=resource)
    return AwsError(f"{action} failed: {type(exc).__name__}: {exc}", location=resource)


def error_code(exc: BaseException) -> str | None:
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return None


__all__ = ["AwsError", "error_code", "explain", "missing_action"]

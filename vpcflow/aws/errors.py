"""AWS errors turned into one clear line: which resource, what went wrong, and what to do next.

Every boto3 call runs inside `aws_call`, the one place botocore's errors are caught; anything else (a bug)
passes through untouched, so a TypeError is never reported as AWS trouble.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import botocore.exceptions

from ..errors import VpcFlowError

# what boto3 raises: AWS's answers (ClientError) and the SDK's own failures (no credentials, no connection, waiters)
BOTOCORE_ERRORS = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


class AwsError(VpcFlowError):
    """AWS refused or could not be reached; the message names the resource and the next step.

    `code` is AWS's error code when AWS answered (`AccessDenied`, `NoSuchEntity`), else None.
    """

    def __init__(self, message: str, *, location: str | None = None, hint: str | None = None,
                 code: str | None = None):
        super().__init__(message, location=location, hint=hint)
        self.code = code


@dataclass
class AwsCall:
    """What `aws_call` saw: `code` is the tolerated error code AWS answered with, None when the call succeeded."""

    action: str
    resource: str
    code: str | None = None

    @property
    def tolerated(self) -> bool:
        return self.code is not None


@contextmanager
def aws_call(action: str, resource: str, *, tolerate: Collection[str] = ()) -> Iterator[AwsCall]:
    """Run boto3 calls doing `action` (an IAM action, `s3:GetObject`) on `resource`; botocore's errors become
    an AwsError. An error whose code is in `tolerate` (`NoSuchEntity`) ends the block quietly and is kept in
    the yielded call's `code`."""
    call = AwsCall(action, resource)
    try:
        yield call
    except BOTOCORE_ERRORS as exc:
        code = error_code(exc)
        if code is not None and code in tolerate:
            call.code = code
            return
        raise explain(exc, resource, action) from exc


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


def explain(
    exc: botocore.exceptions.ClientError | botocore.exceptions.BotoCoreError, resource: str, action: str
) -> AwsError:
    """An AwsError for botocore's `exc`, raised doing `action` (an IAM action such as `s3:GetObject`) on `resource`."""
    if not isinstance(exc, BOTOCORE_ERRORS):
        raise TypeError(f"explain() takes botocore's errors, not {type(exc).__name__}")
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
        error = _explain_client_error(exc, resource, action)
        error.code = error_code(exc)
        return error
    return AwsError(f"{action} failed: {exc}", location=resource)


# What each kind of refusal says: (codes, message, hint), filled in with the call's code, detail (code and
# AWS's message), action, resource, the IAM action it needed and the attempts made.
_REFUSALS = (
    (_EXPIRED, "the AWS credentials have expired",
     "refresh them (`aws sso login`, a new session token) and run again"),
    (_BAD_KEYS, "AWS does not accept these credentials ({code})", "check AWS_PROFILE / --profile and the access key"),
    (_DENIED, "permission denied: the caller lacks {needed}", "grant {needed} on {resource} to this identity"),
    (_THROTTLED, "AWS kept throttling {action} after {attempts} attempts", "run again later or lower the parallelism"),
    (_NOT_FOUND, "not found ({detail})", "check the name, the account and --region"),
)


def _explain_client_error(exc: botocore.exceptions.ClientError, resource: str, action: str) -> AwsError:
    err = exc.response.get("Error", {})
    code, message = str(err.get("Code", "")), str(err.get("Message", ""))
    facts = {"code": code, "detail": f"{code}: {message}" if message else code, "action": action,
             "resource": resource, "needed": missing_action(message, action),
             "attempts": exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0) + 1}
    for codes, says, hint in _REFUSALS:
        if code in codes:
            return AwsError(says.format(**facts), location=resource, hint=hint.format(**facts))
    return AwsError(f"AWS refused {action}: {code}: {message}", location=resource)


def error_code(exc: BaseException) -> str | None:
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return None


__all__ = ["BOTOCORE_ERRORS", "AwsCall", "AwsError", "aws_call", "error_code", "explain", "missing_action"]

"""The one place that decides which AWS account, region and endpoint vpcflow talks to.

Follows the AWS CLI: flags win over the environment (`VPCFLOW_AWS_PROFILE` then `AWS_PROFILE`; `VPCFLOW_AWS_REGION`,
`AWS_REGION` then `AWS_DEFAULT_REGION`; `VPCFLOW_AWS_ENDPOINT_URL` then `AWS_ENDPOINT_URL`), which win over
`vpcflow.toml`'s `[aws]` section, which wins over the profile's config file. Only the CLI edge calls
`AwsSettings.resolve` with `os.environ`; library code receives an `AwsSession`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from .errors import AwsError, aws_call

# each setting's environment variables, first found wins; the AWS CLI's own names after vpcflow's
_ENVIRONMENT = {
    "profile": ("VPCFLOW_AWS_PROFILE", "AWS_PROFILE"),
    "region": ("VPCFLOW_AWS_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"),
    "endpoint_url": ("VPCFLOW_AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL"),
}

@dataclass(frozen=True)
class AwsSettings:
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    max_attempts: int = 10  # botocore's standard retry mode: throttling, 5xx and dropped connections
    max_pool: int = 32  # concurrent connections per client, for parallel reads

    @classmethod
    def resolve(
        cls,
        env: Mapping[str, str],
        file: Mapping[str, str] | None = None,
        *,
        profile: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
    ) -> AwsSettings:
        """Flags first, then the environment, as the AWS CLI does, then `file` (vpcflow.toml's `[aws]`)."""
        flags = {"profile": profile, "region": region, "endpoint_url": endpoint_url}
        file = file or {}
        chosen = {}
        for name, variables in _ENVIRONMENT.items():
            layers = [flags[name], *(env.get(v) for v in variables), file.get(name)]
            chosen[name] = next((value for value in layers if value), None)
        return cls(**chosen)


_CUT_BODY = {
    "json": b'{"__type":"RequestTimeout","message":"response body cut short"}',
    "rest-json": b'{"__type":"RequestTimeout","message":"response body cut short"}',
    "ec2": b"<Response><Errors><Error><Code>RequestTimeout</Code></Error></Errors></Response>",
    "query": b"<ErrorResponse><Error><Code>RequestTimeout</Code></Error></ErrorResponse>",
    "rest-xml": b"<Error><Code>RequestTimeout</Code><Message>response body cut short</Message></Error>",
}


def _retry_cut_bodies(operation_model, response_dict, **_) -> None:
    """A body shorter than its Content-Length becomes a transient error that the retry mode repeats.

    botocore reads bodies with Content-Length enforcement off, so a dropped connection would otherwise be
    parsed as a short (or empty) but successful answer.
    """
    if operation_model.has_streaming_output or not isinstance(response_dict.get("body"), bytes):
        return
    expected = response_dict.get("headers", {}).get("content-length")
    if expected is None or not expected.isdigit() or len(response_dict["body"]) >= int(expected):
        return
    protocol = operation_model.service_model.resolved_protocol
    response_dict["status_code"] = 500
    response_dict["body"] = _CUT_BODY.get(protocol, _CUT_BODY["rest-xml"])


def _raise_cut_body(http_response, parsed, model, **_) -> None:
    """When every retry was cut short too, fail like any other AWS error instead of returning half an answer."""
    error = parsed.get("Error", {}) if isinstance(parsed, dict) else {}
    if error.get("Code") == "RequestTimeout" and http_response is not None and http_response.status_code < 300:
        raise botocore.exceptions.ClientError(parsed, model.name)


class AwsSession:
    """A boto3 session plus the settings it came from; clients are made once and shared between threads."""

    def __init__(self, settings: AwsSettings | None = None, *, boto_session: boto3.Session | None = None):
        self.settings = settings or AwsSettings()
        try:
            self.boto = boto_session or boto3.Session(
                profile_name=self.settings.profile, region_name=self.settings.region
            )
        except botocore.exceptions.ProfileNotFound as exc:
            raise AwsError(
                f"AWS profile {self.settings.profile!r} is not in ~/.aws/config or ~/.aws/credentials",
                hint="run `aws configure --profile NAME` or pass another --profile",
            ) from exc
        if not self.boto.region_name:
            raise AwsError("no AWS region set", hint="pass --region, set AWS_REGION, or set region in the profile or vpcflow.toml's [aws]")
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._account: str | None = None

    @property
    def region(self) -> str:
        return self.boto.region_name

    @property
    def partition(self) -> str:
        return self.boto.get_partition_for_region(self.region)

    def client(self, service: str, *, variant: str = "", setup: Callable[[Any], None] | None = None,
               config: botocore.config.Config | None = None) -> Any:
        """A shared client; a `variant` is a separate client that `setup` customises once (event handlers)
        and `config` amends (a signature version)."""
        key = f"{service}:{variant}"
        with self._lock:
            if key not in self._clients:
                base = botocore.config.Config(
                    retries={"mode": "standard", "max_attempts": self.settings.max_attempts},
                    max_pool_connections=self.settings.max_pool,
                    connect_timeout=10,
                    read_timeout=60,
                    # virtual-host buckets would need DNS for bucket.127.0.0.1; path style works everywhere
                    s3={"addressing_style": "path"} if self.settings.endpoint_url else None,
                )
                merged = base.merge(config) if config is not None else base
                client = self.boto.client(service, endpoint_url=self.settings.endpoint_url, config=merged)
                client.meta.events.register("before-parse", _retry_cut_bodies)
                client.meta.events.register("after-call", _raise_cut_body)
                if setup is not None:
                    setup(client)
                self._clients[key] = client
            return self._clients[key]

    def account_id(self) -> str:
        """The caller's account, asked once (STS GetCallerIdentity)."""
        if self._account is None:
            with aws_call("sts:GetCallerIdentity", "the AWS credentials"):
                self._account = self.client("sts").get_caller_identity()["Account"]
        return self._account

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:{self.partition}:{service}:{self.region if region else ''}:"
            f"{self.account_id() if account else ''}:{resource}"
        )

    def __repr__(self) -> str:
        s = self.settings
        return f"AwsSession(region={self.region!r}, profile={s.profile!r}, endpoint_url={s.endpoint_url!r})"

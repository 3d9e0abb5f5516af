"""GetObject for many small objects: a plain GET, SigV4-signed in its headers, sent on the client's own HTTP session.

A day of flow logs is hundreds of objects of a few hundred KB, and a botocore GetObject spends more CPU than
the download (request model, event hooks, response parsing, checksum wrapping). A GET signed by botocore's S3
signer and sent on the S3 client's HTTP session costs a fraction of that and keeps the client's proxies, CA
bundle and timeouts. Where a bucket's objects live (endpoint, addressing style) and how requests to it are
signed (region, signing name) is botocore's answer for the bucket, taken once from a presigned URL of it; the
signature goes in the headers, so each request's URL stays short (urllib3 re-encodes a URL byte by byte in Python,
several times per request, and a query-signed URL is 400-odd characters).
Only a whole 200 answer is taken from it: anything else (an error, a redirect, a throttle, a dropped or cut
connection) is asked again through GetObject, whose retries and error messages then apply unchanged.
After REFUSALS_IN_A_ROW refusals with no whole answer between them (a policy or proxy that turns these requests
away), it is no longer tried; throttles and dropped connections between successes do not add up.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config

from .errors import BOTOCORE_ERRORS
from .session import AwsSession

PRESIGN_SECONDS = 900  # the one presigned URL per bucket is only read for its endpoint and scope, never sent
REFUSALS_IN_A_ROW = 8


class SignedGetter:
    """Fetches whole objects by a header-signed GET; `get` answers None when the SDK path must answer instead."""

    def __init__(self, session: AwsSession):
        self.http = _http_session(session.client("s3"))
        # SigV4, which every region takes (botocore would presign some endpoints with SigV2)
        self.s3 = session.client("s3", variant="presign", config=Config(signature_version="s3v4"))
        self.credentials = session.boto.get_credentials()
        self._buckets: dict[str, tuple[str, str, str]] = {}  # bucket -> (URL before the key, region, signing name)
        self._refusals = 0  # since the last whole answer
        self._lock = threading.Lock()

    @property
    def usable(self) -> bool:
        """False once it stopped paying off: refusal after refusal, e.g. a policy that denies these requests."""
        return self.http is not None and self.credentials is not None and self._refusals < REFUSALS_IN_A_ROW

    def get(self, bucket: str, key: str, etag: str) -> bytes | None:
        if not self.usable:
            return None
        try:
            where = self._bucket(bucket)
            if where is None:
                return self._refused()
            base, region, signing_name = where
            request = AWSRequest(method="GET", url=base + quote(key, safe="/~"), headers={"If-Match": f'"{etag}"'})
            S3SigV4Auth(self.credentials.get_frozen_credentials(), signing_name, region).add_auth(request)
            response = self.http.send(request.prepare())
            body = response.content
            length = response.headers.get("content-length")
        except BOTOCORE_ERRORS:  # a refused or broken GET is the SDK path's to retry and explain
            return self._refused()
        if response.status_code != 200 or length is None or not length.isdigit() or int(length) != len(body):
            return self._refused()
        if self._refusals:
            with self._lock:
                self._refusals = 0
        return body

    def _bucket(self, bucket: str) -> tuple[str, str, str] | None:
        """Where the bucket's keys go in a URL and how to sign for it, as botocore presigns a key of it."""
        if bucket not in self._buckets:
            url = urlsplit(self.s3.generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=PRESIGN_SECONDS))
            scope = parse_qs(url.query).get("X-Amz-Credential", [""])[0].split("/")  # key id/date/region/service/...
            if not url.path.endswith("/k") or len(scope) != 5 or scope[4] != "aws4_request":
                return None  # signed some other way: GetObject answers
            self._buckets[bucket] = (f"{url.scheme}://{url.netloc}{url.path[:-1]}", scope[2], scope[3])
        return self._buckets[bucket]

    def _refused(self) -> None:
        with self._lock:
            self._refusals += 1
        return None


def _http_session(client: Any):
    """The client's own HTTP session (pool, proxies, TLS settings), or None where botocore keeps it elsewhere."""
    endpoint = getattr(client, "_endpoint", None)
    http = getattr(endpoint, "http_session", None)
    return http if callable(getattr(http, "send", None)) else None

"""GetObject for many small objects: a presigned GET on the client's own connection pool.

A day of flow logs is hundreds of objects of a few hundred KB, and a botocore GetObject spends more CPU than
the download (request model, event hooks, response parsing, checksum wrapping). A presigned URL sent on the
S3 client's HTTP session costs a fraction of that and keeps the client's proxies, CA bundle and timeouts.
Only a whole 200 answer is taken from it: anything else (an error, a redirect, a throttle, a dropped or cut
connection) is asked again through GetObject, whose retries and error messages then apply unchanged.
After REFUSALS_IN_A_ROW refusals with no whole answer between them (a policy or proxy that turns presigned
requests away), it is no longer tried; throttles and dropped connections between successes do not add up.
"""

from __future__ import annotations

import threading
from typing import Any

from botocore.awsrequest import AWSRequest
from botocore.config import Config

from .errors import BOTOCORE_ERRORS
from .session import AwsSession

PRESIGN_SECONDS = 900  # signed just before it is sent
REFUSALS_IN_A_ROW = 8


class PresignedGetter:
    """Fetches whole objects by presigned GET; `get` answers None when the SDK path must answer instead."""

    def __init__(self, session: AwsSession):
        self.http = _http_session(session.client("s3"))
        # SigV4 query signing, which every region takes (botocore would presign some endpoints with SigV2)
        self.s3 = session.client("s3", variant="presign", config=Config(signature_version="s3v4"))
        self._refusals = 0  # since the last whole answer
        self._lock = threading.Lock()

    @property
    def usable(self) -> bool:
        """False once it stopped paying off: refusal after refusal, e.g. a policy that denies presigned requests."""
        return self.http is not None and self._refusals < REFUSALS_IN_A_ROW

    def get(self, bucket: str, key: str, etag: str) -> bytes | None:
        if not self.usable:
            return None
        try:
            url = self.s3.generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=PRESIGN_SECONDS
            )
            request = AWSRequest(method="GET", url=url, headers={"If-Match": f'"{etag}"'}).prepare()
            response = self.http.send(request)
            body = response.content
            length = response.headers.get("content-length")
        except BOTOCORE_ERRORS:  # a refused or broken presigned GET is the SDK path's to retry and explain
            return self._refused()
        if response.status_code != 200 or length is None or not length.isdigit() or int(length) != len(body):
            return self._refused()
        if self._refusals:
            with self._lock:
                self._refusals = 0
        return body

    def _refused(self) -> None:
        with self._lock:
            self._refusals += 1
        return None


def _http_session(client: Any):
    """The client's own HTTP session (pool, proxies, TLS settings), or None where botocore keeps it elsewhere."""
    endpoint = getattr(client, "_endpoint", None)
    http = getattr(endpoint, "http_session", None)
    return http if callable(getattr(http, "send", None)) else None

"""`vpcflow.aws.sources.resolve`: turn an `s3://` or `cwl://` URI into Sources for ingest."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from urllib.parse import urlsplit

from ..errors import VpcFlowError
from ..fields import LogFormat
from ..sources.base import Source
from .cwl_source import cwl_sources
from .cwl_spans import Held
from .s3_source import Seen, s3_sources
from .session import AwsSession

SCHEMES = ("s3", "cwl")


def handles(uri: str) -> bool:
    return uri.split("://", 1)[0] in SCHEMES and "://" in uri


def resolve(
    uri: str,
    session: AwsSession,
    since: datetime | None = None,
    until: datetime | None = None,
    format: LogFormat | str | None = None,
    *,
    seen: Seen | None = None,
    held: Held | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterable[Source]:
    """Sources for `s3://BUCKET[/PREFIX]` or `cwl://LOG_GROUP[/STREAM]`, limited to [since, until).

    `seen(pairs)` gives which listed (identity, ETag) pairs the ledger holds (`Store`'s one query per listing
    answer): those S3 objects are skipped before they are downloaded; `held(identity)`
    (`cwl_spans.store_ledger(store)`) gives the ledger's revisions of a stream, so cwl:// reads only the spans
    of each stream the store does not hold yet.
    """
    fmt = LogFormat.parse(format) if isinstance(format, str) else format
    scheme, _, rest = uri.partition("://")
    if scheme == "s3":
        parts = urlsplit(uri)
        if not parts.netloc:
            raise VpcFlowError("s3:// needs a bucket", location=uri, hint="use s3://BUCKET/PREFIX")
        return s3_sources(
            session, parts.netloc, parts.path.lstrip("/"), since, until, fmt, seen=seen, progress=progress
        )
    if scheme == "cwl":
        return cwl_sources(session, rest, since, until, fmt, held=held, progress=progress)
    raise VpcFlowError(
        f"not an AWS source: {uri!r}", hint="use s3://BUCKET/PREFIX, cwl://LOG_GROUP or cwl://LOG_GROUP/STREAM"
    )

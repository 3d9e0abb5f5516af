"""What ingest and vpcflow.read are given, as Sources: local paths, '-', Source objects, s3:// and cwl://."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import VpcFlowError
from ..fields import LogFormat
from ..sources.base import Source
from ..sources.local import resolve

if TYPE_CHECKING:  # boto3 loads only when AWS is read
    from ..aws.s3_source import Seen

AWS_SCHEMES = ("s3://", "cwl://")
Unresolved = Callable[[str, str], None]  # (location, why): a target, or a file in it, that cannot be read


def resolve_targets(targets: Iterable[str | Path | Source], since: datetime | None, until: datetime | None,
                    session, format: LogFormat | None, unresolved: Unresolved, *,
                    seen: Seen | None = None, held=None,
                    fetched: Callable[[int, int], None] | None = None) -> Iterator[Source]:
    """Each target's Sources, lazily; one that cannot be resolved goes to `unresolved` and the others go on.

    `session` (vpcflow.aws.session.AwsSession) reads s3:// and cwl://; `seen(pairs)` gives the listed S3
    (identity, ETag) pairs to skip before they are downloaded, `held` gives a stream's spans a ledger holds
    (vpcflow.aws.sources.resolve), `fetched(objects, bytes)` counts what was downloaded.
    """
    for t in targets:
        if isinstance(t, Source):
            yield t
            continue
        t = str(t)
        errors: list = []
        try:
            if t.startswith(AWS_SCHEMES):
                if session is None:
                    raise VpcFlowError("reading AWS needs a session", location=t,
                                       hint="pass session=AwsSession(AwsSettings(region=...)) from vpcflow.aws.session")
                from ..aws.sources import resolve as aws_resolve  # boto3 loads only when AWS is read

                yield from aws_resolve(t, session, since, until, format, seen=seen, held=held, progress=fetched)
            else:
                yield from resolve(t, since, until, errors)
        except VpcFlowError as exc:  # a missing path or bucket fails alone
            errors.append(exc)
        for e in errors:
            unresolved(e.location or t, str(e))

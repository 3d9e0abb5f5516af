"""AWS's S3 key layouts for flow logs, as data: build a key for a record time, and read a key back.

    default:  [prefix/]AWSLogs/{account}/vpcflowlogs/{region}/{yyyy}/{MM}/{dd}/
    per-hour: [prefix/]AWSLogs/{account}/vpcflowlogs/{region}/{yyyy}/{MM}/{dd}/{HH}/
    hive:     [prefix/]AWSLogs/aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/
              year={yyyy}/month={MM}/day={dd}/[hour={HH}/]
    file:     {account}_vpcflowlogs_{region}_{flow-log-id}_{YYYYMMDDTHHmmZ}_{8 hex}.log.gz (or .log.parquet)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

_PLAIN = re.compile(
    r"(?:^|/)AWSLogs/(?P<account>[^/]+)/vpcflowlogs/(?P<region>[^/]+)/(?P<y>\d{4})(?:/(?P<m>\d{2})"
    r"(?:/(?P<d>\d{2})(?:/(?P<h>\d{2})(?=/))?)?)?"
)
_HIVE = re.compile(
    r"(?:^|/)AWSLogs/aws-account-id=(?P<account>[^/]+)/aws-service=vpcflowlogs/aws-region=(?P<region>[^/]+)"
    r"(?:/year=(?P<y>\d{4})(?:/month=(?P<m>\d{2})(?:/day=(?P<d>\d{2})(?:/hour=(?P<h>\d{2}))?)?)?)?"
)
_FILE = re.compile(
    r"(?P<account>\d{12}|[^_/]+)_vpcflowlogs_(?P<region>[a-z0-9-]+)_(?P<flow_log_id>fl-[0-9a-f]+)_"
    r"(?P<stamp>\d{8}T\d{4}Z)_(?P<hash>[0-9a-f]{8})\.log\.(?:gz|parquet)$"
)


@dataclass(frozen=True)
class KeyInfo:
    """What an S3 key (or a local path laid out like one) says about its records."""

    account: str | None = None
    region: str | None = None
    day: date | None = None  # the date partition, when the key has one
    hour: int | None = None
    stamp: datetime | None = None  # the 5-minute label in the file name
    flow_log_id: str | None = None
    hive: bool = False

    def may_hold(self, since: datetime | None, until: datetime | None) -> bool:
        """False only when the key's date (and hour) says its records are all outside [since, until).

        AWS files a record by its window's end, and a file's records can reach back up to an aggregation
        interval and the 5-minute batch, so the check keeps a margin of an hour on each side.
        """
        if self.day is None:
            return True
        lo = datetime(self.day.year, self.day.month, self.day.day, self.hour or 0, tzinfo=UTC).timestamp()
        hi = lo + (3600 if self.hour is not None else 86400)
        if self.stamp is not None:
            lo = hi = self.stamp.timestamp()
            hi += 300
        margin = 3600
        if since is not None and hi + margin <= since.timestamp():
            return False
        if until is not None and lo - margin >= until.timestamp():
            return False
        return True


def parse_key(key: str) -> KeyInfo:
    """Read the account, region, date, hour and file stamp out of a key or a path; unknown parts are None."""
    key = key.replace("\\", "/")
    info: dict = {}
    m = _HIVE.search(key)
    if m:
        info["hive"] = True
    else:
        m = _PLAIN.search(key)
    if m:
        info["account"], info["region"] = m["account"], m["region"]
        if m["y"] and m["m"] and m["d"]:
            try:
                info["day"] = date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                pass
            if m["h"] is not None and "day" in info:
                info["hour"] = int(m["h"])
    f = _FILE.search(key.rsplit("/", 1)[-1])
    if f:
        info.setdefault("account", f["account"])
        info.setdefault("region", f["region"])
        info["flow_log_id"] = f["flow_log_id"]
        stamp = datetime.strptime(f["stamp"], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
        info["stamp"] = stamp
        info.setdefault("day", stamp.date())
    return KeyInfo(**info)


def prefix_for(account: str, region: str, when: datetime, *, hive: bool = False, per_hour: bool = False,
               prefix: str = "") -> str:
    """The folder AWS writes a file into for a record time (UTC), ending in '/'."""
    when = when.astimezone(UTC)
    base = f"{prefix.strip('/')}/AWSLogs/" if prefix.strip("/") else "AWSLogs/"
    if hive:
        path = (f"{base}aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/"
                f"year={when:%Y}/month={when:%m}/day={when:%d}/")
        return path + (f"hour={when:%H}/" if per_hour else "")
    path = f"{base}{account}/vpcflowlogs/{region}/{when:%Y}/{when:%m}/{when:%d}/"
    return path + (f"{when:%H}/" if per_hour else "")


def file_name(account: str, region: str, flow_log_id: str, when: datetime, digest: str,
              parquet: bool = False) -> str:
    """AWS's object name for the 5-minute batch that holds `when`; digest is 8 hex characters."""
    when = when.astimezone(UTC)
    label = when.replace(minute=when.minute - when.minute % 5, second=0, microsecond=0)
    suffix = "log.parquet" if parquet else "log.gz"
    return f"{account}_vpcflowlogs_{region}_{flow_log_id}_{label:%Y%m%dT%H%MZ}_{digest}.{suffix}"


def key_for(account: str, region: str, flow_log_id: str, when: datetime, digest: str, *, hive: bool = False,
            per_hour: bool = False, prefix: str = "", parquet: bool = False) -> str:
    return prefix_for(account, region, when, hive=hive, per_hour=per_hour, prefix=prefix) + file_name(
        account, region, flow_log_id, when, digest, parquet
    )

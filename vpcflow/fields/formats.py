"""Log formats: which fields a flow log writes, in which order.

A format comes from a LogFormat string (`${srcaddr} ${dstaddr} ...`), an S3 header line (`srcaddr dstaddr ...`),
a Parquet schema (`srcaddr`, `account_id`), or a named preset.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..errors import FormatError
from .table import FIELDS, RESERVED_COLUMNS, TGW, VPC, Field, field

_TOKEN = re.compile(r"\$\{([^}]*)\}")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
# Fields one format may name that vpcflow does not know (AWS has added a few per year); past it, a header line
# is not a flow log's, and each unknown name would become a column of the store
UNKNOWN_LIMIT = 32
# Columns a store keeps for fields vpcflow does not know, over every format ingested: each costs on every insert
STORE_UNKNOWN_LIMIT = 64


@dataclass(frozen=True)
class LogFormat:
    """An ordered list of fields, as a flow log writes them."""

    fields: tuple[Field, ...]

    @classmethod
    def parse(cls, text: str, *, unknown: str = "error") -> LogFormat:
        """Parse a LogFormat string, a header line, or a preset name.

        A name the field table does not know is an error in a LogFormat string or a lone word (what people
        type: `--format defualt`); with unknown="keep" (formats AWS reports) and in a header line (data), it is
        kept as a text field.
        """
        text = text.strip()
        if text in PRESETS:
            return PRESETS[text]
        if "${" in text:
            names = _TOKEN.findall(text)
            rest = _TOKEN.sub("", text).strip()
            if rest:
                raise FormatError(f"format has text outside ${{...}} fields: {rest[:40]!r}")
        else:
            names = text.split()
            if len(names) > 1:  # a header line: its unknown names are data, kept as text
                unknown = "keep"
        if not names:
            raise FormatError("format names no fields; give fields as '${srcaddr} ${dstaddr} ...' or a preset "
                              f"({', '.join(sorted(PRESETS))})")
        bad = [n for n in names if not _NAME.match(n.strip())]
        if bad:
            raise FormatError(f"format names an invalid field {bad[0]!r}: field names are lower-case letters, "
                              "digits and '-'")
        fields = tuple(field(n) for n in names)
        if unknown == "error":
            _refuse_unknown(text, [f.name for f in fields if not f.known])
        unknown_names = [f.name for f in fields if not f.known]
        if len(unknown_names) > UNKNOWN_LIMIT:
            raise FormatError(f"names {len(unknown_names)} fields vpcflow does not know ({', '.join(unknown_names[:3])} "
                              f"...; at most {UNKNOWN_LIMIT})",
                              hint="a flow log's header names the fields of `vpcflow fields`; check this is one")
        reserved = [f.column for f in fields if f.column in RESERVED_COLUMNS]
        if reserved:
            raise FormatError(f"names {reserved[0]!r}, a column vpcflow keeps beside every record",
                              hint=f"a flow log never writes {', '.join(RESERVED_COLUMNS)}; rename that field")
        seen: set[str] = set()
        for f in fields:
            if f.column in seen:
                raise FormatError(f"format names field {f.name!r} twice")
            seen.add(f.column)
        return cls(fields)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def columns(self) -> list[str]:
        return [f.column for f in self.fields]

    @property
    def version(self) -> int:
        """The version AWS writes in records of this format: the highest version among its fields."""
        return max((f.version for f in self.fields if f.version), default=2)

    @property
    def unknown(self) -> list[Field]:
        return [f for f in self.fields if not f.known]

    def __len__(self) -> int:
        return len(self.fields)

    def log_format(self) -> str:
        """The LogFormat string AWS's API takes."""
        return " ".join("${" + f.name + "}" for f in self.fields)

    def header(self) -> str:
        """The header line of an S3 text file in this format."""
        return " ".join(self.names)

    def has(self, *names: str) -> bool:
        cols = set(self.columns)
        return all(n.replace("-", "_") in cols for n in names)


def _refuse_unknown(text: str, names: list[str]) -> None:
    """A FormatError naming what was not understood and what would have been, with the closest match."""
    if not names:
        return
    name = names[0]
    if "${" not in text:  # a lone word: most likely a preset misspelt
        close = difflib.get_close_matches(name, [*PRESETS, *(f.name for f in FIELDS)], n=1)
        raise FormatError(f"unknown format {name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""),
                          hint=f"give a preset ({', '.join(PRESETS)}) or fields as '${{srcaddr}} ${{dstaddr}} ...'")
    close = difflib.get_close_matches(name, [f.name for f in FIELDS], n=1)
    raise FormatError(f"unknown field{'s' if len(names) > 1 else ''} {', '.join(repr(n) for n in names)} in the format"
                      + (f" (did you mean {close[0]!r}?)" if close else ""),
                      hint="`vpcflow fields` lists every field; AWS's names use '-' (pkt-srcaddr)")


def _of(names: list[str]) -> LogFormat:
    return LogFormat(tuple(field(n) for n in names))


DEFAULT = _of([f.name for f in FIELDS if f.version == 2 and f.schema != TGW])
TGW_DEFAULT = _of(
    "version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id "
    "tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id "
    "tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
    "log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded "
    "packets-lost-ttl-expired tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service".split()
)


def _up_to(version: int) -> LogFormat:
    return _of([f.name for f in FIELDS if f.schema != TGW and f.version <= version])


PRESETS: dict[str, LogFormat] = {
    "default": DEFAULT,
    "v3": _up_to(3),
    "v4": _up_to(4),
    "v5": _up_to(5),
    "v8": _up_to(8),
    "all": _up_to(11),
    "tgw": TGW_DEFAULT,
}

__all__ = ["DEFAULT", "PRESETS", "TGW_DEFAULT", "LogFormat", "VPC"]

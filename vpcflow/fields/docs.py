"""docs/fields.md, derived from the field table: `python -m vpcflow.fields.docs > docs/fields.md`."""

from __future__ import annotations

from .formats import PRESETS, STORE_UNKNOWN_LIMIT, UNKNOWN_LIMIT
from .table import FIELDS, RESERVED_COLUMNS


def markdown() -> str:
    lines = [
        "# Flow-log fields",
        "",
        "Generated from `vpcflow/fields/table.py` by `python -m vpcflow.fields.docs`; do not edit by hand.",
        "Columns in the store, in Parquet exports and in Athena are the AWS names with `-` replaced by `_`.",
        "Text files hold every field as text; `-` is null in every column.",
        "",
        "A header line may name fields this table does not know (one AWS added since): each is kept as a text",
        "column of the same name. The number is bounded, since every column costs on every insert: a header naming",
        f"more than {UNKNOWN_LIMIT} unknown fields is not a flow log's and fails that file at its line 1, and a",
        f"store keeps at most {STORE_UNKNOWN_LIMIT} such columns over every format it has ingested (a source that",
        "would add more fails alone, naming them). A header may not name the columns the store keeps beside",
        "every record (" + ", ".join(f"`{c}`" for c in RESERVED_COLUMNS) + ").",
        "",
        "| field | column | version | type | store type | checked on ingest | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in FIELDS:
        checks = []
        if f.low is not None or f.high is not None:
            checks.append(f"{'' if f.low is None else f.low}..{'' if f.high is None else f.high}")
        if f.choices:
            checks.append(" / ".join(f.choices))
        if f.address:
            checks.append("IPv4 or IPv6 address")
        schema = " (transit gateway)" if f.schema == "tgw" else ""
        lines.append(f"| `{f.name}` | `{f.column}` | {f.version}{schema} | {f.kind} | {f.duckdb_type} | "
                     f"{'; '.join(checks)} | {f.description} |")
    lines += ["", "## Format presets", "", "| preset | fields | version |", "|---|---|---|"]
    for name, fmt in PRESETS.items():
        lines.append(f"| `{name}` | {len(fmt)} | {fmt.version} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")

"""docs/fields.md, derived from the field table: `python -m vpcflow.fields.docs > docs/fields.md`."""

from __future__ import annotations

from .formats import PRESETS
from .table import FIELDS


def markdown() -> str:
    lines = [
        "# Flow-log fields",
        "",
        "Generated from `vpcflow/fields/table.py` by `python -m vpcflow.fields.docs`; do not edit by hand.",
        "Columns in the store, in Parquet exports and in Athena are the AWS names with `-` replaced by `_`.",
        "Text files hold every field as text; `-` is null in every column.",
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
        schema = " (transit gateway)" if f.schema == "tgw" else ""
        lines.append(f"| `{f.name}` | `{f.column}` | {f.version}{schema} | {f.kind} | {f.duckdb_type} | "
                     f"{'; '.join(checks)} | {f.description} |")
    lines += ["", "## Format presets", "", "| preset | fields | version |", "|---|---|---|"]
    for name, fmt in PRESETS.items():
        lines.append(f"| `{name}` | {len(fmt)} | {fmt.version} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")

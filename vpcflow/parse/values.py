"""The value checks of a typed block in Arrow's kernels: the answer of `typed_check_sql` (does every row pass as
a record?) without a DuckDB query over the block.

Bounds are the columns' minimum and maximum, a closed set is looked at once per distinct word, the addresses in
one regex match per column, all in C++: about a quarter of the CPU of the same checks as SQL (whose copy of the
block into DuckDB's vectors and regex match per address took most of it). The answer is only yes or no: a block that fails goes line
by line through the staging SQL, which names each bad value at its line, as before.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from ..fields import LogFormat
from ..fields.checks import ADDRESS_PATTERN, MS_THRESHOLD, ms_to_s
from ..fields.table import Field

# ADDRESS_PATTERN's alternatives, each anchored at both ends, as one pattern: newline-separated values that all match
_ONE = "|".join(f"(?:{alt.removeprefix('^').removesuffix('$')})" for alt in ADDRESS_PATTERN.split("$|^"))
_JOINED_ADDRESSES = f"^(?:(?:{_ONE})\n)*(?:{_ONE})$"


def values_pass(fmt: LogFormat, records: pa.Table) -> bool | None:
    """True when every row of `records` (TypedParser's columns) is a record the staging SQL would pass as it is,
    False when one would not; None when a column is not typed as the parser types it (ask the SQL instead).
    The leading timestamp of a stamped block is not looked at here."""
    for f in fmt.fields:
        column = records.column(f.column)
        if f.is_integer:
            failed = _out_of_bounds(f, column)
        elif pa.types.is_string(_value_type(column.type)):
            failed = _bad_text(f, _values(column))
        else:
            return None
        if failed is None or failed:
            return None if failed is None else False
    return True


def _out_of_bounds(f: Field, column: pa.ChunkedArray) -> bool | None:
    """`col < low OR col > high` on any row, the value in seconds where start/end were given in milliseconds."""
    if not pa.types.is_integer(column.type):
        return None
    low, high = (v.as_py() for v in pc.min_max(column).values())
    if low is None:  # every value is '-'
        return False
    if high > MS_THRESHOLD and ms_to_s(f, "v") != "v":  # in seconds as stored: the bounds are about those
        seconds = pc.if_else(pc.greater(column, MS_THRESHOLD), pc.divide(column, 1000), column)  # positive: // is /
        low, high = (v.as_py() for v in pc.min_max(seconds).values())
    return (f.low is not None and low < f.low) or (f.high is not None and high > f.high)


def _bad_text(f: Field, values: pa.ChunkedArray) -> bool:
    """An empty token (from stray blanks), a word outside the field's choices, or an address that is not one."""
    if len(values) == 0:
        return False
    if pc.min(pc.binary_length(values)).as_py() == 0:
        return True
    if f.choices:  # index_in is null where the value is null or not a choice
        if pc.index_in(values, value_set=pa.array(f.choices, pa.string())).null_count != values.null_count:
            return True
    return f.address and not _all_addresses(values)


def _all_addresses(values: pa.ChunkedArray) -> bool:
    """Every value matches ADDRESS_PATTERN (RE2, as DuckDB's regexp_matches), tried on the values joined by
    newlines in one match: half to two thirds of the CPU of a match per value. Exact because no value holds a newline
    (newlines end the parser's rows) and neither alternative of the pattern matches one."""
    values = values.combine_chunks()
    values = values.drop_null() if values.null_count else values
    if not len(values):
        return True
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, len(values)], pa.int32()), values), "\n")
    return pc.match_substring_regex(joined, _JOINED_ADDRESSES)[0].as_py()


def _value_type(t: pa.DataType) -> pa.DataType:
    return t.value_type if pa.types.is_dictionary(t) else t


def _values(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """The column's values; a dictionary column's words once each (pyarrow's CSV reader keeps only the words it
    read, and an unused bad one could only send a block to the staging SQL)."""
    if pa.types.is_dictionary(column.type):
        return pa.chunked_array([c.dictionary for c in column.chunks], column.type.value_type)
    return column

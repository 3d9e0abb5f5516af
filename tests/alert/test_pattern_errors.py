"""Invalid patterns are refused with an error that points at the offending column."""

from __future__ import annotations

import pytest

from vpcflow.alert.pattern import PatternError, parse
from vpcflow.alert.sql import compile_sql
from vpcflow.errors import VpcFlowError
from vpcflow.fields import DEFAULT

from .records import DOC_LINES, doc_lines_in_spec

CASES = [
    # (pattern, 1-based column, words the message must contain)
    ("[a, b c]", 7, "expected ',' or ']'"),
    ("[a, a]", 5, "named twice"),
    ("[a, bytes > lots]", 13, "'>' compares numbers"),
    ("[a, b = ]", 9, "expected a value"),
    ("[a, c = 1 || d = 2]", 14, "does not name"),
    ("[a, ..., b, ...]", 13, "only one '...'"),
    ("[a, b && c = 1]", 5, "not a bare field name"),
    ("[]", 2, "at least one field"),
    ('[a, b = "open]', 9, "unterminated double quote"),
    ("[a, 1b]", 5, "expected a field name"),
    ("[a, b] extra", 8, "after ']'"),
    ("{ $.action = REJECT }", 1, "JSON patterns"),
    ("REJECT %eni(1)%", 12, "'(' is not allowed"),
    ("%abc", 1, "unterminated regular expression"),
    ("%a[%", 3, "invalid regular expression"),
    ("%a% %b% %c%", 9, "at most 2 regular expressions"),
    ("ACCEPT!", 7, "unexpected character '!'"),
    ("? REJECT", 2, "expected a term after '?'"),
]


@pytest.mark.parametrize(("pattern", "column", "words"), CASES)
def test_invalid_pattern_error_points_at_column(pattern, column, words):
    with pytest.raises(PatternError) as info:
        parse(pattern)
    assert info.value.position + 1 == column
    assert words in str(info.value)
    assert str(info.value).startswith(f"filter pattern, column {column}: ")


def test_caret_marks_the_offending_character():
    with pytest.raises(PatternError) as info:
        parse("[a, a]")
    assert info.value.caret() == "[a, a]\n    ^"


def test_pattern_error_is_a_vpcflow_error_for_the_cli():
    with pytest.raises(VpcFlowError):
        parse("[a,")


def test_store_sql_refuses_a_pattern_with_the_wrong_field_count():
    with pytest.raises(VpcFlowError, match="names 3 fields, the format has 14"):
        compile_sql("[a, b, c]", DEFAULT)


def test_store_sql_refuses_more_names_than_the_format_with_an_ellipsis():
    names = ", ".join(f"f{i}" for i in range(15))
    with pytest.raises(VpcFlowError, match="format has only 14"):
        compile_sql(f"[{names}, ...]", DEFAULT)


def test_doc_lines_are_the_documented_default_format_examples():
    assert DOC_LINES == doc_lines_in_spec()

"""Log formats: LogFormat strings, header lines, presets, versions, unknown fields."""

from __future__ import annotations

import pytest

from vpcflow.errors import FormatError
from vpcflow.fields import DEFAULT, FIELDS, PRESETS, TGW_DEFAULT, LogFormat, field


def test_default_format_is_the_fourteen_v2_fields_in_order():
    assert DEFAULT.log_format() == (
        "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} "
        "${packets} ${bytes} ${start} ${end} ${action} ${log-status}")


def test_version_is_the_highest_version_among_the_fields():
    assert LogFormat.parse("${version} ${vpc-id} ${region} ${srcaddr}").version == 4
    assert DEFAULT.version == 2


def test_a_header_line_and_a_log_format_string_give_the_same_format():
    assert LogFormat.parse("version vpc-id srcaddr") == LogFormat.parse("${version} ${vpc-id} ${srcaddr}")


def test_parquet_column_names_map_to_fields():
    assert LogFormat.parse("account_id log_status").names == ["account-id", "log-status"]


def test_unknown_fields_of_a_format_aws_reports_are_kept_as_text():
    fmt = LogFormat.parse("${srcaddr} ${future-field}", unknown="keep")
    assert [f.name for f in fmt.unknown] == ["future-field"]
    assert fmt.fields[1].duckdb_type == "VARCHAR"


def test_unknown_fields_in_a_header_line_are_kept_as_text():
    assert [f.name for f in LogFormat.parse("srcaddr future-field").unknown] == ["future-field"]


def test_a_misspelt_preset_is_an_error_naming_the_presets():
    with pytest.raises(FormatError, match="unknown format 'defualt' \\(did you mean 'default'\\?\\)") as err:
        LogFormat.parse("defualt")
    assert "v5" in err.value.hint


def test_an_unknown_field_a_user_writes_is_an_error_with_the_closest_name():
    with pytest.raises(FormatError, match="unknown field 'dstadr' in the format \\(did you mean 'dstaddr'\\?\\)"):
        LogFormat.parse("${srcaddr} ${dstadr}")


def test_a_field_named_twice_is_an_error():
    with pytest.raises(FormatError, match="twice"):
        LogFormat.parse("${srcaddr} ${srcaddr}")


def test_text_outside_fields_is_an_error():
    with pytest.raises(FormatError, match="outside"):
        LogFormat.parse("${srcaddr}, ${dstaddr}")


def test_field_names_that_could_not_be_columns_are_refused():
    with pytest.raises(FormatError, match="invalid field"):
        LogFormat.parse('srcaddr "drop table flows"')


def test_the_table_covers_versions_2_to_11_and_the_transit_gateway_schema():
    versions = {f.version for f in FIELDS}
    assert versions == set(range(2, 12)) - {6} | {6}
    assert len([f for f in FIELDS if f.schema != "tgw" and f.version <= 10]) == 42
    assert len(PRESETS["all"]) == 54
    assert len(TGW_DEFAULT) == 36


def test_types_follow_the_parquet_types_of_the_spec():
    assert field("srcport").duckdb_type == "INTEGER"
    assert field("bytes").duckdb_type == "BIGINT"
    assert field("account-id").duckdb_type == "VARCHAR"
    assert field("packets-lost-no-route").duckdb_type == "BIGINT"

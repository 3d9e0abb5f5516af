"""Values are printed as text in every table: never read as Rich markup or emoji codes."""

from __future__ import annotations

import pytest

from vpcflow import Store


@pytest.fixture
def empty_store(db_path):
    Store(db_path).close()
    return db_path


def test_a_closing_markup_tag_in_a_value_prints_as_itself(cli, empty_store):
    result = cli("query", "SELECT '[/]' AS a", "--db", empty_store)
    assert result.code == 0, result.err
    assert "[/]" in result.out


def test_an_emoji_code_in_a_value_is_not_replaced(cli, empty_store):
    result = cli("query", "SELECT ':100:' AS a", "--db", empty_store)
    assert ":100:" in result.out and "\U0001f4af" not in result.out


def test_a_style_tag_in_a_value_stays_visible(cli, empty_store):
    result = cli("query", "SELECT '[red]alert' AS a", "--db", empty_store)
    assert "[red]alert" in result.out


def test_a_markup_column_name_prints_as_itself(cli, empty_store):
    result = cli("query", "SELECT 1 AS \"[bold]x\"", "--db", empty_store)
    assert "[bold]x" in result.out

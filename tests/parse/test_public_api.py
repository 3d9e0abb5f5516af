"""The public API is deliberate, and the docs derived from the field table are current."""

from __future__ import annotations

from pathlib import Path

import vpcflow
from vpcflow.fields.docs import markdown


def test_public_names_are_sorted_and_importable():
    assert vpcflow.__all__ == sorted(vpcflow.__all__)
    for name in vpcflow.__all__:
        assert hasattr(vpcflow, name), name


def test_docs_fields_md_is_generated_from_the_field_table():
    doc = Path(__file__).resolve().parents[2] / "docs" / "fields.md"
    assert doc.read_text() == markdown(), "run: python -m vpcflow.fields.docs > docs/fields.md"

"""Small sources parsed in one call give each source exactly what parsing it alone gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.store.test_fast_path import GOOD, VARIANTS
from vpcflow.fields import DEFAULT
from vpcflow.parse.typed import TypedParser, parse_together

HEADER = tuple(DEFAULT.header().split())


def _parser() -> TypedParser:
    return TypedParser(DEFAULT, HEADER, 1 << 16)


def _alone(texts: list[bytes]) -> list:
    return [_parser().parse(t) for t in texts]


def _same(a, b) -> bool:
    """The same types and values: a dictionary column's dictionary holds the words of every text parsed with it."""
    return (a is None and b is None) or (a is not None and b is not None and a.schema == b.schema
                                         and a.to_pylist() == b.to_pylist())


def test_good_sources_parse_together_into_their_own_records():
    texts = [(GOOD.replace("20641", str(1000 + i)) + "\n") .encode() * (i + 1) for i in range(5)]
    together = parse_together([_parser() for _ in texts], texts)
    assert [t.num_rows for t in together] == [1, 2, 3, 4, 5]
    assert all(_same(a, b) for a, b in zip(together, _alone(texts), strict=True))


def test_one_bad_source_leaves_the_others_typed_and_itself_declined():
    texts = [(GOOD + "\n").encode(), (GOOD.replace("20641", "http") + "\n").encode(), GOOD.encode()]
    together = parse_together([_parser() for _ in texts], texts)
    assert together[1] is None
    assert together[0].num_rows == together[2].num_rows == 1


def test_a_source_with_blank_lines_is_parsed_alone_and_keeps_its_records():
    texts = [(GOOD + "\n\n" + GOOD + "\n").encode(), (GOOD + "\n").encode()]
    together = parse_together([_parser() for _ in texts], texts)
    assert [t.num_rows for t in together] == [2, 1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(VARIANTS), min_size=0, max_size=6), min_size=1, max_size=6),
       st.booleans())
def test_parsing_together_equals_parsing_each_alone(sources, trailing_newline):
    texts = [("\n".join(lines) + ("\n" if trailing_newline else "")).encode() for lines in sources]
    together = parse_together([_parser() for _ in texts], texts)
    assert all(_same(a, b) for a, b in zip(together, _alone(texts), strict=True))

"""The tree a CloudWatch Logs filter pattern parses into (`pattern.parse`), and its parse error.

A term pattern is a tuple of `Term`s; a space-delimited one a tuple of `Slot`s, each a field name with perhaps a
condition (a `Comparison`, or a `BoolOp` of them), or the ellipsis. `describe()` is the plain-data view the golden
files compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import VpcFlowError


class PatternError(VpcFlowError):
    """A filter pattern that cannot be parsed; `position` is the 0-based offset of the offending character."""

    def __init__(self, message: str, pattern: str, position: int, *, hint: str | None = None):
        self.pattern = pattern
        self.position = position
        super().__init__(message, location=f"filter pattern, column {position + 1}", hint=hint)

    def caret(self) -> str:
        """The pattern with a caret under the offending character, for multi-line displays."""
        return f"{self.pattern}\n{' ' * self.position}^"


@dataclass(frozen=True)
class Value:
    """The right-hand side of a condition or a term: text (with `*` wildcards), a number, or a regex."""

    kind: str  # "text", "number" or "regex"
    text: str  # as written, without quotes or % signs
    number: int | float | None = None
    quoted: bool = False

    @property
    def has_wildcard(self) -> bool:
        return self.kind == "text" and "*" in self.text


@dataclass(frozen=True)
class Comparison:
    name: str
    op: str
    value: Value
    position: int


@dataclass(frozen=True)
class BoolOp:
    op: str  # "&&" or "||"
    parts: tuple


@dataclass(frozen=True)
class Slot:
    """One position in a space-delimited pattern: a field name, perhaps with a condition, or the ellipsis."""

    name: str | None  # None for `...`
    condition: Comparison | BoolOp | None = None
    position: int = 0

    @property
    def is_ellipsis(self) -> bool:
        return self.name is None


@dataclass(frozen=True)
class Term:
    value: Value
    mode: str  # "all" (plain), "any" (?term) or "none" (-term)


@dataclass(frozen=True)
class Pattern:
    """A parsed filter pattern. `kind` is "all" (matches every record), "terms" or "delimited"."""

    text: str
    kind: str
    terms: tuple[Term, ...] = ()
    slots: tuple[Slot, ...] = ()
    names: tuple[str, ...] = field(default=())

    @property
    def before(self) -> tuple[Slot, ...]:
        """Slots before the ellipsis (all of them when there is none)."""
        out = []
        for s in self.slots:
            if s.is_ellipsis:
                break
            out.append(s)
        return tuple(out)

    @property
    def after(self) -> tuple[Slot, ...]:
        """Slots after the ellipsis (none when there is no ellipsis)."""
        if not self.has_ellipsis:
            return ()
        i = next(i for i, s in enumerate(self.slots) if s.is_ellipsis)
        return self.slots[i + 1:]

    @property
    def has_ellipsis(self) -> bool:
        return any(s.is_ellipsis for s in self.slots)

    def describe(self) -> dict:
        """A plain-data view of the tree, stable enough for golden files."""
        if self.kind == "all":
            return {"kind": "all"}
        if self.kind == "terms":
            return {"kind": "terms", "terms": [{"mode": t.mode, **_value_dict(t.value)} for t in self.terms]}
        return {"kind": "delimited", "slots": [
            {"ellipsis": True} if s.is_ellipsis else {"name": s.name, "condition": _cond_dict(s.condition)}
            for s in self.slots
        ]}


def _value_dict(v: Value) -> dict:
    d = {"type": v.kind, "text": v.text}
    if v.number is not None:
        d["number"] = v.number
    return d


def _cond_dict(c) -> dict | None:
    if c is None:
        return None
    if isinstance(c, Comparison):
        return {"field": c.name, "op": c.op, **_value_dict(c.value)}
    return {c.op: [_cond_dict(p) for p in c.parts]}


def comparisons_in(cond) -> list[Comparison]:
    if cond is None:
        return []
    if isinstance(cond, Comparison):
        return [cond]
    return [c for part in cond.parts for c in comparisons_in(part)]


def comparisons(pattern: Pattern) -> list[Comparison]:
    """Every comparison in a space-delimited pattern, in order."""
    return [c for s in pattern.slots for c in comparisons_in(s.condition)]

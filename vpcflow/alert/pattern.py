"""CloudWatch Logs filter patterns, as they apply to flow-log records: parsing into a small tree.

Two shapes exist. A term pattern (`REJECT`, `"quoted phrase"`, `-term`, `?a ?b`, `%regex%`) looks at the whole
record line. A space-delimited pattern (`[version, account, ..., action="REJECT", flowlogstatus]`) names the
record's fields by position and puts conditions on them (`=`, `!=`, `<`, `<=`, `>`, `>=`, `*` wildcards,
`%regex%`, `&&`, `||`), with `...` standing for any number of unnamed fields. Errors carry the column they
point at. The tree is `tree.py`. Evaluation lives in `evaluate.py` (lines) and `sql.py` (the store).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .tree import BoolOp, Comparison, Pattern, PatternError, Slot, Term, Value, comparisons, comparisons_in

MAX_REGEXES = 2  # CloudWatch's quota per filter pattern
OPERATORS = ("!=", "<=", ">=", "=", "<", ">")
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_TERM_CHARS = re.compile(r"[A-Za-z0-9_.:/@#=,;-]+")  # an unquoted term; anything else must be quoted
_BARE_VALUE = re.compile(r"[^\s,\]&|\"%]+")
# CloudWatch's documented regex subset: alphanumerics, these symbols, and these operators; no ( ).
_REGEX_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_#=@/;,-^$?[]{}|\\*+.")


# ---- the parser -----------------------------------------------------------------------------------------


def parse(text: str) -> Pattern:
    """Parse a filter pattern; raise PatternError pointing at the first thing that does not fit."""
    return _Parser(text).pattern()


@dataclass(frozen=True)
class _Bare:
    """A field name with no condition, while parsing."""

    name: str
    position: int


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.regexes = 0

    # helpers
    def fail(self, message: str, at: int | None = None, hint: str | None = None):
        raise PatternError(message, self.text, self.i if at is None else at, hint=hint)

    def skip_ws(self) -> None:
        while self.i < len(self.text) and self.text[self.i].isspace():
            self.i += 1

    def peek(self, s: str) -> bool:
        return self.text.startswith(s, self.i)

    def at_end(self) -> bool:
        return self.i >= len(self.text)

    def near(self) -> str:
        return repr(self.text[self.i:self.i + 12]) if not self.at_end() else "the end"

    # top level
    def pattern(self) -> Pattern:
        self.skip_ws()
        if self.at_end() or self.text.strip() == '""':
            return Pattern(self.text, "all")
        if self.peek("{"):
            self.fail("JSON patterns ({ $.field = ... }) do not apply: flow-log records are not JSON",
                      hint="use a space-delimited pattern such as [version, ..., action=REJECT, status]")
        if self.peek("["):
            return self.delimited()
        return self.term_pattern()

    # term patterns
    def term_pattern(self) -> Pattern:
        terms = []
        while True:
            self.skip_ws()
            if self.at_end():
                break
            mode = "all"
            if self.peek("?"):
                mode, self.i = "any", self.i + 1
            elif self.peek("-") and self.i + 1 < len(self.text) and not self.text[self.i + 1].isspace():
                mode, self.i = "none", self.i + 1
            if self.at_end() or self.text[self.i].isspace():
                self.fail("expected a term after '?'" if mode == "any" else "expected a term")
            terms.append(Term(self.term_value(), mode))
        if not terms:
            return Pattern(self.text, "all")
        return Pattern(self.text, "terms", terms=tuple(terms))

    def term_value(self) -> Value:
        if self.peek('"'):
            return Value("text", self.quoted(), quoted=True)
        if self.peek("%"):
            return self.regex()
        if self.peek("["):
            self.fail("'[' starts a space-delimited pattern only at the beginning",
                      hint='quote the term if you mean the character: "["')
        m = _TERM_CHARS.match(self.text, self.i)
        if not m:
            self.fail(f"unexpected character {self.text[self.i]!r} in a term",
                      hint='put terms with characters other than letters, digits and _ in double quotes')
        self.i = m.end()
        if not self.at_end() and not self.text[self.i].isspace():
            self.fail(f"unexpected character {self.text[self.i]!r} in a term",
                      hint='put terms with characters other than letters, digits and _ in double quotes')
        return Value("text", m.group(), quoted=False)

    def quoted(self) -> str:
        start = self.i
        self.i += 1
        out = []
        while not self.at_end():
            c = self.text[self.i]
            if c == "\\" and self.i + 1 < len(self.text) and self.text[self.i + 1] in '"\\':
                out.append(self.text[self.i + 1])
                self.i += 2
                continue
            if c == '"':
                self.i += 1
                return "".join(out)
            out.append(c)
            self.i += 1
        self.fail("unterminated double quote", at=start, hint='close the quoted text with "')

    def regex(self) -> Value:
        start = self.i
        end = self.text.find("%", self.i + 1)
        while end != -1 and self.text[end - 1] == "\\" and end - 1 > start:
            end = self.text.find("%", end + 1)
        if end == -1:
            self.fail("unterminated regular expression", at=start, hint="close it with %")
        body = self.text[start + 1:end]
        if not body:
            self.fail("empty regular expression", at=start)
        for k, c in enumerate(body):
            if c not in _REGEX_CHARS and not (c == "%" and k and body[k - 1] == "\\"):
                self.fail(f"{c!r} is not allowed in a CloudWatch regular expression", at=start + 1 + k,
                          hint="use letters, digits, : _ # = @ / ; , - and the operators "
                               "^ $ ? [ ] { } | \\ * + (no parentheses)")
        body = body.replace("\\%", "%")
        try:
            re.compile(body)
        except re.error as exc:
            self.fail(f"invalid regular expression: {exc.msg}", at=start + 1 + (exc.pos or 0))
        self.regexes += 1
        if self.regexes > MAX_REGEXES:
            self.fail(f"a filter pattern may hold at most {MAX_REGEXES} regular expressions", at=start)
        self.i = end + 1
        return Value("regex", body)

    # space-delimited patterns
    def delimited(self) -> Pattern:
        open_at = self.i
        self.i += 1
        slots: list[Slot] = []
        while True:
            self.skip_ws()
            if self.at_end():
                self.fail("unterminated '[': expected ']'", at=open_at, hint="close the field list with ]")
            if self.peek("]") and not slots:
                self.fail("a space-delimited pattern names at least one field")
            slots.append(self.slot())
            self.skip_ws()
            if self.peek(","):
                self.i += 1
                continue
            if self.peek("]"):
                self.i += 1
                break
            self.fail(f"expected ',' or ']' but found {self.near()}")
        self.skip_ws()
        if not self.at_end():
            self.fail(f"unexpected text after ']': {self.near()}")
        return self.check(Pattern(self.text, "delimited", slots=tuple(slots)))

    def slot(self) -> Slot:
        start = self.i
        if self.peek("..."):
            self.i += 3
            return Slot(None, None, start)
        cond = self.or_expr()
        if isinstance(cond, _Bare):
            return Slot(cond.name, None, start)
        first = cond
        while isinstance(first, BoolOp):
            first = first.parts[0]
        return Slot(first.name, cond, start)

    def or_expr(self):
        parts = [self.and_expr()]
        while True:
            self.skip_ws()
            if not self.peek("||"):
                break
            self.i += 2
            parts.append(self.and_expr())
        return self.combine("||", parts)

    def and_expr(self):
        parts = [self.comparison()]
        while True:
            self.skip_ws()
            if not self.peek("&&"):
                break
            self.i += 2
            parts.append(self.comparison())
        return self.combine("&&", parts)

    def combine(self, op: str, parts: list):
        if len(parts) == 1:
            return parts[0]
        for p in parts:
            if isinstance(p, _Bare):
                self.fail(f"{op} joins conditions such as name=value, not a bare field name {p.name!r}",
                          at=p.position)
        return BoolOp(op, tuple(parts))

    def comparison(self):
        """`name` alone (a _Bare) or `name op value`."""
        self.skip_ws()
        start = self.i
        m = _NAME.match(self.text, self.i)
        if not m:
            self.fail(f"expected a field name, '...' or a condition but found {self.near()}",
                      hint="name fields with letters, digits, _ and -, starting with a letter or _")
        self.i = m.end()
        name = m.group()
        self.skip_ws()
        op = next((o for o in OPERATORS if self.peek(o)), None)
        if op is None:
            return _Bare(name, start)
        self.i += len(op)
        self.skip_ws()
        value_at = self.i
        value = self.value()
        if op not in ("=", "!=") and value.kind != "number":
            self.fail(f"'{op}' compares numbers, but {value.text!r} is not a number", at=value_at)
        return Comparison(name, op, value, start)

    def value(self) -> Value:
        if self.at_end():
            self.fail("expected a value after the operator")
        if self.peek('"'):
            return Value("text", self.quoted(), quoted=True)
        if self.peek("%"):
            return self.regex()
        m = _BARE_VALUE.match(self.text, self.i)
        if not m:
            self.fail(f"expected a value but found {self.near()}")
        self.i = m.end()
        text = m.group()
        if _NUMBER.fullmatch(text):
            number = float(text) if any(c in text for c in ".eE") else int(text)
            return Value("number", text, number)
        return Value("text", text)

    def check(self, p: Pattern) -> Pattern:
        """Names are unique, at most one ellipsis, and every condition refers to a named field."""
        seen: dict[str, int] = {}
        ellipses = [s for s in p.slots if s.is_ellipsis]
        if len(ellipses) > 1:
            self.fail("only one '...' is supported in a pattern", at=ellipses[1].position,
                      hint="name the fields between them")
        for s in p.slots:
            if s.name is None:
                continue
            if s.name in seen:
                self.fail(f"field {s.name!r} is named twice", at=s.position)
            seen[s.name] = s.position
        for s in p.slots:
            for c in comparisons_in(s.condition):
                if c.name not in seen:
                    self.fail(f"condition on {c.name!r}, which the pattern does not name", at=c.position,
                              hint=f"the named fields are {', '.join(seen)}")
        return Pattern(p.text, p.kind, slots=p.slots, names=tuple(seen))


# the tree goes with the parser: evaluate.py, sql.py and the rules import both from here
__all__ = ["BoolOp", "Comparison", "Pattern", "PatternError", "Slot", "Term", "Value", "comparisons", "parse"]

"""CloudWatch Logs Insights query text -> a list of commands with expression trees; every node knows its offset.

Commands are separated by '|'. Expressions: or < and < not < comparison (= != < <= > >= =~ like in) < + - <
* / % < ^ < unary minus < literal, field, call, (expr), [list]. A '/' starts a regex where an operand is due.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...errors import VpcFlowError


class InsightsError(VpcFlowError):
    """A Logs Insights query vpcflow cannot run: bad syntax or an unsupported construct, with its position."""


def position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"query line {line}, column {col}"


# ---- tokens ----

@dataclass(frozen=True)
class Token:
    kind: str  # name, string, regex, number, duration, op, end
    text: str
    pos: int
    value: object = None


_DURATION_UNITS = {"ms": 0.001, "s": 1, "sec": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "minute": 60,
                   "minutes": 60, "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400,
                   "days": 86400, "w": 604800, "week": 604800, "weeks": 604800}
_NAME = re.compile(r"[@A-Za-z_][\w.@-]*")
_NUMBER = re.compile(r"\d+(\.\d+)?([A-Za-z]+)?")
_OPS = ("!=", "<=", ">=", "=~", "=", "<", ">", "+", "-", "*", "/", "%", "^", "(", ")", ",", "[", "]", "|")
_OPERAND_DUE = {"(", ",", "=", "!=", "<", "<=", ">", ">=", "=~", "[", "|", "+", "-", "*", "%", "^"}


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        prev = tokens[-1] if tokens else None
        operand_due = prev is None or (prev.kind == "op" and prev.text in _OPERAND_DUE) or (
            prev.kind == "name" and prev.text.lower() in ("like", "filter", "and", "or", "not", "parse")) or (
            prev.kind == "name" and prev.text.startswith("@") and tokens[-2:-1] and tokens[-2].text == "parse")
        if ch in "\"'`" or (ch == "/" and operand_due):
            end = i + 1
            while end < n and text[end] != ch:
                end += 2 if text[end] == "\\" and ch != "/" else 1
            if end >= n:
                raise InsightsError(f"unterminated {'regex' if ch == '/' else 'string'}", location=position(text, i))
            body = text[i + 1:end]
            if ch == "`":
                tokens.append(Token("name", body, i))
            elif ch == "/":
                tokens.append(Token("regex", body, i, body))
            else:
                tokens.append(Token("string", body, i, re.sub(r"\\(.)", r"\1", body)))
            i = end + 1
        elif ch.isdigit():
            m = _NUMBER.match(text, i)
            number, unit = m.group(0), m.group(2)
            if unit:
                if unit.lower() not in _DURATION_UNITS:
                    raise InsightsError(f"unsupported time unit {unit!r} in {number!r}", location=position(text, i),
                                        hint="use ms, s, m, h, d or w")
                value = float(number[: -len(unit)]) * _DURATION_UNITS[unit.lower()]
                tokens.append(Token("duration", number, i, value))
            else:
                tokens.append(Token("number", number, i, float(number) if "." in number else int(number)))
            i = m.end()
        elif m := _NAME.match(text, i):
            tokens.append(Token("name", m.group(0), i))
            i = m.end()
        else:
            op = next((o for o in _OPS if text.startswith(o, i)), None)
            if op is None:
                raise InsightsError(f"unexpected character {ch!r}", location=position(text, i))
            tokens.append(Token("op", op, i))
            i += len(op)
    tokens.append(Token("end", "", n))
    return tokens


# ---- expression tree ----

@dataclass
class Node:
    pos: int


@dataclass
class Field(Node):
    name: str


@dataclass
class Literal(Node):
    value: object  # str | int | float


@dataclass
class Regex(Node):
    pattern: str


@dataclass
class Duration(Node):
    seconds: float
    text: str


@dataclass
class Star(Node):
    pass


@dataclass
class Call(Node):
    name: str
    args: list


@dataclass
class Unary(Node):
    op: str
    operand: Node


@dataclass
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass
class ListOf(Node):
    items: list


@dataclass
class Item:
    expr: Node
    alias: str | None
    text: str  # the source text, which names an item without an alias
    desc: bool | None = None


@dataclass
class Command:
    name: str
    pos: int
    items: list[Item] = field(default_factory=list)
    by: list[Item] = field(default_factory=list)
    source: Node | None = None  # parse: the field parsed
    pattern: Token | None = None  # parse: glob string or regex
    number: int | None = None  # limit


COMMANDS = ("fields", "filter", "stats", "sort", "limit", "parse", "display", "dedup")
UNSUPPORTED = ("pattern", "anomaly", "diff", "lookup", "unmask", "unnest", "filterindex", "source", "head", "tail")


class Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    # -- helpers --
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def error(self, message: str, token: Token | None = None, hint: str | None = None) -> InsightsError:
        return InsightsError(message, location=position(self.text, (token or self.tok).pos), hint=hint)

    def take(self) -> Token:
        token = self.tok
        self.i += 1
        return token

    def accept(self, *words: str) -> Token | None:
        t = self.tok
        if (t.kind == "op" and t.text in words) or (t.kind == "name" and t.text.lower() in words):
            return self.take()
        return None

    def expect(self, word: str) -> Token:
        token = self.accept(word)
        if token is None:
            raise self.error(f"expected {word!r}, found {self.tok.text or 'end of query'!r}")
        return token

    def name(self) -> Token:
        if self.tok.kind != "name":
            raise self.error(f"expected a field name, found {self.tok.text or 'end of query'!r}")
        return self.take()

    # -- commands --
    def query(self) -> list[Command]:
        commands = [self.command()]
        while self.accept("|"):
            commands.append(self.command())
        if self.tok.kind != "end":
            raise self.error(f"unexpected {self.tok.text!r}", hint="separate commands with '|'")
        return commands

    def command(self) -> Command:
        t = self.tok
        word = t.text.lower() if t.kind == "name" else ""
        if word in UNSUPPORTED:
            raise self.error(f"the {t.text!r} command is not supported by vpcflow insights",
                             hint="supported: " + ", ".join(COMMANDS))
        if word not in COMMANDS:
            raise self.error(f"expected a command, found {t.text or 'end of query'!r}",
                             hint="commands: " + ", ".join(COMMANDS))
        self.take()
        cmd = Command(word, t.pos)
        if word == "filter":
            cmd.items = [self.item(alias=False)]
        elif word in ("fields", "display", "dedup"):
            cmd.items = self.items(alias=word == "fields")
        elif word == "sort":
            cmd.items = self.items(alias=False, order=True)
        elif word == "stats":
            cmd.items = self.items(alias=True)
            if self.accept("by"):
                cmd.by = self.items(alias=True)
        elif word == "limit":
            if self.tok.kind != "number" or not isinstance(self.tok.value, int) or self.tok.value < 1:
                raise self.error("limit needs a whole number of rows")
            cmd.number = self.take().value
        elif word == "parse":
            cmd.source = Field(self.tok.pos, "@message")
            if self.tok.kind == "name":
                cmd.source = Field(self.tok.pos, self.take().text)
            if self.tok.kind not in ("string", "regex"):
                raise self.error("parse needs a pattern: a \"glob * string\" or a /regex/ with named groups")
            cmd.pattern = self.take()
            if self.accept("as"):
                cmd.items = [Item(Field(t.pos, t.text), None, t.text) for t in self._names()]
        return cmd

    def _names(self) -> list[Token]:
        names = [self.name()]
        while self.accept(","):
            names.append(self.name())
        return names

    def items(self, *, alias: bool, order: bool = False) -> list[Item]:
        items = [self.item(alias=alias, order=order)]
        while self.accept(","):
            items.append(self.item(alias=alias, order=order))
        return items

    def item(self, *, alias: bool, order: bool = False) -> Item:
        start = self.tok.pos
        expr = self.expr()
        text = " ".join(self.text[start:self.tokens[self.i - 1].pos + len(self.tokens[self.i - 1].text) +
                                  (2 if self.tokens[self.i - 1].kind in ("string", "regex") else 0)].split())
        item = Item(expr, None, text)
        if alias and self.accept("as"):
            item.alias = self.name().text
        if order:
            direction = self.accept("asc", "desc")
            item.desc = None if direction is None else direction.text.lower() == "desc"
        return item

    # -- expressions, lowest precedence first --
    def expr(self) -> Node:
        return self.disjunction()

    def disjunction(self) -> Node:
        node = self.conjunction()
        while t := self.accept("or"):
            node = Binary(t.pos, "or", node, self.conjunction())
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        while t := self.accept("and"):
            node = Binary(t.pos, "and", node, self.negation())
        return node

    def negation(self) -> Node:
        if t := self.accept("not"):
            return Unary(t.pos, "not", self.negation())
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        t = self.tok
        negate = False
        if t.kind == "name" and t.text.lower() == "not" and self.tokens[self.i + 1].text.lower() in ("like", "in"):
            self.take()
            negate = True
        if op := self.accept("=", "!=", "<", "<=", ">", ">=", "=~", "like", "in"):
            word = op.text.lower()
            right = self.list_of() if word == "in" else self.additive()
            node = Binary(op.pos, word, node, right)
            if negate:
                node = Unary(t.pos, "not", node)
        return node

    def list_of(self) -> ListOf:
        start = self.expect("[")
        items = [] if self.tok.text == "]" else [self.additive()]
        while self.accept(","):
            items.append(self.additive())
        self.expect("]")
        return ListOf(start.pos, items)

    def additive(self) -> Node:
        node = self.multiplicative()
        while t := self.accept("+", "-"):
            node = Binary(t.pos, t.text, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.power()
        while t := self.accept("*", "/", "%"):
            node = Binary(t.pos, t.text, node, self.power())
        return node

    def power(self) -> Node:
        node = self.unary()
        if t := self.accept("^"):
            node = Binary(t.pos, "^", node, self.power())
        return node

    def unary(self) -> Node:
        if t := self.accept("-"):
            return Unary(t.pos, "-", self.unary())
        return self.primary()

    def primary(self) -> Node:
        t = self.tok
        if t.kind in ("string", "number"):
            self.take()
            return Literal(t.pos, t.value)
        if t.kind == "regex":
            self.take()
            return Regex(t.pos, t.value)
        if t.kind == "duration":
            self.take()
            return Duration(t.pos, t.value, t.text)
        if self.accept("("):
            node = self.expr()
            self.expect(")")
            return node
        if t.kind == "op" and t.text == "[":
            return self.list_of()
        if t.kind == "op" and t.text == "*":
            self.take()
            return Star(t.pos)
        if t.kind == "name":
            self.take()
            if self.accept("("):
                args = [] if self.tok.text == ")" else [self.expr()]
                while self.accept(","):
                    args.append(self.expr())
                self.expect(")")
                return Call(t.pos, t.text, args)
            return Field(t.pos, t.text)
        raise self.error(f"expected a value, found {t.text or 'end of query'!r}")


def parse_query(text: str) -> list[Command]:
    if not text.strip():
        raise InsightsError("the query is empty", hint="for example: stats count(*) by srcAddr")
    return Parser(text).query()

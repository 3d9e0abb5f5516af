"""CloudWatch Logs Insights query text -> a list of commands with expression trees; every node knows its offset
(the tokens come from `tokens.py`).

Commands are separated by '|'. Expressions: or < and < not < comparison (= != < <= > >= =~ like in) < + - <
* / % < ^ < unary minus < literal, field, call, (expr), [list]. A '/' starts a regex where an operand is due.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .tokens import InsightsError, Token, position, tokenize


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

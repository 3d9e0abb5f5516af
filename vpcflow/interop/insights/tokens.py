"""CloudWatch Logs Insights query text cut into tokens (names, strings, regexes, numbers, durations, operators),
each with its offset, and the error that points at one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...errors import VpcFlowError


class InsightsError(VpcFlowError):
    """A Logs Insights query vpcflow cannot run: bad syntax or an unsupported construct, with its position."""


def position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"query line {line}, column {col}"


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

"""Parse the OneRoster 1.1 `filter` query parameter into a small syntax tree, and print it back.

Grammar, as accepted here (the text is already URL-decoded)::

    filter    := group (WS+ "OR" WS+ group)*
    group     := predicate (WS+ "AND" WS+ predicate)*
    predicate := field WS* operator WS* quote value quote
    field     := name ("." name)*            where name is [A-Za-z_][A-Za-z0-9_]*
    operator  := "=" | "!=" | ">" | ">=" | "<" | "<=" | "~"
    quote     := "'" | "‘" | "’"

AND binds tighter than OR and there are no parentheses. AND/OR match in any letter case.
WS is a space, tab, carriage return or line feed; WS around the whole text is ignored.

A value may itself contain quote characters, so it ends at the first quote that is followed
by optional WS and then the end of the text or a logical operator (AND/OR followed by WS or
the end). Three shapes that would otherwise be swallowed into a value are reported as errors
instead: a quote followed by what looks like the next predicate (`a='1' b='2'`, a missing
AND/OR); a quote followed by one unknown word and then what looks like the next predicate
(`a='1' XOR b='2'`, `a='1' && b='2'`, a mistyped AND/OR); and a quote followed by closing
parentheses and then the end or a logical operator.

`parse_filter` can also refuse a filter with more predicates than a limit, before building any
of the rest (FilterLimitExceeded), so the cost of one request stays bounded.

This module knows nothing about entities or storage; see `openroster.query.resolve` for that.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

__all__ = [
    "OPERATORS",
    "Filter",
    "FilterLimitExceeded",
    "FilterSyntaxError",
    "Predicate",
    "parse_filter",
    "to_text",
]

OPERATORS: tuple[str, ...] = ("=", "!=", ">", ">=", "<", "<=", "~")

_LONGEST_FIRST = tuple(sorted(OPERATORS, key=len, reverse=True))
_OPERATOR_CHARS = frozenset("".join(OPERATORS))
_SPACE = frozenset(" \t\r\n")
_QUOTES = frozenset("'\u2018\u2019")
_PARENS = frozenset("()")
_NAME_START = frozenset(string.ascii_letters + "_")
_NAME_CHARS = _NAME_START | frozenset(string.digits)
_LOGICAL = ("AND", "OR")
_EXCERPT_RADIUS = 12


@dataclass(frozen=True)
class Predicate:
    """One comparison `field op 'value'`; `position` is where the field name starts in the text."""

    field: str
    op: str
    value: str
    position: int


@dataclass(frozen=True)
class Filter:
    """An OR of AND-groups of predicates."""

    any_of: tuple[tuple[Predicate, ...], ...]


class FilterSyntaxError(Exception):
    """The filter text does not follow the grammar; `position` is a 0-based index into it."""

    def __init__(self, message: str, position: int, *, text: str | None = None) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position
        self.text = text

    def __str__(self) -> str:
        where = f"at position {self.position}"
        excerpt = _excerpt(self.text, self.position) if self.text else ""
        if excerpt.strip():
            where += f', near "{excerpt}"'
        return f"{self.message[:1].upper()}{self.message[1:]} ({where})."


class FilterLimitExceeded(FilterSyntaxError):
    """The filter is well formed so far but has more predicates than this server accepts."""


def _excerpt(text: str, position: int) -> str:
    start = max(0, position - _EXCERPT_RADIUS)
    end = min(len(text), position + _EXCERPT_RADIUS)
    piece = "".join(" " if char in _SPACE else char for char in text[start:end])
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")


def parse_filter(text: str, *, max_predicates: int | None = None) -> Filter:
    """Parse filter text; raise FilterSyntaxError (and nothing else) when it is malformed.

    With `max_predicates`, a filter with more predicates raises FilterLimitExceeded at the first
    predicate past the limit.
    """
    return _Parser(text, max_predicates).parse()


def to_text(f: Filter) -> str:
    """The canonical text of a filter: `field op 'value'` joined by " AND " and " OR "."""
    return " OR ".join(" AND ".join(f"{p.field}{p.op}'{p.value}'" for p in group) for group in f.any_of)


class _Parser:
    """A hand-written scanner over one filter text; methods take and return indexes into it."""

    def __init__(self, text: str, max_predicates: int | None = None) -> None:
        self.text = text
        self.end = len(text)
        self.max_predicates = max_predicates

    def error(self, message: str, position: int) -> FilterSyntaxError:
        return FilterSyntaxError(message, position, text=self.text)

    def parse(self) -> Filter:
        i = self.skip_space(0)
        if i == self.end:
            raise self.error("the filter is empty", 0)
        groups: list[tuple[Predicate, ...]] = []
        group: list[Predicate] = []
        count = 0
        while True:
            count += 1
            if self.max_predicates is not None and count > self.max_predicates:
                raise FilterLimitExceeded(
                    f"the filter has more than {self.max_predicates} predicates, this server's limit",
                    i,
                    text=self.text,
                )
            predicate, i = self.predicate(i)
            group.append(predicate)
            gap = self.skip_space(i)
            if gap == self.end:
                break
            keyword = self.logical(gap)
            if keyword is None:  # the closing-quote rule rules this out; kept as a safety net
                raise self.error("expected AND, OR or the end of the filter after a value", gap)
            i = self.skip_space(gap + len(keyword))
            if i == self.end:
                raise self.error(f"{keyword} must be followed by another predicate", gap)
            if keyword == "OR":
                groups.append(tuple(group))
                group = []
        groups.append(tuple(group))
        return Filter(tuple(groups))

    def predicate(self, start: int) -> tuple[Predicate, int]:
        field_end = self.field(start)
        field = self.text[start:field_end]
        op_start = self.skip_space(field_end)
        op = self.operator(op_start, field)
        opening = self.skip_space(op_start + len(op))
        if opening == self.end:
            raise self.error(f"missing value after {field + op!r}; values must be in single quotes", opening)
        self.reject_parenthesis(opening)
        if self.text[opening] not in _QUOTES:
            raise self.error(
                f"values must be in single quotes; expected a quote after {field + op!r}", opening
            )
        closing = self.closing_quote(opening)
        return Predicate(field, op, self.text[opening + 1 : closing], start), closing + 1

    def field(self, start: int) -> int:
        """Check the field path at `start` and return where it ends."""
        text = self.text
        self.reject_parenthesis(start)
        end = self.scan_field(start)
        if end == start:
            char = text[start]
            if char in _OPERATOR_CHARS or char in _QUOTES:
                raise self.error(f"missing field name before {char!r}", start)
            raise self.error(
                f"invalid character {char!r}: a field name must start with a letter or an underscore", start
            )
        if text[start:end].upper() in _LOGICAL and (end == self.end or text[end] in _SPACE):
            raise self.error(
                f"expected a predicate, found the logical operator {text[start:end].upper()}", start
            )
        if end < self.end and text[end] == ".":
            raise self.error(f"expected a name after '.' in field {text[start : end + 1]!r}", end + 1)
        if end < self.end and not (
            text[end] in _SPACE or text[end] in _OPERATOR_CHARS or text[end] in _QUOTES
        ):
            self.reject_parenthesis(end)
            raise self.error(f"invalid character {text[end]!r} in field name {text[start : end + 1]!r}", end)
        return end

    def operator(self, start: int, field: str) -> str:
        """Return the comparison operator at `start`, matching the longest one first."""
        text = self.text
        if start == self.end or text[start] in _QUOTES:
            raise self.error(
                f"missing operator after field {field!r}; expected one of {' '.join(OPERATORS)}", start
            )
        self.reject_parenthesis(start)
        op = self.match_operator(start)
        run = start
        while run < self.end and text[run] in _OPERATOR_CHARS:
            run += 1
        if op is not None and run == start + len(op):
            return op
        if run == start:  # a word such as `eq`: show it up to the next space or quote
            while (
                run < self.end
                and run - start < _EXCERPT_RADIUS
                and not (text[run] in _SPACE or text[run] in _QUOTES)
            ):
                run += 1
        raise self.error(
            f"unknown operator {text[start:run]!r} after field {field!r}; expected "
            f"one of {' '.join(OPERATORS)}",
            start,
        )

    def closing_quote(self, opening: int) -> int:
        """Return the index of the quote that closes the value opened at `opening`."""
        for i in range(opening + 1, self.end):
            if self.text[i] not in _QUOTES:
                continue
            after = self.skip_space(i + 1)
            if after == self.end or self.logical(after) is not None:
                return i
            if self.text[after] in _PARENS and self.only_parentheses_until_logical(after):
                self.reject_parenthesis(after)
            if self.looks_like_predicate(after):
                raise self.error("expected AND or OR between two predicates", after)
            self.reject_unknown_joiner(after)
        raise self.error(
            "unterminated value: no closing quote followed by AND, OR or the end of the filter", opening
        )

    def only_parentheses_until_logical(self, start: int) -> bool:
        i = start
        while i < self.end and (self.text[i] in _PARENS or self.text[i] in _SPACE):
            i += 1
        return i == self.end or self.logical(i) is not None

    def reject_unknown_joiner(self, start: int) -> None:
        """Refuse one word between a quote and what looks like the next predicate (`' XOR b='`)."""
        end = start
        while end < self.end and not (self.text[end] in _SPACE or self.text[end] in _QUOTES):
            end += 1
        following = self.skip_space(end)
        if start < end < following and self.looks_like_predicate(following):
            raise self.error(
                f"unknown word {self.text[start:end]!r} between two predicates; join "
                "predicates with AND or OR",
                start,
            )

    def looks_like_predicate(self, start: int) -> bool:
        """Whether `field op '` starts at `start`: a predicate, not part of a value."""
        field_end = self.scan_field(start)
        if field_end == start:
            return False
        op_start = self.skip_space(field_end)
        op = self.match_operator(op_start)
        if op is None:
            return False
        opening = self.skip_space(op_start + len(op))
        return opening < self.end and self.text[opening] in _QUOTES

    def scan_field(self, start: int) -> int:
        """Return the end of the longest `name(.name)*` at `start` (`start` itself if none)."""
        end = start
        i = start
        while i < self.end and self.text[i] in _NAME_START:
            i += 1
            while i < self.end and self.text[i] in _NAME_CHARS:
                i += 1
            end = i
            if i < self.end and self.text[i] == ".":
                i += 1
            else:
                break
        return end

    def match_operator(self, start: int) -> str | None:
        return next((op for op in _LONGEST_FIRST if self.text.startswith(op, start)), None)

    def logical(self, start: int) -> str | None:
        """Return AND or OR if that word, followed by WS or the end, starts at `start`."""
        for keyword in _LOGICAL:
            end = start + len(keyword)
            word = self.text[start:end]
            if word.isascii() and word.upper() == keyword and (end == self.end or self.text[end] in _SPACE):
                return keyword
        return None

    def reject_parenthesis(self, i: int) -> None:
        if i < self.end and self.text[i] in _PARENS:
            raise self.error("parentheses are not supported; AND binds tighter than OR", i)

    def skip_space(self, i: int) -> int:
        while i < self.end and self.text[i] in _SPACE:
            i += 1
        return i

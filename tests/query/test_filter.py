"""Tests for the OneRoster 1.1 filter grammar (openroster.query.filter)."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from openroster.query.filter import (
    OPERATORS,
    Filter,
    FilterLimitExceeded,
    FilterSyntaxError,
    Predicate,
    parse_filter,
    to_text,
)


def triples(f: Filter) -> list[list[tuple[str, str, str]]]:
    return [[(p.field, p.op, p.value) for p in group] for group in f.any_of]


def syntax_error(text: str) -> FilterSyntaxError:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_filter(text)
    return caught.value


# --- examples from the OneRoster 1.1 specification -------------------------------------------


def test_single_predicate() -> None:
    assert parse_filter("status='active'") == Filter(((Predicate("status", "=", "active", 0),),))


def test_datetime_comparison() -> None:
    assert triples(parse_filter("dateLastModified>'2024-01-01T00:00:00.000Z'")) == [
        [("dateLastModified", ">", "2024-01-01T00:00:00.000Z")]
    ]


def test_and() -> None:
    text = "role='student' AND dateLastModified>'2024-01-01T00:00:00.000Z'"
    assert parse_filter(text) == Filter(
        (
            (
                Predicate("role", "=", "student", 0),
                Predicate("dateLastModified", ">", "2024-01-01T00:00:00.000Z", 19),
            ),
        )
    )


def test_or() -> None:
    assert parse_filter("username='stud1' OR email~'stud1'") == Filter(
        (
            (Predicate("username", "=", "stud1", 0),),
            (Predicate("email", "~", "stud1", 20),),
        )
    )


def test_dotted_field() -> None:
    assert parse_filter("orgs.sourcedId='sch-1'") == Filter(
        ((Predicate("orgs.sourcedId", "=", "sch-1", 0),),)
    )


@pytest.mark.parametrize("text", ["status=’active’", "status=‘active’", "status=‘active'", "status='active’"])
def test_typographic_quotes(text: str) -> None:
    assert triples(parse_filter(text)) == [[("status", "=", "active")]]


# --- operators, whitespace, letter case -------------------------------------------------------


@pytest.mark.parametrize("op", OPERATORS)
def test_every_operator(op: str) -> None:
    assert triples(parse_filter(f"score{op}'5'")) == [[("score", op, "5")]]
    assert triples(parse_filter(f"score {op} '5'")) == [[("score", op, "5")]]


def test_operators_constant() -> None:
    assert OPERATORS == ("=", "!=", ">", ">=", "<", "<=", "~")


def test_whitespace_is_lenient() -> None:
    text = "  \tstatus = 'active'\tAND  role\t='student'  OR\t\tx<'1'  "
    f = parse_filter(text)
    assert triples(f) == [[("status", "=", "active"), ("role", "=", "student")], [("x", "<", "1")]]
    assert [p.position for group in f.any_of for p in group] == [3, 26, text.index("x<")]


@pytest.mark.parametrize("and_word, or_word", [("and", "or"), ("And", "Or"), ("aNd", "oR")])
def test_logical_operators_in_any_case(and_word: str, or_word: str) -> None:
    f = parse_filter(f"a='1' {and_word} b='2' {or_word} c='3'")
    assert triples(f) == [[("a", "=", "1"), ("b", "=", "2")], [("c", "=", "3")]]


def test_field_names() -> None:
    assert triples(parse_filter("_a1.B_2.c='x'")) == [[("_a1.B_2.c", "=", "x")]]
    assert triples(parse_filter("classSourcedId='c1'")) == [[("classSourcedId", "=", "c1")]]


# --- precedence -------------------------------------------------------------------------------


def test_and_binds_tighter_than_or() -> None:
    assert triples(parse_filter("a='1' OR b='2' AND c='3'")) == [
        [("a", "=", "1")],
        [("b", "=", "2"), ("c", "=", "3")],
    ]


def test_many_predicates() -> None:
    text = "a='1' AND b='2' OR c='3' OR d='4' AND e='5' AND f='6'"
    f = parse_filter(text)
    assert triples(f) == [
        [("a", "=", "1"), ("b", "=", "2")],
        [("c", "=", "3")],
        [("d", "=", "4"), ("e", "=", "5"), ("f", "=", "6")],
    ]
    assert [p.position for group in f.any_of for p in group] == [text.index(name + "=") for name in "abcdef"]
    assert to_text(f) == text


# --- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("familyName='O'Brien'", "O'Brien"),
        ("familyName='O’Brien'", "O’Brien"),
        ("title='Salt AND pepper'", "Salt AND pepper"),
        ("title='black OR white' AND x='1'", "black OR white"),
        ("title='Tom' and' AND x='1'", "Tom' and"),
        ("title='Tom' ANDY'", "Tom' ANDY"),
        ("title='x AND'", "x AND"),
        ("title='  spaced  out  '", "  spaced  out  "),
        ("expr='a=b, c!=d'", "a=b, c!=d"),
        ("name='Zoë 学生 ✓'", "Zoë 学生 ✓"),
        ("name='(in brackets)'", "(in brackets)"),
        ("name=''", ""),
        ("name='''", "'"),
        ("name='it''s'", "it''s"),
        ("name='%20'", "%20"),
        ("name='it's'", "it's"),
        ("name='it's a word'", "it's a word"),
        ("note='a' XOR b'", "a' XOR b"),
        ("note='x' y z'", "x' y z"),
    ],
)
def test_values_are_taken_verbatim(text: str, value: str) -> None:
    assert parse_filter(text).any_of[0][0].value == value


def test_quote_then_logical_operator_closes_the_value() -> None:
    assert triples(parse_filter("a='x'AND b='y'")) == [[("a", "=", "x"), ("b", "=", "y")]]


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message, position",
    [
        ("", "the filter is empty", 0),
        ("  \t ", "the filter is empty", 0),
        ("='x'", "missing field name before '='", 0),
        ("a='1' AND ='2'", "missing field name before '='", 10),
        ("'x'='y'", 'missing field name before "\'"', 0),
        ("1a='x'", "invalid character '1': a field name must start with a letter or an underscore", 0),
        ("na-me='x'", "invalid character '-' in field name 'na-'", 2),
        ("naïve='x'", "invalid character 'ï' in field name 'naï'", 2),
        ("a.='x'", "expected a name after '.' in field 'a.'", 2),
        ("a..b='x'", "expected a name after '.' in field 'a.'", 2),
        ("status", "missing operator after field 'status'; expected one of = != > >= < <= ~", 6),
        ("status 'x'", "missing operator after field 'status'; expected one of = != > >= < <= ~", 7),
        ("status=='x'", "unknown operator '==' after field 'status'; expected one of = != > >= < <= ~", 6),
        ("status<>'x'", "unknown operator '<>' after field 'status'; expected one of = != > >= < <= ~", 6),
        ("status=~'x'", "unknown operator '=~' after field 'status'; expected one of = != > >= < <= ~", 6),
        ("status!'x'", "unknown operator '!' after field 'status'; expected one of = != > >= < <= ~", 6),
        ("status eq 'x'", "unknown operator 'eq' after field 'status'; expected one of = != > >= < <= ~", 7),
        ("status=active", "values must be in single quotes; expected a quote after 'status='", 7),
        ('status="active"', "values must be in single quotes; expected a quote after 'status='", 7),
        ("status=", "missing value after 'status='; values must be in single quotes", 7),
        (
            "status='active",
            "unterminated value: no closing quote followed by AND, OR or the end of the filter",
            7,
        ),
        (
            "status='active'x",
            "unterminated value: no closing quote followed by AND, OR or the end of the filter",
            7,
        ),
        ("a='1' b='2'", "expected AND or OR between two predicates", 6),
        ("a='1'b='2' AND c='3'", "expected AND or OR between two predicates", 5),
        (
            "status='active' XOR role='student'",
            "unknown word 'XOR' between two predicates; join predicates with AND or OR",
            16,
        ),
        ("a='1' && b='2'", "unknown word '&&' between two predicates; join predicates with AND or OR", 6),
        (
            "a='1' || b.c != '2'",
            "unknown word '||' between two predicates; join predicates with AND or OR",
            6,
        ),
        (
            "a='1'\tANDD\tb='2'",
            "unknown word 'ANDD' between two predicates; join predicates with AND or OR",
            6,
        ),
        ("a='1' AND", "AND must be followed by another predicate", 6),
        ("a='1' AND  ", "AND must be followed by another predicate", 6),
        ("a='1' or\t", "OR must be followed by another predicate", 6),
        ("AND a='1'", "expected a predicate, found the logical operator AND", 0),
        ("a='1' OR and b='2'", "expected a predicate, found the logical operator AND", 9),
        ("(a='1')", "parentheses are not supported; AND binds tighter than OR", 0),
        ("a='1' AND (b='2' OR c='3')", "parentheses are not supported; AND binds tighter than OR", 10),
        ("a='1')", "parentheses are not supported; AND binds tighter than OR", 5),
        ("a='1') OR b='2'", "parentheses are not supported; AND binds tighter than OR", 5),
        ("a(='1'", "parentheses are not supported; AND binds tighter than OR", 1),
        ("a (='1'", "parentheses are not supported; AND binds tighter than OR", 2),
        ("a=('1')", "parentheses are not supported; AND binds tighter than OR", 2),
    ],
)
def test_errors(text: str, message: str, position: int) -> None:
    error = syntax_error(text)
    assert (error.message, error.position) == (message, position)


def test_predicate_limit_stops_at_the_first_predicate_past_it() -> None:
    text = " OR ".join(f"a='{n}'" for n in range(6))
    assert len(parse_filter(text, max_predicates=6).any_of) == 6
    with pytest.raises(FilterLimitExceeded) as caught:
        parse_filter(text, max_predicates=5)
    assert caught.value.position == text.index("a='5'")
    assert caught.value.message == "the filter has more than 5 predicates, this server's limit"


def test_error_sentence_names_position_and_quotes_excerpt() -> None:
    error = syntax_error("role='student' AND status=='active' OR x='1'")
    assert str(error) == (
        "Unknown operator '==' after field 'status'; expected one of "
        "= != > >= < <= ~ (at position 25, near \"…' AND status=='active' O…\")."
    )


def test_error_sentence_without_text_or_excerpt() -> None:
    assert str(syntax_error("")) == "The filter is empty (at position 0)."
    assert str(FilterSyntaxError("bad thing", 3)) == "Bad thing (at position 3)."
    error = FilterSyntaxError("bad thing", 3)
    assert (error.message, error.position) == ("bad thing", 3)


# --- to_text ----------------------------------------------------------------------------------


def test_to_text_is_canonical() -> None:
    f = parse_filter("  a = ’1’   and b~‘x y’ Or c!='3'  ")
    assert to_text(f) == "a='1' AND b~'x y' OR c!='3'"


# --- properties -------------------------------------------------------------------------------

QUOTES = "'\u2018\u2019"
SPACE = " \t\r\n"

# A value is ambiguous when one of its quotes could be read as the closing quote (followed by
# a logical operator) or trips one of the parser's error checks (a parenthesis before a
# logical operator, or what looks like the next predicate, perhaps after one unknown word).
# Checked on value + closing quote.
AMBIGUOUS = re.compile(
    rf"[{QUOTES}][{SPACE}]*(?:"
    rf"(?:and|or)(?:[{SPACE}]|$)"
    rf"|[()][(){SPACE}]*(?:(?:and|or)(?:[{SPACE}]|$)|$)"
    rf"|(?:[^{SPACE}{QUOTES}]+[{SPACE}]+)?[A-Za-z_][A-Za-z0-9_.]*[{SPACE}]*[=!<>~]=?[{SPACE}]*[{QUOTES}])",
    re.IGNORECASE,
)

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
fields = st.lists(names, min_size=1, max_size=3).map(".".join)
value_chars = st.one_of(st.sampled_from(list(QUOTES + SPACE + "()=!<>~.,_aAnNdDoOrRb")), st.characters())
values = st.text(value_chars, max_size=12)
predicates = st.tuples(fields, st.sampled_from(OPERATORS), values)
asts = st.lists(st.lists(predicates, min_size=1, max_size=3), min_size=1, max_size=3)


def build(groups: list[list[tuple[str, str, str]]]) -> Filter:
    """The Filter for these groups, with the positions to_text will put the fields at."""
    position = 0
    any_of = []
    for g, group in enumerate(groups):
        if g:
            position += len(" OR ")
        built = []
        for p, (field, op, value) in enumerate(group):
            if p:
                position += len(" AND ")
            built.append(Predicate(field, op, value, position))
            position += len(field) + len(op) + len(value) + 2
        any_of.append(tuple(built))
    return Filter(tuple(any_of))


@given(asts)
def test_round_trip(groups: list[list[tuple[str, str, str]]]) -> None:
    assume(not any(AMBIGUOUS.search(value + "'") for group in groups for _, _, value in group))
    f = build(groups)
    assert parse_filter(to_text(f)) == f


filter_like = st.text(st.sampled_from(list(QUOTES + SPACE + "()=!<>~._ab1ANDORandor")), max_size=40)


@given(st.one_of(st.text(max_size=40), filter_like))
def test_arbitrary_text_raises_only_filter_syntax_error(text: str) -> None:
    try:
        f = parse_filter(text)
    except FilterSyntaxError as error:
        assert 0 <= error.position <= len(text)
        assert str(error).endswith(".")
    else:
        assert all(group for group in f.any_of) and f.any_of
        assert triples(parse_filter(to_text(f))) == triples(f)


plain_values = st.text(st.sampled_from(list("abc XYZ019-_.,;:@")), max_size=10)
joiner_words = st.text(st.characters(blacklist_characters=QUOTES + SPACE + "()"), min_size=1, max_size=6)


@given(
    fields,
    st.sampled_from(OPERATORS),
    plain_values,
    joiner_words,
    fields,
    st.sampled_from(OPERATORS),
    plain_values,
)
def test_any_unknown_joiner_is_reported_with_its_position(
    field1: str, op1: str, value1: str, word: str, field2: str, op2: str, value2: str
) -> None:
    assume(word.upper() not in ("AND", "OR"))
    head = f"{field1}{op1}'{value1}' "
    error = syntax_error(f"{head}{word} {field2} {op2} '{value2}'")
    assert error.message == (f"unknown word {word!r} between two predicates; join predicates with AND or OR")
    assert error.position == len(head)

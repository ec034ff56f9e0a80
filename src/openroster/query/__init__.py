"""Turning OneRoster 1.1 query parameters into typed queries."""

from openroster.query.filter import (
    OPERATORS,
    Filter,
    FilterSyntaxError,
    Predicate,
    parse_filter,
    to_text,
)

__all__ = ["OPERATORS", "Filter", "FilterSyntaxError", "Predicate", "parse_filter", "to_text"]

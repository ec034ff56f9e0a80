"""Read the JSON body of a gradebook write: what it holds under its wrapper key, or a clear 400."""

from __future__ import annotations

from typing import Any

import orjson

from openroster.errors import InvalidData


def wrapped(body: bytes, key: str, *, array: bool = False) -> Any:
    """`body`'s value under `key` (`{"lineItem": {...}}`; `{"lineItems": [...]}` when `array`)."""
    shape = f'{{"{key}": [{{...}}, ...]}}' if array else f'{{"{key}": {{...}}}}'
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidData(f"The request body is not JSON ({exc}); send {shape}") from None
    if not isinstance(data, dict) or key not in data:
        raise InvalidData(f'The request body must be a JSON object with the key "{key}": {shape}')
    return data[key]


def check_path_id(value: Any, sourced_id: str) -> None:
    """A PUT body's sourcedId, if any, must be the path's (some clients send it as a number)."""
    given_id = value.get("sourcedId") if isinstance(value, dict) else None
    if given_id is not None and str(given_id) != sourced_id:
        raise InvalidData(f"The body's sourcedId '{given_id}' differs from the path's '{sourced_id}'")

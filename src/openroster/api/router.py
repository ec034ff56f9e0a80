"""Match request paths to endpoints: case-insensitive literal segments, tolerant of extra slashes."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from openroster import API_ROOT
from openroster.api.endpoints import Endpoint
from openroster.errors import InvalidData


@dataclass(frozen=True)
class RouteMatch:
    endpoints: tuple[Endpoint, ...]  # every endpoint at this path (one per method)
    params: dict[str, str]

    def for_method(self, method: str) -> Endpoint | None:
        wanted = "GET" if method == "HEAD" else method
        return next((e for e in self.endpoints if e.method == wanted), None)


def root_segments(root: str) -> tuple[str, ...]:
    return tuple(root.strip("/").lower().split("/"))


class Router:
    def __init__(self, endpoints: tuple[Endpoint, ...], root: str = API_ROOT) -> None:
        self._root = root_segments(root)
        self._by_length: dict[int, list[tuple[tuple[str | None, ...], tuple[str | None, ...], Endpoint]]] = {}
        for endpoint in endpoints:
            literals = tuple(None if s.startswith("{") else s.lower() for s in endpoint.segments)
            names = tuple(s[1:-1] if s.startswith("{") else None for s in endpoint.segments)
            self._by_length.setdefault(len(literals), []).append((literals, names, endpoint))

    @staticmethod
    def split(raw_path: str, root: tuple[str, ...] | None = None) -> list[str] | None:
        """Segments below `root` (default: the 1.1 API root), percent-decoded; None outside it.

        `raw_path` is the request's bytes read as latin-1. A segment that is not UTF-8 once
        decoded is refused (InvalidData), never read with U+FFFD in place of its bytes: `%FF`,
        `%FE` and `%EF%BF%BD` must not all name the same record.
        """
        root = root or _ROOT
        segments = [s for s in raw_path.split("/") if s]
        if len(segments) < len(root) or tuple(s.lower() for s in segments[: len(root)]) != root:
            return None
        return [_decoded(s) for s in segments[len(root) :]]

    def match(self, raw_path: str) -> RouteMatch | None:
        segments = self.split(raw_path, self._root)
        if segments is None:
            return None
        found: list[Endpoint] = []
        params: dict[str, str] = {}
        for literals, names, endpoint in self._by_length.get(len(segments), ()):
            if all(lit is None or lit == seg.lower() for lit, seg in zip(literals, segments)):
                found.append(endpoint)
                params = {n: seg for n, seg in zip(names, segments) if n is not None}
        return RouteMatch(tuple(found), params) if found else None


_ROOT = root_segments(API_ROOT)


def _decoded(segment: str) -> str:
    try:
        return unquote_to_bytes(segment.encode("latin-1")).decode("utf-8")
    except UnicodeError:
        raise InvalidData(
            f"The path segment '{segment[:40]}' is not valid UTF-8 after percent-decoding; "
            "encode text as UTF-8"
        ) from None

"""The HTTP API: routes from the endpoint table, envelopes, status payloads and headers."""

from openroster.api.app import create_app
from openroster.api.endpoints import ENDPOINTS, Endpoint

__all__ = ["ENDPOINTS", "Endpoint", "create_app"]

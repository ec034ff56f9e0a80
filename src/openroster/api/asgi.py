"""ASGI entry point for server processes: settings come from OPENROSTER_* environment variables."""

from starlette.applications import Starlette

from openroster.api.app import create_app
from openroster.config import Settings


def build() -> Starlette:
    return create_app(Settings.from_env())

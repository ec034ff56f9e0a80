"""ASGI entry point for server processes: settings come from OPENROSTER_* environment variables."""

import logging
import sys

from starlette.applications import Starlette

from openroster.api.app import create_app
from openroster.config import Settings


def _log_to_stderr() -> None:
    """The audit lines (logger openroster.audit) and errors, one per line on stderr."""
    logger = logging.getLogger("openroster")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def build() -> Starlette:
    _log_to_stderr()
    return create_app(Settings.from_env())

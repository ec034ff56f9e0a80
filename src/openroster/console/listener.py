"""The console on an address and port of its own (`serve --console-port`), answered by the serve process.

A uvicorn server in a background thread of the process that supervises the API's workers, so the
console can be bound to an internal network while the API faces the consumers.
"""

from __future__ import annotations

import socket
import threading

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware

from openroster.api.app import credential_failures, shared_counters
from openroster.api.forwarded import ForwardedHeaders
from openroster.auth.keys import load_keys
from openroster.config import Settings
from openroster.console.app import create_console
from openroster.store.dialects import create_engine


def console_only(settings: Settings) -> Starlette:
    """The console's app alone, with the API's handling of proxies' headers."""
    engine = create_engine(settings.database_url)
    keys = load_keys(settings.secret_key, settings.key_file, create=False)
    failures = credential_failures(settings, shared_counters(engine))
    trusted = [ip.strip() for ip in settings.forwarded_allow_ips.split(",") if ip.strip()]
    app = create_console(settings, engine, keys, failures)
    app.user_middleware.insert(0, Middleware(ForwardedHeaders, trusted=trusted))
    return app


def serve_console(settings: Settings) -> None:
    """Start answering on console_host:console_port in a background thread; OSError if it cannot listen."""
    family = socket.AF_INET6 if ":" in settings.console_host else socket.AF_INET
    sock = socket.socket(family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.console_host, settings.console_port))
    config = uvicorn.Config(console_only(settings), log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()

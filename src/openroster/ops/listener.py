"""Metrics on a port of their own (`serve --metrics-port`), answered by the serve process itself.

prometheus_client's exporter runs in a thread of the process that supervises the workers, and
adds up what every worker wrote to the multiprocess folder. It answers every path with the
metrics and asks for no credentials: the address it is bound to (127.0.0.1 by default) is what
keeps it private.
"""

from __future__ import annotations

from prometheus_client import start_http_server

from openroster.ops import metrics
from openroster.ops.store_metrics import StoreCollector
from openroster.store.dialects import create_engine


def serve_metrics(host: str, port: int, database_url: str) -> None:
    """Start answering scrapes on host:port in a background thread; raises OSError if it cannot listen."""
    registry = metrics.scrape_registry(StoreCollector(create_engine(database_url)))
    start_http_server(port, addr=host, registry=registry)

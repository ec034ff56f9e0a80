"""Metrics read from the store at scrape time: its size, its data revision, and the import log.

Imports run in their own process (`openroster import`), so the server learns of them from the
import log (store/import_log.py), not from counters of its own. Records per entity are counted
again only when the data revision has moved and at most once a minute (`store/dialects.py`
says how each backend counts cheaply); the import log is one aggregate query.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.metrics_core import Metric

from openroster.model.catalogue import ENTITIES
from openroster.store import import_log
from openroster.store.dialects import read_connection, row_counts
from openroster.store.schema import TABLES
from openroster.store.writes import revision

log = logging.getLogger("openroster.ops")

IMPORT_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0)
RECOUNT_SECONDS = 60.0  # the least time between two counts of the records
_BUDGET_MS = 5000  # a scrape must not hold a connection longer than this


@dataclass(frozen=True)
class _Counted:
    revision: int
    at: float  # time.monotonic()
    records: dict[str, int]  # entity name -> stored records, tombstones included


class StoreCollector:
    """A prometheus_client collector over one store."""

    def __init__(self, engine: sa.Engine, *, recount_seconds: float = RECOUNT_SECONDS) -> None:
        self.engine, self.recount_seconds = engine, recount_seconds
        self._counted: _Counted | None = None

    def collect(self) -> Iterator[Metric]:
        reachable = GaugeMetricFamily(
            "openroster_store_reachable", "1 when this scrape could read the store, else 0."
        )
        try:
            with read_connection(self.engine, _BUDGET_MS) as conn:
                counted = self._records(conn)
                imports = import_log.totals(conn, IMPORT_BUCKETS)
                last = import_log.last_run(conn)
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            log.warning("/metrics could not read the store: %s", type(exc).__name__)
            reachable.add_metric([], 0)
            yield reachable
            return
        reachable.add_metric([], 1)
        yield reachable
        records = GaugeMetricFamily(
            "openroster_store_records",
            "Records stored per entity, tombstones included (PostgreSQL: the planner's estimate).",
            labels=["entity"],
        )
        for name, count in counted.records.items():
            records.add_metric([name], count)
        yield records
        yield GaugeMetricFamily(
            "openroster_data_revision", "The store's data revision (X-Data-Revision).", value=counted.revision
        )
        yield from _import_metrics(imports, last)

    def _records(self, conn: sa.Connection) -> _Counted:
        current = revision(conn)
        counted = self._counted
        if counted is None or (
            counted.revision != current and time.monotonic() - counted.at >= self.recount_seconds
        ):
            rows = row_counts(conn, [TABLES[name].main for name in ENTITIES])
            counted = _Counted(current, time.monotonic(), {n: rows[TABLES[n].main.name] for n in ENTITIES})
            self._counted = counted
        return counted


def _import_metrics(
    imports: dict[bool, import_log.ImportTotals], last: import_log.ImportRun | None
) -> Iterator[Metric]:
    runs = CounterMetricFamily(
        "openroster_imports", "Imports that reached the store, by outcome.", labels=["outcome"]
    )
    durations = HistogramMetricFamily(
        "openroster_import_duration_seconds", "How long imports took, by outcome.", labels=["outcome"]
    )
    for succeeded, totals in imports.items():
        outcome = "succeeded" if succeeded else "failed"
        runs.add_metric([outcome], totals.count)
        buckets = [(str(bound), n) for bound, n in zip(IMPORT_BUCKETS, totals.at_most)]
        durations.add_metric([outcome], [*buckets, ("+Inf", totals.count)], totals.seconds)
    yield runs
    yield durations
    failed = GaugeMetricFamily(
        "openroster_last_import_failed", "1 when the last import failed (/ready is then 503), else 0."
    )
    failed.add_metric([], 0 if last is None or last.succeeded else 1)
    yield failed
    finished = imports[True].last_finished_ms
    if finished is not None:
        yield GaugeMetricFamily(
            "openroster_last_successful_import_timestamp_seconds",
            "When the last successful import ended (Unix time).",
            value=finished / 1000,
        )

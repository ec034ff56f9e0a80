"""The OAuth 1.0a nonce store: each (client, nonce, timestamp) is accepted once, across server processes.

Remembering a nonce is a write on every signed request, reads included, so it must never wait for
a long import: nonces live in a side store that no import locks (`dialects.side_store`: a file
next to a SQLite store; the `oauth_nonces` table of a PostgreSQL store, in a short transaction
of its own). If the write still cannot happen within a few seconds, the request is answered 503
with Retry-After (StoreBusy) rather than failing.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa

from openroster.errors import StoreBusy
from openroster.store.dialects import limit_lock_wait, side_store
from openroster.store.schema import oauth_nonces

BUSY_TIMEOUT_SECONDS = 3.0
SIDE_STORE_NAME = "oauth-nonces"


class NonceStore:
    def __init__(self, engine: sa.Engine, *, window_seconds: int) -> None:
        self.store_engine, self.window = engine, window_seconds
        self._engine: sa.Engine | None = None
        self._opening = threading.Lock()

    def remember(self, client_id: str, nonce: str, timestamp: int, *, now: float) -> bool:
        """Record a nonce; False when the same (client, nonce, timestamp) was already seen (a replay).

        Nonces older than the timestamp window can no longer be replayed (the timestamp check
        refuses them first), so they are dropped here.
        """
        try:
            with self._nonce_engine().begin() as conn:
                limit_lock_wait(conn, BUSY_TIMEOUT_SECONDS)
                conn.execute(
                    oauth_nonces.delete().where(oauth_nonces.c.timestamp < int(now) - 2 * self.window)
                )
                conn.execute(
                    oauth_nonces.insert().values(client_id=client_id, nonce=nonce, timestamp=timestamp)
                )
            return True
        except sa.exc.IntegrityError:
            return False
        except sa.exc.OperationalError:
            raise StoreBusy(
                "The server cannot record this request's OAuth nonce right now; retry in a few seconds.",
                refusal="nonce_store",
            ) from None

    def _nonce_engine(self) -> sa.Engine:
        with self._opening:
            if self._engine is None:
                engine = side_store(
                    self.store_engine, SIDE_STORE_NAME, busy_timeout_seconds=BUSY_TIMEOUT_SECONDS
                )
                if engine is not self.store_engine:
                    with engine.begin() as conn:
                        conn.execute(sa.schema.CreateTable(oauth_nonces, if_not_exists=True))
                        for index in oauth_nonces.indexes:
                            conn.execute(sa.schema.CreateIndex(index, if_not_exists=True))
                self._engine = engine
            return self._engine

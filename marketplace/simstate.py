"""A simulator's state on disk: one SQLite file in its state directory (standard library only).

The customs gateway simulator (``customs/simulator``) and the carrier simulator
(``logistics/fulfilment/simulator``) are other parties' processes: they keep their own
records, not in Silkway's database, and survive a restart so tests can kill one and start it
again. Each subclass gives its ``SCHEMA``.
"""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class SqliteState:
    """Thread-safe access to the state file (one connection, one lock, WAL journal)."""

    SCHEMA = ""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            self.directory / "state.sqlite3", check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(self.SCHEMA)
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, serialised with every other thread of the simulator."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()


def now() -> float:
    return time.time()


def serve_until_stopped(simulator, *, host: str, stdout) -> None:
    """Run a started simulator in a management command: print ``listening on http://HOST:PORT``
    (tests read the port from that line), wait for SIGTERM or Ctrl-C, then stop it."""
    stdout.write(f"listening on http://{host}:{simulator.port}", ending="\n")
    stdout.flush()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    simulator.stop()

"""The simulator's own state, on disk: one SQLite file in its state directory.

Nothing of Silkway's database: the simulator is customs, and keeps what customs would keep —
envelopes seen (so a resent envelope is processed once), documents by key with their status,
buyers' yearly totals, receipts waiting to be delivered, real-time check sessions. It survives
a restart, so tests can kill it and start it again.
"""

from __future__ import annotations

from marketplace.simstate import SqliteState, now

SCHEMA = """
CREATE TABLE IF NOT EXISTS envelopes (
    cop_msg_id TEXT PRIMARY KEY, sender TEXT, msg_type TEXT, received REAL);
CREATE TABLE IF NOT EXISTS documents (
    kind TEXT, key TEXT, status TEXT, xml BLOB, accepted INTEGER DEFAULT 0, updated REAL,
    sender TEXT, via TEXT, extra TEXT DEFAULT '{}', PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS buyers (
    id_number TEXT, year INTEGER, total TEXT, PRIMARY KEY (id_number, year));
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, receiver TEXT, via TEXT, due REAL, envelope BLOB,
    msg_type TEXT, delivered INTEGER DEFAULT 0);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (delivered, via, receiver, due);
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY, order_no TEXT, asked REAL, used INTEGER DEFAULT 0,
    result TEXT DEFAULT '');
CREATE TABLE IF NOT EXISTS certificates (cert_no TEXT PRIMARY KEY, der BLOB);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER);
"""


class State(SqliteState):
    SCHEMA = SCHEMA

    def next_number(self, name: str) -> int:
        """A counter that never repeats (preNo, invtNo and tax bill numbers)."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
            value = (row[0] if row else 0) + 1
            db.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (name, value))
            return value


__all__ = ["State", "now"]

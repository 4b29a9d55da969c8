"""The carrier simulator's own state, on disk: one SQLite file in its state directory.

Nothing of Silkway's database: the simulator is the carrier, and keeps what a carrier keeps —
the parcels booked with it and their planned journey, the events it has emitted (what its
tracking API answers), and the pushes still to deliver. It survives a restart, so tests can
kill it and start it again and the parcels carry on.
"""

from __future__ import annotations

from marketplace.simstate import SqliteState, now

SCHEMA = """
CREATE TABLE IF NOT EXISTS parcels (
    waybill TEXT PRIMARY KEY, carrier TEXT, route TEXT, booked REAL, stuck INTEGER DEFAULT 0,
    extra TEXT DEFAULT '{}');
CREATE TABLE IF NOT EXISTS plan (
    id INTEGER PRIMARY KEY AUTOINCREMENT, waybill TEXT, seq INTEGER, due REAL, status TEXT,
    location TEXT, text TEXT, emitted INTEGER DEFAULT 0);
CREATE INDEX IF NOT EXISTS plan_due ON plan (emitted, due);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, waybill TEXT, carrier TEXT, body TEXT, emitted REAL);
CREATE INDEX IF NOT EXISTS events_waybill ON events (waybill);
CREATE TABLE IF NOT EXISTS pushes (
    id INTEGER PRIMARY KEY AUTOINCREMENT, carrier TEXT, body TEXT, due REAL, attempts INTEGER
    DEFAULT 0, bad_signature INTEGER DEFAULT 0, delivered INTEGER DEFAULT 0, last_status TEXT
    DEFAULT '');
CREATE INDEX IF NOT EXISTS pushes_due ON pushes (delivered, due);
"""


class State(SqliteState):
    SCHEMA = SCHEMA


__all__ = ["State", "now"]

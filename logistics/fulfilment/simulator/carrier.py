"""The simulated carrier: booked parcels travel a route's journey, one event at a time.

A booking (``Carrier.book``) plans the parcel's events from the route's transit time
(``/shared/reference/tracking.md``: express 3–5 days, dedicated line 7–15, Russia / South
America 25–30, postal 15–30, bonded warehouse → shopper in China 1–5, direct mail into
China about 2 weeks), compressed by ``speed`` (simulated seconds per real second: 86400 makes
a day pass in a second). Each event is emitted when due: kept for the tracking API
(``GET /track``) and, for carriers that push, queued as a signed webhook to the platform.

Faults (``Faults``, changed live with ``POST /_faults``): duplicates (a push sent twice),
out-of-order (a push held back behind the next), bad signatures (the first attempt signed
with a wrong key; the carrier then retries correctly), failed delivery attempts, lost parcels,
a pause (nothing emitted or sent), and a stuck parcel (``POST /_parcels/<waybill>/stick``).
Pushes are delivered at least once: a refusal or an outage is retried with a backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import threading
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime

import requests

from ..statuses import VOCABULARIES, Vocabulary
from .state import State, now

log = logging.getLogger("fulfilment.simulator")

DAY = 86400.0


@dataclass(frozen=True)
class Route:
    min_days: float
    max_days: float
    customs: bool  # a customs stop on the way (imports into China; destination customs abroad)


ROUTES: dict[str, Route] = {
    "express": Route(3, 5, True),
    "dedicated_line": Route(7, 15, True),
    "russia_south_america": Route(25, 30, True),
    "postal": Route(15, 30, True),
    "bonded_domestic": Route(1, 5, False),  # customs released the goods before dispatch
    "direct_china": Route(12, 16, True),
}

# (share of the journey, status, where, carrier's text)
JOURNEY = [
    (0.00, "info_received", "origin", "Shipment information received"),
    (0.03, "in_transit", "origin", "Picked up by courier"),
    (0.10, "in_transit", "origin", "Departed origin facility"),
    (0.45, "in_transit", "port", "Arrived at destination hub"),
    (0.55, "customs", "port", "Held by customs for inspection"),
    (0.70, "customs_released", "port", "Released by customs"),
    (0.80, "in_transit", "destination", "Departed hub for delivery"),
    (0.95, "out_for_delivery", "destination", "Out for delivery"),
    (1.00, "delivered", "destination", "Delivered, signed for"),
]


@dataclass
class Faults:
    duplicate_rate: float = 0.0
    reorder_rate: float = 0.0
    reorder_seconds: float = 2.0
    bad_signature_rate: float = 0.0
    attempt_failed_rate: float = 0.0
    lost_rate: float = 0.0
    paused: bool = False

    def update(self, values: dict) -> Faults:
        known = {k: v for k, v in values.items() if k in self.__dataclass_fields__}
        return replace(self, **known)


@dataclass
class CarrierAccount:
    code: str
    secret: str = ""
    push: bool = True
    vocabulary: str = Vocabulary.SILKWAY


def raw_status(vocabulary: str, status: str) -> str:
    """Our status in the carrier's vocabulary (its first raw status that maps onto it)."""
    for raw, mapped in VOCABULARIES.get(vocabulary, {}).items():
        if mapped == status:
            return raw
    return status


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


@dataclass
class Carrier:
    state: State
    accounts: dict[str, CarrierAccount]
    platform_url: str = ""
    speed: float = 1.0
    seed: int | None = None
    faults: Faults = field(default_factory=Faults)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)  # noqa: S311 - a simulation, not a secret
        self._lock = threading.Lock()

    # -- bookings -----------------------------------------------------------------------

    def book(self, booking: dict) -> dict:
        """Plan a parcel's journey (idempotent per waybill)."""
        waybill = str(booking["waybill"])
        carrier = str(booking.get("carrier") or next(iter(self.accounts)))
        route_key = booking.get("route") if booking.get("route") in ROUTES else "express"
        if self.state.query("SELECT 1 FROM parcels WHERE waybill = ?", (waybill,)):
            return self.parcel(waybill)
        route = ROUTES[route_key]
        places = {
            "origin": booking.get("origin") or "Auckland, NZ",
            "port": booking.get("port") or "Shanghai Pudong customs, CN",
            "destination": booking.get("destination") or "Shanghai, CN",
        }
        with self._lock:
            days = self.random.uniform(route.min_days, route.max_days)
            lost = self.random.random() < self.faults.lost_rate
            failed = self.random.random() < self.faults.attempt_failed_rate
        journey = [step for step in JOURNEY if route.customs or not step[1].startswith("customs")]
        if failed:
            journey = journey[:-1] + [
                (0.96, "attempt_failed", "destination", "Nobody home, will try again"),
                (0.98, "out_for_delivery", "destination", "Out for delivery, second attempt"),
                journey[-1],
            ]
        if lost:
            journey = journey[:4] + [(0.5, "exception", "port", "Parcel lost in transit")]
        booked = now()
        total = days * DAY / max(self.speed, 1e-9)
        with self.state.transaction() as db:
            db.execute(
                "INSERT INTO parcels (waybill, carrier, route, booked, extra) VALUES (?,?,?,?,?)",
                (waybill, carrier, route_key, booked, json.dumps({"days": days, **places})),
            )
            for seq, (share, status, where, text) in enumerate(journey):
                db.execute(
                    "INSERT INTO plan (waybill, seq, due, status, location, text) "
                    "VALUES (?,?,?,?,?,?)",
                    (waybill, seq, booked + share * total, status, places[where], text),
                )
        return self.parcel(waybill)

    def parcel(self, waybill: str) -> dict:
        rows = self.state.query(
            "SELECT carrier, route, booked, stuck, extra FROM parcels WHERE waybill = ?",
            (waybill,),
        )
        if not rows:
            return {}
        carrier, route, booked, stuck, extra = rows[0]
        plan = self.state.query(
            "SELECT due, status, location, text, emitted FROM plan WHERE waybill = ? ORDER BY seq",
            (waybill,),
        )
        return {
            "waybill": waybill,
            "carrier": carrier,
            "route": route,
            "booked": iso(booked),
            "stuck": bool(stuck),
            **json.loads(extra),
            "plan": [
                {"due": iso(d), "status": s, "location": loc, "text": t, "emitted": bool(e)}
                for d, s, loc, t, e in plan
            ],
        }

    def stick(self, waybill: str) -> bool:
        with self.state.transaction() as db:
            return (
                db.execute("UPDATE parcels SET stuck = 1 WHERE waybill = ?", (waybill,)).rowcount
                > 0
            )

    # -- emitting -----------------------------------------------------------------------

    def emit_due(self, at: float | None = None) -> int:
        """Emit every planned event that is due (not while paused, not for stuck parcels)."""
        if self.faults.paused:
            return 0
        at = at or now()
        due = self.state.query(
            "SELECT plan.id, plan.waybill, parcels.carrier, plan.due, plan.status, "
            "plan.location, plan.text FROM plan JOIN parcels USING (waybill) "
            "WHERE plan.emitted = 0 AND plan.due <= ? AND parcels.stuck = 0 ORDER BY plan.due",
            (at,),
        )
        for pk, waybill, carrier, when, status, location, text in due:
            account = self.accounts.get(carrier) or CarrierAccount(code=carrier, push=False)
            body = {
                "waybill": waybill,
                "status": raw_status(account.vocabulary, status),
                "time": iso(when),
                "location": location,
                "text": text,
            }
            with self._lock:
                copies = 2 if self.random.random() < self.faults.duplicate_rate else 1
                held = self.random.random() < self.faults.reorder_rate
                bad = self.random.random() < self.faults.bad_signature_rate
            with self.state.transaction() as db:
                db.execute("UPDATE plan SET emitted = 1 WHERE id = ?", (pk,))
                db.execute(
                    "INSERT INTO events (waybill, carrier, body, emitted) VALUES (?,?,?,?)",
                    (waybill, carrier, json.dumps(body), at),
                )
                if account.push and self.platform_url:
                    for _ in range(copies):
                        db.execute(
                            "INSERT INTO pushes (carrier, body, due, bad_signature) "
                            "VALUES (?,?,?,?)",
                            (
                                carrier,
                                json.dumps({"events": [body]}),
                                at + (self.faults.reorder_seconds if held else 0),
                                int(bad),
                            ),
                        )
        return len(due)

    def events_for(self, waybills: list[str]) -> list[dict]:
        """What the tracking API answers: every event emitted for these waybills."""
        if not waybills:
            return []
        marks = ",".join("?" * len(waybills))
        rows = self.state.query(
            f"SELECT body FROM events WHERE waybill IN ({marks}) ORDER BY id",  # noqa: S608
            tuple(waybills),
        )
        return [json.loads(body) for (body,) in rows]

    # -- pushing ------------------------------------------------------------------------

    def push_due(self, at: float | None = None, timeout: float = 5.0) -> int:
        """Send the pushes that are due; returns how many were taken by the platform."""
        if self.faults.paused:
            return 0
        at = at or now()
        rows = self.state.query(
            "SELECT id, carrier, body, attempts, bad_signature FROM pushes "
            "WHERE delivered = 0 AND due <= ? ORDER BY due, id LIMIT 50",
            (at,),
        )
        taken = 0
        for pk, carrier, body, attempts, bad in rows:
            account = self.accounts.get(carrier)
            if account is None:
                continue
            raw = body.encode()
            secret = "not-the-secret" if bad and attempts == 0 else account.secret
            url = f"{self.platform_url.rstrip('/')}/tracking/webhooks/{carrier}/"
            try:
                response = requests.post(
                    url,
                    data=raw,
                    headers={
                        "Content-Type": "application/json",
                        "X-Silkway-Signature": signature(secret, raw),
                    },
                    timeout=timeout,
                )
                status = str(response.status_code)
                ok = response.ok
            except requests.RequestException as exc:
                status, ok = type(exc).__name__, False
            with self.state.transaction() as db:
                if ok:
                    taken += 1
                    db.execute(
                        "UPDATE pushes SET delivered = 1, attempts = attempts + 1, "
                        "last_status = ? WHERE id = ?",
                        (status, pk),
                    )
                else:
                    retry = 0.0 if (bad and attempts == 0) else min(30.0, 0.5 * 2**attempts)
                    db.execute(
                        "UPDATE pushes SET attempts = attempts + 1, due = ?, last_status = ? "
                        "WHERE id = ?",
                        (now() + retry, status, pk),
                    )
        return taken

    # -- the control side ---------------------------------------------------------------

    def snapshot(self) -> dict:
        def one(sql: str) -> int:
            return self.state.query(sql)[0][0]

        return {
            "speed": self.speed,
            "platform_url": self.platform_url,
            "carriers": {
                code: {"push": a.push, "vocabulary": a.vocabulary}
                for code, a in self.accounts.items()
            },
            "faults": asdict(self.faults),
            "parcels": one("SELECT count(*) FROM parcels"),
            "events_emitted": one("SELECT count(*) FROM events"),
            "events_planned": one("SELECT count(*) FROM plan WHERE emitted = 0"),
            "pushes_delivered": one("SELECT count(*) FROM pushes WHERE delivered = 1"),
            "pushes_waiting": one("SELECT count(*) FROM pushes WHERE delivered = 0"),
            "pushes_refused": one("SELECT count(*) FROM pushes WHERE attempts > delivered"),
        }

"""The carrier simulator as a process: HTTP front (bookings, tracking API, control) and two
threads, one emitting due events, one pushing signed webhooks to the platform.

HTTP:

- ``POST /shipments`` ``{"waybill", "carrier", "route", "origin", "port", "destination"}`` —
  book a parcel (the label); idempotent per waybill; answers the planned journey;
- ``GET /track?waybills=A,B`` — the events emitted so far (the polling door);
- ``GET /_health``, ``GET /_state``, ``GET /_parcels/<waybill>``, ``POST /_faults``
  (``Faults`` fields), ``POST /_pause``, ``POST /_resume``, ``POST /_parcels/<waybill>/stick``.
"""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from .carrier import Carrier

log = logging.getLogger("fulfilment.simulator")


class Simulator:
    def __init__(self, carrier: Carrier, *, host: str = "127.0.0.1", port: int = 0, tick=0.1):
        self.carrier = carrier
        self.tick = tick
        self._stop = threading.Event()
        self.httpd = ThreadingHTTPServer((host, port), _handler(self))
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._threads: list[threading.Thread] = []

    def start(self) -> Simulator:
        for target, name in (
            (self.httpd.serve_forever, "http"),
            (self._emit, "emit"),
            (self._push, "push"),
        ):
            thread = threading.Thread(target=target, name=f"carrier-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _emit(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                self.carrier.emit_due()
            except Exception:  # noqa: BLE001 - keep the carrier running
                log.exception("emitting failed")

    def _push(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                self.carrier.push_due()
            except Exception:  # noqa: BLE001
                log.exception("pushing failed")

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self.carrier.state.close()


def _handler(sim: Simulator):
    carrier = sim.carrier

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
            log.debug(format, *args)

        def _json(self, status: int, body) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _body(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                data = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return {}
            return data if isinstance(data, dict) else {}

        def do_GET(self):  # noqa: N802 - the stdlib's name
            url = urlparse(self.path)
            if url.path == "/_health":
                return self._json(200, {"ok": True})
            if url.path == "/_state":
                return self._json(200, carrier.snapshot())
            if url.path.startswith("/_parcels/"):
                parcel = carrier.parcel(url.path.removeprefix("/_parcels/").strip("/"))
                return self._json(200 if parcel else 404, parcel or {"error": "unknown waybill"})
            if url.path == "/track":
                asked = parse_qs(url.query).get("waybills", [""])[0]
                waybills = [w for w in asked.split(",") if w][:100]
                return self._json(200, {"events": carrier.events_for(waybills)})
            return self._json(404, {"error": "not found"})

        def do_POST(self):  # noqa: N802
            url = urlparse(self.path)
            body = self._body()
            if url.path == "/shipments":
                if not body.get("waybill"):
                    return self._json(400, {"error": "waybill required"})
                return self._json(201, carrier.book(body))
            if url.path == "/_faults":
                carrier.faults = carrier.faults.update(body)
                return self._json(200, carrier.snapshot()["faults"])
            if url.path in ("/_pause", "/_resume"):
                carrier.faults = carrier.faults.update({"paused": url.path == "/_pause"})
                return self._json(200, {"paused": carrier.faults.paused})
            if url.path.startswith("/_parcels/") and url.path.endswith("/stick"):
                waybill = url.path.removeprefix("/_parcels/").removesuffix("/stick")
                found = carrier.stick(waybill)
                return self._json(200 if found else 404, {"stuck": found})
            return self._json(404, {"error": "not found"})

    return Handler

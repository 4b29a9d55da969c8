"""The gateway simulator as a process: HTTP front, AMQP consumer, receipt deliverer.

HTTP (the local e-port proxy shape, plus control endpoints for tests and the demo):

- ``POST /dxp/messages`` — an envelope (application/xml); ``{"code": "0000"}`` when taken,
  4xx with a DXP error code (0002 schema, 2001 unknown receiver) when refused;
- ``GET /dxp/receipts?receiver=ID&limit=N`` — receipts due for ``ID`` (at least once: they
  stay until acknowledged); ``POST /dxp/receipts/ack`` ``{"receiver", "ids"}``;
- ``POST /ceb2grab/grab/realTimeDataUpload`` — the 179 upload (form field ``payExInfoStr``);
- ``GET /_health``, ``GET /_state``, ``POST /_faults``, ``POST /_certificates``,
  ``POST /_realtime/ask`` ``{"order_no", "platform_url"}``, ``GET /_realtime/sessions``.

AMQP (when ``--amqp`` is given): envelopes are consumed from ``<prefix>.in.DXPEDCCEB0000002``
and acknowledged after processing; receipts are published to ``<prefix>.out.<sender id>``.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import requests
from kombu import Connection, Queue
from kombu.exceptions import KombuError, OperationalError

from customs.gateway.transports import in_queue, out_queue
from customs.realtime import payex
from customs.signing import keys
from customs.signing.algorithms import SignatureInvalid, algorithm_of_key, verify_with_public_key

from .office import SIMULATOR_ID, CustomsOffice
from .state import now

log = logging.getLogger("customs.simulator")


class Simulator:
    """One simulator: the office, an HTTP server, and optionally the AMQP side."""

    def __init__(
        self,
        office: CustomsOffice,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        amqp_url: str | None = None,
        prefix: str = "ceb",
    ):
        self.office = office
        self.amqp_url = amqp_url
        self.prefix = prefix
        self._stop = threading.Event()
        self.httpd = ThreadingHTTPServer((host, port), _handler(self))
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._threads: list[threading.Thread] = []

    def start(self) -> Simulator:
        self._spawn(self.httpd.serve_forever, "http")
        if self.amqp_url:
            self._spawn(self._consume, "amqp-consume")
            self._spawn(self._deliver, "amqp-deliver")
        return self

    def _spawn(self, target, name: str) -> None:
        thread = threading.Thread(target=target, name=f"simulator-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self.office.state.close()

    # ----------------------------------------------------------------- AMQP -------------

    def _consume(self) -> None:
        queue = Queue(in_queue(self.prefix, SIMULATOR_ID), durable=True, auto_delete=False)
        while not self._stop.is_set():
            try:
                with Connection(self.amqp_url, connect_timeout=5, heartbeat=0) as conn:
                    inbox = conn.SimpleQueue(queue)
                    while not self._stop.is_set():
                        try:
                            message = inbox.get(block=True, timeout=0.5)
                        except inbox.Empty:
                            continue
                        self._latency()
                        self.office.receive(bytes(message.body), via="amqp")
                        message.ack()
            except (OperationalError, KombuError, OSError) as exc:
                log.warning("simulator AMQP consumer: %s; reconnecting", exc)
                self._stop.wait(1.0)

    def _deliver(self) -> None:
        while not self._stop.is_set():
            try:
                with Connection(self.amqp_url, connect_timeout=5, heartbeat=0) as conn:
                    producer = conn.Producer()
                    while not self._stop.is_set():
                        due = self.office.due_receipts(via="amqp", limit=200)
                        if not due:
                            self._stop.wait(0.05)
                            continue
                        for receipt_id, receiver, envelope in due:
                            queue = Queue(
                                out_queue(self.prefix, receiver), durable=True, auto_delete=False
                            )
                            producer.publish(
                                bytes(envelope),
                                routing_key=queue.name,
                                declare=[queue],
                                delivery_mode=2,
                                content_type="application/xml",
                                content_encoding="binary",
                            )
                            self.office.mark_delivered([receipt_id])
            except (OperationalError, KombuError, OSError) as exc:
                log.warning("simulator AMQP deliverer: %s; reconnecting", exc)
                self._stop.wait(1.0)

    def _latency(self) -> None:
        latency = self.office.faults.latency_ms
        if latency:
            time.sleep(latency / 1000.0)

    # ----------------------------------------------------------------- 179 --------------

    def ask_realtime(self, order_no: str, platform_url: str, timeout: float = 5.0) -> dict:
        """Call a platform's data endpoint with openReq, as customs does; record the session."""
        session_id = f"{uuid.uuid4().hex[:6]}-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:8]}"
        service_time = str(int(now() * 1000))
        with self.office.state.transaction() as db:
            db.execute(
                "INSERT INTO sessions (session_id, order_no, asked) VALUES (?, ?, ?)",
                (session_id, order_no, now()),
            )
        started = time.monotonic()
        try:
            response = requests.post(
                platform_url,
                data={"openReq": payex.open_request(order_no, session_id, service_time)},
                timeout=timeout,
            )
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            answer = {"code": "error", "message": str(exc)}
        elapsed = time.monotonic() - started
        return {"session_id": session_id, "answer": answer, "seconds": round(elapsed, 3)}

    def check_upload(self, body: str) -> dict:
        """Check a 179 upload: fields, registered certificate, signature, one use per session."""
        try:
            upload = payex.parse_upload(body)
        except payex.UploadInvalid as exc:
            return {"code": payex.FAILURE, "message": f"数据格式错误：{exc}"}
        rows = self.office.state.query(
            "SELECT order_no, used FROM sessions WHERE session_id = ?", (upload.session_id,)
        )
        if not rows:
            return {"code": "20001", "message": "sessionID不存在"}
        order_no, used = rows[0]
        if used:
            return {"code": "20002", "message": "sessionID已使用，不能重复上传"}
        if order_no not in {item.order_no for item in upload.items}:
            return {"code": "20003", "message": f"上传数据未包含请求的订单[{order_no}]"}
        certs = self.office.state.query(
            "SELECT der FROM certificates WHERE cert_no = ?", (upload.cert_no,)
        )
        if not certs:
            return {"code": "20004", "message": f"证书编号[{upload.cert_no}]未备案"}
        try:
            public = keys.certificate_public_key(bytes(certs[0][0]))
            algorithm = _algorithm_of_public(public)
            verify_with_public_key(public, algorithm, upload.signed_text.encode(), upload.signature)
        except (SignatureInvalid, keys.KeyError_) as exc:
            self._close_session(upload.session_id, f"bad signature: {exc}")
            return {"code": "20005", "message": "验签失败"}
        self._close_session(upload.session_id, "ok")
        return {"code": payex.SUCCESS, "message": "", "serviceTime": str(int(now() * 1000))}

    def _close_session(self, session_id: str, result: str) -> None:
        with self.office.state.transaction() as db:
            db.execute(
                "UPDATE sessions SET used = 1, result = ? WHERE session_id = ?",
                (result, session_id),
            )


def _algorithm_of_public(public) -> object:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from customs.signing.algorithms import SignatureAlgorithm

    return (
        SignatureAlgorithm.RSA_SHA1
        if isinstance(public, rsa.RSAPublicKey)
        else SignatureAlgorithm.SM2_SM3
    )


def _handler(sim: Simulator):
    office = sim.office

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
            log.debug("simulator http: " + format, *args)

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _drop(self) -> None:
            self.close_connection = True
            self.connection.close()

        def do_GET(self):  # noqa: N802 - the stdlib's name
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path == "/_health":
                return self._json(200, {"status": "ok", "amqp": bool(sim.amqp_url)})
            if url.path == "/_state":
                return self._json(200, office.summary())
            if url.path == "/_realtime/sessions":
                rows = office.state.query("SELECT session_id, order_no, used, result FROM sessions")
                return self._json(
                    200,
                    {
                        "sessions": [
                            dict(zip(("session_id", "order_no", "used", "result"), r, strict=True))
                            for r in rows
                        ]
                    },
                )
            if url.path == "/dxp/receipts":
                receiver = (query.get("receiver") or [""])[0]
                limit = min(int((query.get("limit") or ["100"])[0]), 500)
                rows = office.due_receipts(via="http", receiver=receiver, limit=limit)
                return self._json(
                    200,
                    {
                        "receipts": [
                            {"id": str(i), "envelope": base64.b64encode(bytes(env)).decode()}
                            for i, _, env in rows
                        ]
                    },
                )
            return self._json(404, {"code": "404", "message": "not found"})

        def do_POST(self):  # noqa: N802
            url = urlparse(self.path)
            body = self._body()
            faults = office.faults
            if url.path == "/dxp/messages":
                if office.random.random() < faults.drop_rate:
                    return self._drop()
                if office.random.random() < faults.http_500_rate:
                    return self._json(500, {"code": "3001", "message": "系统错误"})
                sim._latency()
                outcome = office.receive(body, via="http")
                if office.random.random() < faults.timeout_rate:
                    time.sleep(faults.timeout_s)
                status = 200 if outcome.code == "0000" else 400
                return self._json(
                    status,
                    {
                        "code": outcome.code,
                        "message": outcome.message,
                        "copMsgId": outcome.cop_msg_id,
                        "duplicate": outcome.duplicate,
                    },
                )
            if url.path == "/dxp/receipts/ack":
                data = json.loads(body or b"{}")
                office.mark_delivered([int(i) for i in data.get("ids", [])], data.get("receiver"))
                return self._json(200, {"code": "0000"})
            if url.path == "/ceb2grab/grab/realTimeDataUpload":
                form = parse_qs(body.decode("utf-8"))
                return self._json(200, sim.check_upload((form.get("payExInfoStr") or [""])[0]))
            if url.path == "/_faults":
                office.faults = office.faults.update(json.loads(body or b"{}"))
                return self._json(200, {"faults": office.faults.__dict__})
            if url.path == "/_certificates":
                data = json.loads(body)
                with office.state.transaction() as db:
                    db.execute(
                        "INSERT OR REPLACE INTO certificates VALUES (?, ?)",
                        (data["cert_no"], base64.b64decode(data["certificate"])),
                    )
                return self._json(200, {"code": "0000"})
            if url.path == "/_realtime/ask":
                data = json.loads(body)
                return self._json(200, sim.ask_realtime(data["order_no"], data["platform_url"]))
            return self._json(404, {"code": "404", "message": "not found"})

    return Handler


__all__ = ["Simulator", "algorithm_of_key"]

"""Transports to the customs data exchange: AMQP (RabbitMQ) and HTTP, behind one interface.

Both move DXP envelopes, never anything else (:func:`~.sealing.require_sealed`), and both
deliver receipts at least once: a receipt is removed only when the caller ``ack()``s it, after
storing it. Failures are sorted for the retry logic:

- :class:`TransportUnavailable`: try again later (connection refused or dropped, timeout,
  HTTP 5xx, broker gone);
- :class:`TransportRejected`: the gateway refused this envelope (HTTP 4xx with a DXP error
  code, e.g. 0002 schema validation failed); resending it unchanged will not help.

AMQP: envelopes are published persistent, with publisher confirms, to the queue
``<prefix>.in.<receiver id>``; receipts for us wait in ``<prefix>.out.<our sender id>``. HTTP:
``POST /dxp/messages`` (the envelope as ``application/xml``), ``GET /dxp/receipts?receiver=``
and ``POST /dxp/receipts/ack`` (the protocol of local e-port HTTP proxies varies [practice];
this is the simulator's, documented in docs/CUSTOMS.md).
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import requests
from kombu import Connection, Queue
from kombu.exceptions import KombuError, OperationalError

from .sealing import SealedMessage, require_sealed

DEFAULT_PREFIX = "ceb"


class TransportError(RuntimeError):
    """A transport could not deliver."""


class TransportUnavailable(TransportError):
    """Temporary: the other side is down, slow or dropped us. Retry with backoff."""


class TransportRejected(TransportError):
    """Permanent: the gateway refused the envelope (``code`` is its DXP error code)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass(frozen=True, slots=True)
class Inbound:
    """A receipt envelope as it arrived; call ``ack()`` once it is stored."""

    envelope: bytes
    ack: Callable[[], None]


class Transport(Protocol):
    """What the declaration layer's workers use, whatever the wire."""

    def send(self, message: SealedMessage) -> None:
        """Hand one sealed message to the gateway; raise TransportError on failure."""
        ...

    def receive(self, *, limit: int = 100, timeout: float = 1.0) -> list[Inbound]:
        """Up to ``limit`` receipt envelopes waiting for us (waits at most ``timeout``)."""
        ...

    def close(self) -> None: ...


def in_queue(prefix: str, receiver_id: str) -> str:
    """The queue customs (the simulator) reads envelopes for ``receiver_id`` from."""
    return f"{prefix}.in.{receiver_id}"


def out_queue(prefix: str, sender_id: str) -> str:
    """The queue where receipts for ``sender_id`` wait."""
    return f"{prefix}.out.{sender_id}"


class AmqpTransport:
    """AMQP 0-9-1 to RabbitMQ through kombu (py-amqp), one connection per transport."""

    def __init__(
        self,
        url: str,
        *,
        sender_id: str,
        receiver_id: str,
        prefix: str = DEFAULT_PREFIX,
        timeout: float = 5.0,
    ):
        self.sender_id = sender_id
        self.receiver_id = receiver_id
        self.prefix = prefix
        self._connection = Connection(
            url,
            connect_timeout=timeout,
            transport_options={"confirm_publish": True},
            heartbeat=0,
        )
        self._timeout = timeout
        self._inbox = None

    def _queue(self, name: str) -> Queue:
        return Queue(name, durable=True, auto_delete=False)

    def send(self, message: SealedMessage) -> None:
        sealed = require_sealed(message)
        queue = self._queue(in_queue(self.prefix, self.receiver_id))
        try:
            self._connection.ensure_connection(max_retries=1, timeout=self._timeout)
            with self._connection.Producer() as producer:
                producer.publish(
                    sealed.envelope,
                    routing_key=queue.name,
                    declare=[queue],
                    delivery_mode=2,
                    content_type="application/xml",
                    content_encoding="binary",
                    message_id=sealed.cop_msg_id,
                    headers={"MsgType": sealed.message_type, "SenderId": self.sender_id},
                    retry=False,
                    timeout=self._timeout,
                )
        except (TimeoutError, OperationalError, KombuError, OSError) as exc:
            self._reset()
            raise TransportUnavailable(f"AMQP publish failed: {exc}") from exc

    def receive(self, *, limit: int = 100, timeout: float = 1.0) -> list[Inbound]:
        try:
            if self._inbox is None:
                self._connection.ensure_connection(max_retries=1, timeout=self._timeout)
                self._inbox = self._connection.SimpleQueue(
                    self._queue(out_queue(self.prefix, self.sender_id))
                )
            out: list[Inbound] = []
            wait = timeout
            while len(out) < limit:
                try:
                    message = self._inbox.get(block=wait > 0, timeout=wait or None)
                except self._inbox.Empty:
                    break
                wait = 0  # after the first receipt, take only what is already there
                out.append(Inbound(bytes(message.body), message.ack))
            return out
        except (TimeoutError, OperationalError, KombuError, OSError) as exc:
            self._reset()
            raise TransportUnavailable(f"AMQP receive failed: {exc}") from exc

    def _reset(self) -> None:
        inbox, self._inbox = self._inbox, None
        if inbox is not None:
            with contextlib.suppress(KombuError, OSError):
                inbox.close()
        self._connection.release()

    def close(self) -> None:
        self._reset()


class HttpTransport:
    """HTTP to a local e-port proxy (or the simulator), with connect and read timeouts."""

    def __init__(
        self,
        base_url: str,
        *,
        sender_id: str,
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.sender_id = sender_id
        self._timeout = (connect_timeout, read_timeout)
        self._session = requests.Session()

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self._session.request(
                method, self.base_url + path, timeout=self._timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise TransportUnavailable(f"HTTP {method} {path} failed: {exc}") from exc
        if response.status_code >= 500:
            raise TransportUnavailable(f"HTTP {response.status_code} from the gateway")
        try:
            body = response.json()
        except ValueError as exc:
            raise TransportUnavailable(f"HTTP {response.status_code}: not JSON") from exc
        if response.status_code >= 400:
            raise TransportRejected(
                str(body.get("code", response.status_code)), body.get("message", "")
            )
        return body

    def send(self, message: SealedMessage) -> None:
        sealed = require_sealed(message)
        self._call(
            "POST",
            "/dxp/messages",
            data=sealed.envelope,
            headers={"Content-Type": "application/xml", "X-Cop-Msg-Id": sealed.cop_msg_id},
        )

    def receive(self, *, limit: int = 100, timeout: float = 1.0) -> list[Inbound]:
        body = self._call(
            "GET", "/dxp/receipts", params={"receiver": self.sender_id, "limit": limit}
        )
        return [
            Inbound(base64.b64decode(item["envelope"]), self._acker(item["id"]))
            for item in body.get("receipts", [])
        ]

    def _acker(self, receipt_id: str) -> Callable[[], None]:
        def ack() -> None:
            self._call(
                "POST",
                "/dxp/receipts/ack",
                data=json.dumps({"ids": [receipt_id], "receiver": self.sender_id}),
                headers={"Content-Type": "application/json"},
            )

        return ack

    def close(self) -> None:
        self._session.close()

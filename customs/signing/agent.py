"""Remote signing agent backend: sign over a WebSocket with the e-port USB-key client protocol.

The e-port's client control (中国电子口岸客户端控件) runs on a Windows machine with the USB key
(Ukey/IC card) and listens on a local WebSocket (``ws://127.0.0.1:61232``). It speaks JSON
frames [practice, from the e-port's own JavaScript library and public integrations]:

- on connect the agent sends ``{"_id": 0, "_method": "open", "_status": "00", ...}``;
- a request is ``{"_method": NAME, "_id": N, "args": {...}}``;
- the answer is ``{"_id": N, "_method": NAME, "_status": "00",
  "_args": {"Result": true|false, "Data": [...], "Error": [...]}}``.

Methods used here:

| method | args | Data |
| --- | --- | --- |
| ``cus-sec_SpcSignDataAsPEM`` | ``inData`` (the text to sign: canonical SignedInfo or the 179 text), ``passwd`` (the key's PIN) | ``[signature value (base64), certificate number]`` |
| ``cus-sec_SpcGetSignCertAsPEM`` | ``passwd`` | ``[certificate (base64 DER or PEM)]`` |
| ``cus-sec_SpcGetCertNo`` | ``passwd`` | ``[certificate number]`` (our health check) |

Because the client only listens on 127.0.0.1 of its Windows machine, a deployment puts a
relay (any WebSocket proxy) beside it, or runs ``customs.signing.agent_standin`` (our
stand-in, which speaks the same protocol over a software key or a PKCS#11 token) where no
USB key is needed. Our side: one :class:`AgentSigner` per key, each owning one connection in
its own worker thread (the USB key signs one request at a time, ~250 a minute), with
connect, request and health-check timeouts and reconnection.
"""

from __future__ import annotations

import base64
import json
import queue
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from .algorithms import SignatureAlgorithm
from .keys import load_certificate
from .signers import SignerRefused, SignerUnavailable

SIGN = "cus-sec_SpcSignDataAsPEM"
GET_CERT = "cus-sec_SpcGetSignCertAsPEM"
GET_CERT_NO = "cus-sec_SpcGetCertNo"


class AgentSigner:
    """A Signer whose key sits behind a remote signing agent (one worker thread per key)."""

    def __init__(
        self,
        url: str,
        *,
        algorithm: SignatureAlgorithm,
        password: str = "",
        certificate_der: bytes | None = None,
        key_name: str | None = None,
        connect_timeout: float = 3.0,
        request_timeout: float = 10.0,
    ):
        self.url = url
        self.algorithm = algorithm
        self._password = password
        self._connect_timeout = connect_timeout
        self._request_timeout = request_timeout
        self._requests: queue.Queue = queue.Queue()
        self._worker = threading.Thread(target=self._run, name=f"signing-agent {url}", daemon=True)
        self._closed = threading.Event()
        self._worker.start()
        if certificate_der is None:
            (cert,) = self._call(GET_CERT, {"passwd": password})[:1]
            certificate_der = load_certificate(cert.encode())
        self.certificate_der = certificate_der
        self.key_name = key_name or self._call(GET_CERT_NO, {"passwd": password})[0]

    # -- Signer ---------------------------------------------------------------------------

    def sign(self, data: bytes) -> bytes:
        value, _cert_no = self._call(
            SIGN, {"inData": data.decode("utf-8"), "passwd": self._password}
        )[:2]
        try:
            return base64.b64decode("".join(value.split()), validate=True)
        except ValueError as exc:
            raise SignerRefused(
                f"the agent returned a signature that is not base64: {exc}"
            ) from exc

    def health(self) -> None:
        """Ask the agent for the certificate number, with a short timeout."""
        (cert_no,) = self._call(GET_CERT_NO, {"passwd": self._password}, timeout=3.0)[:1]
        if cert_no != self.key_name:
            raise SignerUnavailable(
                f"the agent now holds certificate {cert_no}, not {self.key_name}"
            )

    def close(self) -> None:
        self._closed.set()
        self._requests.put(None)
        self._worker.join(timeout=5)

    # -- the worker -----------------------------------------------------------------------

    def _call(self, method: str, args: dict, *, timeout: float | None = None) -> list:
        if self._closed.is_set():
            raise SignerUnavailable("the signer is closed")
        future: Future = Future()
        self._requests.put((method, args, future))
        try:
            return future.result(timeout=(timeout or self._request_timeout) + self._connect_timeout)
        except FutureTimeout as exc:
            raise SignerUnavailable(f"the signing agent did not answer {method} in time") from exc

    def _run(self) -> None:
        connection = None
        next_id = 1
        while True:
            item = self._requests.get()
            if item is None:
                break
            method, args, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                if connection is None:
                    # One long-lived connection owned by this worker (not a with-block).
                    connection = connect(
                        self.url, open_timeout=self._connect_timeout, close_timeout=1, legacy=True
                    )
                    hello = json.loads(connection.recv(timeout=self._connect_timeout))
                    if hello.get("_method") != "open":
                        raise SignerUnavailable("the agent did not open the session")
                request_id, next_id = next_id, next_id + 1
                connection.send(
                    json.dumps(
                        {"_method": method, "_id": request_id, "args": args}, ensure_ascii=False
                    )
                )
                while True:
                    answer = json.loads(connection.recv(timeout=self._request_timeout))
                    if answer.get("_id") == request_id:
                        break
                body = answer.get("_args") or {}
                if not body.get("Result"):
                    errors = "; ".join(body.get("Error") or ["unknown error"])
                    raise SignerUnavailable(f"the signing agent refused {method}: {errors}")
                future.set_result(list(body.get("Data") or []))
            except (OSError, TimeoutError, WebSocketException, ValueError) as exc:
                if connection is not None:
                    connection.close()
                connection = None
                future.set_exception(SignerUnavailable(f"signing agent {self.url}: {exc}"))
            except SignerUnavailable as exc:
                future.set_exception(exc)
        if connection is not None:
            connection.close()

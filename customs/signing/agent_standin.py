"""A local stand-in for the e-port USB-key client: the same WebSocket protocol over any Signer.

Used by the tests, the demo, and deployments that keep the key in software or a PKCS#11 module
but want the signing on another machine. See ``customs.signing.agent`` for the protocol.
``sign_delay`` slows each signature down (a USB key signs about 4 a second) and ``fail_next``
makes the next requests fail the way a USB key does ("复位读卡器失败", error 50070).

Run: ``python -m customs.signing.agent_standin --key key.pem --cert cert.pem --cert-no 0001``.
"""

from __future__ import annotations

import argparse
import base64
import json
import threading
import time

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from .agent import GET_CERT, GET_CERT_NO, SIGN
from .keys import certificate_pem


class AgentStandIn:
    """Serve the USB-key client protocol for ``signer`` on 127.0.0.1:``port`` (0: free port)."""

    def __init__(self, signer, *, password: str = "", port: int = 0, sign_delay: float = 0.0):
        self.signer = signer
        self.password = password
        self.sign_delay = sign_delay
        self.fail_next = 0
        self.signed = 0
        self._lock = threading.Lock()  # one key, one signature at a time, like a USB key
        self._server = serve(self._session, "127.0.0.1", port)
        self.port = self._server.socket.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> AgentStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def _answer(self, request: dict) -> dict:
        method = request.get("_method")
        args = request.get("args") or {}
        ok, data, errors = True, [], []
        if self.fail_next:
            self.fail_next -= 1
            ok, errors = False, ["[读卡器底层库]复位读卡器失败:错误码=50070", "Err:Custom50070"]
        elif self.password and args.get("passwd") != self.password:
            ok, errors = False, ["卡口令错误", "Err:Base60301"]
        elif method == SIGN:
            with self._lock:
                if self.sign_delay:
                    time.sleep(self.sign_delay)
                value = self.signer.sign(args.get("inData", "").encode("utf-8"))
                self.signed += 1
            data = [base64.b64encode(value).decode(), self.signer.key_name]
        elif method == GET_CERT:
            data = [certificate_pem(self.signer.certificate_der)]
        elif method == GET_CERT_NO:
            data = [self.signer.key_name]
        else:
            ok, errors = False, [f"未知方法 {method}"]
        return {
            "_id": request.get("_id"),
            "_method": method,
            "_status": "00",
            "_args": {"Result": ok, "Data": data, "Error": errors},
        }

    def _session(self, websocket) -> None:
        websocket.send(
            json.dumps(
                {
                    "_id": 0,
                    "_method": "open",
                    "_status": "00",
                    "_args": {"Result": True, "Data": [], "Error": []},
                }
            )
        )
        try:
            for frame in websocket:
                websocket.send(json.dumps(self._answer(json.loads(frame)), ensure_ascii=False))
        except ConnectionClosed:
            return


def main() -> None:  # pragma: no cover - a thin command-line wrapper
    from pathlib import Path

    from .keys import load_certificate
    from .signers import SoftwareSigner

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--cert-no", required=True)
    parser.add_argument("--port", type=int, default=61232)
    parser.add_argument("--pin", default="")
    options = parser.parse_args()
    signer = SoftwareSigner.from_pem(
        Path(options.key).read_bytes(),
        certificate_der=load_certificate(Path(options.cert).read_bytes()),
        key_name=options.cert_no,
    )
    standin = AgentStandIn(signer, password=options.pin, port=options.port).start()
    print(f"signing agent stand-in on {standin.url}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    main()

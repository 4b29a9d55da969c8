"""Read receipts from a transport the way the declaration layer will: unwrap, parse, ack."""

from __future__ import annotations

import time

from customs.gateway import receiving


def collect(transport, *, until, timeout: float = 20.0) -> list[tuple[str, object]]:
    """Receive receipts (code, document) until ``until(receipts)`` is true; ack each one."""
    got: list[tuple[str, object]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for inbound in transport.receive(limit=100, timeout=0.2):
            received = receiving.read(inbound.envelope)
            got.extend((received.parsed.type.code, doc) for doc in received.documents)
            inbound.ack()
        if until(got):
            return got
        time.sleep(0.05)
    raise AssertionError(
        f"receipts so far: {[(c, getattr(d, 'return_status', '')) for c, d in got]}"
    )


def statuses(receipts, code: str, key: str) -> dict[str, list[str]]:
    """The statuses received per document key (``key`` names the receipt attribute)."""
    out: dict[str, list[str]] = {}
    for c, doc in receipts:
        if c == code:
            out.setdefault(getattr(doc, key), []).append(doc.return_status)
    return out

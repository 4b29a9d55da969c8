"""A document as stored on its declaration: the one-document message it was built into,
unsigned (``customs.ceb.messages.build`` checks the spec's rules on the way). Reading it back
with ``messages.parse`` gives the same dataclass, so what is sent, matched and resent is
exactly what was built when the order was paid."""

from __future__ import annotations

from customs.ceb import messages
from customs.ceb import types as t


def dump(doc, *, transfer: t.Transfer) -> bytes:
    return messages.to_bytes(messages.build([doc], transfer=transfer))


def load(data: bytes | memoryview):
    return messages.parse(bytes(data)).documents[0]

"""The one send path: documents -> XSD-valid signed message -> validated DXP envelope.

:func:`seal` is the only way to make a :class:`SealedMessage`, and transports accept nothing
else, so a message that does not validate against the official XSD (or is unsigned) can never
reach a transport. Documents are batched up to 100 per message: one signature covers the
batch, which is how a USB key that signs ~250 times a minute keeps up.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from customs.ceb import dxp, messages, schema
from customs.ceb import types as t
from customs.signing import xmldsig
from customs.signing.signers import Signer

from . import records

_SEAL = object()  # only seal() holds it


@dataclass(frozen=True, slots=True)
class Route:
    """Who sends to whom on the data exchange (from the customs profile)."""

    sender_id: str  # our DXP user id
    receiver_id: str = dxp.IMPORT_RECEIVER


@dataclass(frozen=True, slots=True)
class SealedMessage:
    """A signed, XSD-valid message in its validated envelope, ready for any transport."""

    cop_msg_id: str
    message_type: str  # CEB311Message...
    message_guid: str
    document_guids: tuple[str, ...]
    message: bytes  # the signed business XML
    envelope: bytes  # the DxpMsg
    _seal: object = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._seal is not _SEAL:
            raise TypeError("a SealedMessage is made by customs.gateway.sealing.seal() only")


class NotSealed(TypeError):
    """Something other than a SealedMessage was handed to a transport."""


def require_sealed(message: object) -> SealedMessage:
    """What every transport calls first: refuse anything seal() did not make."""
    if not isinstance(message, SealedMessage) or message._seal is not _SEAL:
        raise NotSealed("transports send sealed messages only (customs.gateway.sealing.seal)")
    return message


def _sealed(root, route: Route, now: datetime, document_guids: tuple[str, ...]) -> SealedMessage:
    """Validate a built (and, for requests, signed) message and put it in its envelope."""
    schema.validate(root)
    message = messages.to_bytes(root)
    mtype = messages.message_type_of(root)
    cop_msg_id = str(uuid.uuid4()).upper()
    envelope = dxp.wrap(
        message, dxp.TransInfo(cop_msg_id, route.sender_id, (route.receiver_id,), now, mtype.root)
    )
    return SealedMessage(
        cop_msg_id, mtype.root, root.get("guid"), document_guids, message, envelope, _SEAL
    )


def seal(
    docs: Sequence,
    *,
    signer: Signer,
    route: Route,
    transfer: t.Transfer,
    now: datetime | None = None,
) -> list[SealedMessage]:
    """Build, sign, validate and envelope ``docs`` (one type), 100 documents per message.

    Raises CebRuleError / CebFormatError for a document that breaks the spec, SchemaError if
    the signed message or the envelope does not validate, and whatever the signer raises
    (SignerUnavailable: try again later).
    """
    now = now or datetime.now(UTC)
    sealed = []
    for batch in messages.batches(list(docs)):
        root = messages.build(batch, transfer=transfer)
        xmldsig.sign(root, signer)
        sealed.append(_sealed(root, route, now, tuple(doc.guid for doc in batch)))
    return sealed


def seal_receipts(
    docs: Sequence, *, route: Route, now: datetime | None = None
) -> list[SealedMessage]:
    """Envelope receipts or customs-issued messages (the gateway simulator's side).

    Receipts carry no BaseTransfer and no signature in the XSD's shape; they still go through
    the same validation before any transport sees them.
    """
    now = now or datetime.now(UTC)
    return [
        _sealed(messages.build(batch), route, now, tuple(doc.guid for doc in batch))
        for batch in messages.batches(list(docs))
    ]


def _sealed_record(root, route: Route, now: datetime, document_guids: tuple[str, ...]):
    """Validate a Silkway record message (customs/gateway/records.py) and envelope it."""
    records.validate(root)
    message = records.to_bytes(root)
    cop_msg_id = str(uuid.uuid4()).upper()
    mtype = etree.QName(root).localname
    envelope = dxp.wrap(
        message, dxp.TransInfo(cop_msg_id, route.sender_id, (route.receiver_id,), now, mtype)
    )
    return SealedMessage(
        cop_msg_id, mtype, root.get("guid"), document_guids, message, envelope, _SEAL
    )


def seal_records(
    requests: Sequence,
    *,
    signer: Signer,
    route: Route,
    transfer: t.Transfer,
    now: datetime | None = None,
) -> list[SealedMessage]:
    """Build, sign, validate and envelope Silkway SWR101 product-record requests, 100 per
    message (Silkway's own message, not a CEB one: docs/CUSTOMS.md, "Product records")."""
    now = now or datetime.now(UTC)
    out = []
    for start in range(0, len(requests), 100):
        batch = list(requests[start : start + 100])
        root = records.build_request(batch, guid=messages.new_guid(), transfer=transfer)
        xmldsig.sign(root, signer)
        out.append(_sealed_record(root, route, now, tuple(r.guid for r in batch)))
    return out


def seal_record_answers(
    answers: Sequence, *, route: Route, now: datetime | None = None
) -> list[SealedMessage]:
    """Envelope SWR102 answers (the gateway simulator's side), 100 per message."""
    now = now or datetime.now(UTC)
    out = []
    for start in range(0, len(answers), 100):
        batch = list(answers[start : start + 100])
        root = records.build_answers(batch, guid=messages.new_guid())
        out.append(_sealed_record(root, route, now, tuple(a.guid for a in batch)))
    return out

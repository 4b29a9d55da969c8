"""The one receive path: a receipt envelope from any transport -> validated, parsed receipts.

The declaration layer stores the raw envelope first, then calls :func:`read`; anything that
does not validate (envelope or message) raises, so a malformed answer is kept for an
operator instead of moving a declaration.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from customs.ceb import dxp, messages, schema
from customs.ceb.codec import CebFormatError

from . import records


@dataclass(frozen=True, slots=True)
class Received:
    """A receipt message as it arrived: envelope header, raw message, parsed documents."""

    info: dxp.TransInfo
    raw: bytes
    parsed: messages.Parsed

    @property
    def documents(self) -> tuple:
        return self.parsed.documents


def read(envelope: bytes) -> Received:
    """Unwrap and parse a receipt envelope, validating both against the official XSDs.

    Raises CebFormatError (not a receipt, malformed) or SchemaError.
    """
    env = dxp.unwrap(envelope)
    try:
        root = schema.parse_xml(env.data)
    except etree.XMLSyntaxError as exc:
        raise CebFormatError("Data", f"not well-formed XML: {exc}") from exc
    schema.validate(root)
    parsed = messages.parse(root)
    if parsed.type.request:
        raise CebFormatError(parsed.type.root, "is a request, not a receipt")
    return Received(env.info, env.data, parsed)


@dataclass(frozen=True, slots=True)
class ReceivedRecords:
    """A Silkway SWR102 answer message as it arrived (docs/CUSTOMS.md, "Product records")."""

    info: dxp.TransInfo
    raw: bytes
    answers: list


def is_record_answer(envelope: bytes) -> bool:
    """Whether ``envelope`` carries Silkway's product-record answer (SWR102), not a CEB
    receipt; False for anything unreadable (``read`` then reports why)."""
    try:
        return dxp.unwrap(envelope).info.msg_type == records.ANSWER_TYPE
    except (CebFormatError, schema.SchemaError, ValueError):
        return False


def read_records(envelope: bytes) -> ReceivedRecords:
    """Unwrap and parse an SWR102 answer, validating envelope and message. Raises
    CebFormatError or SchemaError."""
    env = dxp.unwrap(envelope)
    kind, answers = records.parse(env.data)
    if kind != records.ANSWER_TYPE:
        raise CebFormatError(kind, "is a request, not an answer")
    return ReceivedRecords(env.info, env.data, answers)

"""The DXP terminal envelope (终端节点报文, ``dxp-terminal-202205.xsd``) around a CEB message.

::

    <dxp:DxpMsg ver="1.0" xmlns:dxp="http://www.chinaport.gov.cn/dxp">
      <dxp:TransInfo>
        <dxp:CopMsgId>our unique id for this transmission</dxp:CopMsgId>
        <dxp:SenderId>our DXP user id</dxp:SenderId>
        <dxp:ReceiverIds><dxp:ReceiverId>DXPEDCCEB0000002</dxp:ReceiverId></dxp:ReceiverIds>
        <dxp:CreatTime>2026-03-01T09:30:00</dxp:CreatTime>
        <dxp:MsgType>CEB311Message</dxp:MsgType>
      </dxp:TransInfo>
      <dxp:Data>base64 of the signed business message</dxp:Data>
    </dxp:DxpMsg>

The receiver id of the customs import system is ``DXPEDCCEB0000002`` [practice]; it is a
setting of the customs profile, not a constant here.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from .codec import CHINA_TIME, CebFormatError
from .schema import DXP_XSD, SchemaError, parse_xml, validate

DXP_NS = "http://www.chinaport.gov.cn/dxp"
D = "{" + DXP_NS + "}"
IMPORT_RECEIVER = "DXPEDCCEB0000002"


@dataclass(frozen=True, slots=True)
class TransInfo:
    """TransInfo: who sends what to whom."""

    cop_msg_id: str
    sender_id: str
    receiver_ids: tuple[str, ...]
    created: datetime
    msg_type: str


@dataclass(frozen=True, slots=True)
class Envelope:
    """A DxpMsg read back: its TransInfo and the decoded business message."""

    info: TransInfo
    data: bytes


def wrap(message: bytes, info: TransInfo) -> bytes:
    """The DxpMsg around ``message`` (validated against the DXP XSD)."""
    if not 1 <= len(info.receiver_ids) <= 5:
        raise ValueError("a DxpMsg names one to five receivers")
    sub = etree.SubElement
    root = etree.Element(D + "DxpMsg", nsmap={"dxp": DXP_NS})
    root.set("ver", "1.0")
    trans = sub(root, D + "TransInfo")
    sub(trans, D + "CopMsgId").text = info.cop_msg_id
    sub(trans, D + "SenderId").text = info.sender_id
    receivers = sub(trans, D + "ReceiverIds")
    for receiver in info.receiver_ids:
        sub(receivers, D + "ReceiverId").text = receiver
    created = info.created.astimezone(CHINA_TIME) if info.created.tzinfo else info.created
    sub(trans, D + "CreatTime").text = created.strftime("%Y-%m-%dT%H:%M:%S")
    sub(trans, D + "MsgType").text = info.msg_type
    sub(root, D + "Data").text = base64.b64encode(message).decode()
    validate(root, xsd=DXP_XSD)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def unwrap(envelope: bytes) -> Envelope:
    """Read a DxpMsg: XSD-valid envelope, decodable Data. Raises CebFormatError/SchemaError."""
    try:
        root = parse_xml(envelope)
    except etree.XMLSyntaxError as exc:
        raise CebFormatError("DxpMsg", f"not well-formed XML: {exc}") from exc
    validate(root, xsd=DXP_XSD)
    trans = root.find(D + "TransInfo")
    text = {child.tag[len(D) :]: (child.text or "") for child in trans}
    receivers = tuple(r.text or "" for r in trans.iterfind(f"{D}ReceiverIds/{D}ReceiverId"))
    created = datetime.fromisoformat(text["CreatTime"])
    if created.tzinfo is None:
        created = created.replace(tzinfo=CHINA_TIME)
    info = TransInfo(text["CopMsgId"], text["SenderId"], receivers, created, text["MsgType"])
    try:
        data = base64.b64decode("".join((root.find(D + "Data").text or "").split()), validate=True)
    except binascii.Error as exc:
        raise CebFormatError("DxpMsg.Data", "not base64") from exc
    return Envelope(info, data)


__all__ = ["IMPORT_RECEIVER", "Envelope", "SchemaError", "TransInfo", "unwrap", "wrap"]

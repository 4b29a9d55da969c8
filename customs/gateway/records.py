"""Silkway's product-record exchange (商品备案) with the gateway — Silkway's own message, NOT an
official CEB message (the CEB 2022 set has none for records: ``itemRecordNo`` on an import
list is the bonded ledger's record number, docked some other way in practice).

- ``SWR101Message`` (request, signed like every request): up to 100 ``ProductRecord``s, one
  per SKU, with the customs fields the record fixes (HS code ``gcode``, Chinese goods name
  ``gname``, specification ``gmodel``, origin, unit, net weight) and a ``BaseTransfer``;
- ``SWR102Message`` (the gateway's answer, unsigned like CEB receipts): one
  ``ProductRecordReturn`` per record, naming the request's ``oriGuid``, with
  ``returnStatus`` ``2`` (accepted, 申报成功), ``120`` (entered, 海关入库), ``800``
  (recorded, with ``itemRecordNo``, 备案通过) or ``100`` (rejected, ``returnInfo`` says why,
  退单), or a negative code for a processing error.

Both travel in the ordinary DXP envelope (``MsgType`` ``SWR101Message``/``SWR102Message``)
over the same transports, and validate against ``xsd/silkway-record-1.xsd``. No Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from lxml import etree

from customs.ceb import schema
from customs.ceb import types as t
from customs.ceb.codec import CebFormatError, format_time, parse_time

NS = "urn:silkway:customs:record:1"
W = "{" + NS + "}"
XSD = Path(__file__).resolve().parent / "xsd" / "silkway-record-1.xsd"
REQUEST_TYPE = "SWR101Message"
ANSWER_TYPE = "SWR102Message"
VERSION = "1.0"

ACCEPTED, ENTERED, RECORDED, REJECTED = "2", "120", "800", "100"


@dataclass(frozen=True, slots=True)
class RecordRequest:
    """One SKU's product record as the platform submits it."""

    guid: str
    app_time: datetime
    ebc_code: str
    ebc_name: str
    customs_code: str
    cop_g_no: str  # the merchant's SKU code
    gcode: str  # HS code
    gname: str  # Chinese goods name
    gmodel: str  # specification (the variant's attributes)
    country: str  # ISO 3166-1 alpha-2
    unit: str
    net_weight: Decimal


@dataclass(frozen=True, slots=True)
class RecordAnswer:
    """The gateway's answer about one submitted record."""

    guid: str
    ori_guid: str
    ebc_code: str
    cop_g_no: str
    return_status: str
    return_time: datetime
    return_info: str
    item_record_no: str = ""

    @property
    def outcome(self) -> str:
        """``accepted``, ``recorded`` or ``rejected`` (a negative code is a rejection)."""
        if self.return_status == RECORDED:
            return "recorded"
        if self.return_status == REJECTED or self.return_status.startswith("-"):
            return "rejected"
        return "accepted"


def _sub(parent, name: str, text: str) -> None:
    etree.SubElement(parent, W + name).text = text


def build_request(
    records: Sequence[RecordRequest], *, guid: str, transfer: t.Transfer
) -> etree._Element:
    """The unsigned SWR101Message of ``records`` (1 to 100)."""
    if not 1 <= len(records) <= 100:
        raise ValueError("an SWR101Message carries 1 to 100 records")
    root = etree.Element(W + REQUEST_TYPE, nsmap={None: NS})
    root.set("guid", guid)
    root.set("version", VERSION)
    for r in records:
        el = etree.SubElement(root, W + "ProductRecord")
        for name, value in (
            ("guid", r.guid),
            ("appTime", format_time(r.app_time)),
            ("ebcCode", r.ebc_code),
            ("ebcName", r.ebc_name),
            ("customsCode", r.customs_code),
            ("copGNo", r.cop_g_no),
            ("gcode", r.gcode),
            ("gname", r.gname),
            ("gmodel", r.gmodel),
            ("country", r.country),
            ("unit", r.unit),
            ("netWeight", f"{r.net_weight:f}"),
        ):
            _sub(el, name, value)
    base = etree.SubElement(root, W + "BaseTransfer")
    _sub(base, "copCode", transfer.cop_code)
    _sub(base, "copName", transfer.cop_name)
    _sub(base, "dxpMode", transfer.dxp_mode)
    _sub(base, "dxpId", transfer.dxp_id)
    return root


def build_answers(answers: Sequence[RecordAnswer], *, guid: str) -> etree._Element:
    """The SWR102Message of ``answers`` (1 to 100)."""
    if not 1 <= len(answers) <= 100:
        raise ValueError("an SWR102Message carries 1 to 100 answers")
    root = etree.Element(W + ANSWER_TYPE, nsmap={None: NS})
    root.set("guid", guid)
    root.set("version", VERSION)
    for a in answers:
        el = etree.SubElement(root, W + "ProductRecordReturn")
        for name, value in (
            ("guid", a.guid),
            ("oriGuid", a.ori_guid),
            ("ebcCode", a.ebc_code),
            ("copGNo", a.cop_g_no),
            ("returnStatus", a.return_status),
            ("returnTime", format_time(a.return_time)),
            ("returnInfo", a.return_info[:1000]),
        ):
            _sub(el, name, value)
        if a.item_record_no:
            _sub(el, "itemRecordNo", a.item_record_no)
    return root


def validate(root: etree._Element) -> None:
    """Raise SchemaError unless ``root`` is a valid SWR101/SWR102 message."""
    schema.validate(root, xsd=XSD)


def parse(data: bytes) -> tuple[str, list]:
    """Read an SWR message (validated): its root name and its records or answers. Raises
    CebFormatError (malformed, not an SWR message) or SchemaError."""
    try:
        root = schema.parse_xml(data)
    except etree.XMLSyntaxError as exc:
        raise CebFormatError("SWR", f"not well-formed XML: {exc}") from exc
    if root.tag not in (W + REQUEST_TYPE, W + ANSWER_TYPE):
        raise CebFormatError("SWR", f"not a Silkway record message: {root.tag}")
    validate(root)

    def text(el, name: str) -> str:
        found = el.find(W + name)
        return (found.text or "") if found is not None else ""

    if root.tag == W + REQUEST_TYPE:
        return REQUEST_TYPE, [
            RecordRequest(
                guid=text(el, "guid"),
                app_time=parse_time(text(el, "appTime"), "appTime"),
                ebc_code=text(el, "ebcCode"),
                ebc_name=text(el, "ebcName"),
                customs_code=text(el, "customsCode"),
                cop_g_no=text(el, "copGNo"),
                gcode=text(el, "gcode"),
                gname=text(el, "gname"),
                gmodel=text(el, "gmodel"),
                country=text(el, "country"),
                unit=text(el, "unit"),
                net_weight=Decimal(text(el, "netWeight")),
            )
            for el in root.iterfind(W + "ProductRecord")
        ]
    return ANSWER_TYPE, [
        RecordAnswer(
            guid=text(el, "guid"),
            ori_guid=text(el, "oriGuid"),
            ebc_code=text(el, "ebcCode"),
            cop_g_no=text(el, "copGNo"),
            return_status=text(el, "returnStatus"),
            return_time=parse_time(text(el, "returnTime"), "returnTime"),
            return_info=text(el, "returnInfo"),
            item_record_no=text(el, "itemRecordNo"),
        )
        for el in root.iterfind(W + "ProductRecordReturn")
    ]


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

"""Build and parse CEB messages: one registry entry per message type, one builder, one parser.

``build(code, docs, transfer)`` turns up to 100 documents into an unsigned message element
(rules checked, XSD-valid once signed where the XSD requires a signature); ``batches`` splits
a longer sequence. ``parse(data)`` reads any import message or receipt we know (requests for
the gateway simulator, receipts for the declaration layer) into the types of ``types.py``.
Signing is ``customs.signing``'s job; the envelope is ``dxp.py``'s.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lxml import etree

from . import rules
from . import types as t
from .codec import NS, CebFormatError, Q, read_fields, write_fields
from .schema import parse_xml

MAX_DOCUMENTS = 100  # documents per message (every import message's maxOccurs)
DS_NS = "http://www.w3.org/2000/09/xmldsig#"


@dataclass(frozen=True, slots=True)
class MessageType:
    """One CEB message type: its root, business element and the document class it carries.

    ``wrapper`` is the repeated business element; ``head``/``line`` name its children when the
    document has a head and lines (311, 621, 625, 816), else the wrapper is the document itself
    (``head`` empty). Request messages carry BaseTransfer and a signature slot; receipts do not.
    """

    code: str
    wrapper: str
    head: str
    line: str
    doc: type
    line_doc: type | None
    request: bool
    signature_required: bool = False
    max_documents: int | None = MAX_DOCUMENTS

    @property
    def root(self) -> str:
        return f"CEB{self.code}Message"


TYPES: dict[str, MessageType] = {
    m.code: m
    for m in (
        MessageType("311", "Order", "OrderHead", "OrderList", t.OrderDoc, t.OrderLine, True),
        MessageType("411", "Payment", "PaymentHead", "", t.PaymentDoc, None, True),
        MessageType("511", "Logistics", "LogisticsHead", "", t.WaybillDoc, None, True),
        MessageType("513", "LogisticsStatus", "", "", t.DeliveryDoc, None, True),
        MessageType(
            "621",
            "Inventory",
            "InventoryHead",
            "InventoryList",
            t.InventoryDoc,
            t.InventoryLine,
            True,
            signature_required=True,
        ),
        MessageType("623", "InvtCancel", "", "", t.CancelDoc, None, True, True),
        MessageType(
            "625",
            "InvtRefund",
            "InvtRefundHead",
            "InvtRefundList",
            t.ReturnDoc,
            t.ReturnLine,
            True,
            signature_required=True,
        ),
        MessageType(
            "711",
            "Delivery",
            "DeliveryHead",
            "DeliveryList",
            t.ManifestDoc,
            t.ManifestLine,
            True,
            signature_required=True,
            max_documents=1,  # the XSD: one Delivery per message
        ),
        MessageType("312", "OrderReturn", "", "", t.OrderReceipt, None, False),
        MessageType("412", "PaymentReturn", "", "", t.PaymentReceipt, None, False),
        MessageType("512", "LogisticsReturn", "", "", t.WaybillReceipt, None, False),
        MessageType("514", "LogisticsStatusReturn", "", "", t.DeliveryReceipt, None, False),
        MessageType("712", "DeliveryReturn", "", "", t.ManifestReceipt, None, False),
        MessageType("622", "InventoryReturn", "", "", t.InventoryReceipt, None, False),
        MessageType("624", "InvtCancelReturn", "", "", t.CancelReceipt, None, False),
        MessageType("626", "InvtRefundReturn", "", "", t.ReturnReceipt, None, False),
        MessageType(
            "816", "Tax", "TaxHeadRd", "TaxListRd", t.TaxBill, t.TaxBillLine, False, False, None
        ),
        MessageType("900", "MessageReturn", "", "", t.FormatFailure, None, False, False, 1),
    )
}
BY_DOC = {m.doc: m for m in TYPES.values()}
RECEIPT_OF = {"311": "312", "411": "412", "511": "512", "513": "514", "621": "622"}
RECEIPT_OF |= {"623": "624", "625": "626", "711": "712"}


def new_guid() -> str:
    """A 36-character upper-case UUID, the form every guid in these messages takes."""
    return str(uuid.uuid4()).upper()


def batches(docs: Sequence, size: int = MAX_DOCUMENTS) -> Iterator[Sequence]:
    """Split ``docs`` into runs of at most ``size`` (100: what one message may hold)."""
    if not 1 <= size <= MAX_DOCUMENTS:
        raise ValueError(f"a message holds 1 to {MAX_DOCUMENTS} documents")
    for start in range(0, len(docs), size):
        yield docs[start : start + size]


def build(
    docs: Sequence,
    *,
    transfer: t.Transfer | None = None,
    guid: str | None = None,
) -> etree._Element:
    """The unsigned message element for ``docs`` (all of one document type).

    Requests need ``transfer`` (BaseTransfer); receipts and customs-issued messages (built by
    the gateway simulator) take none. Raises CebRuleError for a document that breaks a rule of
    the spec, CebFormatError for a missing field or a value that cannot be written, and
    ValueError for an empty or oversized batch or mixed types.
    """
    if not docs:
        raise ValueError("a message needs at least one document")
    kinds = {type(doc) for doc in docs}
    if len(kinds) != 1:
        raise ValueError("all documents of one message must be of one type")
    mtype = BY_DOC[kinds.pop()]
    if mtype.max_documents is not None and len(docs) > mtype.max_documents:
        raise ValueError(f"{mtype.root} holds at most {mtype.max_documents} documents")
    rules.check(docs)
    root = etree.Element(Q + mtype.root, nsmap={"ceb": NS})
    root.set("guid", guid or new_guid())
    root.set("version", "1.0")
    sub = etree.SubElement
    for i, doc in enumerate(docs):
        path = f"{mtype.root}[{i}]"
        wrapper = sub(root, Q + mtype.wrapper)
        if not mtype.head:
            write_fields(wrapper, doc, path)
            continue
        write_fields(sub(wrapper, Q + mtype.head), doc, path)
        for line in getattr(doc, "lines", ()):
            write_fields(sub(wrapper, Q + mtype.line), line, f"{path}.lines[{line.gnum}]")
    if mtype.request:
        if transfer is None:
            raise ValueError(f"{mtype.root} needs a BaseTransfer")
        write_fields(sub(root, Q + "BaseTransfer"), transfer, "BaseTransfer")
    elif transfer is not None:
        raise ValueError(f"{mtype.root} carries no BaseTransfer")
    return root


def to_bytes(root: etree._Element) -> bytes:
    """Serialise a message as UTF-8 with an XML declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed message: its type, guid, documents, and the BaseTransfer of a request."""

    type: MessageType
    guid: str
    documents: tuple
    transfer: t.Transfer | None
    signed: bool
    element: etree._Element


def message_type_of(root: etree._Element) -> MessageType:
    """The MessageType of a parsed root element (by namespace and local name, never prefix)."""
    qname = etree.QName(root)
    code = qname.localname[3:6] if qname.localname.startswith("CEB") else ""
    if qname.namespace != NS or code not in TYPES or qname.localname != f"CEB{code}Message":
        raise CebFormatError("root", f"not a known CEB import message: {qname.localname}")
    return TYPES[code]


def parse(data: bytes | etree._Element) -> Parsed:
    """Read a message into documents. Raises CebFormatError (or lxml's XMLSyntaxError)."""
    root = parse_xml(data) if isinstance(data, bytes | bytearray) else data
    mtype = message_type_of(root)
    docs = []
    transfer = None
    signed = False
    for i, child in enumerate(root):
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child)
        path = f"{mtype.root}[{i}]"
        if name.namespace == DS_NS and name.localname == "Signature":
            signed = True
        elif name.namespace != NS:
            raise CebFormatError(path, f"unexpected element {child.tag}")
        elif name.localname == mtype.wrapper:
            docs.append(_read_document(mtype, child, path))
        elif name.localname == "BaseTransfer":
            transfer = read_fields(child, t.Transfer, "BaseTransfer")
    if not docs:
        raise CebFormatError(mtype.root, f"holds no {mtype.wrapper}")
    return Parsed(mtype, root.get("guid", ""), tuple(docs), transfer, signed, root)


def _read_document(mtype: MessageType, element: etree._Element, path: str) -> object:
    if not mtype.head:
        return read_fields(element, mtype.doc, path)
    head = element.find(Q + mtype.head)
    if head is None:
        raise CebFormatError(path, f"has no {mtype.head}")
    if not mtype.line:
        return read_fields(head, mtype.doc, path)
    lines = tuple(
        read_fields(line, mtype.line_doc, f"{path}.{mtype.line}[{n}]")
        for n, line in enumerate(element.iterfind(Q + mtype.line), start=1)
    )
    return read_fields(head, mtype.doc, path, lines)


def document_key(doc) -> tuple[str, str]:
    """The key that ties a document and every receipt about it: (kind, key).

    Orders by ebpCode/ebcCode/orderNo, payments by payCode/payTransactionId, waybills and
    their delivery status by logisticsCode/logisticsNo, lists, cancellations and returns by
    copNo (receipts carry no order number for them), tax bills by invtNo. The declaration
    layer finds the declaration a receipt moves with it; the simulator files documents by it.
    """
    match doc:
        case t.OrderDoc():
            return "order", f"{doc.ebp.code}/{doc.ebc.code}/{doc.order_no}"
        case t.OrderReceipt():
            return "order", f"{doc.ebp_code}/{doc.ebc_code}/{doc.order_no}"
        case t.PaymentDoc():
            return "payment", f"{doc.pay.code}/{doc.pay_transaction_id}"
        case t.PaymentReceipt():
            return "payment", f"{doc.pay_code}/{doc.pay_transaction_id}"
        case t.WaybillDoc():
            return "waybill", f"{doc.logistics.code}/{doc.logistics_no}"
        case t.WaybillReceipt():
            return "waybill", f"{doc.logistics_code}/{doc.logistics_no}"
        case t.DeliveryDoc():
            return "delivery", f"{doc.logistics.code}/{doc.logistics_no}"
        case t.DeliveryReceipt():
            return "delivery", f"{doc.logistics_code}/{doc.logistics_no}"
        case t.ManifestDoc() | t.ManifestReceipt():
            return "manifest", doc.cop_no
        case t.InventoryDoc() | t.InventoryReceipt():
            return "inventory", doc.cop_no
        case t.CancelDoc() | t.CancelReceipt():
            return "cancel", doc.cop_no
        case t.ReturnDoc() | t.ReturnReceipt():
            return "return", doc.cop_no
        case t.TaxBill():
            return "taxbill", doc.invt_no
    raise TypeError(f"no document key for {type(doc).__name__}")

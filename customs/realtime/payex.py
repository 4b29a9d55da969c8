"""Announcement 2018 No. 179: the real-time payment data check, as pure functions.

Customs calls the platform's data endpoint (``platDataOpen``) with the form field ``openReq``
= ``{"orderNo", "sessionID", "serviceTime"}`` and expects an immediate ``{"code": "10000"}``;
the platform then uploads, signed, the raw payment exchange of that order (form field
``payExInfoStr`` to ``realTimeDataUpload``). The signature covers the four top-level nodes
joined with ``||``, each written ``"name":"value"`` with the JSON of the head and the lists
embedded unquoted, in this fixed field order, amounts without trailing zeros::

    "sessionID":"…"||"payExchangeInfoHead":"{"guid":…,"totalAmount":88.08,…}"||
    "payExchangeInfoLists":"[{"orderNo":…,"goodsInfo":[…],…}]"||"serviceTime":"1544519952469"

The signature is made by the same Signer as the CEB messages (the USB key signs this text as
``inData``). The platform's endpoint and its worker belong to the declaration layer; the
gateway simulator uses these functions to check an upload.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

SUCCESS = "10000"
FAILURE = "20000"


def amount_text(value: Decimal) -> str:
    """An amount as the 179 spec writes it: no trailing zeros, no exponent (88.10 -> 88.1)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError("amounts are finite Decimals")
    return format(value.normalize(), "f") if value else "0"


@dataclass(frozen=True, slots=True, kw_only=True)
class PayExchangeHead:
    """payExchangeInfoHead: the raw request to and response from the payment provider."""

    guid: str
    inital_request: str  # (spelled so by customs) the raw request sent to the provider
    inital_response: str  # the provider's raw response
    ebp_code: str
    pay_code: str
    pay_transaction_id: str
    total_amount: Decimal
    currency: str = "142"
    ver_dept: str  # 1 UnionPay, 2 NetsUnion, 3 other
    pay_type: str  # 1 app, 2 PC, 3 scan, 4 other
    trading_time: str  # YYYYMMDDhhmmss
    note: str = ""


@dataclass(frozen=True, slots=True)
class Goods:
    """goodsInfo: a product's name and the link where the buyer saw it."""

    gname: str
    item_link: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PayExchangeItem:
    """One entry of payExchangeInfoLists: an order paid by this payment."""

    order_no: str
    goods: tuple[Goods, ...]
    recp_account: str
    recp_code: str = ""
    recp_name: str


_HEAD_FIELDS = (
    ("guid", "guid"),
    ("initalRequest", "inital_request"),
    ("initalResponse", "inital_response"),
    ("ebpCode", "ebp_code"),
    ("payCode", "pay_code"),
    ("payTransactionId", "pay_transaction_id"),
    ("totalAmount", "total_amount"),
    ("currency", "currency"),
    ("verDept", "ver_dept"),
    ("payType", "pay_type"),
    ("tradingTime", "trading_time"),
    ("note", "note"),
)
_ITEM_FIELDS = ("orderNo", "goodsInfo", "recpAccount", "recpCode", "recpName")


def _string(value: str) -> str:
    # Customs' reference implementations use unescaped Unicode and slashes.
    return json.dumps(value, ensure_ascii=False)


def head_json(head: PayExchangeHead) -> str:
    """The head as compact JSON in the fixed field order, the amount as a bare number."""
    parts = []
    for name, attr in _HEAD_FIELDS:
        value = getattr(head, attr)
        text = amount_text(value) if name == "totalAmount" else _string(value)
        parts.append(f"{_string(name)}:{text}")
    return "{" + ",".join(parts) + "}"


def lists_json(items: Sequence[PayExchangeItem]) -> str:
    """payExchangeInfoLists as compact JSON in the fixed field order."""
    out = []
    for item in items:
        goods = ",".join(
            "{" + f'"gname":{_string(g.gname)},"itemLink":{_string(g.item_link)}' + "}"
            for g in item.goods
        )
        out.append(
            "{"
            + f'"orderNo":{_string(item.order_no)},"goodsInfo":[{goods}],'
            + f'"recpAccount":{_string(item.recp_account)},"recpCode":{_string(item.recp_code)},'
            + f'"recpName":{_string(item.recp_name)}'
            + "}"
        )
    return "[" + ",".join(out) + "]"


def sign_text(
    session_id: str, head: PayExchangeHead, items: Sequence[PayExchangeItem], service_time: str
) -> str:
    """The exact text that is signed: four nodes joined with ``||``."""
    return "||".join(
        (
            f'"sessionID":"{session_id}"',
            f'"payExchangeInfoHead":"{head_json(head)}"',
            f'"payExchangeInfoLists":"{lists_json(items)}"',
            f'"serviceTime":"{service_time}"',
        )
    )


def upload_body(
    session_id: str,
    head: PayExchangeHead,
    items: Sequence[PayExchangeItem],
    service_time: str,
    *,
    cert_no: str,
    signature: bytes,
) -> str:
    """The ``payExInfoStr`` form value: the same nodes as JSON, plus certNo and signValue."""
    return (
        "{"
        + f'"sessionID":{_string(session_id)},"payExchangeInfoHead":{head_json(head)},'
        + f'"payExchangeInfoLists":{lists_json(items)},"serviceTime":{_string(service_time)},'
        + f'"certNo":{_string(cert_no)},"signValue":{_string(base64.b64encode(signature).decode())}'
        + "}"
    )


def sign_upload(
    signer,
    session_id: str,
    head: PayExchangeHead,
    items: Sequence[PayExchangeItem],
    service_time: str,
) -> str:
    """Sign the 179 text with ``signer`` (any backend) and return the upload body."""
    signature = signer.sign(sign_text(session_id, head, items, service_time).encode("utf-8"))
    return upload_body(
        session_id, head, items, service_time, cert_no=signer.key_name, signature=signature
    )


class UploadInvalid(ValueError):
    """An upload does not follow the 179 rules (field order, amounts, shape)."""


@dataclass(frozen=True, slots=True)
class Upload:
    """A parsed ``payExInfoStr``: the values and the text their signature must cover."""

    session_id: str
    head: PayExchangeHead
    items: tuple[PayExchangeItem, ...]
    service_time: str
    cert_no: str
    signature: bytes
    signed_text: str


def parse_upload(body: str) -> Upload:
    """Read an upload, checking field order and amount format as customs does."""

    def pairs(items):
        return items  # keep key order to check it

    try:
        data = dict(json.loads(body, object_pairs_hook=pairs, parse_float=Decimal))
    except (ValueError, TypeError) as exc:
        raise UploadInvalid(f"payExInfoStr is not JSON: {exc}") from exc
    head_pairs = data.get("payExchangeInfoHead")
    if not isinstance(head_pairs, list):
        raise UploadInvalid("payExchangeInfoHead is missing")
    if [k for k, _ in head_pairs] != [name for name, _ in _HEAD_FIELDS]:
        raise UploadInvalid("payExchangeInfoHead fields are not in the fixed order")
    values = dict(head_pairs)
    amount = values["totalAmount"]
    if not isinstance(amount, Decimal | int) or isinstance(amount, bool):
        raise UploadInvalid("totalAmount must be a number")
    written = re.search(r'"totalAmount":\s*([-+0-9.eE]+)', body)
    if written is None or written.group(1) != amount_text(Decimal(amount)):
        raise UploadInvalid("totalAmount must be written without trailing zeros")
    head = PayExchangeHead(
        **{
            attr: (Decimal(values[name]) if name == "totalAmount" else values[name])
            for name, attr in _HEAD_FIELDS
        }
    )
    items = []
    for entry in data.get("payExchangeInfoLists") or []:
        if [k for k, _ in entry] != list(_ITEM_FIELDS):
            raise UploadInvalid("payExchangeInfoLists fields are not in the fixed order")
        e = dict(entry)
        goods = tuple(Goods(dict(g)["gname"], dict(g)["itemLink"]) for g in e["goodsInfo"])
        items.append(
            PayExchangeItem(
                order_no=e["orderNo"],
                goods=goods,
                recp_account=e["recpAccount"],
                recp_code=e["recpCode"],
                recp_name=e["recpName"],
            )
        )
    if not items:
        raise UploadInvalid("payExchangeInfoLists is empty")
    try:
        signature = base64.b64decode(data["signValue"], validate=True)
        session_id, service_time, cert_no = data["sessionID"], data["serviceTime"], data["certNo"]
    except (KeyError, ValueError) as exc:
        raise UploadInvalid(f"missing or malformed field: {exc}") from exc
    text = sign_text(session_id, head, items, service_time)
    return Upload(session_id, head, tuple(items), service_time, cert_no, signature, text)


def open_request(order_no: str, session_id: str, service_time: str) -> str:
    """The ``openReq`` form value customs sends to the platform's data endpoint."""
    return json.dumps(
        {"orderNo": order_no, "sessionID": session_id, "serviceTime": service_time},
        ensure_ascii=False,
        separators=(",", ":"),
    )

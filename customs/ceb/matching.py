"""Three-document matching (三单对碰): do an order, its payment, its waybill and its list agree?

One function for both sides of the exchange: the declaration layer calls it before it sends a
CEB621 (a mismatch stops the declaration with a reason an operator can act on), and the
gateway simulator calls it on what it received, as customs does. The limits (5,000 CNY per
purchase, 26,000 CNY a year) are the duty engine's rules and are checked there, not here.

Each :class:`Mismatch` carries a stable code and texts in English and Chinese (customs' words)
with both values, so a person can see what differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import types as t


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One disagreement between the documents."""

    code: str
    field: str
    expected: str
    actual: str
    en: str
    zh_hans: str


def _mismatch(code: str, field: str, expected: object, actual: object, en: str, zh: str):
    e, a = str(expected), str(actual)
    return Mismatch(
        code, field, e, a, f"{en}: expected {e!r}, got {a!r}", f"{zh}：应为[{e}]，实为[{a}]"
    )


def match_documents(
    order: t.OrderDoc,
    payment: t.PaymentDoc,
    waybill: t.WaybillDoc,
    inventory: t.InventoryDoc | None = None,
) -> tuple[Mismatch, ...]:
    """Every mismatch between the four documents of one parcel (empty when they agree)."""
    out: list[Mismatch] = []
    add = out.append
    # 1. Keys
    if payment.order_no != order.order_no:
        add(
            _mismatch(
                "order_no",
                "payment.order_no",
                order.order_no,
                payment.order_no,
                "The payment names another order",
                "支付单订单编号与订单不一致",
            )
        )
    if payment.ebp.code != order.ebp.code:
        add(
            _mismatch(
                "ebp_code",
                "payment.ebp",
                order.ebp.code,
                payment.ebp.code,
                "The payment names another platform",
                "支付单电商平台代码与订单不一致",
            )
        )
    if order.pay_transaction_id and order.pay_transaction_id != payment.pay_transaction_id:
        add(
            _mismatch(
                "pay_transaction_id",
                "payment.pay_transaction_id",
                order.pay_transaction_id,
                payment.pay_transaction_id,
                "The payment transaction differs from the order's",
                "支付交易编号与订单不一致",
            )
        )
    if order.pay and order.pay.code != payment.pay.code:
        add(
            _mismatch(
                "pay_code",
                "payment.pay",
                order.pay.code,
                payment.pay.code,
                "The payment company differs from the order's",
                "支付企业代码与订单不一致",
            )
        )
    if waybill.order_no != order.order_no:
        add(
            _mismatch(
                "order_no",
                "waybill.order_no",
                order.order_no,
                waybill.order_no,
                "The waybill names another order",
                "运单订单编号与订单不一致",
            )
        )
    # 2. Amount, to the fen
    if payment.amount_paid != order.actual_paid:
        add(
            _mismatch(
                "amount",
                "payment.amount_paid",
                order.actual_paid,
                payment.amount_paid,
                "The amount paid differs from the order's acturalPaid",
                "支付金额与订单实际支付金额不一致",
            )
        )
    # 3. Recipient, identical on order and waybill
    for field in ("consignee", "consignee_telephone", "consignee_address"):
        if getattr(order, field) != getattr(waybill, field):
            add(
                _mismatch(
                    "consignee",
                    f"waybill.{field}",
                    getattr(order, field),
                    getattr(waybill, field),
                    "The waybill's recipient differs from the order's",
                    "运单收货人信息与订单不一致",
                )
            )
    # 4. Identity: the orderer is the payer
    if payment.payer_id_number != order.buyer_id_number:
        add(
            _mismatch(
                "identity",
                "payment.payer_id_number",
                order.buyer_id_number,
                payment.payer_id_number,
                "The payer is not the buyer",
                "支付人证件号码与订购人不一致",
            )
        )
    if payment.payer_name != order.buyer_name:
        add(
            _mismatch(
                "identity",
                "payment.payer_name",
                order.buyer_name,
                payment.payer_name,
                "The payer's name is not the buyer's",
                "支付人姓名与订购人不一致",
            )
        )
    if waybill.pack_no != 1:
        add(
            _mismatch(
                "pack_no",
                "waybill.pack_no",
                1,
                waybill.pack_no,
                "A waybill carries one parcel",
                "运单件数应为1",
            )
        )
    if inventory is not None:
        out.extend(_inventory(order, waybill, inventory))
    return tuple(out)


def _inventory(order: t.OrderDoc, waybill: t.WaybillDoc, invt: t.InventoryDoc) -> list[Mismatch]:
    out: list[Mismatch] = []
    add = out.append
    if invt.order_no != order.order_no:
        add(
            _mismatch(
                "order_no",
                "inventory.order_no",
                order.order_no,
                invt.order_no,
                "The list names another order",
                "清单订单编号与订单不一致",
            )
        )
    for party in ("ebp", "ebc"):
        if getattr(invt, party).code != getattr(order, party).code:
            add(
                _mismatch(
                    f"{party}_code",
                    f"inventory.{party}",
                    getattr(order, party).code,
                    getattr(invt, party).code,
                    f"The list's {party} differs from the order's",
                    "清单电商平台/电商企业代码与订单不一致",
                )
            )
    if (invt.logistics_no, invt.logistics.code) != (waybill.logistics_no, waybill.logistics.code):
        add(
            _mismatch(
                "logistics_no",
                "inventory.logistics_no",
                f"{waybill.logistics.code}/{waybill.logistics_no}",
                f"{invt.logistics.code}/{invt.logistics_no}",
                "The list names another waybill",
                "清单物流运单编号与运单不一致",
            )
        )
    if invt.buyer_id_number != order.buyer_id_number or invt.buyer_name != order.buyer_name:
        add(
            _mismatch(
                "identity",
                "inventory.buyer",
                f"{order.buyer_name}/{order.buyer_id_number}",
                f"{invt.buyer_name}/{invt.buyer_id_number}",
                "The list's buyer is not the order's",
                "清单订购人与订单不一致",
            )
        )
    if invt.consignee_address != order.consignee_address:
        add(
            _mismatch(
                "consignee",
                "inventory.consignee_address",
                order.consignee_address,
                invt.consignee_address,
                "The list's address differs from the order's",
                "清单收件地址与订单不一致",
            )
        )
    if invt.pack_no != 1:
        add(
            _mismatch(
                "pack_no",
                "inventory.pack_no",
                1,
                invt.pack_no,
                "A list covers one parcel",
                "清单件数应为1",
            )
        )
    order_lines = {line.gnum: line for line in order.lines}
    list_lines = {line.gnum: line for line in invt.lines}
    if set(order_lines) != set(list_lines):
        add(
            _mismatch(
                "lines",
                "inventory.lines.gnum",
                sorted(order_lines),
                sorted(list_lines),
                "The list's line numbers do not match the order's one to one",
                "清单表体序号与订单表体不一一对应",
            )
        )
    for gnum in sorted(set(order_lines) & set(list_lines)):
        ordered, listed = order_lines[gnum], list_lines[gnum]
        if listed.gname != ordered.item_name:
            add(
                _mismatch(
                    "lines",
                    f"inventory.lines[{gnum}].gname",
                    ordered.item_name,
                    listed.gname,
                    "The list's goods name differs from the order's",
                    "清单商品名称与订单不一致",
                )
            )
        if listed.qty != ordered.qty:
            add(
                _mismatch(
                    "lines",
                    f"inventory.lines[{gnum}].qty",
                    ordered.qty,
                    listed.qty,
                    "The list's quantity differs from the order's",
                    "清单商品数量与订单不一致",
                )
            )
    return out

"""Consistent sets of customs documents for tests: an order, its payment, waybill and list.

``parcel(n)`` gives the four documents of one parcel that agree with each other the way the
declaration layer will produce them; tests change one field with ``dataclasses.replace`` to
make a mismatch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal as D

from customs.ceb import types as t
from customs.ceb.messages import new_guid

EBP = t.Party("3301963K69", "丝路跨境平台")
EBC = t.Party("1105910159", "新西兰自然有限公司")
PAY = t.Party("312226T001", "丝路支付")
CARRIER = t.Party("1101180326", "丝路物流")
TRANSFER = t.Transfer(cop_code=EBP.code, cop_name=EBP.name, dxp_id="DXPENT0000458763")
NOW = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Parcel:
    order: t.OrderDoc
    payment: t.PaymentDoc
    waybill: t.WaybillDoc
    inventory: t.InventoryDoc


def parcel(
    n: int = 1,
    *,
    buyer_id: str = "110101199003071234",
    unit_price: D = D("100.00"),
    qty: int = 2,
    bonded: bool = False,
    freight: D = D("10.00"),
) -> Parcel:
    """Four agreeing documents of parcel ``n`` (direct purchase 9610 unless ``bonded``)."""
    order_no = f"SW2026{n:08d}"
    total = unit_price * qty
    tax = D("0.00")
    lines = (
        t.OrderLine(
            gnum=1,
            item_no=f"SKU-{n}",
            item_name="麦卢卡蜂蜜 250g",
            gmodel="250g/瓶",
            unit="007",
            qty=D(qty),
            price=unit_price,
            total_price=total,
            country="609",
        ),
    )
    order = t.OrderDoc(
        guid=new_guid(),
        app_time=NOW,
        order_no=order_no,
        ebp=EBP,
        ebc=EBC,
        goods_value=total,
        freight=freight,
        discount=D("0"),
        tax_total=tax,
        actual_paid=total + freight + tax,
        buyer_reg_no=f"buyer-{n}",
        buyer_name="张三",
        buyer_telephone="13800000000",
        buyer_id_number=buyer_id,
        pay=PAY,
        pay_transaction_id=f"PAY{n:010d}",
        consignee="张三",
        consignee_telephone="13800000000",
        consignee_address="北京市朝阳区建国路1号",
        lines=lines,
    )
    payment = t.PaymentDoc(
        guid=new_guid(),
        app_time=NOW,
        pay=PAY,
        pay_transaction_id=f"PAY{n:010d}",
        order_no=order_no,
        ebp=EBP,
        payer_id_number=buyer_id,
        payer_name="张三",
        telephone="13800000000",
        amount_paid=order.actual_paid,
        pay_time=NOW,
    )
    waybill = t.WaybillDoc(
        guid=new_guid(),
        app_time=NOW,
        logistics=CARRIER,
        logistics_no=f"SWL{n:010d}",
        order_no=order_no,
        freight=freight,
        insured_fee=D("0"),
        weight=D("0.6"),
        consignee="张三",
        consignee_address="北京市朝阳区建国路1号",
        consignee_telephone="13800000000",
    )
    invt_lines = (
        t.InventoryLine(
            gnum=1,
            item_record_no="SWR0001" if bonded else None,
            item_no=f"SKU-{n}",
            item_name="麦卢卡蜂蜜 250g",
            gcode="0409000000",
            gname="麦卢卡蜂蜜 250g",
            gmodel="250g/瓶",
            country="609",
            qty=D(qty),
            unit="007",
            qty1=D("0.5") * qty,
            unit1="035",
            price=unit_price,
            total_price=total,
        ),
    )
    inventory = t.InventoryDoc(
        guid=new_guid(),
        app_time=NOW,
        order_no=order_no,
        ebp=EBP,
        ebc=EBC,
        logistics_no=waybill.logistics_no,
        logistics=CARRIER,
        cop_no=f"SWC{n:010d}",
        assure_code=EBP.code,
        ems_no="T2923W000001" if bonded else None,
        decl_time=date(2026, 3, 1),
        customs_code="2923",
        port_code="2923",
        buyer_id_number=buyer_id,
        buyer_name="张三",
        buyer_telephone="13800000000",
        consignee_address="北京市朝阳区建国路1号",
        agent=EBP,
        area=t.Party("3122480063", "保税区仓储") if bonded else None,
        trade_mode=t.TradeMode.BONDED if bonded else t.TradeMode.DIRECT,
        traf_mode="5",
        traf_no=None if bonded else "CA1234",
        voyage_no=None if bonded else "20260301",
        bill_no=None if bonded else "999-12345678",
        country="142" if bonded else "609",
        freight=freight,
        insured_fee=D("0"),
        gross_weight=D("0.6"),
        net_weight=D("0.5"),
        lines=invt_lines,
    )
    return Parcel(order, payment, waybill, inventory)


__all__ = ["CARRIER", "EBC", "EBP", "NOW", "PAY", "TRANSFER", "Parcel", "parcel", "replace"]

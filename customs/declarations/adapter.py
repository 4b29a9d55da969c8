"""Orders, payments and SKUs as CEB documents: the one place that maps Silkway's records onto
the message types (``customs.ceb.types``).

- Amounts come from the duty engine: ``order_message_amounts()`` over the order's frozen
  assessment (goodsValue, freight, taxTotal, discount, acturalPaid); the payment's amount is
  what was charged for the order (``Order.total``), so three-document matching compares the
  two instead of trusting that they agree.
- The consignee (name, telephone, address) is written once, from the checkout's frozen
  address, and used on the order, the waybill and the list alike.
- The buyer and payer is the checkout's payer identity (``customs.identity`` checked it).
- Lines: ``gnum`` 1..n in the order's line order, the same on the order and on the list;
  ``itemRecordNo`` is the SKU's product record (bonded 1210 needs one on every line). A
  line's ``totalPrice`` is the assessment's goods value of that line (after real price cuts:
  sale, spend-and-save, coupons; non-cash deductions stay inside it) and ``price`` that over
  the quantity to 5 decimals (the XSD's N19,5), so the lines add up to ``goodsValue``; a
  gift with purchase (not in the assessment) is declared at price 0, as the spec says.
- guids, ``copNo`` and ``logisticsNo`` are chosen once by the caller and stored, so a
  resend keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from customs.ceb import types as t
from customs.codec import result_from_json
from customs.engine import order_message_amounts
from customs.profiles.services import party
from logistics.shipping.regions import CN_PROVINCES, place_name

# Customs' country codes (海关国别代码, JGS-20) for the countries Silkway's merchants ship
# from; a country missing here stops the declaration with its name, for an operator to add.
CUSTOMS_COUNTRIES = {
    "AU": "601", "AT": "315", "BE": "301", "CA": "501", "CH": "331", "CN": "142",
    "DE": "304", "DK": "302", "ES": "312", "FR": "305", "GB": "303", "HK": "110",
    "IE": "306", "IT": "307", "JP": "116", "KR": "133", "MO": "121", "MY": "122",
    "NL": "309", "NZ": "609", "RU": "344", "SE": "330", "SG": "132", "TH": "136",
    "TW": "143", "US": "502", "VN": "141",
}  # fmt: skip
WEIGHT_UNIT = "035"  # kilogram: the first legal unit declared for every line [unconfirmed]
TRAF_MODE_AIR = "5"
_PRICE = Decimal("0.00001")
_FEN = Decimal("0.01")


class NotDeclarable(ValueError):
    """The order cannot be declared as it stands (``field``, ``reason`` for an operator)."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class PaymentFacts:
    """The payment of an order as customs is told about it (frozen when the order is paid)."""

    transaction_id: str
    paid_at: datetime
    raw_request: str = ""
    raw_response: str = ""

    def as_json(self) -> dict:
        return {"transaction_id": self.transaction_id, "paid_at": self.paid_at.isoformat()}

    @classmethod
    def from_json(cls, data: dict, exchange: dict | None = None) -> PaymentFacts:
        exchange = exchange or {}
        return cls(
            data["transaction_id"],
            datetime.fromisoformat(data["paid_at"]),
            exchange.get("request", ""),
            exchange.get("response", ""),
        )


@dataclass(frozen=True)
class Numbers:
    """What a declaration keeps across resends."""

    logistics_no: str
    cop_no: str
    guids: dict[str, str]  # kind -> guid
    app_time: datetime


@dataclass(frozen=True)
class Documents:
    order: t.OrderDoc
    payment: t.PaymentDoc
    waybill: t.WaybillDoc
    inventory: t.InventoryDoc

    def by_kind(self) -> dict[str, object]:
        return {
            "order": self.order,
            "payment": self.payment,
            "waybill": self.waybill,
            "inventory": self.inventory,
        }


def country_code(iso: str) -> str:
    try:
        return CUSTOMS_COUNTRIES[iso]
    except KeyError:
        raise NotDeclarable("country", f"no customs country code for {iso}") from None


def consignee_address(address: dict) -> str:
    """The address as one line in Chinese, province to street (the same text on every
    document); the checkout keeps a Chinese province as its ISO code (``CN-ZJ`` → 浙江)."""
    province = address.get("province", "") or ""
    if province in CN_PROVINCES:
        province = place_name(province, "zh-hans")
    parts = [province, *(address.get(k, "") for k in ("city", "district", "lines"))]
    return "".join(p.strip() for p in parts if p and p.strip())


def pay_transaction_id(order, facts: PaymentFacts, orders_in_payment: int) -> str:
    """One payment pays every order of a checkout; customs wants one payment document per
    order, so each order's share carries the transaction id and the order number when the
    payment paid several [unconfirmed: payment companies issue sub-transaction ids]."""
    if orders_in_payment <= 1:
        return facts.transaction_id
    return f"{facts.transaction_id}-{order.number}"


def line_price(total: Decimal, qty: Decimal, gnum: int) -> tuple[Decimal, Decimal]:
    """``(price, totalPrice)`` of a line whose goods are worth ``total`` after price cuts:
    the unit price to the XSD's 5 decimals, refused when no such price gives back ``total``
    to the fen (only a very large quantity of a cheap line can do that)."""
    price = (total / qty).quantize(_PRICE, ROUND_HALF_UP)
    if (price * qty).quantize(_FEN, ROUND_HALF_UP) != total:
        raise NotDeclarable(
            f"lines[{gnum}]", f"no unit price of 5 decimals makes {qty} units worth {total}"
        )
    return price, total


def build_documents(
    order, *, profile, facts: PaymentFacts, numbers: Numbers, orders_in_payment: int = 1
) -> Documents:
    """The four documents of ``order`` (lines, SKUs, checkout and assessment loaded)."""
    checkout = order.checkout
    if order.clearance_mode not in {"direct", "bonded"}:
        raise NotDeclarable("clearance_mode", f"{order.clearance_mode} is not declared")
    if order.currency != "CNY":
        raise NotDeclarable(
            "currency", f"declared amounts are in CNY, the order is in {order.currency}"
        )
    if order.assessment is None or order.assessment.result is None:
        raise NotDeclarable("assessment", "the order has no computed duty assessment")
    result = result_from_json(order.assessment.result)
    amounts = order_message_amounts(result)
    bonded = order.clearance_mode == "bonded"
    address = checkout.address
    consignee = address.get("name", "")
    telephone = address.get("phone", "")
    where = consignee_address(address)
    if not (checkout.payer_name and checkout.payer_id_number):
        raise NotDeclarable("payer", "the checkout has no payer identity")
    ebp, ebc = party(profile.platform), party(profile.ecommerce)
    pay, carrier = party(profile.payment), party(profile.logistics)
    txn = pay_transaction_id(order, facts, orders_in_payment)
    lines = list(order.lines.all())
    # a gift with purchase is declared at price 0 and is not in the assessment (no value)
    assessed_lines = iter(result.lines)
    if len(result.lines) != sum(1 for line in lines if not line.is_gift):
        raise NotDeclarable("lines", "the assessment does not have one line per order line")
    order_lines, invt_lines = [], []
    gross = net = Decimal("0")
    origin = None
    for gnum, line in enumerate(lines, start=1):
        sku = line.sku
        name = line.name_zh_hans or line.name_en
        qty = Decimal(line.quantity)
        if line.is_gift:
            price = total = Decimal("0.00")
        else:
            price, total = line_price(next(assessed_lines).goods_value, qty, gnum)
        country = country_code(sku.origin_country)
        origin = origin or country
        record = sku.product_record_number or None
        if bonded and (record is None or sku.product_record_status != "recorded"):
            raise NotDeclarable(f"lines[{gnum}]", f"{line.sku_code} has no recorded product record")
        model = "/".join(str(v) for v in (sku.attributes or {}).values()) or line.sku_code
        order_lines.append(
            t.OrderLine(
                gnum=gnum,
                item_no=line.sku_code,
                item_name=name,
                gmodel=model,
                bar_code=sku.barcode or None,
                unit=sku.customs_unit,
                qty=qty,
                price=price,
                total_price=total,
                country=country,
            )
        )
        invt_lines.append(
            t.InventoryLine(
                gnum=gnum,
                item_record_no=record if bonded else None,
                item_no=line.sku_code,
                item_name=name,
                gcode=line.hs_code or sku.hs_code,
                gname=name,
                gmodel=model,
                country=country,
                qty=qty,
                unit=sku.customs_unit,
                qty1=sku.net_weight_kg * line.quantity,
                unit1=WEIGHT_UNIT,
                price=price,
                total_price=total,
            )
        )
        gross += sku.gross_weight_kg * line.quantity
        net += sku.net_weight_kg * line.quantity
    order_doc = t.OrderDoc(
        guid=numbers.guids["order"],
        app_time=numbers.app_time,
        order_no=order.number,
        ebp=ebp,
        ebc=ebc,
        goods_value=amounts.goods_value,
        freight=amounts.freight,
        discount=amounts.discount,
        tax_total=amounts.tax_total,
        actual_paid=amounts.actual_paid,
        buyer_reg_no=str(order.user_id),
        buyer_name=checkout.payer_name,
        buyer_telephone=checkout.payer_phone or telephone,
        buyer_id_number=checkout.payer_id_number,
        pay=pay,
        pay_transaction_id=txn,
        consignee=consignee,
        consignee_telephone=telephone,
        consignee_address=where,
        lines=tuple(order_lines),
    )
    payment_doc = t.PaymentDoc(
        guid=numbers.guids["payment"],
        app_time=numbers.app_time,
        pay=pay,
        pay_transaction_id=txn,
        order_no=order.number,
        ebp=ebp,
        payer_id_number=checkout.payer_id_number,
        payer_name=checkout.payer_name,
        telephone=checkout.payer_phone or telephone,
        amount_paid=order.total,
        pay_time=facts.paid_at,
    )
    waybill_doc = t.WaybillDoc(
        guid=numbers.guids["waybill"],
        app_time=numbers.app_time,
        logistics=carrier,
        logistics_no=numbers.logistics_no,
        order_no=order.number,
        freight=amounts.freight,
        insured_fee=Decimal("0"),
        weight=gross,
        consignee=consignee,
        consignee_address=where,
        consignee_telephone=telephone,
    )
    if bonded and not (profile.ems_no and profile.bonded_zone_id):
        raise NotDeclarable("profile", "bonded orders need the profile's emsNo and zone company")
    paid_day = facts.paid_at.astimezone(UTC).date()
    inventory_doc = t.InventoryDoc(
        guid=numbers.guids["inventory"],
        app_time=numbers.app_time,
        order_no=order.number,
        ebp=ebp,
        ebc=ebc,
        logistics_no=numbers.logistics_no,
        logistics=carrier,
        cop_no=numbers.cop_no,
        assure_code=party(profile.guarantor).code,
        ems_no=profile.ems_no if bonded else None,
        decl_time=paid_day,
        customs_code=profile.customs_code,
        port_code=profile.port_code,
        buyer_id_number=checkout.payer_id_number,
        buyer_name=checkout.payer_name,
        buyer_telephone=checkout.payer_phone or telephone,
        consignee_address=where,
        agent=party(profile.agent),
        area=party(profile.bonded_zone) if bonded else None,
        trade_mode=t.TradeMode.BONDED if bonded else t.TradeMode.DIRECT,
        traf_mode=TRAF_MODE_AIR,
        # Direct mail before the parcel exists [unconfirmed]: the carrier is the means of
        # transport, the day of payment the voyage, and the waybill its own bill of lading.
        traf_no=None if bonded else order.shipping_method.carrier.code[:20].upper(),
        voyage_no=None if bonded else paid_day.strftime("%Y%m%d"),
        bill_no=None if bonded else numbers.logistics_no,
        country="142" if bonded else (origin or "142"),
        freight=amounts.freight,
        insured_fee=Decimal("0"),
        gross_weight=max(gross, net),
        net_weight=net,
        lines=tuple(invt_lines),
    )
    return Documents(order_doc, payment_doc, waybill_doc, inventory_doc)

"""The documents of the China customs cross-border import messages (unified system, 202205).

One frozen, slotted dataclass per business element of ``ceb-import-202205.xsd``, with the
fields **in the XSD's sequence order** (the builder writes them in this order, the parser reads
them by name). Python names are the spec's element names in snake case; the few that do not
convert mechanically (``acturalPaid``, spelled so by customs) carry their element name in the
field metadata. A :class:`Party` field stands for the adjacent ``<prefix>Code`` and
``<prefix>Name`` elements (``ebp`` -> ``ebpCode``, ``ebpName``).

These are plain values: the declaration layer maps Silkway's orders, payments and waybills onto
them, the builders turn them into XML, and the gateway simulator parses what it receives back
into the same types. No Django here (docs/CUSTOMS.md, "The message library").

Times are timezone-aware datetimes; the builders write them in China Standard Time, the clock
the customs system keeps. Amounts are Decimals in CNY (currency code 142), at most 5 decimals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from marketplace.clearance import ClearanceMode

CURRENCY_CNY = "142"  # customs currency code for the renminbi, the only one these messages take


def xml_name(name: str) -> dict:
    """Field metadata naming the XML element where snake-to-camel conversion would be wrong."""
    return {"xml": name}


class AppType(StrEnum):
    """企业报送类型: what a message does to the document it carries."""

    NEW = "1"
    CHANGE = "2"
    DELETE = "3"


class AppStatus(StrEnum):
    """业务状态: stash at the e-port (暂存) or declare (申报)."""

    STASH = "1"
    DECLARE = "2"


class TradeMode(StrEnum):
    """贸易方式 of an import inventory list: the customs code of the two cross-border import
    modes, taken from the one vocabulary (``marketplace.clearance.ClearanceMode``)."""

    DIRECT = ClearanceMode.DIRECT.customs_code  # 9610 直购进口: shipped from abroad per order
    BONDED = ClearanceMode.BONDED.customs_code  # 1210 保税进口: shipped from a bonded warehouse

    @property
    def mode(self) -> ClearanceMode:
        """The clearance mode this code declares (9610 on an import list is direct)."""
        return ClearanceMode[self.name]

    @classmethod
    def of(cls, mode: ClearanceMode | str) -> TradeMode:
        """The code an import list carries for ``mode`` (bonded or direct only)."""
        return cls[ClearanceMode(mode).name]


@dataclass(frozen=True, slots=True)
class Party:
    """A company as customs knows it: its registration code (海关注册登记编号) and name."""

    code: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Transfer:
    """BaseTransfer (基础报文传输实体): who transmits the message over the data exchange."""

    cop_code: str  # 传输企业代码, must match the certificate's company
    cop_name: str
    dxp_mode: str = "DXP"
    dxp_id: str  # 数据交换平台用户编号 (the DXP sender id)
    note: str | None = None


# --------------------------------------------------------------------------------------------
# CEB311 电子订单 (order)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    """OrderList: one goods line of an order (电子订单商品表体)."""

    gnum: int  # 1..n; the inventory list's gnum must match one to one
    item_no: str | None = None  # the merchant's SKU
    item_name: str  # Chinese name the platform sells it under
    gmodel: str  # 规格型号: name, brand, spec, model, ingredients...
    item_describe: str | None = None
    bar_code: str | None = None
    unit: str  # customs unit code (JGS-20), 3 characters: 007 = piece
    qty: Decimal
    price: Decimal  # gifts: 0
    total_price: Decimal  # price x qty
    currency: str = CURRENCY_CNY
    country: str  # origin, 3-character customs country code
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderDoc:
    """Order (OrderHead + OrderList): one e-commerce order as the platform declares it.

    ``goods_value`` includes the non-cash deductions (``discount``: points, vouchers, virtual
    currency); ``actual_paid`` = goods_value + freight + tax_total - discount and must equal the
    payment's amount to the fen.
    """

    guid: str
    app_type: AppType = AppType.NEW
    app_time: datetime
    app_status: AppStatus = AppStatus.DECLARE
    order_type: str = "I"
    order_no: str
    ebp: Party  # the platform
    ebc: Party  # the e-commerce company (the merchant acting as seller of record)
    goods_value: Decimal
    freight: Decimal
    discount: Decimal
    tax_total: Decimal
    actual_paid: Decimal = field(metadata=xml_name("acturalPaid"))
    currency: str = CURRENCY_CNY
    buyer_reg_no: str  # the buyer's account on the platform
    buyer_name: str
    buyer_telephone: str
    buyer_id_type: str = "1"  # 1 = PRC identity card, the only value customs accepts
    buyer_id_number: str
    pay: Party | None = None
    pay_transaction_id: str | None = None
    batch_numbers: str | None = None
    consignee: str
    consignee_telephone: str
    consignee_address: str
    consignee_district: str | None = None  # 6-digit administrative division code
    note: str | None = None
    lines: tuple[OrderLine, ...]


# --------------------------------------------------------------------------------------------
# CEB411 支付凭证 (payment)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentDoc:
    """PaymentHead: the payment voucher the payment company declares for an order."""

    guid: str
    app_type: AppType = AppType.NEW
    app_time: datetime
    app_status: AppStatus = AppStatus.DECLARE
    pay: Party
    pay_transaction_id: str
    order_no: str
    ebp: Party
    payer_id_type: str = "1"
    payer_id_number: str
    payer_name: str
    telephone: str | None = None
    amount_paid: Decimal
    currency: str = CURRENCY_CNY
    pay_time: datetime
    note: str | None = None


# --------------------------------------------------------------------------------------------
# CEB511 物流运单 (waybill) and CEB513 运单状态 (delivery status)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class WaybillDoc:
    """LogisticsHead: the waybill the logistics company declares for an order's parcel."""

    guid: str
    app_type: AppType = AppType.NEW
    app_time: datetime
    app_status: AppStatus = AppStatus.DECLARE
    logistics: Party
    logistics_no: str  # never repeats within the carrier for six months
    bill_no: str | None = None  # master bill (direct purchase)
    order_no: str
    freight: Decimal | None = None
    insured_fee: Decimal | None = None
    currency: str = CURRENCY_CNY
    weight: Decimal  # gross weight, kg
    pack_no: int = 1  # parcels under this waybill: always 1
    goods_info: str | None = None
    consignee: str
    consignee_address: str
    consignee_telephone: str
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryDoc:
    """LogisticsStatus (CEB513): the parcel was signed for (签收)."""

    guid: str
    app_type: AppType = AppType.NEW
    app_time: datetime
    app_status: AppStatus = AppStatus.DECLARE
    logistics: Party
    logistics_no: str
    logistics_status: str = "S"  # the only status customs takes: signed for
    logistics_time: datetime
    note: str | None = None


# --------------------------------------------------------------------------------------------
# CEB711 入库明细单 (arrival manifest of a consolidated direct-mail consignment)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ManifestLine:
    """DeliveryList: one parcel (its waybill) of the consignment."""

    gnum: int
    logistics_no: str
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ManifestDoc:
    """DeliveryHead + DeliveryList (CEB711): the parcels of one master consignment that reached
    the supervised site, declared by its operator (监管场所经营人)."""

    guid: str
    app_type: AppType = AppType.NEW
    app_time: datetime
    app_status: AppStatus = AppStatus.DECLARE
    customs_code: str
    cop_no: str
    pre_no: str | None = None
    rkd_no: str | None = None
    operator: Party
    ie_flag: str = "I"
    traf_mode: str  # JGS-20 transport mode: 5 air, 2 sea, 4 road, 3 rail
    traf_no: str
    voyage_no: str
    bill_no: str  # the master bill (空运总单 / 海运提单)
    logistics: Party
    unload_location: str | None = None
    note: str | None = None
    lines: tuple[ManifestLine, ...] = ()


# --------------------------------------------------------------------------------------------
# CEB621 进口清单 (inventory list), CEB623 撤销 (cancel), CEB625 退货 (return)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryLine:
    """InventoryList: one line of the declaration; gnum matches the order's line one to one."""

    gnum: int
    item_record_no: str | None = None  # 账册备案料号: required for bonded (1210)
    item_no: str | None = None
    item_name: str | None = None
    gcode: str  # 10-digit HS code
    gname: str  # same as the order's item name
    gmodel: str
    bar_code: str | None = None
    country: str
    trade_country: str | None = None
    currency: str = CURRENCY_CNY
    qty: Decimal
    unit: str
    qty1: Decimal  # quantity in the legal unit of the HS code
    unit1: str
    qty2: Decimal | None = None
    unit2: str | None = None
    price: Decimal
    total_price: Decimal
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryDoc:
    """Inventory (InventoryHead + InventoryList): the customs declaration proper (清单).

    Always carries ``cop_no`` (the platform's own number for the list): receipts name the list
    by it (and by preNo/invtNo once customs assigns them), never by the order number.
    """

    guid: str
    app_type: AppType = AppType.NEW
    app_time: datetime
    app_status: AppStatus = AppStatus.DECLARE
    order_no: str
    ebp: Party
    ebc: Party
    logistics_no: str
    logistics: Party
    cop_no: str
    pre_no: str | None = None
    assure_code: str  # 担保企业: the platform, the e-commerce company or the carrier
    ems_no: str | None = None  # bonded ledger (账册), required for 1210
    invt_no: str | None = None
    ie_flag: str = "I"
    decl_time: date
    customs_code: str  # 4-digit customs office receiving the declaration
    port_code: str  # 4-digit customs office of the port of entry
    ie_date: date | None = None
    buyer_id_type: str = "1"
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str
    consignee_address: str
    agent: Party  # 申报企业
    area: Party | None = None  # 区内企业 (bonded zone company), required for 1210
    trade_mode: TradeMode
    traf_mode: str  # transport mode code (JGS-20)
    traf_no: str | None = None  # direct purchase: required
    voyage_no: str | None = None  # direct purchase: required
    bill_no: str | None = None  # direct purchase: required
    loct_no: str | None = None
    license_no: str | None = None
    country: str  # country of departure; bonded: 142
    freight: Decimal
    insured_fee: Decimal
    currency: str = CURRENCY_CNY
    wrap_type: str | None = None
    pack_no: int = 1
    gross_weight: Decimal
    net_weight: Decimal
    note: str | None = None
    lines: tuple[InventoryLine, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelDoc:
    """InvtCancel (CEB623): ask customs to cancel a released inventory list (撤销申请单)."""

    guid: str
    app_type: AppType = AppType.NEW
    app_time: datetime
    app_status: AppStatus = AppStatus.DECLARE
    customs_code: str
    order_no: str
    ebp: Party
    ebc: Party
    logistics_no: str
    logistics: Party
    cop_no: str
    pre_no: str | None = None
    invt_no: str
    buyer_id_type: str = "1"
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str
    agent: Party
    reason: str
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnLine:
    """InvtRefundList: a line being returned; gnum is the original list's line number."""

    gnum: int
    gcode: str
    gname: str
    qty: Decimal  # at most the quantity on the original list
    unit: str
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnDoc:
    """InvtRefund (CEB625): declare goods of a released list coming back (退货申请单)."""

    guid: str
    app_type: AppType = AppType.NEW
    app_time: datetime
    app_status: AppStatus = AppStatus.DECLARE
    customs_code: str
    order_no: str
    ebp: Party
    ebc: Party
    logistics_no: str
    logistics: Party
    cop_no: str
    pre_no: str | None = None
    invt_no: str
    buyer_id_type: str = "1"
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str
    agent: Party
    reason: str
    note: str | None = None
    lines: tuple[ReturnLine, ...]


# --------------------------------------------------------------------------------------------
# Receipts (回执) and the customs-issued messages
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderReceipt:
    """OrderReturn (CEB312), keyed on ebpCode + ebcCode + orderNo."""

    guid: str
    ebp_code: str
    ebc_code: str
    order_no: str
    return_status: str
    return_time: datetime
    return_info: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentReceipt:
    """PaymentReturn (CEB412), keyed on payCode + payTransactionId."""

    guid: str
    pay_code: str
    pay_transaction_id: str
    return_status: str
    return_time: datetime
    return_info: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WaybillReceipt:
    """LogisticsReturn (CEB512), keyed on logisticsCode + logisticsNo."""

    guid: str
    logistics_code: str
    logistics_no: str
    return_status: str
    return_time: datetime
    return_info: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryReceipt:
    """LogisticsStatusReturn (CEB514), keyed on logisticsCode + logisticsNo."""

    guid: str
    logistics_code: str
    logistics_no: str
    logistics_status: str
    return_status: str
    return_time: datetime
    return_info: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ManifestReceipt:
    """DeliveryReturn (CEB712), keyed on copNo; ``rkd_no`` is customs' entry number."""

    guid: str
    customs_code: str | None = None
    operator_code: str | None = None
    cop_no: str
    pre_no: str | None = None
    rkd_no: str | None = None
    return_status: str
    return_time: datetime
    return_info: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryReceipt:
    """InventoryReturn (CEB622), keyed on copNo (then preNo, invtNo once assigned)."""

    guid: str
    customs_code: str | None = None
    ebp_code: str | None = None
    ebc_code: str | None = None
    agent_code: str | None = None
    cop_no: str
    pre_no: str
    invt_no: str | None = None
    return_status: str
    return_time: datetime
    return_info: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelReceipt:
    """InvtCancelReturn (CEB624)."""

    guid: str
    customs_code: str | None = None
    agent_code: str | None = None
    ebp_code: str | None = None
    ebc_code: str | None = None
    cop_no: str
    pre_no: str
    invt_no: str | None = None
    return_status: str
    return_time: datetime
    return_info: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnReceipt:
    """InvtRefundReturn (CEB626)."""

    guid: str
    customs_code: str | None = None
    agent_code: str | None = None
    ebp_code: str | None = None
    ebc_code: str | None = None
    cop_no: str
    pre_no: str
    invt_no: str | None = None
    return_status: str
    return_time: datetime
    return_info: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxBillLine:
    """TaxListRd: the taxes customs assessed on one line of a released list."""

    gnum: int
    gcode: str
    tax_price: Decimal  # 完税总价格
    customs_tax: Decimal
    value_added_tax: Decimal
    consumption_tax: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxBill:
    """Tax (TaxHeadRd + TaxListRd), CEB816 电子税单: customs' tax bill for one list."""

    guid: str
    return_time: datetime
    invt_no: str
    tax_no: str
    customs_tax: Decimal
    value_added_tax: Decimal
    consumption_tax: Decimal
    status: str  # 1 generated, 2 summarised, 3 void
    ent_duty_no: str | None = None
    note: str | None = None
    assure_code: str | None = None
    ebc_code: str | None = None
    logistics_code: str | None = None
    agent_code: str | None = None
    customs_code: str | None = None
    lines: tuple[TaxBillLine, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FormatFailure:
    """MessageReturn (CEB900): the platform could not accept a message's format.

    ``ori_cop_msg_id`` names the envelope (DxpMsg CopMsgId) that failed; ``ori_biz_message``
    is the original message as text.
    """

    guid: str
    return_status: str  # negative
    return_info: str
    return_time: datetime
    ori_cop_msg_id: str
    ori_message_type: str  # CEB311Message ... or Unknown
    ori_biz_message: str = field(metadata={"cdata": True})


Document = OrderDoc | PaymentDoc | WaybillDoc | DeliveryDoc | InventoryDoc | CancelDoc | ReturnDoc
Receipt = (
    OrderReceipt
    | PaymentReceipt
    | WaybillReceipt
    | DeliveryReceipt
    | InventoryReceipt
    | CancelReceipt
    | ReturnReceipt
)

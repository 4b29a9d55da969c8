"""CEB builders and parsers: every builder's output validates against the official XSD, the
spec's field rules are enforced, batches hold at most 100 documents, and the official sample
receipts parse into the fields customs put in them."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import pytest
from lxml import etree

from customs.ceb import messages, schema
from customs.ceb import types as t
from customs.ceb.codec import CebFormatError, format_decimal
from customs.ceb.rules import CebRuleError
from customs.signing import xmldsig

from .documents import CARRIER, EBC, EBP, NOW, TRANSFER, parcel

SAMPLES = Path(__file__).parent / "samples"


def delivery(n: int = 1) -> t.DeliveryDoc:
    return t.DeliveryDoc(
        guid=messages.new_guid(),
        app_time=NOW,
        logistics=CARRIER,
        logistics_no=f"SWL{n:010d}",
        logistics_time=NOW,
    )


def cancel(n: int = 1) -> t.CancelDoc:
    p = parcel(n).inventory
    return t.CancelDoc(
        guid=messages.new_guid(),
        app_time=NOW,
        customs_code="2923",
        order_no=p.order_no,
        ebp=EBP,
        ebc=EBC,
        logistics_no=p.logistics_no,
        logistics=CARRIER,
        cop_no=f"SWX{n:010d}",
        invt_no="29232026I000000001",
        buyer_id_number=p.buyer_id_number,
        buyer_name="张三",
        buyer_telephone="13800000000",
        agent=EBP,
        reason="买家取消订单",
    )


def refund(n: int = 1) -> t.ReturnDoc:
    p = parcel(n).inventory
    return t.ReturnDoc(
        guid=messages.new_guid(),
        app_time=NOW,
        customs_code="2923",
        order_no=p.order_no,
        ebp=EBP,
        ebc=EBC,
        logistics_no=p.logistics_no,
        logistics=CARRIER,
        cop_no=f"SWR{n:010d}",
        invt_no="29232026I000000001",
        buyer_id_number=p.buyer_id_number,
        buyer_name="张三",
        buyer_telephone="13800000000",
        agent=EBP,
        reason="商品破损退货",
        lines=(
            t.ReturnLine(gnum=1, gcode="0409000000", gname="麦卢卡蜂蜜 250g", qty=D(1), unit="007"),
        ),
    )


BUILDERS = {
    "311": lambda n: parcel(n).order,
    "411": lambda n: parcel(n).payment,
    "511": lambda n: parcel(n).waybill,
    "513": delivery,
    "621": lambda n: parcel(n).inventory,
    "621-bonded": lambda n: parcel(n, bonded=True).inventory,
    "623": cancel,
    "625": refund,
}


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_every_builder_output_validates_against_the_official_xsd(kind, any_signer):
    docs = [BUILDERS[kind](n) for n in range(1, 4)]
    root = messages.build(docs, transfer=TRANSFER)
    xmldsig.sign(root, any_signer)
    schema.validate(root)  # raises with libxml2's findings if not
    parsed = messages.parse(messages.to_bytes(root))
    assert parsed.signed
    assert len(parsed.documents) == 3
    assert parsed.transfer == TRANSFER


def test_an_inventory_list_without_its_signature_is_not_valid():
    # CEB621 requires ds:Signature (minOccurs 1): the XSD itself refuses an unsigned list.
    root = messages.build([parcel().inventory], transfer=TRANSFER)
    with pytest.raises(schema.SchemaError, match="Signature"):
        schema.validate(root)


def test_documents_read_back_equal_what_was_built(sm2_signer):
    docs = [parcel(1).order, parcel(2, bonded=True).inventory]
    for doc in docs:
        root = messages.build([doc], transfer=TRANSFER)
        xmldsig.sign(root, sm2_signer)
        assert messages.parse(messages.to_bytes(root)).documents == (doc,)


def test_amounts_are_written_the_way_the_spec_shows_them():
    root = messages.build([parcel(unit_price=D("99.50"), qty=2).order], transfer=TRANSFER)
    ns = {"ceb": "http://www.chinaport.gov.cn/ceb"}
    assert root.findtext(".//ceb:goodsValue", namespaces=ns) == "199"
    assert root.findtext(".//ceb:acturalPaid", namespaces=ns) == "209"
    assert root.findtext(".//ceb:price", namespaces=ns) == "99.5"
    assert root.findtext(".//ceb:appTime", namespaces=ns) == "20260301093000"  # China time
    assert format_decimal(D("0.00")) == "0"
    with pytest.raises(CebFormatError):
        format_decimal(D("1.000001"))
    with pytest.raises(CebFormatError):
        format_decimal(1.5)  # type: ignore[arg-type]


def test_actural_paid_must_add_up_to_the_fen():
    order = parcel().order
    wrong = replace(order, actual_paid=order.actual_paid + D("0.01"))
    with pytest.raises(CebRuleError) as refused:
        messages.build([wrong], transfer=TRANSFER)
    assert (
        "actual_paid",
        "must equal goods + freight + tax - discount (210.00)",
    ) in refused.value.violations


def test_goods_value_includes_non_cash_deductions():
    # 200 of goods, 30 of points: goodsValue stays 200, discount 30, acturalPaid 180.
    order = parcel(freight=D("10")).order
    points = replace(order, discount=D("30"), actual_paid=D("180.00"))
    messages.build([points], transfer=TRANSFER)
    lowered = replace(points, goods_value=D("170"), actual_paid=D("150"))
    with pytest.raises(CebRuleError, match="goods_value must equal the lines' total"):
        messages.build([lowered], transfer=TRANSFER)


def test_line_numbers_must_run_from_one_without_gaps():
    order = parcel().order
    gap = replace(order, lines=(replace(order.lines[0], gnum=2),))
    with pytest.raises(CebRuleError, match="gnum must run 1, 2, 3"):
        messages.build([gap], transfer=TRANSFER)


def test_trade_mode_decides_the_required_fields():
    bonded = parcel(bonded=True).inventory
    with pytest.raises(CebRuleError, match="ems_no is required for bonded"):
        messages.build([replace(bonded, ems_no=None)], transfer=TRANSFER)
    no_record = replace(bonded, lines=(replace(bonded.lines[0], item_record_no=None),))
    with pytest.raises(CebRuleError, match="item_record_no is required"):
        messages.build([no_record], transfer=TRANSFER)
    direct = parcel().inventory
    with pytest.raises(CebRuleError, match="bill_no is required for direct purchase"):
        messages.build([replace(direct, bill_no=None)], transfer=TRANSFER)
    with pytest.raises(CebRuleError, match="cop_no is required"):
        messages.build([replace(direct, cop_no="")], transfer=TRANSFER)
    with pytest.raises(CebRuleError, match="pack_no must be 1"):
        messages.build([replace(direct, pack_no=2)], transfer=TRANSFER)


def test_a_message_holds_at_most_100_documents():
    orders = [parcel(n).order for n in range(1, 102)]
    assert [len(b) for b in messages.batches(orders)] == [100, 1]
    with pytest.raises(ValueError, match="at most 100"):
        messages.build(orders, transfer=TRANSFER)
    root = messages.build(orders[:100], transfer=TRANSFER)
    schema.validate(root)
    assert len(root.findall("{http://www.chinaport.gov.cn/ceb}Order")) == 100


def test_mixed_document_types_are_refused():
    p = parcel()
    with pytest.raises(ValueError, match="one type"):
        messages.build([p.order, p.payment], transfer=TRANSFER)


@pytest.mark.parametrize(
    ("sample", "cls", "expected"),
    [
        (
            "CEB312Message.xml",
            t.OrderReceipt,
            {"order_no": "order20160321116420545", "return_status": "2", "ebp_code": "1105910159"},
        ),
        ("CEB412Message.xml", t.PaymentReceipt, {"return_status": "120"}),
        ("CEB512Message.xml", t.WaybillReceipt, {"logistics_code": "1105910159"}),
        ("CEB514Message.xml", t.DeliveryReceipt, {"logistics_status": "S"}),
        (
            "CEB622Message.xml",
            t.InventoryReceipt,
            {"cop_no": "cop2016032211000", "pre_no": "B20160512000001882", "return_info": "暂存"},
        ),
        ("CEB624Message.xml", t.CancelReceipt, {}),
        ("CEB626Message.xml", t.ReturnReceipt, {}),
    ],
)
def test_official_sample_receipts_parse(sample, cls, expected):
    parsed = messages.parse((SAMPLES / sample).read_bytes())
    first = parsed.documents[0]
    assert isinstance(first, cls)
    for name, value in expected.items():
        assert getattr(first, name) == value
    assert first.return_time.tzinfo is not None


def test_official_sample_requests_parse_into_documents():
    order = messages.parse((SAMPLES / "CEB311Message.xml").read_bytes()).documents[0]
    assert order.actual_paid == D("19050")
    assert [line.gnum for line in order.lines] == [1, 2]
    invt = messages.parse((SAMPLES / "CEB621Message.xml").read_bytes()).documents[0]
    assert invt.trade_mode is t.TradeMode.DIRECT and invt.cop_no == "NBBH20160308005"
    assert invt.pre_no is None  # empty elements read as absent


def test_tax_bills_and_format_failures_round_trip():
    bill = t.TaxBill(
        guid=messages.new_guid(),
        return_time=NOW,
        invt_no="29232026I000000001",
        tax_no="29232026I00000000101",
        customs_tax=D("0"),
        value_added_tax=D("19.11"),
        consumption_tax=D("0"),
        status="1",
        lines=(
            t.TaxBillLine(
                gnum=1,
                gcode="0409000000",
                tax_price=D("210"),
                customs_tax=D("0"),
                value_added_tax=D("19.11"),
                consumption_tax=D("0"),
            ),
        ),
    )
    root = messages.build([bill])
    schema.validate(root)
    assert messages.parse(messages.to_bytes(root)).documents == (bill,)
    failure = t.FormatFailure(
        guid=messages.new_guid(),
        return_status="-1",
        return_info="格式错误",
        return_time=NOW,
        ori_cop_msg_id="X",
        ori_message_type="Unknown",
        ori_biz_message="<broken>",
    )
    data = messages.to_bytes(messages.build([failure]))
    assert b"<![CDATA[<broken>]]>" in data
    assert messages.parse(data).documents[0].ori_biz_message == "<broken>"


def test_hostile_xml_is_not_expanded():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<CEB312Message xmlns="http://www.chinaport.gov.cn/ceb">&b;</CEB312Message>'
    )
    try:
        root = schema.parse_xml(bomb)
    except etree.XMLSyntaxError:
        return
    assert "aaaaaaaaaa" not in (root.text or "")

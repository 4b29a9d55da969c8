"""The gateway end to end: sealed messages over HTTP and AMQP to the real simulator process,
which checks envelope, XSD, signature, three documents and limits, and answers with receipts
(asynchronously, in status order, with customs-style codes and Chinese texts)."""

from __future__ import annotations

import base64
from dataclasses import replace
from decimal import Decimal as D

import pytest
import requests
from lxml import etree

from customs.ceb import codes, dxp, messages
from customs.ceb import types as t
from customs.gateway.sealing import NotSealed, SealedMessage, seal
from customs.gateway.transports import (
    AmqpTransport,
    HttpTransport,
    TransportRejected,
    TransportUnavailable,
)
from customs.signing import xmldsig

from .conftest import AMQP_URL, start_simulator, wait_for
from .documents import TRANSFER, parcel
from .receipts import collect, statuses


def http(sim) -> HttpTransport:
    return HttpTransport(sim.url, sender_id=TRANSFER.dxp_id, read_timeout=5)


def declare(transport, parcels, signer, route, *, kinds=("order", "payment", "waybill")):
    for kind in kinds:
        docs = [getattr(p, kind) for p in parcels]
        for message in seal(docs, signer=signer, route=route, transfer=TRANSFER):
            transport.send(message)


def released(receipts, parcels) -> bool:
    return len([1 for c, d in receipts if c == "622" and d.return_status == "800"]) == len(parcels)


def test_a_declared_parcel_is_matched_approved_released_and_taxed(simulator, sm2_signer, route):
    transport = http(simulator)
    parcels = [parcel(1), parcel(2)]
    declare(transport, parcels, sm2_signer, route)
    wait_for(lambda: len(simulator.documents("waybill")) == 2)
    declare(transport, parcels, sm2_signer, route, kinds=("inventory",))
    receipts = collect(
        transport, until=lambda r: released(r, parcels) and any(c == "816" for c, _ in r)
    )
    by_list = statuses(receipts, "622", "cop_no")
    assert by_list[parcels[0].inventory.cop_no] == ["2", "120", "399", "800"]
    assert statuses(receipts, "312", "order_no")[parcels[0].order.order_no] == ["2", "120"]
    # Every receipt names its document by the same key the request has.
    sent = {
        messages.document_key(doc)
        for p in parcels
        for doc in (p.order, p.payment, p.waybill, p.inventory)
    }
    assert {messages.document_key(d) for c, d in receipts if c != "816"} == sent
    bill = next(d for c, d in receipts if c == "816")
    # 9610 honey (HS 0409, standard VAT 13 %): P = 200 goods + 10 freight, VAT 210 x 13 % x 70 %.
    assert bill.value_added_tax == D("19.11")
    assert bill.customs_tax == D("0") and bill.consumption_tax == D("0")
    assert bill.lines[0].tax_price == D("210.00")
    assert bill.invt_no.startswith("29232026I")


def test_a_consignee_that_differs_from_the_waybill_is_rejected_with_the_reason(
    simulator, sm2_signer, route
):
    transport = http(simulator)
    p = parcel(3)
    p = replace(p, waybill=replace(p.waybill, consignee="李四"))
    declare(transport, [p], sm2_signer, route)
    wait_for(lambda: simulator.documents("waybill"))
    declare(transport, [p], sm2_signer, route, kinds=("inventory",))
    receipts = collect(transport, until=lambda r: any(c == "622" for c, _ in r))
    rejection = next(d for c, d in receipts if c == "622")
    assert rejection.return_status == "100"
    assert "运单收货人信息与订单不一致" in rejection.return_info
    assert "李四" in rejection.return_info


def test_over_the_yearly_limit_is_refused_with_621018(simulator, sm2_signer, route):
    transport = http(simulator)
    buyer = "110101198001011234"
    first = parcel(10, buyer_id=buyer, unit_price=D("4800.00"), qty=1)
    parcels = [first] + [
        parcel(10 + n, buyer_id=buyer, unit_price=D("4800.00"), qty=1) for n in range(1, 6)
    ]
    declare(transport, parcels, sm2_signer, route)
    wait_for(lambda: len(simulator.documents("waybill")) == 6)
    declare(transport, parcels, sm2_signer, route, kinds=("inventory",))
    receipts = collect(
        transport,
        until=lambda r: (
            len([1 for c, d in r if c == "622" and d.return_status in ("800", "-621018")]) == 6
        ),
    )
    final = {d.cop_no: d for c, d in receipts if c == "622"}
    refused = [d for d in final.values() if d.return_status == "-621018"]
    # 5 x 4,810 = 24,050 fits in 26,000; the sixth would take the year to 28,860.
    assert len(refused) == 1
    assert "本次购买将超过年度限额[26,000.00]" in refused[0].return_info
    assert codes.status("-621018").outcome is codes.Outcome.FAILED


def test_over_the_single_purchase_limit_is_refused_with_621005(simulator, sm2_signer, route):
    transport = http(simulator)
    p = parcel(20, unit_price=D("2600.00"), qty=2)
    declare(transport, [p], sm2_signer, route)
    wait_for(lambda: simulator.documents("waybill"))
    declare(transport, [p], sm2_signer, route, kinds=("inventory",))
    receipts = collect(transport, until=lambda r: any(c == "622" for c, _ in r))
    refusal = next(d for c, d in receipts if c == "622")
    assert refusal.return_status == "-621005"
    assert "超过单笔限额[5,000.00]" in refusal.return_info


def test_a_list_before_its_order_payment_and_waybill_is_refused(simulator, sm2_signer, route):
    transport = http(simulator)
    p = parcel(30)
    declare(transport, [p], sm2_signer, route, kinds=("inventory",))
    receipts = collect(transport, until=lambda r: any(c == "622" for c, _ in r))
    assert receipts[0][1].return_status == "-621003"
    assert "未找到对应的订单、支付单、运单" in receipts[0][1].return_info


def test_a_second_order_with_the_same_number_is_a_duplicate(simulator, sm2_signer, route):
    transport = http(simulator)
    p = parcel(40)
    declare(transport, [p], sm2_signer, route, kinds=("order",))
    again = replace(p.order, guid=messages.new_guid())
    for message in seal([again], signer=sm2_signer, route=route, transfer=TRANSFER):
        transport.send(message)
    receipts = collect(transport, until=lambda r: any(d.return_status == "-301010" for _, d in r))
    assert codes.status("-301010").outcome is codes.Outcome.DUPLICATE
    assert (
        simulator.documents("order")[f"{p.order.ebp.code}/{p.order.ebc.code}/{p.order.order_no}"][
            "accepted"
        ]
        == 1
    )
    assert any(d.return_info == "已存在相同编号的订单" for _, d in receipts)


def test_an_envelope_sent_twice_is_processed_once(simulator, sm2_signer, route):
    transport = http(simulator)
    (message,) = seal([parcel(50).order], signer=sm2_signer, route=route, transfer=TRANSFER)
    transport.send(message)
    transport.send(message)  # a retry after a lost answer: same CopMsgId
    receipts = collect(transport, until=lambda r: any(d.return_status == "120" for _, d in r))
    assert all(d.return_status != "-301010" for _, d in receipts)
    assert simulator.state()["envelopes"] == 1


def test_a_broken_signature_on_a_list_is_refused_with_621029(simulator, sm2_signer, route):
    transport = http(simulator)
    p = parcel(60)
    declare(transport, [p], sm2_signer, route)
    (message,) = seal([p.inventory], signer=sm2_signer, route=route, transfer=TRANSFER)
    root = etree.fromstring(message.message)
    root.find(".//{http://www.chinaport.gov.cn/ceb}grossWeight").text = "0.1"  # after signing
    info = dxp.TransInfo(
        "TAMPERED-1", TRANSFER.dxp_id, (dxp.IMPORT_RECEIVER,), p.order.app_time, "CEB621Message"
    )
    response = requests.post(
        f"{simulator.url}/dxp/messages", data=dxp.wrap(messages.to_bytes(root), info), timeout=5
    )
    assert response.json()["code"] == "0000"
    receipts = collect(transport, until=lambda r: any(c == "622" for c, _ in r))
    refusal = next(d for c, d in receipts if c == "622")
    assert refusal.return_status == "-621029" and refusal.return_info == "验签失败！"


def test_malformed_and_invalid_messages_get_a_ceb900(simulator, sm2_signer, route):
    transport = http(simulator)
    info = dxp.TransInfo(
        "BROKEN-1",
        TRANSFER.dxp_id,
        (dxp.IMPORT_RECEIVER,),
        parcel().order.app_time,
        "CEB311Message",
    )
    requests.post(
        f"{simulator.url}/dxp/messages", data=dxp.wrap(b"<ceb:CEB311Message", info), timeout=5
    )
    root = messages.build([parcel(70).order], transfer=TRANSFER)
    root.find(".//{http://www.chinaport.gov.cn/ceb}orderType").text = "XX"  # over length 1
    xmldsig.sign(root, sm2_signer)
    info2 = dxp.TransInfo(
        "INVALID-1",
        TRANSFER.dxp_id,
        (dxp.IMPORT_RECEIVER,),
        parcel().order.app_time,
        "CEB311Message",
    )
    requests.post(
        f"{simulator.url}/dxp/messages", data=dxp.wrap(messages.to_bytes(root), info2), timeout=5
    )
    receipts = collect(transport, until=lambda r: len([1 for c, _ in r if c == "900"]) == 2)
    failures = {d.ori_cop_msg_id: d for c, d in receipts if c == "900"}
    assert failures["BROKEN-1"].ori_message_type == "Unknown"
    assert failures["INVALID-1"].ori_message_type == "CEB311Message"
    assert "schema" in failures["INVALID-1"].return_info
    assert int(failures["INVALID-1"].return_status) < 0
    assert "orderType" in failures["INVALID-1"].ori_biz_message


def test_an_envelope_that_is_not_one_is_refused_at_once(simulator):
    response = requests.post(f"{simulator.url}/dxp/messages", data=b"<hello/>", timeout=5)
    assert response.status_code == 400 and response.json()["code"] == "0002"
    with pytest.raises(TransportRejected) as refused:
        http(simulator)._call("POST", "/dxp/messages", data=b"not xml")
    assert refused.value.code == "0002"


def test_transports_send_sealed_messages_only(simulator):
    with pytest.raises(NotSealed):
        http(simulator).send(b"<dxp:DxpMsg/>")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="seal"):
        SealedMessage("x", "CEB311Message", "g", (), b"", b"", object())


def test_faults_lose_and_duplicate_nothing(simulator, sm2_signer, route):
    """5 % HTTP 500s, 1 % dropped connections, duplicate and reordered receipts: with
    retries every document is accepted exactly once, and monotonic application of receipts
    ends every list released."""
    simulator.faults(http_500_rate=0.05, drop_rate=0.01, duplicate_rate=0.3, reorder_ms=150)
    transport = http(simulator)
    parcels = [parcel(100 + n) for n in range(60)]
    sealed = []
    for kind in ("order", "payment", "waybill"):
        # 10 documents per message here, so faults hit several messages
        for chunk in range(0, 60, 10):
            sealed += seal(
                [getattr(p, kind) for p in parcels[chunk : chunk + 10]],
                signer=sm2_signer,
                route=route,
                transfer=TRANSFER,
            )
    failures = 0
    for message in sealed:
        for _attempt in range(20):
            try:
                transport.send(message)
                break
            except TransportUnavailable:
                failures += 1
    wait_for(lambda: len(simulator.documents("waybill")) == 60)
    for chunk in range(0, 60, 10):
        for message in seal(
            [p.inventory for p in parcels[chunk : chunk + 10]],
            signer=sm2_signer,
            route=route,
            transfer=TRANSFER,
        ):
            for _attempt in range(20):
                try:
                    transport.send(message)
                    break
                except TransportUnavailable:
                    failures += 1
    current: dict[str, str | None] = {}
    seen_duplicate_receipts = 0

    def apply(receipts):
        nonlocal seen_duplicate_receipts
        current.clear()
        seen: set = set()
        for code, doc in receipts:
            if code != "622":
                continue
            if doc.guid in seen:
                seen_duplicate_receipts += 1
            seen.add(doc.guid)
            if codes.moves_forward(current.get(doc.cop_no), doc.return_status):
                current[doc.cop_no] = doc.return_status
        return len(current) == 60 and set(current.values()) == {"800"}

    collect(transport, until=apply, timeout=40)
    state = simulator.state()["documents"]
    assert failures > 0  # the faults did fire
    assert all(d["accepted"] == 1 for d in state)
    assert len([d for d in state if d["kind"] == "inventory" and d["status"] == "800"]) == 60
    assert not [d for d in state if d["status"].startswith("-")]


def test_over_amqp(amqp_simulator, sm2_signer, route):
    transport = AmqpTransport(
        AMQP_URL,
        sender_id=TRANSFER.dxp_id,
        receiver_id=dxp.IMPORT_RECEIVER,
        prefix=amqp_simulator.prefix,
    )
    try:
        parcels = [parcel(200 + n) for n in range(3)]
        declare(transport, parcels, sm2_signer, route)
        wait_for(lambda: len(amqp_simulator.documents("waybill")) == 3)
        declare(transport, parcels, sm2_signer, route, kinds=("inventory",))
        receipts = collect(transport, until=lambda r: released(r, parcels))
        assert statuses(receipts, "622", "cop_no")[parcels[2].inventory.cop_no][-1] == "800"
    finally:
        transport.close()


def test_amqp_transport_reports_a_dead_broker_as_unavailable(sm2_signer, route):
    transport = AmqpTransport(
        "amqp://guest:guest@127.0.0.1:1//",
        sender_id="X",
        receiver_id=dxp.IMPORT_RECEIVER,
        timeout=1,
    )
    (message,) = seal([parcel().order], signer=sm2_signer, route=route, transfer=TRANSFER)
    with pytest.raises(TransportUnavailable):
        transport.send(message)


def test_the_simulator_keeps_its_state_across_a_restart(tmp_path, sm2_signer, route):
    state_dir = tmp_path / "sim"
    sim = start_simulator(state_dir)
    p = parcel(300)
    try:
        declare(http(sim), [p], sm2_signer, route, kinds=("order",))
        wait_for(lambda: sim.documents("order"))
    finally:
        sim.stop()
    again = start_simulator(state_dir)
    try:
        assert len(again.documents("order")) == 1
        declare(
            http(again),
            [replace(p, order=replace(p.order, guid=messages.new_guid()))],
            sm2_signer,
            route,
            kinds=("order",),
        )
        receipts = collect(
            http(again), until=lambda r: any(d.return_status == "-301010" for _, d in r)
        )
        assert receipts
    finally:
        again.stop()


def test_receipts_wait_until_acknowledged(simulator, sm2_signer, route):
    transport = http(simulator)
    declare(transport, [parcel(400)], sm2_signer, route, kinds=("order",))
    first = wait_for(lambda: transport.receive(limit=10))
    again = transport.receive(limit=10)
    assert {base64.b64encode(i.envelope) for i in first} <= {
        base64.b64encode(i.envelope) for i in again
    }
    for inbound in again:
        inbound.ack()
    assert all(b.envelope not in {i.envelope for i in again} for b in transport.receive(limit=10))


def test_cancel_and_return_of_a_released_list(simulator, sm2_signer, route):
    from .test_messages import cancel, refund

    transport = http(simulator)
    p = parcel(500)
    declare(transport, [p], sm2_signer, route)
    wait_for(lambda: simulator.documents("waybill"))
    declare(transport, [p], sm2_signer, route, kinds=("inventory",))
    receipts = collect(transport, until=lambda r: released(r, [p]))
    invt_no = next(d.invt_no for c, d in receipts if c == "622" and d.invt_no)
    ret = replace(refund(500), invt_no=invt_no)
    for message in seal([ret], signer=sm2_signer, route=route, transfer=TRANSFER):
        transport.send(message)
    got = collect(
        transport, until=lambda r: any(c == "626" and d.return_status == "399" for c, d in r)
    )
    assert [d.return_status for c, d in got if c == "626"] == ["2", "120", "399"]
    missing = replace(cancel(501), invt_no="29232026I999999999")
    for message in seal([missing], signer=sm2_signer, route=route, transfer=TRANSFER):
        transport.send(message)
    got = collect(transport, until=lambda r: any(c == "624" for c, _ in r))
    assert next(d for c, d in got if c == "624").return_status == "-623003"
    assert isinstance(got[0][1], t.CancelReceipt)


def test_a_refused_list_can_be_corrected_and_declared_again(simulator, sm2_signer, route):
    transport = http(simulator)
    p = parcel(600)
    declare(transport, [p], sm2_signer, route)
    wait_for(lambda: simulator.documents("waybill"))
    wrong_line = replace(
        p.inventory.lines[0], qty=D(3), qty1=D("1.5"), total_price=p.inventory.lines[0].price * 3
    )
    wrong = replace(p.inventory, lines=(wrong_line,))
    for message in seal([wrong], signer=sm2_signer, route=route, transfer=TRANSFER):
        transport.send(message)
    refused = collect(transport, until=lambda r: any(c == "622" for c, _ in r))
    refusal = next(d for c, d in refused if c == "622")
    assert refusal.return_status == "100"
    assert "清单商品数量与订单不一致" in refusal.return_info
    fixed = replace(p.inventory, guid=messages.new_guid())
    for message in seal([fixed], signer=sm2_signer, route=route, transfer=TRANSFER):
        transport.send(message)
    receipts = collect(transport, until=lambda r: released(r, [p]))
    assert statuses(receipts, "622", "cop_no")[p.inventory.cop_no][-1] == "800"


def test_signatures_are_checked_against_the_registered_certificate(simulator, sm2_signer, route):
    from .conftest import make_signer

    impostor = make_signer(sm2_signer.algorithm, key_name=sm2_signer.key_name)
    simulator.register_certificate(sm2_signer.key_name, sm2_signer.certificate_der)
    transport = http(simulator)
    p = parcel(700)
    declare(transport, [p], impostor, route, kinds=("order", "inventory"))
    receipts = collect(transport, until=lambda r: {c for c, _ in r} >= {"900", "622"})
    failure = next(d for c, d in receipts if c == "900")
    assert failure.return_status == "-1001" and "数字签名无效" in failure.return_info
    assert next(d for c, d in receipts if c == "622").return_status == "-621029"
    # The registered key itself is accepted.
    declare(transport, [p], sm2_signer, route, kinds=("order",))
    collect(transport, until=lambda r: any(c == "312" and d.return_status == "120" for c, d in r))


def test_the_receive_path_takes_receipts_only(sm2_signer, route):
    from customs.ceb.codec import CebFormatError
    from customs.gateway import receiving

    (message,) = seal([parcel().order], signer=sm2_signer, route=route, transfer=TRANSFER)
    with pytest.raises(CebFormatError, match="not a receipt"):
        receiving.read(message.envelope)

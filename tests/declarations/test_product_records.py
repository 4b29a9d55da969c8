"""Product records (商品备案) through the real gateway simulator: a merchant submits, the
outbox worker sends Silkway's SWR101, customs answers SWR102 asynchronously (accepted,
entered, then recorded with a number or rejected with a reason), and the answers are applied
forward only."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.db import transaction

from catalog.models import SKU, ProductRecordEvent, ProductRecordSubmission
from catalog.services import records
from customs.ceb.messages import new_guid
from customs.declarations import services
from customs.declarations.models import Receipt, SentMessage
from customs.declarations.records import profiles_waiting_for_records
from customs.gateway.records import RecordAnswer
from customs.gateway.sealing import Route, seal_record_answers
from marketplace.models import OutboxMessage
from tests.customs.docking.conftest import AMQP_URL, wait_for
from tests.factories import MembershipFactory, ProductFactory, SKUFactory

from .helpers import profile

pytestmark = pytest.mark.django_db(transaction=True)


def _sku(**values) -> tuple[SKU, object]:
    owner = MembershipFactory()
    product = ProductFactory(
        merchant=owner.merchant, name_zh_hans=values.pop("gname", "麦卢卡蜂蜜")
    )
    return SKUFactory(product=product, **values), owner.user


def _submit(sku, by) -> ProductRecordSubmission:
    with transaction.atomic():  # the merchant's request; the outbox sends after it
        return records.product_record_submit(sku=sku, by=by)


def _record(sku) -> tuple[str, str, str]:
    return SKU.objects.values_list(
        "product_record_status", "product_record_number", "product_record_reason"
    ).get(pk=sku.pk)


def _until(p, predicate, timeout=30.0):
    def step():
        services.receipts_fetch(profile=p, timeout=0.2)
        return predicate()

    return wait_for(step, timeout=timeout, interval=0.05)


def _recorded_end_to_end(p, sim):
    sku, owner = _sku(hs_code="0409000000")
    submission = _submit(sku, owner)
    assert _record(sku)[0] == "submitted"
    submission.refresh_from_db()
    assert submission.sent_at is not None  # the outbox worker sent it after commit
    sent = SentMessage.objects.get(message_type="SWR101Message")
    assert b"<ds:Signature" in bytes(sent.message) or b"Signature" in bytes(sent.message)
    assert OutboxMessage.objects.get(kind=records.RECORD_SEND).status == "sent"

    status, number, _ = _until(p, lambda: _record(sku)[0] == "recorded" and _record(sku))
    assert re.fullmatch(r"[0-9]{4}20[0-9]{2}R[0-9]{9}", number)
    assert [e.transition for e in ProductRecordEvent.objects.filter(subject=sku)] == [
        "submit",
        "record",
    ]
    submission.refresh_from_db()
    assert submission.answer == "recorded" and submission.answer_status == "800"
    assert b"SWR102Message" in bytes(submission.answer_message)  # the raw answer is kept
    # every answer arrived as a stored receipt: accepted, entered, recorded
    _until(p, lambda: Receipt.objects.filter(message_type="SWR102Message").count() >= 3)
    record = sim.state()["documents"]
    assert [d["status"] for d in record if d["kind"] == "record"] == ["800"]
    return sku


def test_a_record_is_sent_and_recorded_by_the_gateway_over_http(simulator):
    p = profile(gateway_url=simulator.url)
    _recorded_end_to_end(p, simulator)


def test_a_record_is_sent_and_recorded_by_the_gateway_over_amqp(amqp_simulator):
    p = profile(gateway_url=AMQP_URL, transport="amqp", prefix=amqp_simulator.prefix)
    _recorded_end_to_end(p, amqp_simulator)


def test_customs_rejects_a_short_hs_code_with_its_reason_and_a_resubmission_is_recorded(
    simulator,
):
    p = profile(gateway_url=simulator.url)
    sku, owner = _sku(hs_code="040900")
    _submit(sku, owner)
    status, number, reason = _until(p, lambda: _record(sku)[0] == "rejected" and _record(sku))
    assert number == "" and "商品编码[040900]不是10位海关商品编码" in reason

    # the merchant corrects the code and submits again: a new submission, recorded
    SKU.objects.filter(pk=sku.pk).update(hs_code="0409000000")
    sku.refresh_from_db()
    _submit(sku, owner)
    _until(p, lambda: _record(sku)[0] == "recorded")
    assert _record(sku)[2] == ""
    assert [e.transition for e in ProductRecordEvent.objects.filter(subject=sku)] == [
        "submit",
        "reject",
        "submit",
        "record",
    ]


def test_customs_rejects_a_record_without_a_chinese_goods_name(simulator):
    p = profile(gateway_url=simulator.url)
    sku, owner = _sku(gname="")
    _submit(sku, owner)
    _until(p, lambda: _record(sku)[0] == "rejected")
    assert "中文品名(gname)为空" in _record(sku)[2]


def test_a_gateway_that_is_down_leaves_the_record_submitted_and_the_outbox_retries():
    p = profile(gateway_url="http://127.0.0.1:1")
    sku, owner = _sku()
    submission = _submit(sku, owner)
    message = OutboxMessage.objects.get(kind=records.RECORD_SEND)
    assert message.status == "pending" and message.attempts == 1 and message.last_error
    submission.refresh_from_db()
    assert submission.sent_at is None and _record(sku)[0] == "submitted"
    assert p.pk in profiles_waiting_for_records()


# --- applying answers: forward only --------------------------------------------------------

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _deliver(p, submission, status: str, *, info: str = "", number: str = "") -> Receipt:
    answer = RecordAnswer(
        guid=new_guid(),
        ori_guid=submission.guid,
        ebc_code=p.ecommerce.code,
        cop_g_no=submission.sku.code,
        return_status=status,
        return_time=T0,
        return_info=info or status,
        item_record_no=number,
    )
    (sealed,) = seal_record_answers(
        [answer], route=Route(sender_id="DXPEDCCEB0000002", receiver_id=p.dxp_id)
    )
    receipt = services.receipt_store(envelope=sealed.envelope)
    return services.receipt_apply(receipt_id=receipt.pk)


@pytest.fixture
def submitted():
    p = profile(gateway_url="http://127.0.0.1:1")
    sku, owner = _sku()
    return p, sku, _submit(sku, owner)


def test_late_duplicate_and_contradicting_answers_never_move_a_record_back(submitted):
    p, sku, submission = submitted
    assert _deliver(p, submission, "120").outcome == "applied"
    assert _record(sku)[0] == "submitted"
    assert _deliver(p, submission, "800", info="备案通过", number="31052026R000000001").outcome == (
        "applied"
    )
    assert _record(sku) == ("recorded", "31052026R000000001", "")
    # the same answer again, a late "accepted", and a contradicting rejection change nothing
    for status, info in (("800", "备案通过"), ("2", "申报成功"), ("100", "商品编码不存在")):
        receipt = _deliver(p, submission, status, info=info, number="31052026R000000001")
        assert receipt.outcome == "ignored", receipt.note
    assert _record(sku) == ("recorded", "31052026R000000001", "")
    assert list(
        ProductRecordEvent.objects.filter(subject=sku).values_list("transition", flat=True)
    ) == ["submit", "record"]


def test_an_answer_to_a_superseded_submission_is_kept_but_moves_nothing(submitted):
    p, sku, first = submitted
    _deliver(p, first, "100", info="商品编码不存在")
    assert _record(sku)[0] == "rejected"
    second = _submit(SKU.objects.get(pk=sku.pk), None)
    # customs answers the first submission again, late: the SKU waits for the second
    receipt = _deliver(p, first, "800", number="31052026R000000009")
    assert receipt.outcome == "ignored"
    assert _record(sku)[0] == "submitted"
    _deliver(p, second, "800", number="31052026R000000010")
    assert _record(sku)[:2] == ("recorded", "31052026R000000010")


def test_an_answer_for_no_submission_of_ours_is_unknown(submitted):
    p, sku, submission = submitted
    stranger = ProductRecordSubmission(guid="11111111-2222-4333-8444-555555555555", sku=sku)
    assert _deliver(p, stranger, "800", number="X1").outcome == "unknown"
    assert _record(sku)[0] == "submitted"

"""Announcement 2018 No. 179: customs' real-time data request and the platform's upload.

``realtime_open(open_req)`` is what ``platDataOpen`` runs: it records the session and puts the
upload on the outbox in one short transaction, so the endpoint answers ``{"code": "10000"}``
at once; a worker then runs ``realtime_upload`` — the raw payment exchange kept at payment
time (``OrderDeclaration.payment_exchange``), the order's goods and links, signed by the
profile's signer (``customs.realtime.payex.sign_upload``) and posted to the upload URL. Each
``sessionID`` is used once: a session customs repeats is refused, and an upload is never
posted twice for one session.
"""

from __future__ import annotations

import json
import logging
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from customs.ceb.messages import new_guid
from customs.realtime import payex
from marketplace.outbox import outbox_enqueue

from . import documents as stored
from .models import OrderDeclaration, RealtimeSession

log = logging.getLogger(__name__)

UPLOAD = "declarations.realtime_upload"
CHINA_TIME = ZoneInfo("Asia/Shanghai")
UPLOAD_PATH = "/ceb2grab/grab/realTimeDataUpload"


class OpenRequestInvalid(ValueError):
    """openReq is not the JSON customs sends, or repeats a session."""


def realtime_open(open_req: str) -> RealtimeSession:
    """Record customs' request and enqueue the upload (raises ``OpenRequestInvalid``)."""
    try:
        data = json.loads(open_req)
        order_no, session_id = str(data["orderNo"]), str(data["sessionID"])
        service_time = str(data["serviceTime"])
    except (ValueError, KeyError, TypeError) as exc:
        raise OpenRequestInvalid(f"openReq: {exc}") from exc
    if not (order_no and session_id and service_time):
        raise OpenRequestInvalid("openReq: orderNo, sessionID and serviceTime are required")
    with transaction.atomic():
        session, created = RealtimeSession.objects.get_or_create(
            session_id=session_id[:64],
            defaults={"order_no": order_no[:30], "service_time": service_time[:20]},
        )
        if not created:
            raise OpenRequestInvalid(f"sessionID {session_id} was used before")
        outbox_enqueue(kind=UPLOAD, payload={"session": session.pk}, key=f"realtime:{session.pk}")
    return session


def upload_url(profile) -> str:
    if settings.CUSTOMS_REALTIME_UPLOAD_URL:
        return settings.CUSTOMS_REALTIME_UPLOAD_URL
    base = profile.gateway_url if profile.transport == "http" else settings.CUSTOMS_GATEWAY_URL
    return base.rstrip("/") + UPLOAD_PATH


def upload_body(file: OrderDeclaration, session: RealtimeSession, signer) -> str:
    """The signed ``payExInfoStr`` for ``file``'s order."""
    from .services import _signer  # the worker's cached signer of the profile's key

    profile = file.profile
    payment_row = file.documents.get(kind="payment")
    payment = stored.load(payment_row.document)
    exchange = json.loads(file.payment_exchange or "{}")
    paid_at = payment.pay_time.astimezone(CHINA_TIME)
    head = payex.PayExchangeHead(
        guid=new_guid(),
        inital_request=exchange.get("request", ""),
        inital_response=exchange.get("response", ""),
        ebp_code=profile.platform.code,
        pay_code=profile.payment.code,
        pay_transaction_id=payment.pay_transaction_id,
        total_amount=payment.amount_paid,
        ver_dept="3",  # other than UnionPay and NetsUnion: a card acquirer
        pay_type="4",  # other (web checkout) [unconfirmed]
        trading_time=paid_at.strftime("%Y%m%d%H%M%S"),
    )
    order = file.order
    with translation.override("zh-hans"):
        goods = tuple(
            payex.Goods(
                gname=line.name_zh_hans or line.name_en,
                item_link=settings.SITE_URL
                + reverse("storefront:product", args=[line.sku.product_id, line.sku.product.slug]),
            )
            for line in order.lines.select_related("sku__product")
        )
    item = payex.PayExchangeItem(
        order_no=order.number,
        goods=goods,
        recp_account=profile.ecommerce.code,  # the seller of record's account [unconfirmed]
        recp_code=profile.ecommerce.code,
        recp_name=profile.ecommerce.name,
    )
    return payex.sign_upload(
        signer or _signer(profile), session.session_id, head, [item], session.service_time
    )


def realtime_upload(*, session_id: int, signer=None) -> str:
    """Upload the payment data customs asked for (the outbox handler's work); returns the
    session's status. Idempotent: a session already answered is not posted again. A network
    failure raises (the outbox retries); customs' refusal is kept with its answer."""
    session = RealtimeSession.objects.get(pk=session_id)
    if session.status != RealtimeSession.Status.ASKED:
        return session.status
    file = (
        OrderDeclaration.objects.select_related(
            "order",
            "profile__platform",
            "profile__payment",
            "profile__ecommerce",
            "profile__signing_key",
        )  # fmt: skip
        .filter(order__number=session.order_no)
        .first()
    )
    if file is None:
        return _close(session, RealtimeSession.Status.FAILED, "no declaration for this order")
    body = upload_body(file, session, signer)
    response = requests.post(upload_url(file.profile), data={"payExInfoStr": body}, timeout=10)
    response.raise_for_status()
    answer = response.json()
    status = (
        RealtimeSession.Status.UPLOADED
        if answer.get("code") == payex.SUCCESS
        else RealtimeSession.Status.REFUSED
    )
    return _close(session, status, json.dumps(answer, ensure_ascii=False))


def _close(session: RealtimeSession, status: str, answer: str) -> str:
    RealtimeSession.objects.filter(pk=session.pk, status=RealtimeSession.Status.ASKED).update(
        status=status, answer=answer[:4000], uploaded_at=timezone.now()
    )
    return status

"""The carriers' webhook: ``POST /tracking/webhooks/<carrier code>/``.

The body is JSON ``{"events": [...]}`` signed with HMAC-SHA256 over the **raw** body with
the carrier's secret, in ``X-Silkway-Signature: sha256=<hex>``. A missing or wrong signature
is a 401 and nothing is stored (the body is not even parsed). The answer counts what was
taken: ``{"accepted", "duplicates", "unknown_waybills", "unmapped", "invalid"}``.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from marketplace.api.parsers import TooDeep, loads_limited

from .selectors import push_feed
from .services import tracking_events_record, webhook_verify
from .services.tracking import SIGNATURE_HEADER


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"status": status, "code": code, "message": message}}, status=status
    )


@csrf_exempt
@require_POST
def carrier_webhook(request: HttpRequest, carrier: str) -> JsonResponse:
    body = request.body
    signature = request.headers.get(SIGNATURE_HEADER, "")
    feed = push_feed(carrier)  # kept in process memory for a few seconds
    if feed is not None and not webhook_verify(feed=feed, body=body, signature=signature):
        # a secret rotated (or the feed disabled) since it was kept: decide on the stored one
        feed = push_feed(carrier, fresh=True)
    if feed is None:
        return _error(404, "not_found", "No such carrier feed.")
    if not webhook_verify(feed=feed, body=body, signature=signature):
        return _error(401, "bad_signature", "The signature does not match the body.")
    try:
        data = loads_limited(body)
    except TooDeep:
        return _error(400, "json_too_deep", "The JSON body nests too deep.")
    except ValueError:
        return _error(400, "invalid", "The body is not JSON.")
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        return _error(400, "invalid", "The body has no list of events.")
    result = tracking_events_record(
        carrier=feed.carrier, events=events, source="webhook", feed=feed
    )
    return JsonResponse(result.as_dict())

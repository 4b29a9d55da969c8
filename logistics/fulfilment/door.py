"""The carriers' tracking webhook at the front door (``marketplace.frontdoor``): a push is
taken without Django's request cycle.

``POST /tracking/webhooks/<carrier>/`` needs nothing the middleware gives: no session, user,
language, messages or CSRF check (the view is ``csrf_exempt``). Its only authentication, under
Django too, is the HMAC over the raw body with the carrier's secret (``carrier_webhook``). So
the door hands the request to the view itself, between Django's request signals (the
connections are health-checked and kept as after any request); its answer goes out with
production's security headers and the request id, and an error is Django's 500. The request
cycle was about a third of a push's CPU (docs/PERFORMANCE.md, "Carrier tracking webhook").
"""

from __future__ import annotations

import re

from django.urls import reverse

from marketplace.frontdoor import Route

from .views import carrier_webhook

_PLACEHOLDER = "carrier-placeholder-0"  # a carrier code no other URL of the pattern holds


def webhook_pattern() -> re.Pattern[str]:
    """``tracking:carrier_webhook`` reversed from the URLconf (not written out again), the
    carrier code as the URL's ``slug`` converter takes it."""
    path = reverse("tracking:carrier_webhook", kwargs={"carrier": _PLACEHOLDER})
    return re.compile(
        re.escape(path).replace(re.escape(_PLACEHOLDER), "(?P<carrier>[-a-zA-Z0-9_]+)")
    )


def push(request, *, carrier: str):
    """The view's answer to a carrier's push (every answer: 200, 400, 401, 404)."""
    return carrier_webhook(request, carrier=carrier)


WEBHOOK = Route(method="POST", pattern=webhook_pattern, answer=push, database=True)

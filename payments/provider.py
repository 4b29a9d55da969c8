"""The one door to Stripe: the official SDK's ``StripeClient``, configured from settings.

``STRIPE_SECRET_KEY`` authenticates; ``STRIPE_API_BASE`` (when set) points the SDK at a
stand-in (localstripe in tests and the demo), otherwise it talks to Stripe's API. Nothing
else in the project builds a client.

``recording()`` keeps, for the calls made inside it, the exact request sent (method, URL,
headers without the key, body as encoded on the wire) and the raw response (status and body
text) as the HTTP client saw them: the raw records China's customs may ask for
(announcement 2018 No. 179), taken at the transport, not rebuilt from objects.
"""

from __future__ import annotations

import contextlib
import contextvars
from functools import lru_cache

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

_recording: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "stripe_recording", default=None
)
_SECRET_HEADERS = {"authorization"}
TIMEOUT_SECONDS = 30
NETWORK_RETRIES = 2


class RecordingHTTPClient(stripe.RequestsClient):
    """The SDK's requests transport, noting each exchange while ``recording()`` is on."""

    def request(self, method, url, headers, post_data=None):
        content, status, response_headers = super().request(method, url, headers, post_data)
        exchanges = _recording.get()
        if exchanges is not None:
            body = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
            sent = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
            exchanges.append(
                {
                    "at": timezone.now().isoformat(),
                    "request": {
                        "method": method.upper(),
                        "url": url,
                        "headers": {
                            k: v
                            for k, v in (headers or {}).items()
                            if k.lower() not in _SECRET_HEADERS
                        },
                        "body": sent,
                    },
                    "response": {
                        "status": status,
                        "request_id": (response_headers or {}).get("Request-Id", ""),
                        "body": body,
                    },
                }
            )
        return content, status, response_headers


@contextlib.contextmanager
def recording():
    """Collect the raw exchanges with Stripe made inside the block (yields the list)."""
    exchanges: list[dict] = []
    token = _recording.set(exchanges)
    try:
        yield exchanges
    finally:
        _recording.reset(token)


@lru_cache(maxsize=8)
def _client(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        http_client=RecordingHTTPClient(timeout=TIMEOUT_SECONDS),
        max_network_retries=NETWORK_RETRIES,
    )


def stripe_client() -> stripe.StripeClient:
    """The configured client (one per key and API base, reused)."""
    if not settings.STRIPE_SECRET_KEY:
        raise ImproperlyConfigured("STRIPE_SECRET_KEY is not set (docs/PAYMENTS.md)")
    return _client(settings.STRIPE_SECRET_KEY, (settings.STRIPE_API_BASE or "").rstrip("/"))


def charge_id(intent) -> str:
    """The id of an intent's latest charge (a dict: Stripe gives the id, or the object when
    expanded; localstripe always the object)."""
    charge = intent.get("latest_charge")
    if isinstance(charge, str):
        return charge
    if charge:
        return charge.get("id") or ""
    return ""

"""Log-in lockout on every log-in door (django-axes): the accounts page, the back office's
log-in and the API token endpoint.

Axes counts failed log-ins per account (the email, lower case) and per client (the IP
address) separately; ``AXES_FAILURE_LIMIT`` failures of either within ``AXES_COOLOFF_TIME``
refuse every further log-in of that account, or from that client, until the cool-off has
passed (a failure during it starts it again). A password reset lifts an account's lock
(``accounts.services.login_failures_clear``); operators can delete the rows under
*Accounts → Log-in failures*. Settings in ``marketplace/settings/security.py``.

The answer is one translated message: a page (``accounts/locked_out.html``, 429) with the
way back, or on the API the error format (429, code ``locked_out``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import ngettext

LOCKED_OUT_CODE = "locked_out"


def login_name(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account a log-in attempt names, as stored (emails are kept in lower case), so
    ``Shopper@Example.com`` counts against the same account as ``shopper@example.com``."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = (credentials or {}).get(field)
    if raw is None:
        raw = getattr(request, "POST", {}).get(field)
    if raw is None:
        return None
    return str(raw).strip().lower()


def client_address(request: HttpRequest) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the client a failure is counted against. ``REMOTE_ADDR``
    unless ``LOGIN_CLIENT_ADDRESS_META`` names the header a trusted proxy in front sets to
    the client's address (``HTTP_X_REAL_IP``); behind a proxy ``REMOTE_ADDR`` is the proxy,
    and every client would count as one."""
    meta = getattr(request, "META", {})
    value = meta.get(settings.LOGIN_CLIENT_ADDRESS_META) or meta.get("REMOTE_ADDR")
    return value.strip() if value else None


def cooloff_seconds() -> int:
    """How long a refused log-in waits at most: each refused attempt starts the cool-off
    again, so the full cool-off is the honest ``Retry-After``."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def cooloff_minutes() -> int:
    """The cool-off in whole minutes (rounded up), as the message states it."""
    return max(1, -(-cooloff_seconds() // 60))


def locked_out_message() -> str:
    """What a locked-out person reads, in the active language."""
    minutes = cooloff_minutes()
    return ngettext(
        "Too many failed log-in attempts for this account or from your network: logging in "
        "is paused for %(minutes)s minute. Try again after that, or reset your password.",
        "Too many failed log-in attempts for this account or from your network: logging in "
        "is paused for %(minutes)s minutes. Try again after that, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


def locked_out_api_body() -> dict:
    """The API error format for a refused log-in (as the API's handler writes a 429)."""
    return {
        "error": {
            "status": 429,
            "code": LOCKED_OUT_CODE,
            "message": locked_out_message(),
            "retry_after": cooloff_seconds(),
        }
    }


def lockout_response(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the answer to a log-in refused because of the lock."""
    if request.path.startswith("/api/"):
        response = JsonResponse(locked_out_api_body(), status=429)
    else:
        context = {
            "message": locked_out_message(),
            "reset_url": reverse("accounts:password_reset"),
            "login_url": reverse("accounts:login"),
        }
        response = TemplateResponse(request, "accounts/locked_out.html", context, status=429)
        response.render()
    response["Retry-After"] = str(cooloff_seconds())
    return response

"""Request ids for structured logs.

Every request gets an id (taken from an incoming ``X-Request-ID`` header when it is a sane
token, else generated). It is put on ``request.request_id``, echoed in the response header and
attached to every log record emitted while the request is handled.
"""

import contextvars
import logging
import re
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record so formatters can always print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


def request_id(incoming: str) -> str:
    """The id of a request whose ``X-Request-ID`` header is ``incoming`` ("" if none): the
    header when it is a sane token, else a new one. (The middleware and the front door,
    ``marketplace.frontdoor``, both take it from here.)"""
    return incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request_id(request.headers.get("X-Request-ID", ""))
        request.request_id = rid
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response

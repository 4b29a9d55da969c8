"""The front door: a small WSGI layer ahead of Django's request cycle (docs/ARCHITECTURE.md,
"The front door"; docs/SECURITY.md, "The front door").

Almost every request goes straight to Django. A *route* (``Route``: a method, a path pattern
and an answer) is offered the requests it matches first; the routes are named in
``settings.FRONT_DOOR_ROUTES`` as dotted paths, so the kernel imports no app. The answer gets
a bare ``WSGIRequest``: no middleware has run, so there is no session, user, messages,
language or CSRF check. It returns a response, which the door sends with what production's
middleware puts on every response (the security headers: HSTS, Content-Security-Policy,
X-Frame-Options, nosniff, referrer and opener policies; the request id), or ``None``, and
the request goes on to Django as it came (the door reads the body, bounded as Django bounds
it, and puts it back). An answer that raises is logged and the request goes on to Django.

A route is for requests that need nothing the middleware gives (no session, user, language,
messages or CSRF check): answers that change nothing and need nobody's identity, like the
flash sale's "sold out" (``marketing.flash.door``), most of a rush's attempts; and machines'
calls that prove who they are themselves, like the carriers' signed tracking webhook
(``logistics.fulfilment.door``), whose HMAC over the body is its only authentication under
Django too. Each costs a fraction of a request cycle's CPU (docs/PERFORMANCE.md).

A route that uses the database (``Route.database``) runs between Django's request signals, as
a view does: its connections are health-checked, kept or closed as after any request
(``CONN_MAX_AGE``, ``CONN_HEALTH_CHECKS``). An error in such a route is answered as Django
answers an error in a view (its 500, logged by ``django.request``), not passed on to be run
a second time.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.http import HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import set_script_prefix
from django.utils.module_loading import import_string

from .localcache import LocalCache
from .logs import request_id, request_id_var

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    """Requests of ``method`` whose path matches the pattern ``pattern()`` returns (built
    once, when the door opens: the URLconf is loaded by then, so a route can reverse its
    URL name instead of writing the path out again) are offered to the route, with the
    pattern's named groups as keyword arguments.

    ``key(request, **groups)`` decides: ``None``, Django answers; anything else (hashable),
    the door answers with ``answer(request, **groups)``'s response, built once per key and
    kept (``ANSWERS_KEPT`` of them per process, least recently used out first). So a key
    must name everything the answer depends on, and the answer must be the same for every
    request with that key. Without ``key``, ``answer`` decides alone (``None``: Django
    answers) and is called every time.

    ``database``: the answer reads or writes the database, so it runs between Django's
    request signals, and an error in it is Django's 500 (see the module docstring)."""

    method: str
    pattern: Callable[[], re.Pattern[str]]
    answer: Callable[..., HttpResponseBase | None]
    key: Callable[..., Hashable | None] | None = None
    database: bool = False

    def __post_init__(self):
        if self.database and self.key is not None:
            raise ValueError("an answer that uses the database is not kept")


ANSWERS_KEPT = 512


def _no_view(request):  # the middleware below are used for their request/response steps only
    raise AssertionError("the front door never calls a view")


class FrontDoor:
    """The WSGI application: ``app`` (Django's) behind ``routes``."""

    def __init__(self, app, routes: list[Route]):
        self.app = app
        self.routes = [(route.method, route.pattern(), route) for route in routes]
        # Answers kept by their route's key: (status, headers, body) without the request id.
        self.answers: LocalCache[tuple] = LocalCache(maxsize=ANSWERS_KEPT)
        # The same middleware, read from the same settings, as Django's own chain: the headers
        # they set are theirs, not a copy (docs/SECURITY.md).
        self.security = SecurityMiddleware(_no_view)
        self.xframe = XFrameOptionsMiddleware(_no_view)
        # django-csp builds its header from the settings on every response; with no nonce
        # used (a front-door answer renders nothing) and no per-view policy, it is the same
        # text every time, so it is built once here.
        self.csp = [
            (
                header,
                build_policy(report_only=report_only),
                tuple((getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()),
            )
            for header, report_only, name in (
                (HEADER, False, "CONTENT_SECURITY_POLICY"),
                (HEADER_REPORT_ONLY, True, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
            )
        ]

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        for route_method, pattern, route in self.routes:
            if method == route_method and (match := pattern.fullmatch(path)):
                rid = request_id(environ.get("HTTP_X_REQUEST_ID", ""))
                token = request_id_var.set(rid)
                try:
                    answer = self.offer(environ, route, match.groupdict(), rid)
                finally:
                    request_id_var.reset(token)
                if answer is not None:
                    status, headers, body = answer
                    start_response(status, [*headers, ("X-Request-ID", rid)])
                    return [body]
                break
        return self.app(environ, start_response)

    def offer(self, environ, route: Route, groups, rid: str) -> tuple | None:
        """The route's answer as (status, headers, body), or ``None`` (Django answers)."""
        try:
            request = WSGIRequest(environ)
            if self.security.process_request(request) is not None:
                return None  # plain HTTP where HTTPS is required: Django redirects it
            if settings.DISALLOWED_USER_AGENTS:
                return None  # CommonMiddleware's refusals are Django's to give
            request.get_host()  # a host outside ALLOWED_HOSTS: Django's 400
            # Read as Django reads it (a body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused
            # before a byte is read), and put back for Django should the route pass.
            environ["wsgi.input"] = io.BytesIO(request.body)
            request.request_id = rid
            if route.key is None:
                return self.build(request, route, groups)
            key = route.key(request, **groups)
            if key is None:
                return None
            # What the door's own part depends on (HSTS on HTTPS, the script prefix), beside
            # what the route says its answer depends on.
            kept = (route, request.is_secure(), request.META.get("SCRIPT_NAME", ""), key)
            return self.answers.get(kept, lambda: self.build(request, route, groups))
        except (DisallowedHost, RequestDataTooBig):
            return None
        except Exception:
            method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO")
            logger.exception("front door: %s %s passed to Django", method, path)
            return None

    def build(self, request, route: Route, groups) -> tuple | None:
        set_script_prefix(get_script_name(request.META))
        if route.database:
            response = self.answer_with_database(request, route, groups)
        else:
            response = route.answer(request, **groups)
        if response is None:
            if route.key is not None:
                raise ValueError("a route with a key must answer")
            return None
        self.protect(request, response)
        # As Django's WSGIHandler sends a response (the request signals, if any, were sent).
        status = f"{response.status_code} {response.reason_phrase}"
        headers = [
            *response.items(),
            *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
        ]
        return status, headers, response.content

    def answer_with_database(self, request, route: Route, groups) -> HttpResponseBase | None:
        """``route.answer`` between the request signals Django sends around a view (they
        open, health-check and close the database connections), its error Django's 500."""
        signals.request_started.send(sender=self.__class__, environ=request.META)
        try:
            return route.answer(request, **groups)
        except Exception as exc:  # noqa: BLE001 - as Django's handler does for a view
            return response_for_exception(request, exc)
        finally:
            signals.request_finished.send(sender=self.__class__)

    def protect(self, request, response) -> None:
        """What Django's middleware chain puts on every response: the security middleware's
        headers, the CSP, the length (``CommonMiddleware``'s); the request id is added when
        the answer is sent."""
        self.security.process_response(request, response)
        self.xframe.process_response(request, response)
        exempt_debug = settings.DEBUG and response.status_code in (404, 500)
        for header, policy, prefixes in self.csp:
            excluded = request.path_info.startswith(prefixes)
            if policy and not exempt_debug and not excluded and header not in response:
                response[header] = policy
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))


def front_door(app):
    """``app`` behind the routes of ``settings.FRONT_DOOR_ROUTES`` (none: ``app`` itself)."""
    routes = [import_string(dotted) for dotted in getattr(settings, "FRONT_DOOR_ROUTES", ())]
    return FrontDoor(app, routes) if routes else app

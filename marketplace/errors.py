"""Error pages (400, 403, 404, 500): styled, translated, in the layout of the part of the
site the address belongs to.

The part is read from the path (the 404 has no resolved view to ask): the back office under
``admin:index``'s prefix, the seller portal under ``seller:dashboard``'s, the API under
``/api/`` (answered in the API's JSON error format, never an HTML page), the storefront for
the rest. 400, 403 and 404 render with the request (the area's own base template, its
navigation and language switch); 500 renders a static template with a minimal context
(the area, the home link, the request id) and no context processors, so a broken database
or a half-handled request cannot break the page that reports it.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from rest_framework import exceptions

STOREFRONT, SELLER, OPS, API = "storefront", "seller", "ops", "api"
API_PREFIX = "/api/"

AREA_TEMPLATES = {
    STOREFRONT: "errors/storefront.html",
    SELLER: "errors/seller.html",
    OPS: "errors/ops.html",
}
SERVER_ERROR_TEMPLATE = "500.html"

# the API's answer for each status: DRF's own exception, so code and message are the ones
# every other API error uses
API_EXCEPTIONS = {
    400: exceptions.ParseError,
    403: exceptions.PermissionDenied,
    404: exceptions.NotFound,
    500: exceptions.APIException,
}


@lru_cache(maxsize=1)
def _area_prefixes() -> tuple[tuple[str, str], ...]:
    prefixes = []
    for code, _name in settings.LANGUAGES:
        with override(code):
            prefixes.append((reverse("admin:index"), OPS))
            prefixes.append((reverse("seller:dashboard"), SELLER))
    return tuple(prefixes)


def page_area(path: str) -> str:
    """Which part of the site ``path`` belongs to: storefront, seller, ops or api."""
    if path.startswith(API_PREFIX):
        return API
    for prefix, area in _area_prefixes():
        if path.startswith(prefix):
            return area
    return STOREFRONT


def _texts(status: int, area: str) -> tuple[str, str]:
    """Heading and explanation of an error page, in the active language."""
    if status == 400:
        return _("Bad request"), _(
            "This request could not be understood. Go back, check what you entered and try again."
        )
    if status == 403:
        return _("No access to this page"), {
            STOREFRONT: _("Your account is not allowed to open this page."),
            SELLER: _(
                "Your role in this merchant does not include this page. An owner of the "
                "merchant can change your role."
            ),
            OPS: _(
                "Your back-office account does not have permission for this page. Ask an "
                "administrator for access."
            ),
        }[area]
    if status == 404:
        return _("Page not found"), _(
            "There is no page at this address: the link may be mistyped, or the page has "
            "moved or been removed."
        )
    return _("Something went wrong on our side"), _(
        "The error has been recorded and we will look into it. Please try again in a "
        "moment; if it keeps happening, quote the reference below."
    )


def _home(area: str) -> tuple[str, str]:
    if area == SELLER:
        return reverse("seller:dashboard"), _("Go to the seller dashboard")
    if area == OPS:
        return reverse("admin:index"), _("Go to the back office")
    return reverse("storefront:home"), _("Go to the home page")


def _context(request, status: int, area: str, exception=None) -> dict:
    heading, explanation = _texts(status, area)
    home_url, home_label = _home(area)
    # a PermissionDenied raised with a reason (a service's translated message) says it
    reason = str(exception) if status == 403 and exception is not None else ""
    return {
        "area": area,
        "status": status,
        "heading": heading,
        "explanation": explanation,
        "reason": reason,
        "home_url": home_url,
        "home_label": home_label,
        # the id the logs carry, for someone reporting a server error
        "request_id": getattr(request, "request_id", "") if status == 500 else "",
    }


def _api_response(status: int) -> JsonResponse:
    exc = API_EXCEPTIONS[status]()
    body = {"status": status, "code": exc.default_code, "message": str(exc.detail)}
    return JsonResponse({"error": body}, status=status)


def _page(request, status: int, exception=None) -> HttpResponse:
    area = page_area(request.path)
    if area == API:
        return _api_response(status)
    context = _context(request, status, area, exception)
    if area == OPS:
        context.update(admin.site.each_context(request), title=context["heading"])
    return render(request, AREA_TEMPLATES[area], context, status=status)


def bad_request(request, exception, template_name=None):
    """``handler400``: a request Django refused (a suspicious operation, a bad header)."""
    return _page(request, 400, exception)


def permission_denied(request, exception, template_name=None):
    """``handler403``: signed in but not allowed (a portal role without the capability)."""
    return _page(request, 403, exception)


def page_not_found(request, exception, template_name=None):
    """``handler404``: no page at this address, or an object outside the tenant's reach."""
    return _page(request, 404, exception)


def server_error(request, template_name=None):
    """``handler500``: a static page (no context processors, no database) in the area's
    look, with the request id people can quote."""
    area = page_area(request.path)
    if area == API:
        return _api_response(500)
    context = _context(request, 500, area)
    html = loader.get_template(SERVER_ERROR_TEMPLATE).render(context)
    return HttpResponse(html, status=500)

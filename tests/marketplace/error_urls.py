"""The site's URLs plus pages that fail on purpose, one in each area, for the error-page
tests (``settings.ROOT_URLCONF`` points here in those tests only)."""

from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.urls import path

from marketplace.urls import handler400, handler403, handler404, handler500  # noqa: F401
from marketplace.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise OperationalError("could not connect to server: Connection refused")


def denied(request):
    raise PermissionDenied


urlpatterns = [
    path("api/v1/_broken/", broken),
    *i18n_patterns(
        path("_broken/", broken),
        path("_denied/", denied),
        path("seller/_broken/", broken),
        path("ops/_broken/", broken),
        path("ops/_denied/", denied),
    ),
    *site_urlpatterns,
]

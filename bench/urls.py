"""The project's URLs plus the benchmark's baseline page, ``/<lang>/bench/minimal/``: the
whole middleware stack and no work, the floor every storefront page is measured against.
Loaded only by ``bench/settings.py``."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path

from marketplace.urls import urlpatterns as project_urlpatterns


def bench_minimal(request):
    """The benchmark's baseline: the whole middleware stack, no work."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    *i18n_patterns(path("bench/minimal/", bench_minimal, name="bench_minimal")),
    *project_urlpatterns,
]

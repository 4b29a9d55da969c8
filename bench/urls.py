"""The project's URLs plus the benchmarks' baselines: ``/<lang>/bench/minimal/`` (the whole
middleware stack and no work, the floor every storefront page is measured against) and
``/<lang>/bench/write/`` (a POST that writes one row: the floor of a write like checkout),
``/<lang>/bench/minimal-post/`` (a POST whose body is read and nothing done: the carrier
webhook's floor), and
``/<lang>/bench/flash-row-lock/<item>/take/`` (the flash-sale admission through a
``select_for_update`` design, ``bench/flash_rowlock.py``, run beside the Redis gate).
Loaded only by ``bench/settings.py``."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from bench.flash_rowlock import flash_take_row_lock
from marketplace.urls import urlpatterns as project_urlpatterns


def bench_minimal(request):
    """The benchmark's baseline: the whole middleware stack, no work."""
    return HttpResponse(b"ok", content_type="text/plain")


@csrf_exempt
def bench_minimal_post(request):
    """The webhook benchmark's baseline: the whole middleware stack, the body read, no work."""
    request.body  # noqa: B018 - read, as every POST handler does
    return HttpResponse(b"ok", content_type="text/plain")


@csrf_exempt
def bench_write(request):
    """The checkout benchmark's baseline: the whole middleware stack and one row written."""
    from orders.models import Cart

    Cart.objects.create()
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    *i18n_patterns(
        path("bench/minimal/", bench_minimal, name="bench_minimal"),
        path("bench/write/", bench_write, name="bench_write"),
        path("bench/minimal-post/", bench_minimal_post, name="bench_minimal_post"),
        path("bench/flash-row-lock/<int:pk>/take/", flash_take_row_lock, name="bench_flash_lock"),
    ),
    *project_urlpatterns,
]

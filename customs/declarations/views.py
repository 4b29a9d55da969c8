"""The platform's data endpoint for customs' real-time checks (announcement 2018 No. 179)."""

from __future__ import annotations

import time

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from customs.realtime import payex

from .realtime import OpenRequestInvalid, realtime_open


def _now_ms() -> str:
    return str(int(time.time() * 1000))


@csrf_exempt  # customs' server posts a form; there is no browser session to protect
@require_POST
def plat_data_open(request):
    """``platDataOpen``: answer ``{"code": "10000"}`` at once; a worker uploads the data."""
    try:
        realtime_open(request.POST.get("openReq", ""))
    except OpenRequestInvalid as exc:
        return JsonResponse({"code": payex.FAILURE, "message": str(exc), "serviceTime": _now_ms()})
    return JsonResponse({"code": payex.SUCCESS, "message": "", "serviceTime": _now_ms()})

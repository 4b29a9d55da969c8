"""The shopper's points page (/<lang>/account/points/): balance and history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import points_summary


@require_GET
@login_required
def points_page(request):
    return render(request, "marketing/points.html", {"summary": points_summary(request.user.pk)})

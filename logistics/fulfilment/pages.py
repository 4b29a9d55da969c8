"""The public tracking page: ``/<lang>/track/`` — an order's parcels by order number and the
email it was placed with, for shoppers without an account at hand (and links in emails).

A wrong pair answers the same "not found" whichever half was wrong, so the page tells nobody
whether an order number exists; and look-ups are throttled per address with DRF's throttle
(scope ``track``, ``THROTTLE_TRACK``, in the same cache as the API's), so nobody tries
numbers and emails in bulk: past the rate the page answers 429 with ``Retry-After``.
"""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from rest_framework.throttling import SimpleRateThrottle

from orders.models import Order

from .selectors import order_tracking


class TrackForm(forms.Form):
    number = forms.CharField(label=_("Order number"), max_length=20)
    email = forms.EmailField(label=_("Email used for the order"))


class TrackThrottle(SimpleRateThrottle):
    scope = "track"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@require_http_methods(["GET", "POST"])
def track(request):
    form = TrackForm(request.POST or None)
    tracking = order = None
    if request.method == "POST":
        throttle = TrackThrottle()
        if not throttle.allow_request(request, None):
            form.add_error(None, _("Too many look-ups from your address: try again in a minute."))
            response = render(
                request, "fulfilment/track.html", {"form": form, "order": None, "tracking": None}
            )
            response.status_code = 429
            response["Retry-After"] = str(int(throttle.wait() or 60))
            return response
    if request.method == "POST" and form.is_valid():
        order = (
            Order.objects.select_related("checkout")
            .filter(
                number=form.cleaned_data["number"].strip().upper(),
                checkout__email__iexact=form.cleaned_data["email"],
            )
            .first()
        )
        if order is None:
            form.add_error(None, _("No order with this number and email."))
        else:
            tracking = order_tracking(order)
    return render(
        request, "fulfilment/track.html", {"form": form, "order": order, "tracking": tracking}
    )

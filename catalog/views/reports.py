"""The report-a-listing page: a signed-in shopper tells the operators what is wrong."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from catalog.forms import ReportForm
from catalog.models import Product
from catalog.services.moderation import product_is_visible, report_create
from marketplace.forms import form_add_service_errors


def _visible_product(product_id: int) -> Product:
    product = get_object_or_404(Product.objects.select_related("merchant"), pk=product_id)
    if not product_is_visible(product):
        raise Http404
    return product


@login_required
@require_http_methods(["GET", "POST"])
def report_create_view(request, product_id: int):
    """GET: the form; POST: file the report and say thanks."""
    product = _visible_product(product_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_create(product=product, reporter=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return redirect("catalog_report:sent", product.pk)
    return render(request, "catalog/report_form.html", {"product": product, "form": form})


@login_required
def report_sent_view(request, product_id: int):
    product = _visible_product(product_id)
    return render(request, "catalog/report_sent.html", {"product": product})

"""The flash-sale admission the way most open-source malls do it, for ``bench_flash`` to run
the same sale through: the sale item's row locked ``FOR UPDATE``, the units held and the
shopper's own counted in PostgreSQL, an admission row written, all in one transaction. Every
attempt for the item queues on that one row. Loaded only by ``bench/settings.py`` (through
``bench/urls.py``); production admits through the Redis gate (``marketing.flash``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from marketing.models import FlashAdmission, FlashSale, FlashSaleItem


@transaction.atomic
def admit_with_row_lock(*, user, item_id: int, quantity: int) -> FlashAdmission | None:
    """The admission, or None when sold out or over the shopper's cap."""
    item = FlashSaleItem.objects.select_for_update().select_related("sale").get(pk=item_id)
    holding = FlashAdmission.objects.filter(item=item, status__in=FlashAdmission.HOLDING)
    held = holding.aggregate(n=Sum("quantity"))["n"] or 0
    mine = holding.filter(user=user).aggregate(n=Sum("quantity"))["n"] or 0
    if held + quantity > item.quantity or mine + quantity > item.sale.per_shopper_limit:
        return None
    return FlashAdmission.objects.create(
        item=item,
        user=user,
        quantity=quantity,
        expires_at=timezone.now() + timedelta(minutes=settings.FLASH_ADMISSION_MINUTES),
    )


@login_required
@require_POST
def flash_take_row_lock(request, pk: int):
    """``marketing.views.flash_take`` with the row-lock admission in place of the gate."""
    item = get_object_or_404(
        FlashSaleItem.objects.select_related("sale", "sku__product"),
        pk=pk,
        sale__status=FlashSale.Status.SCHEDULED,
    )
    if admit_with_row_lock(user=request.user, item_id=item.pk, quantity=1) is None:
        messages.error(request, "Sold out.")
        return redirect("flash:sales")
    messages.success(request, "You got 1 at the flash price.")
    product = item.sku.product
    return redirect("storefront:product", pk=product.pk, slug=product.slug)

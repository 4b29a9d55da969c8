"""Orders tables. Today the cart: one per shopper across merchants (docs/ORDERS.md).

A shopper who has not signed in has a cart keyed by a random token kept in their session
(``orders.carts.SESSION_KEY``), so the cart survives the session key's rotation at log-in and
is merged into the account's cart then. A signed-in shopper's cart is keyed by the user.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_cart_token() -> str:
    return secrets.token_urlsafe(24)


class Cart(models.Model):
    """A shopper's cart: the user's (``user`` set) or an anonymous session's (``token``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cart",
        verbose_name=_("shopper"),
    )
    token = models.CharField(_("session token"), max_length=64, unique=True, default=new_cart_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"cart #{self.pk}"


class CartLine(models.Model):
    """A SKU in a cart. ``unit_price_seen`` is the unit price (listing currency, at the line's
    quantity) the shopper was shown when they last added or changed the line: a different
    price now is shown as a price change."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.SKU", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price_seen = models.DecimalField(
        _("unit price when added"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency_seen = models.CharField(_("currency when added"), max_length=3)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["cart_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="one_cart_line_per_sku"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="cart_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku_id}"

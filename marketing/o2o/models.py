"""O2O (online to offline): a merchant's offline stores, each with a code its QR poster
carries; a shopper's scans; the orders a store brought (docs/MARKETING.md, "O2O store codes").
Imported by ``marketing.models``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.tenancy import MerchantOwned


def new_store_code() -> str:
    from ..models import new_distributor_code  # the one code alphabet (marketing.models)

    return "S" + new_distributor_code()


class OfflineStore(MerchantOwned):
    """A merchant's shop in the street (线下门店); its QR code opens the merchant's store page
    online with an attribution to it."""

    name = models.CharField(_("store name"), max_length=120)
    address = models.CharField(_("address"), max_length=300, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=120, blank=True)
    code = models.CharField(_("code"), max_length=16, unique=True, default=new_store_code)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # the team members with the store-staff role who work here (they see only these stores)
    staff = models.ManyToManyField(
        "merchants.Membership", blank=True, related_name="offline_stores", verbose_name=_("staff")
    )

    class Meta:
        verbose_name = _("offline store")
        verbose_name_plural = _("offline stores")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class StoreScan(models.Model):
    """Someone scanned a store's code (``user`` once known: signed in, or at log-in)."""

    store = models.ForeignKey(OfflineStore, on_delete=models.CASCADE, related_name="scans")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("store scan")
        verbose_name_plural = _("store scans")
        indexes = [models.Index(fields=["user", "created_at"], name="store_scan_user_time")]

    def __str__(self) -> str:
        return f"{self.store} · {self.created_at:%Y-%m-%d %H:%M}"


class StoreOrder(models.Model):
    """An order placed after a scan of one of its merchant's stores: the order's store code."""

    store = models.ForeignKey(OfflineStore, on_delete=models.PROTECT, related_name="orders")
    order_id = models.BigIntegerField(_("order"), unique=True)
    order_number = models.CharField(_("order number"), max_length=20, blank=True)
    checkout_number = models.CharField(_("checkout"), max_length=20, db_index=True)
    store_code = models.CharField(_("store code"), max_length=16)
    paid = models.DecimalField(_("paid for goods"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("store order")
        verbose_name_plural = _("store orders")

    def __str__(self) -> str:
        return f"{self.store_code} · {self.checkout_number}"

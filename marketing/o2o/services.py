"""O2O store codes: creating a store, recording a scan, and giving a checkout's orders the
store that brought them (docs/MARKETING.md, "O2O store codes")."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.rules import field_error
from merchants.models import Membership
from merchants.roles import Role

from .models import OfflineStore, StoreOrder, StoreScan

SESSION_KEY = "marketing_store_scan"


def _store_fields(name: str, address: str, opening_hours: str) -> dict:
    name = (name or "").strip()
    if not name:
        raise field_error("name", _("Give the store a name."), "store_name_required")
    return {
        "name": name[:120],
        "address": (address or "").strip()[:300],
        "opening_hours": (opening_hours or "").strip()[:120],
    }


def offline_store_create(
    *, merchant, name: str, address: str = "", opening_hours: str = ""
) -> OfflineStore:
    return OfflineStore.objects.create(
        merchant=merchant, **_store_fields(name, address, opening_hours)
    )


def offline_store_update(
    *, store: OfflineStore, name: str, address: str = "", opening_hours: str = "", is_active=True
) -> OfflineStore:
    """Edit a store (the caller found it through ``for_merchant``). A closed store
    (``is_active`` off) keeps its code, scans and orders; its code stops attributing."""
    fields = _store_fields(name, address, opening_hours) | {"is_active": bool(is_active)}
    OfflineStore.objects.filter(pk=store.pk).update(**fields)
    for key, value in fields.items():
        setattr(store, key, value)
    return store


def offline_store_staff_set(*, store: OfflineStore, membership_ids) -> list[int]:
    """Who works at ``store``: team members of its merchant with the store-staff role (they see
    only the stores they are assigned to). Anyone else — another merchant's member, a member
    with another role, an inactive one — is refused (``store_staff_unknown``). Replaces the
    store's staff; returns their membership ids."""
    wanted = {int(pk) for pk in membership_ids}
    allowed = set(
        Membership.objects.filter(
            merchant_id=store.merchant_id, role=Role.STORE_STAFF, is_active=True, pk__in=wanted
        ).values_list("pk", flat=True)
    )
    if wanted - allowed:
        raise field_error(
            "staff",
            _("Only your team's store staff can be assigned to a store."),
            "store_staff_unknown",
        )
    store.staff.set(sorted(allowed))
    return sorted(allowed)


def store_scan_record(*, code: str, user=None, now=None) -> StoreScan | None:
    store = OfflineStore.objects.filter(code=code, is_active=True).first()
    if store is None:
        return None
    known = user if getattr(user, "is_authenticated", False) else None
    return StoreScan.objects.create(store=store, user=known, created_at=now or timezone.now())


def store_scan_bind(*, scan_id: int, user) -> None:
    """At log-in: the anonymous scan of this browser's session becomes the user's."""
    StoreScan.objects.filter(pk=scan_id, user__isnull=True).update(user=user)


def store_attribute(
    *, user, checkout_number: str, lines, currency: str, order_numbers=None, now=None
) -> list[StoreOrder]:
    """Each order of the checkout whose merchant has a store the buyer scanned last within
    ``DISTRIBUTION_ATTRIBUTION_DAYS`` gets that store (``lines``: distribution's
    ``PaidLine``s; ``order_numbers``: order id -> number, what the store's page lists).
    Idempotent (one row per order)."""
    order_numbers = order_numbers or {}
    now = now or timezone.now()
    since = now - timedelta(days=settings.DISTRIBUTION_ATTRIBUTION_DAYS)
    merchants = {line.merchant_id for line in lines}
    scans = (
        StoreScan.objects.filter(
            user=user,
            created_at__gte=since,
            store__is_active=True,
            store__merchant_id__in=merchants,
        )
        .select_related("store")
        .order_by("-created_at", "-id")
    )
    latest: dict[int, OfflineStore] = {}
    for scan in scans:
        latest.setdefault(scan.store.merchant_id, scan.store)
    paid: dict[int, Decimal] = defaultdict(Decimal)
    merchant_of: dict[int, int] = {}
    for line in lines:
        paid[line.order_id] += line.paid
        merchant_of[line.order_id] = line.merchant_id
    made = []
    for order_id, merchant_id in merchant_of.items():
        store = latest.get(merchant_id)
        if store is None:
            continue
        row, _created = StoreOrder.objects.get_or_create(
            order_id=order_id,
            defaults={
                "store": store,
                "store_code": store.code,
                "order_number": order_numbers.get(order_id, ""),
                "checkout_number": checkout_number,
                "paid": paid[order_id],
                "currency": currency,
            },
        )
        made.append(row)
    return made

"""Merchant lifecycle and the operator's settings for a merchant.

``MERCHANT_FLOW`` on ``Merchant.status`` (every move writes a ``MerchantEvent``):

- ``approve``: applied → approved (an approved application, or an operator creating a store);
- ``suspend``: approved → suspended, reason required — the staff lose access and the
  merchant's products leave the storefront (both filter on ``approved``);
- ``reinstate``: suspended → approved, reason required.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import require_operator
from marketplace.cacheversion import storefront_cache_bump
from marketplace.rules import field_error
from marketplace.transitions import Transition, Workflow
from merchants.lock_objects import lock_category_commission, lock_merchant
from merchants.models import CategoryCommission, Merchant, MerchantEvent

from ._common import merchant_note

Status = Merchant.Status

MERCHANT_FLOW = Workflow(
    field="status",
    transitions={
        "approve": Transition(sources={Status.APPLIED}, target=Status.APPROVED),
        "suspend": Transition(
            sources={Status.APPROVED}, target=Status.SUSPENDED, reason_required=True
        ),
        "reinstate": Transition(
            sources={Status.SUSPENDED}, target=Status.APPROVED, reason_required=True
        ),
    },
)


def _require_operator(by) -> None:
    require_operator(by, _("Only operators may do this."))


def _storefront_changed() -> None:
    """A merchant's status and names show on cached storefront pages: make those pages stale
    once this transaction commits, so a suspended merchant's products vanish at once.

    The storefront version is the kernel's, so this needs nothing from ``catalog``."""
    transaction.on_commit(storefront_cache_bump)


def merchant_unique_slug(base: str, *, fallback: str = "merchant") -> str:
    """A free merchant slug made from ``base`` (``kiwi-nature``, ``kiwi-nature-2``…)."""
    root = slugify(base)[:70] or fallback
    candidate, attempt = root, 1
    while Merchant.objects.filter(slug=candidate).exists():
        attempt += 1
        candidate = f"{root}-{attempt}"
    return candidate


@transaction.atomic
def merchant_create(
    *,
    name_en: str,
    name_zh_hans: str,
    slug: str,
    kind: str,
    country: str,
    status: str = Status.APPROVED,
    by=None,
    commission_rate: Decimal | None = None,
) -> Merchant:
    """Create a merchant directly (operators, for self-operated stores, and demo data;
    companies apply through ``application_submit``). ``status`` approved is reached through
    the ``approve`` transition so the history starts with who created it."""
    if status not in (Status.APPLIED, Status.APPROVED):
        raise field_error(
            "status", _("A new merchant is either applied or approved."), "merchant_status"
        )
    merchant = Merchant(
        name_en=name_en,
        name_zh_hans=name_zh_hans,
        slug=slug,
        kind=kind,
        country=country.upper(),
        status=Status.APPLIED,
        commission_rate=commission_rate,
    )
    merchant.full_clean()
    merchant.save()
    if status == Status.APPROVED:
        MERCHANT_FLOW.apply(merchant, "approve", by=by, event_model=MerchantEvent)
    return merchant


@transaction.atomic
def merchant_update(
    *,
    merchant: Merchant,
    by,
    name_en: str,
    name_zh_hans: str,
    slug: str,
    kind: str,
    country: str,
) -> Merchant:
    """Operators correct a merchant's names, slug, kind or country (status has its own
    transitions, commission its own service)."""
    _require_operator(by)
    locked = lock_merchant(merchant.pk)
    locked.name_en, locked.name_zh_hans = name_en, name_zh_hans
    locked.slug, locked.kind, locked.country = slug, kind, country.upper()
    locked.full_clean(exclude=["categories"])
    locked.save(update_fields=["name", "name_en", "name_zh_hans", "slug", "kind", "country"])
    _storefront_changed()
    return locked


@transaction.atomic
def merchant_suspend(*, merchant: Merchant, by, reason: str) -> MerchantEvent:
    """Suspend an approved merchant (reason required): its staff lose the portal and API and
    its products disappear from the storefront until it is reinstated."""
    _require_operator(by)
    _storefront_changed()
    return MERCHANT_FLOW.apply(merchant, "suspend", by=by, event_model=MerchantEvent, reason=reason)


@transaction.atomic
def merchant_reinstate(*, merchant: Merchant, by, reason: str) -> MerchantEvent:
    """Lift a suspension (reason required)."""
    _require_operator(by)
    _storefront_changed()
    return MERCHANT_FLOW.apply(
        merchant, "reinstate", by=by, event_model=MerchantEvent, reason=reason
    )


def _rate(value) -> Decimal | None:
    if value is None or value == "":
        return None
    rate = Decimal(str(value))
    if rate < 0 or rate > 100:
        raise field_error(
            "commission_rate",
            _("A commission rate is a percentage from 0 to 100."),
            "commission_rate_range",
        )
    return rate.quantize(Decimal("0.01"))


def _shown(rate: Decimal | None) -> str | None:
    return f"{rate}%" if rate is not None else None


def _names(category) -> dict[str, str]:
    return {"en": category.name_en or "", "zh-hans": category.name_zh_hans or ""}


@transaction.atomic
def merchant_commission_set(*, merchant: Merchant, by, rate: Decimal | None) -> Merchant:
    """Set the merchant's default commission rate (percent); ``None`` falls back to the
    platform default. Operators only; the change is written to the merchant's history."""
    _require_operator(by)
    new = _rate(rate)
    locked = lock_merchant(merchant.pk)
    old = locked.commission_rate
    if old == new:
        return locked
    locked.commission_rate = new
    locked.save(update_fields=["commission_rate"])
    merchant_note(
        merchant=locked,
        action="commission_change",
        by=by,
        details={"category": None, "old": _shown(old), "new": _shown(new)},
    )
    merchant.commission_rate = new
    return locked


@transaction.atomic
def category_commission_set(
    *, merchant: Merchant, category, by, rate: Decimal
) -> CategoryCommission:
    """Set (or change) the merchant's commission rate in ``category`` and its subcategories."""
    _require_operator(by)
    new = _rate(rate)
    if new is None:
        raise field_error(
            "rate", _("A commission rate is a percentage from 0 to 100."), "commission_rate_range"
        )
    # The merchant first: two first settings of the same category queue on it.
    lock_merchant(merchant.pk)
    row = lock_category_commission(merchant.pk, category.pk)
    old = row.rate if row else None
    if row is None:
        row = CategoryCommission(merchant=merchant, category=category, rate=new)
    row.rate = new
    row.full_clean()
    row.save()
    if old != new:
        merchant_note(
            merchant=merchant,
            action="commission_change",
            by=by,
            details={"category": _names(category), "old": _shown(old), "new": _shown(new)},
        )
    return row


@transaction.atomic
def category_commission_remove(*, merchant: Merchant, category, by) -> None:
    """Drop the merchant's rate for ``category`` (the parent's or the default applies)."""
    _require_operator(by)
    lock_merchant(merchant.pk)
    row = lock_category_commission(merchant.pk, category.pk)
    if row is None:
        return
    row.delete()
    merchant_note(
        merchant=merchant,
        action="commission_change",
        by=by,
        details={"category": _names(category), "old": _shown(row.rate), "new": None},
    )

"""Shipping network writes: operators' edits of carriers, methods, zones and routes, and
merchants' free-shipping thresholds.

Every network write is checked as a whole before it is saved (the rules below), and the
cached network (``selectors.network_book``) is replaced in every process (at once for the
writer, and for everyone once the change commits). The back office calls these functions; so do the seeds' callers and the tests.

Rules checked here (docs/SHIPPING.md):
- a zone's members are known country codes or Chinese province codes;
- a route's prices fit its method's currency (no fen on a JPY rate);
- two active routes of one method may not tie for the same parcel: same warehouse kind,
  origin zones sharing a country, destination zones sharing a member. One of them would
  win by accident; the operator has to make one more specific (a province, a warehouse
  kind) or merge them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from logistics.lock_objects import lock_merchant_shipping, lock_shipping_methods
from marketplace.models import Currency
from marketplace.money import MoneyError, round_money, to_decimal
from marketplace.rules import RuleErrors
from merchants.lock_objects import lock_merchant
from merchants.roles import Capability
from merchants.services import require_capability

from .models import Carrier, MerchantShipping, ShippingMethod, ShippingRoute, ShippingZone
from .selectors import network_bump

logger = logging.getLogger(__name__)

NETWORK_MODELS = (Carrier, ShippingMethod, ShippingZone, ShippingRoute)
PRICE_FIELDS = ("first_weight_price", "step_price", "minimum_charge")


def _currency_fits(amount: Decimal | None, currency: str) -> bool:
    return amount is None or round_money(amount, currency) == amount


def route_price_errors(route: ShippingRoute, currency: str) -> dict[str, list[ValidationError]]:
    """The route's prices that have more decimals than ``currency`` allows, by field."""
    errors = {}
    for name in PRICE_FIELDS:
        if not _currency_fits(getattr(route, name), currency):
            errors[name] = [
                ValidationError(
                    _("A %(currency)s amount cannot have that many decimals.")
                    % {"currency": currency},
                    code="price_decimals",
                )
            ]
    return errors


def network_conflicts(
    *, routes: Iterable[ShippingRoute] = (), zone: ShippingZone | None = None
) -> list[str]:
    """What would tie if ``routes`` (saved or not) and ``zone`` (with its edited members)
    replaced their stored versions: one sentence per pair of routes of one method that
    would both claim the same parcel. Empty when the network stays unambiguous."""
    routes = list(routes)
    method_ids = {r.method_id for r in routes if r.method_id}
    if zone is not None and zone.pk:
        method_ids |= set(
            ShippingRoute.objects.filter(
                models.Q(origin_zone=zone) | models.Q(destination_zone=zone)
            ).values_list("method_id", flat=True)
        )
    if not method_ids and not routes:
        return []
    stored = {
        r.pk: r
        for r in ShippingRoute.objects.filter(method_id__in=method_ids).select_related(
            "method", "origin_zone", "destination_zone"
        )
    }
    pending = [r for r in routes if r.pk is None]
    for route in routes:
        if route.pk is not None:
            stored[route.pk] = route
    everything = [*stored.values(), *pending]

    def members(which: ShippingZone) -> set[str]:
        if zone is not None and which.pk == zone.pk:
            return set(zone.member_list)
        return set(which.member_list)

    by_method: dict[int, list[ShippingRoute]] = defaultdict(list)
    for route in everything:
        if route.is_active:
            by_method[route.method_id].append(route)
    problems = []
    for group in by_method.values():
        for index, first in enumerate(group):
            for second in group[index + 1 :]:
                if first.origin_kind != second.origin_kind:
                    continue
                origins = {t for t in members(first.origin_zone) if "-" not in t} & {
                    t for t in members(second.origin_zone) if "-" not in t
                }
                shared = members(first.destination_zone) & members(second.destination_zone)
                if origins and shared:
                    problems.append(
                        _(
                            "%(method)s would have two routes for the same parcels "
                            "(%(first)s and %(second)s both cover %(places)s from "
                            "%(origins)s): make one more specific or merge them."
                        )
                        % {
                            "method": first.method if first.method_id else _("This method"),
                            "first": f"{first.origin_zone.code} → {first.destination_zone.code}",
                            "second": f"{second.origin_zone.code} → {second.destination_zone.code}",
                            "places": " ".join(sorted(shared)[:5]),
                            "origins": " ".join(sorted(origins)[:5]),
                        }
                    )
    return problems


def network_check(obj, *, conflicts: bool = True) -> None:
    """Raise ``ValidationError`` (by field where it can) if saving ``obj`` would break a rule
    of the module docstring. Does not save; the admin forms call it to show the problem
    (``conflicts=False`` when the caller checks ties across several rows itself)."""
    errors: dict[str, list[ValidationError]] = {}
    if isinstance(obj, ShippingRoute) and obj.method_id:
        errors.update(route_price_errors(obj, obj.method.currency_id))
        ties = network_conflicts(routes=[obj]) if conflicts else []
        if ties:
            errors.setdefault("destination_zone", []).extend(
                ValidationError(tie, code="route_tie") for tie in ties
            )
    elif isinstance(obj, ShippingZone):
        ties = network_conflicts(zone=obj) if conflicts else []
        if ties:
            errors.setdefault("members", []).extend(
                ValidationError(tie, code="route_tie") for tie in ties
            )
    elif isinstance(obj, ShippingMethod) and obj.pk and obj.currency_id:
        misfit = [
            r
            for r in ShippingRoute.objects.filter(method=obj)
            if route_price_errors(r, obj.currency_id)
        ]
        if misfit:
            errors["currency"] = [
                ValidationError(
                    _(
                        "%(count)s of this method's routes have prices with more decimals than "
                        "%(currency)s allows: change them first."
                    )
                    % {"count": len(misfit), "currency": obj.currency_id},
                    code="price_decimals",
                )
            ]
    if errors:
        raise ValidationError(errors)


def _lock_methods_affected(obj) -> None:
    """Lock the methods whose routes an edit of ``obj`` is checked against (lock order 4)."""
    if isinstance(obj, ShippingRoute):
        ids = [obj.method_id] if obj.method_id else []
        if obj.pk:  # a route moved to another method leaves its old one
            ids += ShippingRoute.objects.filter(pk=obj.pk).values_list("method_id", flat=True)
    elif isinstance(obj, ShippingZone) and obj.pk:
        ids = ShippingRoute.objects.filter(
            models.Q(origin_zone_id=obj.pk) | models.Q(destination_zone_id=obj.pk)
        ).values_list("method_id", flat=True)
    elif isinstance(obj, ShippingMethod) and obj.pk:
        ids = [obj.pk]
    else:
        ids = []
    lock_shipping_methods(ids)


@transaction.atomic
def network_save(*, obj, by=None, checked_together: bool = False):
    """Validate and save a carrier, method, zone or route, and make every process reload
    the network. ``checked_together``: the caller already looked for ties
    across all the rows it saves (the back office's route table), which one row at a time
    could see half-edited."""
    if not isinstance(obj, NETWORK_MODELS):
        raise TypeError(f"not a shipping network row: {obj!r}")
    _lock_methods_affected(obj)
    obj.full_clean()
    network_check(obj, conflicts=not checked_together)
    obj.save()
    network_bump()
    logger.info(
        "shipping network saved",
        extra={"row": f"{obj._meta.model_name}:{obj.pk}", "by": getattr(by, "pk", None)},
    )
    return obj


@transaction.atomic
def network_delete(*, obj, by=None) -> None:
    """Delete a route or an unused zone. Carriers and methods are switched off instead
    (orders keep naming them); a zone that routes use is protected by the database."""
    if not isinstance(obj, ShippingRoute | ShippingZone):
        raise ValidationError(
            _("Switch carriers and methods off instead of deleting them."),
            code="network_delete_refused",
        )
    obj.delete()
    network_bump()


@transaction.atomic
def free_shipping_threshold_set(
    *, merchant, amount: Decimal | str | None, currency: str, by=None
) -> MerchantShipping:
    """Set the goods subtotal from which the merchant's orders ship free (``None``: never).

    The amount is in ``currency``, one of the platform's active currencies, and fits its
    minor unit; 0 means every order ships free."""
    require_capability(by=by, merchant=merchant, capability=Capability.MANAGE_CATALOG)
    code = (currency or "").strip().upper()
    errors = RuleErrors()
    if not Currency.objects.filter(code=code, is_active=True).exists():
        errors.add("currency", _("Choose one of the platform's currencies."), "unknown_currency")
    value = None
    field = "free_shipping_threshold"
    if amount not in (None, ""):
        try:
            value = to_decimal(amount)
        except MoneyError:
            errors.add(field, _("Enter an amount, e.g. 199.00."), "amount_invalid")
        else:
            if value < 0:
                errors.add(field, _("The amount cannot be negative."), "amount_negative")
            elif value >= Decimal("1e10"):
                errors.add(field, _("The amount is too large."), "amount_too_large")
            elif "currency" not in errors.errors and not _currency_fits(value, code):
                errors.add(
                    field,
                    _("A %(currency)s amount cannot have that many decimals.") % {"currency": code},
                    "price_decimals",
                )
    errors.raise_if_any()
    lock_merchant(merchant.pk)  # first: a first setting is created under it
    terms = lock_merchant_shipping(merchant.pk)
    if terms is None:
        terms = MerchantShipping(merchant=merchant)
    terms.free_shipping_threshold = value
    terms.currency_id = code
    terms.updated_by = by
    terms.save()
    return terms

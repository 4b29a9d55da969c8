"""Distribution commission rates: which rates apply to an order line, and setting them
(docs/MARKETING.md, "Commission rates").

**Most specific wins**: a row for the line's product, else a row for its category or the
nearest of that category's ancestors, else the merchant's row, else the settings
(``DISTRIBUTION_COMMISSION_PERCENT``, ``DISTRIBUTION_LEVEL2_PERCENT``,
``DISTRIBUTION_REBATE_PERCENT``). A row carries all three rates (level 1, level 2, the
buyer's rebate), so the winning row decides all three.

**Who sets them**: operators set any row from 0 to 100 % (back office); a merchant sets its
own rows within the operator's bounds (``DISTRIBUTION_MERCHANT_MIN_PERCENT`` ≤ rate ≤
``DISTRIBUTION_MERCHANT_MAX_PERCENT``, level 2 and rebate each ≤ the rate), and cannot change
a row an operator set.

**Who bears it**: the merchant, unless the winning row says the platform bears
``platform_percent`` % (operators only: ``marketing.bearer``, as for coupons and gifts); the
settings' rates are the merchant's to bear too. Each commission row freezes its split.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from catalog.selectors.storefront.refs import category_tree
from marketplace.rules import field_error

from ..bearer import platform_percent_refusal
from .lock_objects import lock_commission_rate
from .models import CommissionRate


@dataclass(frozen=True)
class Rates:
    rate: Decimal
    level2: Decimal
    rebate: Decimal
    platform_percent: int = 0  # the platform bears this share of each, the merchant the rest


def default_rates() -> Rates:
    return Rates(
        Decimal(settings.DISTRIBUTION_COMMISSION_PERCENT),
        Decimal(settings.DISTRIBUTION_LEVEL2_PERCENT),
        Decimal(settings.DISTRIBUTION_REBATE_PERCENT),
    )


@dataclass(frozen=True)
class LineScope:
    merchant_id: int
    product_id: int
    category_id: int | None


def rates_for(scopes: list[LineScope]) -> list[Rates]:
    """The rates of each line (one query for the rows, the category tree from its cache)."""
    merchants = {s.merchant_id for s in scopes}
    rows = list(CommissionRate.objects.filter(merchant_id__in=merchants))
    by_product = {(r.merchant_id, r.product_id): r for r in rows if r.product_id}
    by_category = {(r.merchant_id, r.category_id): r for r in rows if r.category_id}
    by_merchant = {r.merchant_id: r for r in rows if not r.product_id and not r.category_id}
    tree = category_tree() if by_category else None
    fallback = default_rates()
    out = []
    for scope in scopes:
        row = by_product.get((scope.merchant_id, scope.product_id))
        if row is None and tree is not None and scope.category_id is not None:
            chain = [scope.category_id] + [
                n.id for n in reversed(tree.ancestors(scope.category_id))
            ]
            row = next(
                (
                    by_category[(scope.merchant_id, c)]
                    for c in chain
                    if (scope.merchant_id, c) in by_category
                ),
                None,
            )
        row = row or by_merchant.get(scope.merchant_id)
        out.append(
            Rates(row.rate, row.level2_rate, row.rebate_rate, row.platform_percent)
            if row
            else fallback
        )
    return out


def commission_rate_set(
    *,
    merchant,
    rate: Decimal,
    level2_rate: Decimal,
    rebate_rate: Decimal,
    by_operator: bool,
    category=None,
    product=None,
    platform_percent: int = 0,
) -> CommissionRate:
    """Set the rates of one scope of ``merchant`` (its own product or category, or all its
    goods). Operators may set anything from 0 to 100 % and make the platform bear
    ``platform_percent`` % of the commission; a merchant stays in the bounds and bears it all."""
    if category is not None and product is not None:
        raise field_error("product", _("Choose a product or a category, not both."), "rate_scope")
    if product is not None and product.merchant_id != merchant.pk:
        raise field_error("product", _("Unknown product."), "rate_product_unknown")
    for name, value in (("rate", rate), ("level2_rate", level2_rate), ("rebate_rate", rebate_rate)):
        if not Decimal(0) <= value <= Decimal(100):
            raise field_error(name, _("A rate is between 0 and 100 %."), "rate_range")
    refusal = platform_percent_refusal(platform_percent, by_operator=by_operator, kind="commission")
    if refusal is not None:
        raise ValidationError({"platform_percent": refusal})
    if not by_operator:
        low = Decimal(settings.DISTRIBUTION_MERCHANT_MIN_PERCENT)
        high = Decimal(settings.DISTRIBUTION_MERCHANT_MAX_PERCENT)
        if not low <= rate <= high:
            raise field_error(
                "rate",
                _("The platform allows commission from %(low)s %% to %(high)s %%.")
                % {"low": low, "high": high},
                "rate_out_of_bounds",
            )
        if level2_rate > rate or rebate_rate > rate:
            raise field_error(
                "level2_rate",
                _("The level-2 commission and the rebate may not exceed the commission."),
                "rate_parts_exceed",
            )
    with transaction.atomic():
        row = lock_commission_rate(merchant=merchant, category=category, product=product)
        if row is not None and row.set_by == CommissionRate.SetBy.OPERATOR and not by_operator:
            raise field_error(
                "rate",
                _("The platform set this rate; ask the operator to change it."),
                "rate_set_by_operator",
            )
        row = row or CommissionRate(merchant=merchant, category=category, product=product)
        row.rate, row.level2_rate, row.rebate_rate = rate, level2_rate, rebate_rate
        row.platform_percent = platform_percent
        row.set_by = CommissionRate.SetBy.OPERATOR if by_operator else CommissionRate.SetBy.MERCHANT
        row.save()
    return row

"""The marketing app's row locks (docs/ARCHITECTURE.md, "Lock order").

- **flash sales** (``lock_flash_sale``): scheduling changes and cancellation; slot 5: a
  sale is locked before the SKUs it is changed on (``catalog.lock_objects.lock_skus``, which
  scheduling takes too, to serialise the overlap check), never while a cart, checkout or
  order is held.
- **gifts with purchase** (``lock_gift_promotion``): changing and ending one, alone
  (checkout only reads the gifts in force, it never locks one).
- **flash-sale admissions** (``lock_admissions``) and **claimed coupons**
  (``lock_coupon_claims``): slot 6, after the checkout (a checkout uses its shopper's
  admissions and coupons while it is placed or expired), before the payment, the orders and
  the stock; admissions before claims, each in primary-key order.
- **a coupon's issue counter** is not locked by a helper: a claim raises it with one
  conditional ``UPDATE`` (``issued < issue_limit``) in a short transaction of its own that holds
  no other row, so two claims take turns on it and the limit holds (``coupon_claim``).

The Redis gate in front of the admissions is guarded by a PostgreSQL advisory lock per sale
item (``marketing.flash.gate.hold_gate``), not by row locks: every admission and every unit
given back holds it shared, a reconciliation holds it exclusively.

Call these inside ``transaction.atomic``; the locks last until it ends.
"""

from __future__ import annotations

from collections.abc import Iterable

from marketplace.locking import for_update

from .models import CouponClaim, FlashAdmission, FlashSale, GiftPromotion


def lock_flash_sale(sale_id: int) -> FlashSale:
    """Lock flash sale ``sale_id`` (raises ``FlashSale.DoesNotExist``)."""
    return for_update(FlashSale.objects).get(pk=sale_id)


def lock_gift_promotion(gift_id: int) -> GiftPromotion:
    """Lock gift with purchase ``gift_id`` (raises ``GiftPromotion.DoesNotExist``)."""
    return for_update(GiftPromotion.objects).get(pk=gift_id)


def lock_admissions(admission_ids: Iterable[int]) -> list[FlashAdmission]:
    """Lock the admissions ``admission_ids`` in primary-key order (those that exist)."""
    ids = sorted({int(pk) for pk in admission_ids})
    return list(for_update(FlashAdmission.objects).filter(pk__in=ids).order_by("pk"))


def lock_coupon_claims(claim_ids: Iterable[int]) -> list[CouponClaim]:
    """Lock the claimed coupons ``claim_ids`` in primary-key order (those that exist)."""
    ids = sorted({int(pk) for pk in claim_ids})
    return list(for_update(CouponClaim.objects).filter(pk__in=ids).order_by("pk"))

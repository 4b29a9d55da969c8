"""Orders tables: the cart, and the checkouts, orders, lines and allocations it becomes
(docs/ORDERS.md).

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
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from marketplace.clearance_labels import mode_label
from marketplace.crypto import EncryptedTextField
from marketplace.transitions import TransitionEvent


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


# --------------------------------------------------------------------------------------------
# Checkout and orders (docs/ORDERS.md, "Checkout" and "Orders")
# --------------------------------------------------------------------------------------------

MONEY_DIGITS = {"max_digits": 14, "decimal_places": 2}


def new_checkout_number() -> str:
    """A checkout's public number: ``CK`` + 12 characters of an unambiguous alphabet."""
    return "CK" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(12))


def new_order_number() -> str:
    """An order's public number (the customs ``orderNo``): ``SW`` + 12 characters."""
    return "SW" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(12))


# No 0/O, 1/I/L: numbers are read aloud to support and typed into the tracking page.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class Checkout(models.Model):
    """One placed checkout: the orders it split the cart into, paid once (one payment for
    the total of its orders, in ``currency``). It freezes the address, the payer's customs
    identity and the FX rates every order used.

    ``idempotency_key`` (per shopper) makes submitting idempotent: a double click or a
    retried API call with the same key returns this checkout instead of placing another.
    """

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=20, unique=True, default=new_checkout_number)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="checkouts",
        verbose_name=_("shopper"),
    )
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status,
        default=Status.AWAITING_PAYMENT,
        db_index=True,
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), **MONEY_DIGITS)
    fx_rates = models.JSONField(_("FX rates used"), default=dict)
    # The destination, frozen: name, phone, country, province, city, district, lines, postcode.
    address = models.JSONField(_("address"))
    # The payer's customs identity (imports into China): the payer of the payment, the buyer
    # (订购人) of the declarations. The number is encrypted; only its digest and mask are plain.
    payer_name = models.CharField(_("payer's name"), max_length=60, blank=True)
    payer_phone = models.CharField(_("payer's phone"), max_length=30, blank=True)
    payer_id_number = EncryptedTextField(_("payer's identity number"), blank=True)
    payer_id_digest = models.CharField(_("identity digest"), max_length=64, blank=True)
    payer_id_masked = models.CharField(_("payer's identity number"), max_length=32, blank=True)
    expires_at = models.DateTimeField(_("reserved until"), db_index=True)
    # The gifts with purchase the orders reached but could not get (no stock, inactive, no
    # product record for a bonded order): the shopper is told; each
    # ``{"ref", "order", "sku_code", "name_en", "name_zh_hans", "quantity"}``.
    gifts_ran_out = models.JSONField(_("gifts that ran out"), default=list, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    created_at = models.DateTimeField(_("placed"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("checkout")
        verbose_name_plural = _("checkouts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"], name="orders_checkout_once_per_key"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="orders_checkout_total"),
        ]

    def __str__(self) -> str:
        return self.number


class Order(models.Model):
    """One merchant's goods of one clearance mode from one warehouse, within a checkout.

    Everything it was sold with is frozen here and on its lines: prices (listing currency
    and charged currency), FX rates, the shipping option and its price, the duty estimate
    (``assessment``, a frozen ``customs.DutyAssessment``, and ``duties`` for the page).
    ``status`` moves only through ``orders.flow.ORDER_FLOW``.
    """

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        PAID = "paid", _("Paid")
        DECLARED = "declared", _("Declared to customs")
        CLEARED = "cleared", _("Cleared by customs")
        CUSTOMS_REJECTED = "customs_rejected", _("Rejected by customs")
        PACKED = "packed", _("Packed")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    checkout = models.ForeignKey(
        Checkout, on_delete=models.PROTECT, related_name="orders", verbose_name=_("checkout")
    )
    number = models.CharField(_("number"), max_length=20, unique=True, default=new_order_number)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("shopper"),
    )
    merchant = models.ForeignKey(
        "merchants.Merchant",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("merchant"),
    )
    warehouse = models.ForeignKey(
        "logistics.Warehouse",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("ships from"),
    )
    clearance_mode = models.CharField(_("clearance"), max_length=20)  # marketplace.clearance
    customs_code = models.CharField(_("customs trade mode"), max_length=4, blank=True)
    # The waybill number (customs' logisticsNo) the declaration layer allocated at payment, so
    # the parcels packed later carry the number customs was told (fulfilment cannot read the
    # declarations' WaybillNumber rows: both sit on the operations row). Empty: not declared.
    waybill_number = models.CharField(_("waybill number"), max_length=60, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status,
        default=Status.AWAITING_PAYMENT,
        db_index=True,
    )
    currency = models.CharField(_("currency"), max_length=3)  # the checkout's
    listing_currency = models.CharField(_("listing currency"), max_length=3)
    goods_total = models.DecimalField(_("goods"), **MONEY_DIGITS)
    discount_total = models.DecimalField(_("discount"), **MONEY_DIGITS, default=Decimal("0"))
    shipping_total = models.DecimalField(_("shipping"), **MONEY_DIGITS)
    # What free-shipping coupons took off ``shipping_total`` (who bears it:
    # ``OrderPromotionShare``); total = goods - discount + shipping - this + duties.
    shipping_discount = models.DecimalField(
        _("shipping discount"), **MONEY_DIGITS, default=Decimal("0")
    )
    duty_total = models.DecimalField(_("duties and taxes"), **MONEY_DIGITS)
    total = models.DecimalField(_("total"), **MONEY_DIGITS)
    refunded_total = models.DecimalField(_("refunded"), **MONEY_DIGITS, default=Decimal("0"))
    fx_rates = models.JSONField(_("FX rates used"), default=dict)
    shipping_method = models.ForeignKey(
        "logistics.ShippingMethod",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shipping method"),
    )
    # The option as the shopper chose it: method code and names, carrier, price in the
    # method's and the checkout's currency, delivery window in days.
    shipping = models.JSONField(_("shipping option"), default=dict)
    assessment = models.ForeignKey(
        "customs.DutyAssessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("duty estimate"),
    )
    # The duties as the shopper saw them: regime, collected or not, per line and per tax.
    duties = models.JSONField(_("duties and taxes"), default=dict)
    accepted_at = models.DateTimeField(_("accepted by the merchant"), null=True, blank=True)
    merchant_note = models.TextField(_("merchant's note"), blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    created_at = models.DateTimeField(_("placed"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["merchant", "status"], name="orders_order_merchant_status"),
            models.Index(fields=["user", "-created_at"], name="orders_order_user_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="orders_order_total"),
            models.CheckConstraint(
                condition=Q(refunded_total__gte=0) & Q(refunded_total__lte=F("total")),
                name="orders_order_refund_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def clearance_label(self) -> str:
        """The clearance mode as people read it, in the active language."""
        return mode_label(self.clearance_mode)


class OrderLine(models.Model):
    """A SKU sold in an order, with what it was sold at. ``unit_price`` is in the listing
    currency (the merchant's price, the customs declared price); ``unit_price_charged`` and
    ``line_total`` are in the checkout's currency, converted with the order's FX rates."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.SKU", on_delete=models.PROTECT, related_name="+")
    sku_code = models.CharField(_("SKU code"), max_length=64)
    # The product's name in both languages, frozen with the line.
    name_en = models.CharField(_("product (English)"), max_length=255, blank=True)
    name_zh_hans = models.CharField(_("product (Chinese)"), max_length=255, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=10, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("unit price"), **MONEY_DIGITS)
    unit_price_charged = models.DecimalField(_("unit price charged"), **MONEY_DIGITS)
    line_total = models.DecimalField(_("line total"), **MONEY_DIGITS)
    discount = models.DecimalField(_("discount"), **MONEY_DIGITS, default=Decimal("0"))
    duty = models.DecimalField(_("duties and taxes"), **MONEY_DIGITS, default=Decimal("0"))
    refunded_quantity = models.PositiveIntegerField(_("refunded quantity"), default=0)
    # A gift with purchase (满赠, docs/MARKETING.md): at price 0, taken from stock like any
    # line; its value at list price and who bears it are its ``gift`` promotion share.
    is_gift = models.BooleanField(_("free gift"), default=False)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_line_quantity"),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=F("quantity")),
                name="orders_line_refund_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku_code}"

    @property
    def name(self) -> str:
        """The frozen name in the active language (the other one when it is empty)."""
        if (get_language() or "").startswith("zh"):
            return self.name_zh_hans or self.name_en
        return self.name_en or self.name_zh_hans


def _share_constraints(prefix: str) -> list[models.CheckConstraint]:
    """A promotion share's rules: its bearers add up to it, and it is more than nothing."""
    return [
        models.CheckConstraint(
            condition=Q(amount=F("platform_bears") + F("merchant_bears")),
            name=f"{prefix}_bearers_add_up",
        ),
        models.CheckConstraint(condition=Q(amount__gt=0), name=f"{prefix}_positive"),
    ]


class PromotionShare(models.Model):
    """A share of one promotion as the pricing pipeline allocated it
    (``marketing.pricing.Share``): in the listing currency (the merchant's), with who bears
    it, so settlement can charge the merchant its half and the platform its own. ``ref``
    names the promotion as the pipeline does (``flash``, ``points``, a coupon's or
    spend-and-save's ref), ``step`` its pipeline step."""

    ref = models.CharField(_("promotion"), max_length=64)
    step = models.CharField(_("step"), max_length=20)
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), **MONEY_DIGITS)
    platform_bears = models.DecimalField(_("borne by the platform"), **MONEY_DIGITS)
    merchant_bears = models.DecimalField(_("borne by the merchant"), **MONEY_DIGITS)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.ref} {self.amount} {self.currency}"


class LinePromotionShare(PromotionShare):
    """One order line's share of one promotion (``PromotionShare``); a cancelled order gives
    back exactly the points its lines took. The shares of a line add up to its discount
    (before conversion to the checkout's currency) — except a gift line's ``gift`` share,
    which is the gift's value at list price (the line itself costs 0) and who bears it."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="promotion_shares")
    cuts_price = models.BooleanField(_("lowers the taxable price"))

    class Meta:
        verbose_name = _("promotion share")
        verbose_name_plural = _("promotion shares")
        ordering = ["line_id", "id"]
        constraints = _share_constraints("orders_share")


class OrderPromotionShare(PromotionShare):
    """An order's share of a promotion on its shipping (a free-shipping coupon: pipeline
    step ``shipping``, ``marketing.pricing.PricingResult.shipping_shares``), as
    ``LinePromotionShare`` records the goods' shares; its amount converted to the checkout's
    currency is ``Order.shipping_discount``."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="promotion_shares")

    class Meta:
        verbose_name = _("shipping promotion share")
        verbose_name_plural = _("shipping promotion shares")
        ordering = ["order_id", "id"]
        constraints = _share_constraints("orders_order_share")


class Allocation(models.Model):
    """Units of an order line held in one warehouse's stock row.

    ``reserved`` from placing the checkout until ``expires_at`` (then released by the
    expiry task and the order cancelled); ``allocated`` once paid (no expiry); ``shipped``
    when the parcel leaves (``stock_ship``); ``released`` when given back (expiry,
    cancellation). Every change goes with the stock ledger's matching entry.
    """

    class Status(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        ALLOCATED = "allocated", _("Allocated")
        SHIPPED = "shipped", _("Shipped")
        RELEASED = "released", _("Released")

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="allocations")
    stock = models.ForeignKey("catalog.Stock", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.RESERVED, db_index=True
    )
    expires_at = models.DateTimeField(_("reserved until"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["line_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_allocation_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.line_id} ({self.status})"


class OrderEvent(TransitionEvent):
    """One move of an order through its lifecycle (who, when, from, to, why)."""

    subject = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")


class SavedAddress(models.Model):
    """A delivery address a shopper keeps on their account (picked at checkout, where it is
    copied into the checkout: a later edit here never changes a placed order). One of a
    shopper's addresses may be the default (``is_default``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_addresses",
        verbose_name=_("shopper"),
    )
    label = models.CharField(_("label"), max_length=40, blank=True)
    name = models.CharField(_("recipient"), max_length=60)
    phone = models.CharField(_("phone"), max_length=30)
    country = models.CharField(_("country"), max_length=2)
    province = models.CharField(_("province or state"), max_length=60, blank=True)
    city = models.CharField(_("city"), max_length=60)
    district = models.CharField(_("district"), max_length=60, blank=True)
    lines = models.CharField(_("street address"), max_length=200)
    postcode = models.CharField(_("postal code"), max_length=12, blank=True)
    is_default = models.BooleanField(_("default address"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("saved address")
        verbose_name_plural = _("saved addresses")
        ordering = ["-is_default", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(is_default=True),
                name="orders_one_default_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city} ({self.country})"

    def as_address(self) -> dict:
        """The address as ``checkout_place`` takes it."""
        return {key: getattr(self, key) for key in ADDRESS_FIELDS}


# The keys of an address (checkout, saved addresses), in the order a form shows them.
ADDRESS_FIELDS = ("name", "phone", "country", "province", "city", "district", "lines", "postcode")


class RefundRequest(models.Model):
    """A shopper asking for their money back on a paid order (all of what is left, or an
    amount), with why. The merchant (or an operator) decides: approving refunds through
    ``orders.services.order_refund``, declining gives the shopper the reason. One open
    request per order at a time (docs/ORDERS.md, "Refund requests")."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the seller")
        APPROVED = "approved", _("Refunded")
        DECLINED = "declined", _("Declined")

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="refund_requests", verbose_name=_("order")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # None: everything not refunded yet; else an amount in the order's (checkout) currency.
    amount = models.DecimalField(_("amount"), **MONEY_DIGITS, null=True, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.OPEN, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        verbose_name = _("refund request")
        verbose_name_plural = _("refund requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status="open"),
                name="orders_one_open_refund_request",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0),
                name="orders_refund_request_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.status}"


class OrderEmail(models.Model):
    """An email the shopper was sent about an order (paid, cancelled, refunded): written by
    the outbox handler in the transaction that sends, so a repeated delivery mails nothing
    (``reference`` tells the refunds of one order apart)."""

    class Kind(models.TextChoices):
        PAID = "paid", _("Payment received")
        CANCELLED = "cancelled", _("Order cancelled")
        REFUNDED = "refunded", _("Refund")
        # a parcel's journey (logistics/fulfilment/services/tracking.py), one per parcel
        CUSTOMS = "customs", _("Held at customs")
        DELIVERING = "delivering", _("Out for delivery")
        DELIVERED = "delivered", _("Delivered")
        EXCEPTION = "exception", _("Delivery problem")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    to = models.EmailField(_("sent to"))
    language = models.CharField(_("language"), max_length=10)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("order email")
        verbose_name_plural = _("order emails")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind", "reference"], name="orders_one_email_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"

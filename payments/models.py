"""Payments' tables: one ``Payment`` per checkout (a Stripe PaymentIntent), its ``Refund`` rows
per order, its lifecycle events, and every webhook event Stripe sent (``StripeEvent``).

States are those of docs/PAYMENTS.md; they move only through ``payments.workflow``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.crypto import EncryptedTextField
from marketplace.money import Money
from marketplace.transitions import TransitionEvent


class Payment(models.Model):
    """The one payment of a checkout: a Stripe PaymentIntent for the checkout's total.

    Keeps what customs needs later (the payment message of a 9610/1210 import, and the
    real-time data of announcement 2018 No. 179): the transaction (charge) id, the amount to
    the fen, the payer's name and identity number (encrypted; a masked copy and a digest for
    lookups) and the time paid; for China imports also every raw request sent to Stripe
    about it and the raw response (``raw_exchanges``), kept until ``keep_until``.
    """

    class Status(models.TextChoices):
        REQUIRES_PAYMENT_METHOD = "requires_payment_method", _("awaiting card")
        REQUIRES_ACTION = "requires_action", _("awaiting authentication")
        PROCESSING = "processing", _("processing")
        SUCCEEDED = "succeeded", _("paid")
        FAILED = "failed", _("failed")
        CANCELED = "canceled", _("cancelled")

    reference = models.CharField(
        _("reference"),
        max_length=64,
        unique=True,
        help_text=_("The checkout number: one PaymentIntent per checkout."),
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    description = models.CharField(_("description"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    intent_id = models.CharField(
        _("PaymentIntent"), max_length=255, unique=True, null=True, blank=True
    )
    client_secret = models.CharField(_("client secret"), max_length=255, blank=True)
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=Status.choices,
        default=Status.REQUIRES_PAYMENT_METHOD,
        db_index=True,
    )
    transaction_id = models.CharField(
        _("transaction id"), max_length=255, blank=True, db_index=True
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    failure_code = models.CharField(_("failure code"), max_length=100, blank=True)
    failure_message = models.TextField(_("failure message (provider's)"), blank=True)
    # what identifies the last failed attempt (its charge, or the error code): a new failure
    # of the same intent is a new attempt, the same one seen again is not
    failure_attempt = models.CharField(max_length=255, blank=True, editable=False)
    payer_name = EncryptedTextField(_("payer name"), blank=True)
    payer_id_number = EncryptedTextField(_("payer identity number"), blank=True)
    payer_id_masked = models.CharField(
        _("payer identity number (masked)"), max_length=40, blank=True
    )
    payer_id_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    keep_raw = models.BooleanField(
        _("keep raw provider records"),
        default=False,
        help_text=_("China imports: the raw requests and responses are kept for customs."),
    )
    raw_exchanges = models.JSONField(
        _("raw provider exchanges"),
        default=list,
        blank=True,
        help_text=_("Each request sent to the provider and its response, as sent and received."),
    )
    keep_until = models.DateTimeField(
        _("keep raw records until"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Three years after payment; a daily task empties the raw records after."),
    )
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payments_payment_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency} ({self.status})"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def is_paid(self) -> bool:
        return self.status == self.Status.SUCCEEDED


class PaymentEvent(TransitionEvent):
    """One row per move of a payment (who, when, from, to, why)."""

    subject = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")


class Refund(models.Model):
    """A refund of (part of) a payment, for one order (``reference`` is the order number)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("refunded")
        FAILED = "failed", _("failed")
        CANCELED = "canceled", _("cancelled")

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    reference = models.CharField(
        _("reference"), max_length=64, help_text=_("The order number this refund is for.")
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    provider_refund_id = models.CharField(
        _("provider refund id"), max_length=255, unique=True, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True)
    raw_response = models.JSONField(_("raw response"), default=dict, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "id"]
        constraints = [
            # idempotency: one refund per payment, order and amount (docs/PAYMENTS.md)
            models.UniqueConstraint(
                fields=["payment", "reference", "amount"], name="payments_refund_once"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payments_refund_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency} ({self.status})"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class StripeEvent(models.Model):
    """A webhook event as Stripe sent it (signature verified), stored once per event id."""

    event_id = models.CharField(_("event id"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100, db_index=True)
    object_id = models.CharField(_("object"), max_length=255, blank=True, db_index=True)
    payload = models.JSONField(_("raw payload"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    deliveries = models.PositiveIntegerField(_("deliveries"), default=1)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"

"""Kernel tables: currencies and the operator's FX rates."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .money import minor_unit


class Currency(models.Model):
    """An ISO 4217 currency the platform lists, shows or settles in."""

    code = models.CharField(
        _("code"),
        max_length=3,
        primary_key=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use the three-letter ISO 4217 code."))],
    )
    name = models.CharField(_("name"), max_length=64)
    is_active = models.BooleanField(_("offered to shoppers"), default=True)

    class Meta:
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def minor_unit(self) -> int:
        """Digits after the decimal point: the money kernel's (CLDR), the one source."""
        return minor_unit(self.code)


class ExchangeRate(models.Model):
    """How many base-currency units one unit of ``currency`` is worth, from ``valid_from``.

    Rows are never edited in place: a new rate is a new row, so orders that froze an old
    rate can always show which one they used.
    """

    currency = models.ForeignKey(
        Currency, on_delete=models.PROTECT, related_name="rates", verbose_name=_("currency")
    )
    rate = models.DecimalField(
        _("rate to base currency"),
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
    )
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency_id", "-valid_from"]
        indexes = [models.Index(fields=["currency", "-valid_from"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="fx_rate_positive")
        ]

    def __str__(self) -> str:
        return f"1 {self.currency_id} = {self.rate} {settings.BASE_CURRENCY}"


class PersonalDataAccess(models.Model):
    """Audit row: who saw which piece of personal data, when and why."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    subject_type = models.CharField(_("record type"), max_length=60)
    subject_id = models.CharField(_("record id"), max_length=40)
    field = models.CharField(_("field"), max_length=60)
    purpose = models.CharField(_("purpose"), max_length=200)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.actor} read {self.subject_type}#{self.subject_id}.{self.field}"


class OutboxMessage(models.Model):
    """One outbound message, written in the same transaction as the change that causes it.

    The row is the record of intent (DESIGN.md, "Async work"): a Celery task delivers it
    after the commit, retried with backoff; beat's sweeper delivers what a lost dispatch
    left behind; after ``max_attempts`` failures it is *dead* and an operator sees it in the
    back office and may retry it. ``marketplace.outbox`` is the API; docs/ARCHITECTURE.md,
    "Outbox", the rules.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Delivered")
        DEAD = "dead", _("Dead (gave up)")

    kind = models.CharField(_("kind"), max_length=80)
    key = models.CharField(
        _("deduplication key"),
        max_length=200,
        help_text=_("One message per kind and key: enqueueing the same key again adds nothing."),
    )
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(_("being delivered until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="outbox_one_per_kind_and_key")
        ]
        indexes = [
            # the sweeper's scan: pending rows due now
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_pending_due",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"

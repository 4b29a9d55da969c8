"""Return requests: a merchant's return window (``ReturnPolicy``), a shopper's request of
some lines of a delivered order (``ReturnRequest`` + ``ReturnLine``), its lifecycle in
``logistics/returns/flow.py`` and one ``ReturnEvent`` per move."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.tenancy import MerchantOwned
from marketplace.transitions import TransitionEvent

# Decision (docs/LOGISTICS.md, "Returns"): 7 days after delivery unless the merchant sets
# another window (0 = no returns; at most 90 days).
DEFAULT_WINDOW_DAYS = 7
MAX_WINDOW_DAYS = 90


class ReturnPolicy(MerchantOwned):
    """A merchant's return window, in days after delivery. No row: ``DEFAULT_WINDOW_DAYS``."""

    window_days = models.PositiveSmallIntegerField(
        _("return window (days after delivery)"),
        default=DEFAULT_WINDOW_DAYS,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_WINDOW_DAYS)],
    )
    # The merchant's own words, shown to shoppers beside the window (condition of goods,
    # who pays the postage…), in the language the merchant writes it.
    policy = models.TextField(_("return policy"), blank=True, max_length=4000)

    class Meta:
        verbose_name = _("return policy")
        verbose_name_plural = _("return policies")
        constraints = [
            models.UniqueConstraint(fields=["merchant"], name="return_policy_one_per_merchant")
        ]


class ReturnRequest(MerchantOwned):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        RECEIVED = "received", _("Received and refunded")

    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="returns", verbose_name=_("order")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shopper"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    reason = models.TextField(_("reason"))
    decline_reason = models.TextField(_("why declined"), blank=True)
    waybill_number = models.CharField(_("return waybill"), max_length=40, blank=True)
    instructions = models.TextField(_("return instructions"), blank=True)
    # What receiving it refunded, in the order's currency (None until received).
    refunded = models.DecimalField(
        _("refunded"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    # The customs return (CEB625) of a released cross-border import, declared on receipt;
    # its CEB626 receipt gives back ``quota_amount`` CNY of the buyer's yearly quota, once.
    customs_declaration = models.OneToOneField(
        "declarations.Declaration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_request",
        verbose_name=_("customs return (CEB625)"),
    )
    quota_amount = models.DecimalField(
        _("quota to restore (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    quota_restored_at = models.DateTimeField(_("quota restored"), null=True, blank=True)

    class Meta:
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"R{self.pk} {self.order_id}"


class ReturnLine(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "", _("Not inspected")
        RESTOCK = "restock", _("Restocked")
        WRITE_OFF = "write_off", _("Written off")

    request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="lines", verbose_name=_("return")
    )
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="+", verbose_name=_("line")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    outcome = models.CharField(
        _("inspection"), max_length=10, choices=Outcome.choices, default="", blank=True
    )

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "order_line"], name="return_line_once"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="return_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line_id}"


class ReturnEvent(TransitionEvent):
    subject = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("return")
    )

    class Meta(TransitionEvent.Meta):
        verbose_name = _("return event")
        verbose_name_plural = _("return events")


class ReturnEmail(models.Model):
    """An email the shopper was sent about a return (approved, declined): written by the
    outbox handler in the transaction that sends, so a repeated delivery mails nothing."""

    class Kind(models.TextChoices):
        APPROVED = "approved", _("Return approved")
        DECLINED = "declined", _("Return declined")

    request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="emails", verbose_name=_("return")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    to = models.EmailField(_("sent to"))
    language = models.CharField(_("language"), max_length=10)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("return email")
        verbose_name_plural = _("return emails")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="returns_one_email_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} R{self.request_id}"

"""Declaration tables (docs/CUSTOMS.md, "The declaration layer").

- ``OrderDeclaration``: one per declared order — the numbers kept across resends (waybill
  ``logisticsNo``, list ``copNo``), the customs profile, the payment facts frozen at payment,
  and where the declaration as a whole stands.
- ``Declaration``: one per document (order CEB311, payment CEB411, waybill CEB511, inventory
  list CEB621, later cancellations CEB623 and returns CEB625). It stores the document as the
  one-document message it was built into (``document``, unsigned XML), so a resend sends the
  same guid, copNo and figures; ``doc_key`` is ``customs.ceb.messages.document_key``, which
  every receipt about it carries.
- ``SentMessage``: one per sealed message handed to a transport (signed XML and envelope).
- ``Receipt``: every receipt envelope exactly as it arrived, and what applying it did.
- ``TaxBillCheck``: a CEB816 tax bill reconciled line by line against the order's assessment.
- ``WaybillNumber``: the waybill number each order was given at payment, from its carrier's
  numbering (``logistics.shipping.waybills.waybill_allocate``, shared with fulfilment).
- ``RealtimeSession``: a 179 real-time data request from customs and its upload.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.crypto import EncryptedTextField


class OrderDeclaration(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Being declared")
        CLEARED = "cleared", _("Cleared by customs")
        REJECTED = "rejected", _("Rejected by customs")
        STOPPED = "stopped", _("Stopped before sending")
        CANCELLED = "cancelled", _("Cancelled")

    order = models.OneToOneField(
        "orders.Order",
        on_delete=models.PROTECT,
        related_name="customs_declaration",
        verbose_name=_("order"),
    )
    profile = models.ForeignKey(
        "customs.CustomsProfile",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("customs profile"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.OPEN, db_index=True
    )
    logistics_no = models.CharField(_("waybill number"), max_length=60, unique=True)
    cop_no = models.CharField(_("list number (copNo)"), max_length=30, unique=True)
    invt_no = models.CharField(_("customs list number (invtNo)"), max_length=30, blank=True)
    # The payment as it was when the order was paid (transaction id, time, amount, payer) and
    # the raw exchange with the provider for the 179 upload (encrypted: it names the payer).
    payment = models.JSONField(_("payment"), default=dict)
    payment_exchange = EncryptedTextField(_("raw payment exchange"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    mismatches = models.JSONField(_("mismatches"), default=list, blank=True)
    created_at = models.DateTimeField(_("opened"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("order declaration")
        verbose_name_plural = _("order declarations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order_id} ({self.status})"


class Declaration(models.Model):
    class Kind(models.TextChoices):
        ORDER = "order", _("Order (CEB311)")
        PAYMENT = "payment", _("Payment (CEB411)")
        WAYBILL = "waybill", _("Waybill (CEB511)")
        INVENTORY = "inventory", _("Inventory list (CEB621)")
        CANCEL = "cancel", _("Cancellation (CEB623)")
        RETURN = "return", _("Return (CEB625)")
        DELIVERY = "delivery", _("Signed for (CEB513)")
        MANIFEST = "manifest", _("Arrival manifest (CEB711)")

    class State(models.TextChoices):
        HELD = "held", _("Waiting for the other documents")
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted, in progress")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")
        STOPPED = "stopped", _("Stopped")
        DEAD = "dead", _("Could not be sent")

    # an order's document; documents of no order (a consignment's arrival manifest) have
    # ``profile`` instead
    file = models.ForeignKey(
        OrderDeclaration,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("order declaration"),
    )
    profile = models.ForeignKey(
        "customs.CustomsProfile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customs profile (documents of no order)"),
    )
    kind = models.CharField(_("document"), max_length=10, choices=Kind)
    doc_key = models.CharField(_("document key"), max_length=120)
    guid = models.CharField(_("guid"), max_length=36, unique=True)
    document = models.BinaryField(_("document (unsigned XML)"))
    state = models.CharField(
        _("state"), max_length=10, choices=State, default=State.PENDING, db_index=True
    )
    return_status = models.CharField(_("customs status"), max_length=10, blank=True)
    return_info = models.TextField(_("customs says"), blank=True)
    return_time = models.DateTimeField(_("customs status time"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("send attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    message = models.ForeignKey(
        "SentMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="declarations",
        verbose_name=_("last sent in"),
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["file_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "doc_key"], name="declarations_one_per_key"),
            models.CheckConstraint(
                condition=Q(file__isnull=False) | Q(profile__isnull=False),
                name="declarations_file_or_profile",
            ),
        ]
        indexes = [models.Index(fields=["state", "kind"], name="declarations_state_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.doc_key} ({self.state})"


class SentMessage(models.Model):
    cop_msg_id = models.CharField(_("envelope id (CopMsgId)"), max_length=40, unique=True)
    message_type = models.CharField(_("message type"), max_length=20)
    message_guid = models.CharField(_("message guid"), max_length=36)
    message = models.BinaryField(_("signed message"))
    envelope = models.BinaryField(_("envelope"))
    documents = models.PositiveIntegerField(_("documents"))
    key_name = models.CharField(_("signed with"), max_length=50)
    transport = models.CharField(_("transport"), max_length=10)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sent message")
        verbose_name_plural = _("sent messages")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.message_type} {self.cop_msg_id}"


class Receipt(models.Model):
    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        IGNORED = "ignored", _("Changed nothing (late, duplicate or out of order)")
        UNKNOWN = "unknown", _("No declaration of ours")
        INVALID = "invalid", _("Could not be read")

    envelope = models.BinaryField(_("envelope as received"))
    cop_msg_id = models.CharField(_("envelope id"), max_length=40, blank=True, db_index=True)
    message_type = models.CharField(_("message type"), max_length=20, blank=True)
    message = models.BinaryField(_("message"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome, blank=True)
    note = models.TextField(_("what it did"), blank=True)
    declarations = models.ManyToManyField(
        Declaration, related_name="receipts", blank=True, verbose_name=_("declarations")
    )

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.message_type or '?'} {self.cop_msg_id}"


class TaxBillCheck(models.Model):
    file = models.ForeignKey(OrderDeclaration, on_delete=models.CASCADE, related_name="tax_bills")
    tax_no = models.CharField(_("tax bill number"), max_length=30, unique=True)
    invt_no = models.CharField(_("list number"), max_length=30)
    customs_total = models.DecimalField(_("customs' total"), max_digits=19, decimal_places=5)
    assessed_total = models.DecimalField(_("our total"), max_digits=19, decimal_places=5)
    lines = models.JSONField(_("lines"), default=list)
    differs = models.BooleanField(_("differs"), default=False, db_index=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("tax bill")
        verbose_name_plural = _("tax bills")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.tax_no


class WaybillNumber(models.Model):
    carrier = models.ForeignKey(
        "logistics.Carrier", on_delete=models.PROTECT, related_name="+", verbose_name=_("carrier")
    )
    number = models.CharField(_("waybill number"), max_length=60, unique=True)
    order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, related_name="+", verbose_name=_("order")
    )
    created_at = models.DateTimeField(_("allocated"), auto_now_add=True)

    class Meta:
        verbose_name = _("waybill number")
        verbose_name_plural = _("waybill numbers")
        constraints = [
            models.CheckConstraint(condition=~Q(number=""), name="declarations_waybill_set"),
        ]

    def __str__(self) -> str:
        return self.number


class RealtimeSession(models.Model):
    class Status(models.TextChoices):
        ASKED = "asked", _("Asked")
        UPLOADED = "uploaded", _("Uploaded")
        REFUSED = "refused", _("Refused by customs")
        FAILED = "failed", _("Could not upload")

    session_id = models.CharField(_("session"), max_length=64, unique=True)
    order_no = models.CharField(_("order number"), max_length=30, db_index=True)
    service_time = models.CharField(_("customs' time"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ASKED)
    answer = models.TextField(_("customs' answer"), blank=True)
    asked_at = models.DateTimeField(_("asked"), auto_now_add=True)
    uploaded_at = models.DateTimeField(_("uploaded"), null=True, blank=True)

    class Meta:
        verbose_name = _("real-time data request")
        verbose_name_plural = _("real-time data requests")
        ordering = ["-asked_at", "-id"]

    def __str__(self) -> str:
        return self.session_id

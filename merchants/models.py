"""Merchants (the tenants), their staff, applications to become one, invitations, payout
details and commission rates."""

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.countries import validate_country
from marketplace.crypto import EncryptedTextField, mask
from marketplace.i18n import pick
from marketplace.tenancy import MerchantOwned
from marketplace.transitions import TransitionEvent

from .roles import Role, role_can
from .validators import (
    LICENCE_NUMBER_VALIDATOR,
    PHONE_VALIDATOR,
    SWIFT_VALIDATOR,
    validate_account_number,
    validate_licence_file,
    validate_trade_modes,
)

RATE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Merchant(models.Model):
    """A tenant: a self-operated store of the platform, a third-party seller or a purchasing
    agent (an overseas buyer shipping personal parcels, 代购)."""

    class Kind(models.TextChoices):
        SELF_OPERATED = "self_operated", _("Self-operated")
        THIRD_PARTY = "third_party", _("Third-party merchant")
        PURCHASING_AGENT = "purchasing_agent", _("Purchasing agent")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("name"), max_length=200)  # translated: name_zh_hans, name_en
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.APPLIED
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        help_text=_("ISO 3166-1 alpha-2"),
        validators=[validate_country],
    )
    categories = models.ManyToManyField(
        "catalog.Category",
        blank=True,
        related_name="+",
        verbose_name=_("categories"),
        help_text=_("What the merchant said it sells (from its application)."),
    )
    trade_modes = models.JSONField(_("trade modes"), default=list, blank=True)
    commission_rate = models.DecimalField(
        _("commission rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=RATE_VALIDATORS,
        help_text=_("Empty: the platform's default rate applies."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_self_operated(self) -> bool:
        return self.kind == self.Kind.SELF_OPERATED


MERCHANT_EVENT_LABELS = {
    "approve": _("Approved"),
    "suspend": _("Suspended"),
    "reinstate": _("Reinstated"),
    "commission_change": _("Commission rate changed"),
    "payout_change": _("Payout details changed"),
    "invite": _("Invitation sent"),
    "invite_revoke": _("Invitation revoked"),
    "invite_accept": _("Invitation accepted"),
    "role_change": _("Role changed"),
    "member_deactivate": _("Removed from the team"),
    "member_reactivate": _("Back on the team"),
}


def _role_label(value) -> str:
    return str(Role(value).label) if value in Role.values else str(value or "")


class MerchantEvent(TransitionEvent):
    """The merchant's history: every status change (approve, suspend, reinstate) written by
    the workflow, and notes about other audited changes (payout details, commission, team)
    whose ``from_state`` and ``to_state`` are both the status at the time.

    ``reason`` holds what a person wrote (why a merchant was suspended); ``details`` holds
    the facts of a note as data (emails, role codes, rates, masked account numbers) so the
    summary is composed in the reader's language.
    """

    subject = models.ForeignKey(
        "Merchant", on_delete=models.CASCADE, related_name="events", verbose_name=_("merchant")
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("merchant event")
        verbose_name_plural = _("merchant events")

    def get_transition_display(self) -> str:
        return str(MERCHANT_EVENT_LABELS.get(self.transition, self.transition))

    @property
    def summary(self) -> str:
        """The note's facts in the current language ("a@b.example: Staff → Manager")."""
        d = self.details or {}
        if self.transition == "commission_change":
            where = d.get("category") or {}
            name = pick(where.get("en") or "", where.get("zh-hans") or "")
            change = f"{d.get('old') or '—'} → {d.get('new') or '—'}"
            return f"{name}: {change}" if name else change
        if self.transition == "payout_change":
            return f"{d.get('old') or '—'} → {d.get('new') or '—'}"
        if self.transition == "role_change":
            return (
                f"{d.get('email', '')}: {_role_label(d.get('old'))} → {_role_label(d.get('new'))}"
            )
        if "email" in d:
            role = f" ({_role_label(d['role'])})" if d.get("role") else ""
            return f"{d['email']}{role}"
        return ""


class Membership(MerchantOwned):
    """A user working for a merchant, with a role. Merchant-owned like everything else."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["merchant_id", "role", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "user"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.merchant} ({self.role})"

    def can(self, capability: str) -> bool:
        return self.is_active and role_can(self.role, capability)


class PayoutFields(models.Model):
    """Where a merchant's money goes. The account number is encrypted at rest (Fernet, see
    ``marketplace.crypto``) and only ever shown masked."""

    payout_bank_name = models.CharField(_("bank name"), max_length=120)
    payout_account_holder = models.CharField(_("account holder"), max_length=120)
    payout_account_number = EncryptedTextField(
        _("account number or IBAN"), validators=[validate_account_number]
    )
    payout_swift = models.CharField(
        _("SWIFT/BIC code"), max_length=11, validators=[SWIFT_VALIDATOR]
    )

    class Meta:
        abstract = True

    @property
    def payout_account_masked(self) -> str:
        return mask(self.payout_account_number or "", keep_start=0, keep_end=4)


class PayoutDetails(MerchantOwned, PayoutFields):
    """A merchant's payout bank account (one per merchant). Kept out of ``Merchant`` so the
    storefront, which reads merchants on every page, never decrypts it."""

    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("payout details")
        verbose_name_plural = _("payout details")
        constraints = [models.UniqueConstraint(fields=["merchant"], name="one_payout_per_merchant")]

    def __str__(self) -> str:
        return f"{self.payout_bank_name} {self.payout_account_masked}"


class CategoryCommission(MerchantOwned):
    """An operator-set commission rate for one merchant in one category (and, unless a
    deeper category has its own, in the categories below it)."""

    category = models.ForeignKey(
        "catalog.Category", on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )
    rate = models.DecimalField(
        _("commission rate (%)"), max_digits=5, decimal_places=2, validators=RATE_VALIDATORS
    )

    class Meta:
        verbose_name = _("category commission")
        verbose_name_plural = _("category commissions")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "category"], name="one_commission_per_category"
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100), name="commission_rate_is_percentage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.rate}%"


def licence_upload_to(instance, filename: str) -> str:
    # Unguessable name. The services rename the upload after the type sniffed from its
    # content, so the extension here is never the one the browser sent.
    suffix = Path(filename).suffix.lower()
    return f"private/merchant-licences/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class MerchantApplication(PayoutFields):
    """A company's application to sell on the platform, reviewed by operators.

    States: submitted → approved | rejected | information requested (→ submitted again when
    the applicant updates it). Approval creates the ``Merchant`` with the applicant as owner.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted, awaiting review")
        INFO_REQUESTED = "info_requested", _("More information requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    OPEN_STATES = (Status.SUBMITTED, Status.INFO_REQUESTED)

    class Kind(models.TextChoices):
        # Self-operated stores are the platform's own: operators create them, nobody applies.
        THIRD_PARTY = Merchant.Kind.THIRD_PARTY.value, Merchant.Kind.THIRD_PARTY.label
        PURCHASING_AGENT = (
            Merchant.Kind.PURCHASING_AGENT.value,
            Merchant.Kind.PURCHASING_AGENT.label,
        )

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="merchant_applications",
        verbose_name=_("applicant"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.SUBMITTED,
        db_index=True,
    )
    kind = models.CharField(_("kind of merchant"), max_length=20, choices=Kind.choices)
    company_name_zh_hans = models.CharField(_("company name in Chinese"), max_length=200)
    company_name_en = models.CharField(_("company name in English"), max_length=200)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    licence_number = models.CharField(
        _("business licence number"), max_length=50, validators=[LICENCE_NUMBER_VALIDATOR]
    )
    licence_file = models.FileField(
        _("business licence (PDF, JPEG or PNG)"),
        upload_to=licence_upload_to,
        max_length=200,
        validators=[validate_licence_file],
    )
    contact_name = models.CharField(_("contact person"), max_length=120)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(
        _("contact phone"), max_length=24, validators=[PHONE_VALIDATOR]
    )
    categories = models.ManyToManyField(
        "catalog.Category", related_name="+", verbose_name=_("categories")
    )
    trade_modes = models.JSONField(
        _("intended trade modes"), default=list, blank=True, validators=[validate_trade_modes]
    )
    merchant = models.OneToOneField(
        Merchant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("merchant created"),
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("merchant application")
        verbose_name_plural = _("merchant applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open application per person: a second one would split the review.
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(status__in=["submitted", "info_requested"]),
                name="one_open_application_per_applicant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_name_en} / {self.company_name_zh_hans}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES

    @property
    def last_event(self):
        """The latest review event (uses prefetched events when there are some)."""
        events = list(self.events.all())
        return events[-1] if events else None

    @property
    def licence_kind(self) -> str:
        return Path(self.licence_file.name).suffix.lstrip(".").lower()


APPLICATION_EVENT_LABELS = {
    "submit": _("Submitted"),
    "approve": _("Approved"),
    "reject": _("Rejected"),
    "request_info": _("More information requested"),
    "resubmit": _("Updated and sent back for review"),
}


class MerchantApplicationEvent(TransitionEvent):
    """Review history of an application; ``reason`` holds the reason or the operator's
    question, shown to the applicant."""

    subject = models.ForeignKey(
        MerchantApplication,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("application"),
    )
    notified_at = models.DateTimeField(_("applicant notified"), null=True, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def get_transition_display(self) -> str:
        return str(APPLICATION_EVENT_LABELS.get(self.transition, self.transition))


class Invitation(MerchantOwned):
    """An owner's invitation for someone to join the merchant's team with a role.

    The emailed link carries a signed token (``merchants.services.invitation_token``); it
    works once (``accepted_at``), until ``expires_at``, and not after ``revoked_at``.
    """

    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    email_sent_at = models.DateTimeField(_("email sent"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["merchant", "email"])]

    def __str__(self) -> str:
        return f"{self.email} → {self.merchant_id} ({self.role})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

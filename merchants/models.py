"""Merchants (the tenants) and their staff memberships."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.tenancy import MerchantOwned

from .roles import Role, role_can


class Merchant(models.Model):
    """A tenant: a self-operated store of the platform, a third-party seller or a purchasing
    agent (an overseas buyer shipping personal parcels)."""

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
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
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


class Membership(MerchantOwned):
    """A user working for a merchant, with a role. Merchant-owned like everything else."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
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

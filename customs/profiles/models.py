"""Customs profiles: who Silkway declares as, and with which key (operator-managed).

- ``CustomsCompany``: a company registered with customs (海关注册登记编号 and name) in one
  role: the platform (ebp), an e-commerce company (ebc, usually a merchant acting as seller of
  record), a payment company, a logistics company, a tax guarantor, a declaring agent, a
  bonded-zone company.
- ``SigningKey``: a signing identity: method (SM2-SM3 or RSA-SHA1), the certificate and its
  number, and the backend that holds the private key (software key encrypted at rest with the
  kernel's crypto, a remote signing agent, or a PKCS#11 module). Secrets are never shown back.
- ``CustomsProfile``: everything one declaration needs that is not in the order: the parties,
  customs and port codes, bonded ledger, DXP ids, transport and key. One platform-wide profile
  (no merchant) and at most one per merchant, which overrides it for that merchant's orders
  (the spec's ebc, guarantor, ledger and zone are per merchant where they differ).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from marketplace.crypto import EncryptedTextField

CODE_VALIDATOR = RegexValidator(
    r"^[0-9A-Z]{1,18}$", _("Use the customs registration code: up to 18 digits or capitals.")
)
OFFICE_VALIDATOR = RegexValidator(r"^[0-9]{4}$", _("Use the 4-digit customs office code."))


class CustomsCompany(models.Model):
    """A company as customs knows it, in one role of the declarations."""

    class Role(models.TextChoices):
        PLATFORM = "ebp", _("E-commerce platform (ebp)")
        ECOMMERCE = "ebc", _("E-commerce company (ebc)")
        PAYMENT = "pay", _("Payment company")
        LOGISTICS = "logistics", _("Logistics company")
        GUARANTOR = "assure", _("Tax guarantor")
        AGENT = "agent", _("Declaring agent")
        BONDED_ZONE = "area", _("Bonded-zone company")

    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    code = models.CharField(_("customs code"), max_length=18, validators=[CODE_VALIDATOR])
    name = models.CharField(_("registered name"), max_length=100)
    merchant = models.ForeignKey(
        "merchants.Merchant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customs_companies",
        verbose_name=_("merchant"),
        help_text=_(
            "The merchant this company is, when a merchant declares as e-commerce company."
        ),
    )

    class Meta:
        verbose_name = _("customs company")
        verbose_name_plural = _("customs companies")
        constraints = [
            models.UniqueConstraint(fields=["role", "code"], name="customs_company_role_code")
        ]
        ordering = ["role", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SigningKey(models.Model):
    """A signing identity and the backend that holds its private key."""

    class Algorithm(models.TextChoices):
        SM2_SM3 = "sm2-sm3", _("SM2-SM3 (national algorithms, preferred)")
        RSA_SHA1 = "rsa-sha1", _("RSA-SHA1")

    class Backend(models.TextChoices):
        SOFTWARE = "software", _("Software key (stored encrypted)")
        AGENT = "agent", _("Remote signing agent (USB key client)")
        PKCS11 = "pkcs11", _("PKCS#11 hardware module")

    name = models.CharField(_("name"), max_length=100, unique=True)
    algorithm = models.CharField(_("signature method"), max_length=10, choices=Algorithm.choices)
    backend = models.CharField(_("backend"), max_length=10, choices=Backend.choices)
    certificate = models.TextField(
        _("certificate (PEM)"), help_text=_("The X.509 certificate the e-port issued for this key.")
    )
    cert_no = models.CharField(
        _("certificate number"),
        max_length=64,
        help_text=_("Written as KeyName in every signature."),
    )
    private_key = EncryptedTextField(_("private key (PEM)"), blank=True)
    private_key_password = EncryptedTextField(_("private key password"), blank=True)
    agent_url = models.CharField(_("agent URL"), max_length=200, blank=True)
    agent_password = EncryptedTextField(_("USB key PIN"), blank=True)
    pkcs11_module = models.CharField(_("PKCS#11 module path"), max_length=200, blank=True)
    pkcs11_token = models.CharField(_("token label"), max_length=64, blank=True)
    pkcs11_key_label = models.CharField(_("key label"), max_length=64, blank=True)
    pkcs11_pin = EncryptedTextField(_("token PIN"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_algorithm_display()}, {self.get_backend_display()})"


def _company(role: str, verbose_name, **options) -> models.ForeignKey:
    """A profile's reference to the company that plays ``role`` in its declarations."""
    return models.ForeignKey(
        CustomsCompany,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=verbose_name,
        limit_choices_to={"role": role},
        **options,
    )


# The companies a profile names, in the order the back office shows them.
PARTY_FIELDS = (
    "platform",
    "ecommerce",
    "payment",
    "logistics",
    "guarantor",
    "agent",
    "bonded_zone",
)


class CustomsProfile(models.Model):
    """What a declaration needs besides the order: parties, offices, ledger, DXP, key."""

    class Transport(models.TextChoices):
        HTTP = "http", _("HTTP (local e-port proxy or the simulator)")
        AMQP = "amqp", _("AMQP (RabbitMQ)")

    name = models.CharField(_("name"), max_length=100)
    merchant = models.OneToOneField(
        "merchants.Merchant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customs_profile",
        verbose_name=_("merchant"),
        help_text=_("Empty: the platform-wide profile used for every merchant without its own."),
    )
    platform = _company(CustomsCompany.Role.PLATFORM, _("platform (ebp)"))
    ecommerce = _company(CustomsCompany.Role.ECOMMERCE, _("e-commerce company (ebc)"))
    payment = _company(CustomsCompany.Role.PAYMENT, _("payment company"))
    logistics = _company(CustomsCompany.Role.LOGISTICS, _("logistics company"))
    guarantor = _company(CustomsCompany.Role.GUARANTOR, _("tax guarantor"))
    agent = _company(CustomsCompany.Role.AGENT, _("declaring agent"))
    bonded_zone = _company(
        CustomsCompany.Role.BONDED_ZONE, _("bonded-zone company"), null=True, blank=True
    )
    customs_code = models.CharField(
        _("declaring customs office"), max_length=4, validators=[OFFICE_VALIDATOR]
    )
    port_code = models.CharField(
        _("port customs office"), max_length=4, validators=[OFFICE_VALIDATOR]
    )
    ems_no = models.CharField(
        _("bonded ledger (emsNo)"),
        max_length=30,
        blank=True,
        help_text=_("Required to declare bonded (1210) orders."),
    )
    dxp_id = models.CharField(_("DXP sender id"), max_length=30)
    receiver_id = models.CharField(_("DXP receiver id"), max_length=16, default="DXPEDCCEB0000002")
    transport = models.CharField(
        _("transport"), max_length=10, choices=Transport.choices, default=Transport.HTTP
    )
    gateway_url = models.CharField(
        _("gateway URL"),
        max_length=200,
        help_text=_("HTTP base URL, or the AMQP broker URL (amqp://user:password@host:5672//)."),
    )
    queue_prefix = models.CharField(_("AMQP queue prefix"), max_length=50, default="ceb")
    signing_key = models.ForeignKey(
        SigningKey, on_delete=models.PROTECT, related_name="profiles", verbose_name=_("signing key")
    )

    class Meta:
        verbose_name = _("customs profile")
        verbose_name_plural = _("customs profiles")
        constraints = [
            # NULLs are distinct in a unique index: coalesce so there is one platform profile.
            models.UniqueConstraint(
                Coalesce("merchant", Value(0)), name="customs_profile_one_per_merchant"
            ),
        ]

    def __str__(self) -> str:
        return self.name

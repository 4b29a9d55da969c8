"""Customs tables: the duty & tax rate data, the buyers' yearly quota ledger, and stored duty
assessments.

The four rate tables mirror the engine's rows (``customs.engine.types``): ``Regime`` (dated
versions), ``HsRate`` (HS-prefix rows per rate table), ``PostalCategory`` and ``VatRate``.
They are seeded from ``customs/seed/*.csv`` and edited by operators in the back office; the
selector ``ratebook_current()`` turns them into the engine's ``RateBook``. Consistency across
rows (overlapping dates, a table without a default row…) is the RateBook's to check; these
models hold the one-row rules.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customs.engine import (
    FLAG_CHILDRENS_CLOTHING,
    FLAG_EXCISE,
    FLAG_HIGH_END_COSMETIC,
    FLAG_HIGH_END_WATCH,
    ClearanceMode,
)
from customs.percent import PercentRateField
from marketplace.crypto import EncryptedTextField
from marketplace.transitions import TransitionEvent

RATE_DIGITS = {"max_digits": 7, "decimal_places": 6}
AMOUNT_DIGITS = {"max_digits": 14, "decimal_places": 2}

CODE_VALIDATOR = RegexValidator(
    r"^[A-Z][A-Z0-9_]{1,39}$",
    _("Use capital letters, digits and underscores, starting with a letter (CN_CBEC_9610)."),
)
CURRENCY_VALIDATOR = RegexValidator(
    r"^[A-Z]{3}$", _("Use the three-letter ISO 4217 code (CNY, EUR).")
)
COUNTRY_VALIDATOR = RegexValidator(r"^[A-Z]{2}$", _("Use the two-letter ISO 3166-1 code."))
HS_PREFIX_VALIDATOR = RegexValidator(
    r"^[0-9]{0,10}$", _("An HS prefix is up to 10 digits, without dots or spaces.")
)
TABLE_VALIDATOR = RegexValidator(
    r"^[A-Z][A-Z0-9_]{0,19}$", _("Use capital letters, digits and underscores (CN, EU).")
)


def _validate_countries(value: str) -> None:
    codes = value.split()
    if not codes or any(
        len(c) != 2 or not (c.isascii() and c.isalpha() and c.isupper()) for c in codes
    ):
        raise ValidationError(
            _("List two-letter ISO 3166-1 country codes separated by spaces (DE FR XI)."),
            code="invalid_countries",
        )


def _validate_modes(value: str) -> None:
    allowed = {mode.value for mode in ClearanceMode}
    if any(mode not in allowed for mode in value.split()):
        raise ValidationError(
            _("Unknown clearance mode. Allowed: %(allowed)s.")
            % {"allowed": ", ".join(sorted(allowed))},
            code="invalid_modes",
        )


class RateField(models.DecimalField):
    """A tax rate stored as a fraction (0.13); forms show and take it as a percentage (13).
    The database column is a plain decimal (``deconstruct`` names ``DecimalField``, so no
    migration sees a change)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PercentRateField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def _rate(verbose: str, **kwargs) -> models.DecimalField:
    return RateField(
        verbose,
        **RATE_DIGITS,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        **kwargs,
    )


# --------------------------------------------------------------------------------------------
# Choices (the engine's enums with translated labels)
# --------------------------------------------------------------------------------------------


class CalculatorChoice(models.TextChoices):
    CN_CBEC = "cn_cbec", _("China cross-border retail import (tariff 0, CT and VAT at 70 %)")
    CN_POSTAL = "cn_postal", _("China personal parcel (postal tax, waiver)")
    CN_GENERAL = "cn_general", _("China general trade (duty, CT, VAT)")
    LOW_VALUE = "low_value", _("Low-value goods (VAT/GST at checkout)")
    IMPORT = "import", _("Normal import (duty, then VAT/GST)")


class ModeChoice(models.TextChoices):
    BONDED = "bonded", _("Bonded import (1210)")
    DIRECT = "direct", _("Direct purchase import (9610)")
    PERSONAL_PARCEL = "personal_parcel", _("Personal parcel")
    GENERAL_TRADE = "general_trade", _("General trade (0110)")
    EXPORT_RETAIL = "export_retail", _("Retail export to another country")


class VatKindChoice(models.TextChoices):
    VAT = "vat", _("VAT")
    GST = "gst", _("GST")


class LimitBasisChoice(models.TextChoices):
    GOODS = "goods", _("Goods value (after real price cuts)")
    DUTIABLE = "dutiable", _("Dutiable value (goods + freight + insurance)")


class IndivisibleChoice(models.TextChoices):
    BLOCK = "block", _("Block, like any order over the limit")
    ALLOW = "allow", _("Allow and tax normally")
    GENERAL_TRADE_RATES = "general_trade_rates", _("Allow at full general-trade rates")


class LowValueDutyChoice(models.TextChoices):
    NONE = "none", _("No duty (relief)")
    FLAT_PER_SUBHEADING = "flat_per_subheading", _("Flat amount per distinct sub-heading")
    HS_RATE = "hs_rate", _("Duty by HS rate")


class NoticeChoice(models.TextChoices):
    POSTAL_TAX_ON_ARRIVAL = "postal_tax_on_arrival", _("Postal tax is assessed on arrival")
    TAXES_ON_ARRIVAL = "taxes_on_arrival", _("Taxes are collected on import")
    GENERAL_TRADE_IMPORTER_PAYS = (
        "general_trade_importer_pays",
        _("The importer pays at the border (general trade)"),
    )


class FlagChoice(models.TextChoices):
    HIGH_END_COSMETIC = FLAG_HIGH_END_COSMETIC, _("High-end cosmetic")
    HIGH_END_WATCH = FLAG_HIGH_END_WATCH, _("High-end watch")
    EXCISE = FLAG_EXCISE, _("Excise good")
    CHILDRENS_CLOTHING = FLAG_CHILDRENS_CLOTHING, _("Children's clothing")


# --------------------------------------------------------------------------------------------
# Rate data
# --------------------------------------------------------------------------------------------


class Regime(models.Model):
    """One dated version of a tax regime (a row of ``regimes.csv``).

    Versions of one regime share ``code``; a rule change is a new version with a later
    ``effective_from`` and the old one closed with ``effective_to`` (exclusive). The regime's
    name in both languages comes with the engine (``customs/engine/messages.py``).
    """

    code = models.CharField(_("code"), max_length=40, validators=[CODE_VALIDATOR])
    calculator = models.CharField(_("arithmetic"), max_length=20, choices=CalculatorChoice)
    destinations = models.CharField(
        _("destinations"),
        max_length=300,
        validators=[_validate_countries],
        help_text=_("ISO country codes separated by spaces; XI is Northern Ireland."),
    )
    modes = models.CharField(
        _("clearance modes"),
        max_length=120,
        blank=True,
        validators=[_validate_modes],
        help_text=_("Empty: the regime is only reached by switching from another one."),
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(
        _("in force until"), null=True, blank=True, help_text=_("Exclusive; empty: open-ended.")
    )
    rate_table = models.CharField(_("rate table"), max_length=20, validators=[TABLE_VALIDATOR])
    vat_kind = models.CharField(
        _("VAT kind"),
        max_length=3,
        choices=VatKindChoice,
        blank=True,
        help_text=_("Empty where no VAT or GST is charged."),
    )
    tax_factor = models.DecimalField(
        _("share of statutory CT and VAT"),
        **RATE_DIGITS,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("0.7 in China cross-border retail import, else 1."),
    )
    transaction_limit = models.DecimalField(
        _("limit per order"), **AMOUNT_DIGITS, null=True, blank=True
    )
    yearly_limit = models.DecimalField(
        _("limit per buyer per year"), **AMOUNT_DIGITS, null=True, blank=True
    )
    limit_basis = models.CharField(
        _("limit compares"), max_length=10, choices=LimitBasisChoice, default="goods"
    )
    over_limit_regime = models.CharField(
        _("regime above the limit"),
        max_length=40,
        blank=True,
        help_text=_("Code of the regime to switch to above the limit; empty: block the order."),
    )
    indivisible_over_limit = models.CharField(
        _("one indivisible item over the limit"),
        max_length=20,
        choices=IndivisibleChoice,
        default="block",
    )
    waiver_threshold = models.DecimalField(
        _("tax waived up to"), **AMOUNT_DIGITS, null=True, blank=True
    )
    base_includes_freight = models.BooleanField(_("tax base includes freight"), default=True)
    excise_allowed = models.BooleanField(_("excise goods allowed"), default=True)
    requires_product_record = models.BooleanField(
        _("requires a customs product record"), default=False
    )
    low_value_duty = models.CharField(
        _("duty on low-value goods"), max_length=20, choices=LowValueDutyChoice, default="none"
    )
    flat_duty_amount = models.DecimalField(
        _("flat duty per sub-heading"),
        **AMOUNT_DIGITS,
        default=0,
        validators=[MinValueValidator(0)],
    )
    collected_at_checkout = models.BooleanField(_("collected at checkout"), default=True)
    notice = models.CharField(_("notice"), max_length=40, choices=NoticeChoice, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("tax regime")
        verbose_name_plural = _("tax regimes")
        ordering = ["code", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="customs_regime_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gt=models.F("effective_from")),
                name="customs_regime_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(tax_factor__gt=0, tax_factor__lte=1),
                name="customs_regime_tax_factor_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.effective_from.isoformat()})"


class HsRate(models.Model):
    """Rates for HS codes starting with ``hs_prefix`` in one rate table (``rates.csv``).

    The longest matching prefix wins; the empty prefix is the table's default row. A row with
    a ``flag`` applies only to lines carrying that product attribute.
    """

    table = models.CharField(_("rate table"), max_length=20, validators=[TABLE_VALIDATOR])
    hs_prefix = models.CharField(
        _("HS prefix"),
        max_length=10,
        blank=True,
        validators=[HS_PREFIX_VALIDATOR],
        help_text=_("Empty: the table's default row."),
    )
    flag = models.CharField(
        _("product flag"),
        max_length=40,
        blank=True,
        choices=FlagChoice,
        help_text=_("The row applies only to lines with this product attribute."),
    )
    duty_rate = _rate(_("duty rate"), default=0)
    vat_rate = _rate(
        _("VAT rate"),
        null=True,
        blank=True,
        help_text=_("Empty: the destination's standard VAT or GST rate."),
    )
    ct_rate = _rate(_("consumption tax rate"), default=0)
    postal_category = models.CharField(_("postal tax category"), max_length=10, blank=True)
    excise = models.BooleanField(_("excise good"), default=False)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("HS rate")
        verbose_name_plural = _("HS rates")
        ordering = ["table", "hs_prefix", "flag"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "hs_prefix", "flag"], name="customs_hsrate_unique"
            )
        ]

    def __str__(self) -> str:
        prefix = self.hs_prefix or "*"
        return f"{self.table}/{prefix}" + (f"/{self.flag}" if self.flag else "")


class PostalCategory(models.Model):
    """A personal-parcel tax category (税目) and its rate (``postal_categories.csv``)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    rate = _rate(_("rate"))
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("postal tax category")
        verbose_name_plural = _("postal tax categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.rate * 100:.0f} %)"


class VatRate(models.Model):
    """A country's standard VAT or GST rate during a period (``vat_rates.csv``)."""

    country = models.CharField(_("country"), max_length=2, validators=[COUNTRY_VALIDATOR])
    rate = _rate(_("rate"))
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(
        _("in force until"), null=True, blank=True, help_text=_("Exclusive; empty: open-ended.")
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")
        ordering = ["country", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "effective_from"], name="customs_vatrate_unique"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gt=models.F("effective_from")),
                name="customs_vatrate_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.rate * 100:g} % ({self.effective_from.isoformat()})"


# --------------------------------------------------------------------------------------------
# Quota ledger
# --------------------------------------------------------------------------------------------


class QuotaLedger(models.Model):
    """One buyer's cross-border retail import ledger (跨境电商年度交易限值), keyed by identity.

    Only a keyed digest of the identity number is indexed (``id_digest``); the number itself
    is encrypted at rest and shown masked. The row is also the lock: every usage of one buyer
    locks it, so two checkouts cannot both spend the last of the allowance.
    """

    id_digest = models.CharField(_("identity digest"), max_length=64, unique=True)
    id_number = EncryptedTextField(_("identity number"))
    id_masked = models.CharField(_("identity number"), max_length=32)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("quota ledger")
        verbose_name_plural = _("quota ledgers")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.id_masked


class BuyerIdentity(models.Model):
    """An identity (居民身份证) a shopper saved on their account to buy cross-border with: the
    buyer (订购人) of their declarations.

    Stored as the quota ledger stores it: a keyed digest for lookups (``id_digest``, the
    ledger's key), the number encrypted at rest, and a masked copy for screens. Saving a
    number here is what lets its owner see that number's yearly allowance in a quote; nobody
    else's quote reads the ledger (``customs.selectors.quota_visible_to``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="buyer_identities",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name on the identity card"), max_length=60)
    id_digest = models.CharField(_("identity digest"), max_length=64)
    id_number = EncryptedTextField(_("identity number"))
    id_masked = models.CharField(_("identity number"), max_length=32)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("buyer identity")
        verbose_name_plural = _("buyer identities")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "id_digest"], name="customs_buyer_identity_once_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.id_masked}"


class QuotaEntry(models.Model):
    """What one order added to (usage) or gave back to (restore) a buyer's yearly total, in CNY.

    ``reference`` names the order (a string until the checkout links orders). One usage per
    order; restores (returns) point at the order whose usage they give back, and a
    ``restore_key`` (the return's reference) makes each one recordable once.
    """

    class Kind(models.TextChoices):
        USAGE = "usage", _("Usage")
        RESTORE = "restore", _("Restore")

    ledger = models.ForeignKey(
        QuotaLedger, on_delete=models.PROTECT, related_name="entries", verbose_name=_("ledger")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    amount = models.DecimalField(_("amount (CNY)"), **AMOUNT_DIGITS)
    reference = models.CharField(_("order reference"), max_length=64)
    restore_key = models.CharField(_("return reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("quota entry")
        verbose_name_plural = _("quota entries")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ledger", "year"], name="customs_quota_ledger_year")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="customs_quota_amount_positive"),
            models.UniqueConstraint(
                fields=["ledger", "reference"],
                condition=Q(kind="usage"),
                name="customs_quota_one_usage_per_order",
            ),
            models.UniqueConstraint(
                fields=["ledger", "reference", "restore_key"],
                condition=Q(kind="restore") & ~Q(restore_key=""),
                name="customs_quota_restore_once",
            ),
        ]

    def __str__(self) -> str:
        sign = "-" if self.kind == self.Kind.RESTORE else "+"
        return f"{self.year} {self.reference} {sign}{self.amount}"


# --------------------------------------------------------------------------------------------
# Duty assessments
# --------------------------------------------------------------------------------------------


class DutyAssessment(models.Model):
    """A stored duty & tax calculation (税费核算): request, result, rates and FX used.

    Written ``pending`` by ``duty_assessment_request``, computed by a Celery task and then
    ``frozen`` (or left ``computed`` when asked to stay open to recomputation); a frozen one
    never changes. ``estimate`` points at the assessment a final one was made from; when
    their figures differ both are kept and ``differs_from_estimate`` flags it for operators.
    The checkout issue links orders; until then ``reference`` names what it belongs to.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        COMPUTED = "computed", _("Computed")
        FAILED = "failed", _("Failed")
        FROZEN = "frozen", _("Frozen")

    reference = models.CharField(_("reference"), max_length=64, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING, db_index=True
    )
    freeze_when_computed = models.BooleanField(_("freeze when computed"), default=True)
    request = models.JSONField(_("request"))
    buyer_digest = models.CharField(_("buyer identity digest"), max_length=64, blank=True)
    buyer_year_to_date = models.DecimalField(
        _("buyer's year to date (CNY)"), **AMOUNT_DIGITS, null=True, blank=True
    )
    fx_rates = models.JSONField(_("FX rates used"), default=dict, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    rates_used = models.JSONField(_("rates used"), null=True, blank=True)
    engine_version = models.CharField(_("engine version"), max_length=20, blank=True)
    ratebook_version = models.CharField(_("rate data version"), max_length=40, blank=True)
    regime_code = models.CharField(_("regime"), max_length=40, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    tax_total = models.DecimalField(_("tax total"), **AMOUNT_DIGITS, null=True, blank=True)
    blocked = models.BooleanField(_("blocked"), default=False)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    estimate = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="finals",
        verbose_name=_("made from estimate"),
    )
    differs_from_estimate = models.BooleanField(
        _("differs from estimate"), default=False, db_index=True
    )
    differences = models.JSONField(_("differences from the estimate"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True)

    class Meta:
        verbose_name = _("duty assessment")
        verbose_name_plural = _("duty assessments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(estimate=models.F("id")), name="customs_assessment_not_own_estimate"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.reference or '-'} ({self.status})"


ASSESSMENT_EVENT_LABELS = {
    "compute": _("Computed"),
    "fail": _("Failed"),
    "freeze": _("Frozen"),
    "recompute": _("Sent for recomputation"),
}


class DutyAssessmentEvent(TransitionEvent):
    """One move of a duty assessment through its lifecycle (who, when, from, to, why)."""

    subject = models.ForeignKey(
        DutyAssessment,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("assessment"),
    )

    class Meta(TransitionEvent.Meta):
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")

    def get_transition_display(self) -> str:
        return str(ASSESSMENT_EVENT_LABELS.get(self.transition, self.transition))


# Customs profiles (docking configuration) live in their own module; imported here so Django
# registers them with the customs app.
from customs.profiles.models import (  # noqa: E402, F401
    CustomsCompany,
    CustomsProfile,
    SigningKey,
)

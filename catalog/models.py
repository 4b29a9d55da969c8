"""Catalog tables: categories, brands, products, SKUs, images, wholesale tiers, moderation
events and shopper reports; stock per SKU per warehouse (warehouses live in logistics).

Every merchant-owned table carries ``merchant`` (``MerchantOwned``) so seller access is scoped
by one mechanism and the tables can later be distributed by merchant (docs/SCALING.md).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from marketplace.clearance import ClearanceMode
from marketplace.countries import validate_country
from marketplace.tenancy import MerchantOwned
from marketplace.transitions import TransitionEvent

HS_CODE_VALIDATOR = RegexValidator(
    r"^[0-9]{6}([0-9]{2}){0,2}$",
    _("An HS code has 6, 8 or 10 digits, without dots or spaces."),
)


class Category(models.Model):
    """A node of the category tree (name translated: name_zh_hans, name_en)."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    """A brand (name translated). Operator-maintained; merchants pick from the list."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = models.CharField(
        _("country of the brand"), max_length=2, blank=True, validators=[validate_country]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Product(MerchantOwned):
    """A listing. Name and description are translated; description is sanitised HTML.

    Only ``approved`` products of approved merchants are visible to shoppers.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_REVIEW = "pending_review", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        DELISTED = "delisted", _("Delisted")

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    brand = models.ForeignKey(
        Brand,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("brand"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    slug = models.SlugField(_("slug"), max_length=120)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    listing_currency = models.CharField(_("listing currency"), max_length=3, default="CNY")
    min_order_quantity = models.PositiveIntegerField(
        _("minimum order quantity"), default=1, validators=[MinValueValidator(1)]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "slug"], name="product_slug_per_merchant")
        ]
        indexes = [
            models.Index(fields=["status", "category", "-published_at"]),
            models.Index(fields=["merchant", "status"]),
        ]

    def __str__(self) -> str:
        return self.name


class ProductEvent(TransitionEvent):
    """Moderation history of a product (submit, approve, reject, delist…)."""

    subject = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("product event")
        verbose_name_plural = _("product events")


class ProductImage(MerchantOwned):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to="products/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="products/thumbs/%Y/%m/", blank=True)
    alt = models.CharField(_("alternative text"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "id"]


class ProductAwaitingReview(Product):
    """The operators' review queue: new listings and edits to live listings (proxy)."""

    class Meta:
        proxy = True
        verbose_name = _("product awaiting review")
        verbose_name_plural = _("products awaiting review")


class ProductRevision(MerchantOwned):
    """Pending edits to a live (approved) product, waiting for an operator.

    Only the fields that matter to shoppers and customs wait here (names, descriptions,
    brand, images, HS codes, new variants); the live version keeps showing until the revision
    is approved. ``changes`` holds the proposed values (docs/CATALOG.md, "Live-edit review").
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        MERGED = "merged", _("Merged into the product")

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("product")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    changes = models.JSONField(_("proposed changes"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("product revision")
        verbose_name_plural = _("product revisions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(status="pending"),
                name="one_pending_revision_per_product",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} #{self.pk}"


class ProductRevisionEvent(TransitionEvent):
    """History of a revision (proposed edits approved, rejected, withdrawn, merged)."""

    subject = models.ForeignKey(ProductRevision, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("product revision event")
        verbose_name_plural = _("product revision events")


class ProductRevisionImage(MerchantOwned):
    """An image proposed for a live product; it becomes a ``ProductImage`` on approval."""

    revision = models.ForeignKey(ProductRevision, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to="products/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="products/thumbs/%Y/%m/", blank=True)
    alt = models.CharField(_("alternative text"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("proposed image")
        verbose_name_plural = _("proposed images")
        ordering = ["position", "id"]


# The one map from a SKU's trade-mode flags to the modes (``marketplace.clearance``): forms,
# the API, the CSV importer, the storefront and demo data read and write modes through it.
TRADE_MODE_FLAGS: dict[ClearanceMode, str] = {
    ClearanceMode.BONDED: "allow_bonded",
    ClearanceMode.DIRECT: "allow_direct",
    ClearanceMode.PERSONAL_PARCEL: "allow_personal_parcel",
    ClearanceMode.GENERAL_TRADE: "allow_general_trade",
}


def modes_of(flags) -> list[str]:
    """The modes an object with the flag attributes (a SKU, a SKU's data) allows, in order."""
    return [str(mode) for mode, flag in TRADE_MODE_FLAGS.items() if getattr(flags, flag)]


def flags_for(modes) -> dict[str, bool]:
    """The flag fields for the modes ``modes`` names (unknown values are ignored)."""
    chosen = {str(mode) for mode in modes}
    return {flag: mode.value in chosen for mode, flag in TRADE_MODE_FLAGS.items()}


class PostalTaxCategory(models.TextChoices):
    """Personal-parcel (postal) tax bands; the rates themselves are data in customs/."""

    RATE_13 = "13", _("13% band (books, food, IT products, toys, furniture…)")
    RATE_20 = "20", _("20% band (textiles, sports goods, appliances, other)")
    RATE_50 = "50", _("50% band (tobacco, alcohol, jewellery, high-end watches and cosmetics)")


class ProductRecordStatus(models.TextChoices):
    """Customs product record (备案) state of a SKU."""

    NONE = "none", _("No record")
    SUBMITTED = "submitted", _("Submitted")
    RECORDED = "recorded", _("Recorded")
    REJECTED = "rejected", _("Rejected")


class SKU(MerchantOwned):
    """A sellable variant with its price and the cross-border data customs needs."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    code = models.CharField(_("SKU code"), max_length=64)
    barcode = models.CharField(_("barcode"), max_length=32, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    price = models.DecimalField(
        _("price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    min_order_quantity = models.PositiveIntegerField(
        _("minimum order quantity"), default=1, validators=[MinValueValidator(1)]
    )
    low_stock_threshold = models.PositiveIntegerField(_("low-stock threshold"), default=5)
    is_active = models.BooleanField(_("active"), default=True)

    # Cross-border data
    hs_code = models.CharField(_("HS code"), max_length=10, validators=[HS_CODE_VALIDATOR])
    origin_country = models.CharField(
        _("country of origin"), max_length=2, validators=[validate_country]
    )
    net_weight_kg = models.DecimalField(
        _("net weight (kg)"),
        max_digits=10,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0"))],
    )
    gross_weight_kg = models.DecimalField(
        _("gross weight (kg)"),
        max_digits=10,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0"))],
    )
    length_cm = models.DecimalField(_("length (cm)"), max_digits=8, decimal_places=1, default=0)
    width_cm = models.DecimalField(_("width (cm)"), max_digits=8, decimal_places=1, default=0)
    height_cm = models.DecimalField(_("height (cm)"), max_digits=8, decimal_places=1, default=0)
    customs_unit = models.CharField(
        _("customs unit code"),
        max_length=3,
        default="011",
        help_text=_("Customs measurement unit code, e.g. 011 piece, 035 kilogram."),
    )
    allow_bonded = models.BooleanField(_("bonded import (1210)"), default=False)
    allow_direct = models.BooleanField(_("direct purchase (9610)"), default=True)
    allow_personal_parcel = models.BooleanField(_("personal parcel"), default=False)
    allow_general_trade = models.BooleanField(_("general trade"), default=False)
    postal_tax_category = models.CharField(
        _("postal-tax band"), max_length=2, choices=PostalTaxCategory.choices, default="20"
    )
    excise_category = models.CharField(
        _("consumption-tax category"),
        max_length=40,
        blank=True,
        help_text=_("Blank for ordinary goods; e.g. high_end_cosmetics, alcohol, high_end_watch."),
    )
    product_record_number = models.CharField(_("product record number"), max_length=64, blank=True)
    product_record_status = models.CharField(
        _("product record status"),
        max_length=12,
        choices=ProductRecordStatus.choices,
        default=ProductRecordStatus.NONE,
    )
    # Set only by the gateway's answer or an operator (catalog.services.records): customs'
    # reason for the last refusal, or the operator's for an override.
    product_record_reason = models.CharField(
        _("product record reason"), max_length=1000, blank=True
    )

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["product_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "code"], name="sku_code_per_merchant"),
            # The customs rule: no bonded (1210) sales without a recorded product record.
            models.CheckConstraint(
                condition=Q(allow_bonded=False) | Q(product_record_status="recorded"),
                name="sku_bonded_needs_record",
            ),
            models.CheckConstraint(
                condition=Q(gross_weight_kg__gte=F("net_weight_kg")),
                name="sku_gross_weight_at_least_net",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def trade_modes(self) -> list[str]:
        """The modes the merchant allows this SKU (where its stock lies narrows them:
        ``catalog.clearance``)."""
        return modes_of(self)


class ProductRecordSubmission(MerchantOwned):
    """One submission of a SKU's customs product record (商品备案) to the gateway.

    What was sent (the customs fields as they were), and the gateway's answer as it arrived
    (``answer``: the raw SWR102 message; ``answer_status`` its returnStatus). The SKU's
    ``product_record_status`` follows the latest submission only.
    """

    class Answer(models.TextChoices):
        WAITING = "", _("Waiting for customs")
        ACCEPTED = "accepted", _("Accepted for review")
        RECORDED = "recorded", _("Recorded")
        REJECTED = "rejected", _("Rejected")

    sku = models.ForeignKey(
        SKU, on_delete=models.CASCADE, related_name="record_submissions", verbose_name=_("SKU")
    )
    guid = models.CharField(_("message id"), max_length=36, unique=True)
    hs_code = models.CharField(_("HS code"), max_length=10)
    gname = models.CharField(_("goods name"), max_length=250, blank=True)
    origin_country = models.CharField(_("country of origin"), max_length=2)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, blank=True, default=""
    )
    answer_status = models.CharField(_("customs status"), max_length=10, blank=True)
    answer_info = models.CharField(_("customs text"), max_length=1000, blank=True)
    answer_message = models.BinaryField(_("raw answer"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    record_number = models.CharField(_("record number"), max_length=64, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("product record submission")
        verbose_name_plural = _("product record submissions")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.sku_id}:{self.guid}"


class ProductRecordEvent(TransitionEvent):
    """History of a SKU's product record: submitted, recorded, rejected, voided, overridden."""

    subject = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="record_events")
    submission = models.ForeignKey(
        ProductRecordSubmission, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    record_number = models.CharField(_("record number"), max_length=64, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("product record event")
        verbose_name_plural = _("product record events")


class WholesaleTier(MerchantOwned):
    """Business-buyer price break: from ``min_quantity`` units, ``unit_price`` each."""

    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="tiers")
    min_quantity = models.PositiveIntegerField(
        _("from quantity"), validators=[MinValueValidator(2)]
    )
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("wholesale tier")
        verbose_name_plural = _("wholesale tiers")
        ordering = ["sku_id", "min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "min_quantity"], name="one_tier_per_quantity")
        ]


class ListingReport(MerchantOwned):
    """A shopper's report about a listing (counterfeit, wrong description…), for operators."""

    class Reason(models.TextChoices):
        COUNTERFEIT = "counterfeit", _("Counterfeit")
        WRONG_DESCRIPTION = "wrong_description", _("Wrong or misleading description")
        PROHIBITED = "prohibited", _("Prohibited or restricted goods")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("details"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolution = models.TextField(_("resolution"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("listing report")
        verbose_name_plural = _("listing reports")
        ordering = ["-created_at"]
        constraints = [
            # One open report per shopper and listing: a second click adds nothing to the queue.
            models.UniqueConstraint(
                fields=["product", "reporter"],
                condition=Q(status="open"),
                name="one_open_report_per_reporter",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.product}"


class ListingReportEvent(TransitionEvent):
    """History of a report (upheld or dismissed, by whom, with the resolution)."""

    subject = models.ForeignKey(ListingReport, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("listing report event")
        verbose_name_plural = _("listing report events")


class Stock(MerchantOwned):
    """Quantity of one SKU in one warehouse. ``available`` = on hand − reserved."""

    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="stock")
    warehouse = models.ForeignKey(
        "logistics.Warehouse", on_delete=models.PROTECT, related_name="stock"
    )
    on_hand = models.PositiveIntegerField(_("on hand"), default=0)
    reserved = models.PositiveIntegerField(_("reserved"), default=0)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        ordering = ["sku_id", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="one_stock_row_per_place"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_within_on_hand"
            ),
        ]

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockAdjustment(MerchantOwned):
    """Every change of a stock row, with its reason: the stock ledger."""

    class Reason(models.TextChoices):
        RECEIPT = "receipt", _("Goods received")
        CORRECTION = "correction", _("Stock count correction")
        DAMAGE = "damage", _("Damaged or lost")
        IMPORT = "import", _("CSV import")
        RESERVATION = "reservation", _("Reserved for an order")
        RELEASE = "release", _("Reservation released")
        SALE = "sale", _("Shipped to a customer")
        RETURN = "return", _("Customer return")

    stock = models.ForeignKey(Stock, on_delete=models.CASCADE, related_name="adjustments")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    on_hand_delta = models.IntegerField(_("on-hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    on_hand_after = models.PositiveIntegerField(_("on hand after"))
    reserved_after = models.PositiveIntegerField(_("reserved after"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock adjustment")
        verbose_name_plural = _("stock adjustments")
        ordering = ["-created_at", "-id"]


class ImportJob(MerchantOwned):
    """One CSV upload (products or stock) and its outcome: the progress a seller watches and
    the row-by-row error report. The file's text is kept so a worker can run the job and an
    operator can see exactly what was sent."""

    class Kind(models.TextChoices):
        PRODUCTS = "products", _("Products")
        STOCK = "stock", _("Stock")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content = models.TextField(_("file content"), blank=True)
    language = models.CharField(_("language of the report"), max_length=10, default="en")
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["merchant", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

"""Moderation: the product lifecycle, review of edits to live products, shopper reports.

Three lifecycles, each declared once below and moved only through
``marketplace.transitions.Workflow.apply`` (an event row per move):

- ``PRODUCT_FLOW`` on ``Product.status``: a merchant submits a draft; an operator approves
  (it goes live, ``published_at`` is set) or rejects it with a reason the merchant sees; an
  operator may delist a live product (reason required); a rejected or delisted product is
  resubmitted after changes.
- ``REVISION_FLOW`` on ``ProductRevision.status``: edits to a live product's names,
  descriptions, brand, images, HS codes and new variants wait in one pending revision; an
  operator approves it (the changes are applied) or rejects it (reason required); the
  merchant may withdraw it; delisting folds it into the product ("merged"), since a
  delisted product is reviewed in full when resubmitted.
- ``REPORT_FLOW`` on ``ListingReport.status``: operators uphold (optionally delisting the
  product) or dismiss a shopper's report, always with a resolution.

Only the approved products of approved merchants are visible to shoppers
(``product_is_visible``); the storefront filters on the same two statuses.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import require_operator
from catalog.lock_objects import LockedProduct, lock_product
from catalog.models import (
    SKU,
    Brand,
    ListingReport,
    ListingReportEvent,
    Product,
    ProductEvent,
    ProductImage,
    ProductRevision,
    ProductRevisionEvent,
)
from catalog.services.records import product_record_void
from marketplace.rules import field_error
from marketplace.transitions import IllegalTransition, Transition, Workflow
from merchants.roles import Capability
from merchants.services import require_capability

__all__ = [
    "PRODUCT_FLOW",
    "REPORT_FLOW",
    "REVISION_FLOW",
    "IllegalTransition",
    "product_approve",
    "product_delist",
    "product_is_visible",
    "product_reject",
    "product_submit",
    "report_create",
    "report_dismiss",
    "report_uphold",
    "revision_approve",
    "revision_reject",
    "revision_withdraw",
    "submission_problems",
    "submit_transition",
]

ProductStatus = Product.Status
PRODUCT_FLOW = Workflow(
    field="status",
    transitions={
        "submit": Transition(sources={ProductStatus.DRAFT}, target=ProductStatus.PENDING_REVIEW),
        "approve": Transition(
            sources={ProductStatus.PENDING_REVIEW}, target=ProductStatus.APPROVED
        ),
        "reject": Transition(
            sources={ProductStatus.PENDING_REVIEW},
            target=ProductStatus.REJECTED,
            reason_required=True,
        ),
        "delist": Transition(
            sources={ProductStatus.APPROVED}, target=ProductStatus.DELISTED, reason_required=True
        ),
        "resubmit": Transition(
            sources={ProductStatus.REJECTED, ProductStatus.DELISTED},
            target=ProductStatus.PENDING_REVIEW,
        ),
    },
)

RevisionStatus = ProductRevision.Status
REVISION_FLOW = Workflow(
    field="status",
    transitions={
        "approve": Transition(sources={RevisionStatus.PENDING}, target=RevisionStatus.APPROVED),
        "reject": Transition(
            sources={RevisionStatus.PENDING}, target=RevisionStatus.REJECTED, reason_required=True
        ),
        "withdraw": Transition(sources={RevisionStatus.PENDING}, target=RevisionStatus.WITHDRAWN),
        "merge": Transition(sources={RevisionStatus.PENDING}, target=RevisionStatus.MERGED),
    },
)

ReportStatus = ListingReport.Status
REPORT_FLOW = Workflow(
    field="status",
    transitions={
        "uphold": Transition(
            sources={ReportStatus.OPEN}, target=ReportStatus.UPHELD, reason_required=True
        ),
        "dismiss": Transition(
            sources={ReportStatus.OPEN}, target=ReportStatus.DISMISSED, reason_required=True
        ),
    },
)

# The fields of a product (besides images, HS codes and new variants) whose edits wait for
# review while the product is live.
REVIEWED_PRODUCT_FIELDS = ("name_en", "name_zh_hans", "description_en", "description_zh_hans")
REVIEWED_BRAND = "brand"


def _require_operator(by) -> None:
    require_operator(by, _("Only operators may review listings."))


def product_is_visible(product: Product) -> bool:
    """The shopper-visibility contract: approved product of an approved merchant."""
    from merchants.models import Merchant

    return (
        product.status == Product.Status.APPROVED
        and product.merchant.status == Merchant.Status.APPROVED
    )


def pending_revision(product: Product) -> ProductRevision | None:
    """The product's open revision, if any (to change it, lock it with
    ``catalog.lock_objects.lock_product``)."""
    return ProductRevision.objects.filter(product=product, status=RevisionStatus.PENDING).first()


# --- product lifecycle ---------------------------------------------------------------------


_SUBMISSION_CODES = {
    "name_en": "name_en_required",
    "name_zh_hans": "name_zh_hans_required",
    "skus": "active_sku_required",
}


def submission_problems(product: Product) -> dict[str, list[str]]:
    """What keeps ``product`` from going to review, by field (empty when it is ready)."""
    errors: dict[str, list[str]] = {}
    if not (product.name_en or "").strip():
        errors["name_en"] = [_("Give the product an English name before submitting it.")]
    if not (product.name_zh_hans or "").strip():
        errors["name_zh_hans"] = [_("Give the product a Chinese name before submitting it.")]
    if not SKU.objects.filter(product=product, is_active=True).exists():
        errors["skus"] = [_("Add at least one active variant (SKU) before submitting.")]
    return errors


def submit_transition(product: Product) -> str | None:
    """``submit`` or ``resubmit`` when one is open from the product's status, else ``None``."""
    for name in ("submit", "resubmit"):
        if PRODUCT_FLOW.can(product, name):
            return name
    return None


@transaction.atomic
def product_submit(*, product: Product, by) -> ProductEvent:
    """Send a draft (``submit``) or a rejected/delisted product (``resubmit``) to review.

    Refuses products without names in both languages or without an active variant.
    """
    require_capability(by=by, merchant=product.merchant_id, capability=Capability.MANAGE_CATALOG)
    current = lock_product(product.pk, revision=False).product.status
    name = "resubmit" if current in PRODUCT_FLOW.transitions["resubmit"].sources else "submit"
    if current not in PRODUCT_FLOW.transitions[name].sources:
        raise IllegalTransition(name, current)
    if problems := submission_problems(product):
        raise ValidationError(
            {
                field: [ValidationError(m, code=_SUBMISSION_CODES[field]) for m in messages]
                for field, messages in problems.items()
            }
        )
    return PRODUCT_FLOW.apply(product, name, by=by, event_model=ProductEvent)


@transaction.atomic
def product_approve(*, product: Product, by) -> ProductEvent:
    """Operator approves a product awaiting review: it goes live now."""
    _require_operator(by)
    lock_product(product.pk, revision=False)
    event = PRODUCT_FLOW.apply(product, "approve", by=by, event_model=ProductEvent)
    product.published_at = timezone.now()
    Product.objects.filter(pk=product.pk).update(published_at=product.published_at)
    return event


@transaction.atomic
def product_reject(*, product: Product, by, reason: str) -> ProductEvent:
    """Operator rejects a product awaiting review; the reason is shown to the merchant."""
    _require_operator(by)
    lock_product(product.pk, revision=False)
    return PRODUCT_FLOW.apply(
        product, "reject", by=by, event_model=ProductEvent, reason=reason.strip()
    )


@transaction.atomic
def product_delist(*, product: Product, by, reason: str) -> ProductEvent:
    """Operator takes a live product off sale (reason shown to the merchant).

    A pending revision is folded into the product: nothing is live any more, and the whole
    product is reviewed again when the merchant resubmits it.
    """
    _require_operator(by)
    locks = lock_product(product.pk, all_skus=True)
    event = PRODUCT_FLOW.apply(
        product, "delist", by=by, event_model=ProductEvent, reason=reason.strip()
    )
    revision = locks.revision
    if revision is not None:
        _revision_apply(locks)
        REVISION_FLOW.apply(
            revision,
            "merge",
            by=by,
            event_model=ProductRevisionEvent,
            reason=_("The product was delisted; the edits were kept for its next review."),
        )
    return event


# --- revisions of live products ------------------------------------------------------------


def _delete_files_on_commit(*fields) -> None:
    names = [(f.storage, f.name) for f in fields if f]

    def remove():
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(remove)


def _revision_apply(locks: LockedProduct) -> None:
    """Write the pending revision's proposed values onto the product, its SKUs and images.

    ``locks`` holds the product, its pending revision and all its SKUs (``lock_product``)."""
    product, revision = locks.product, locks.revision
    changes = revision.changes or {}
    fields = dict(changes.get("fields", {}))
    update_fields = []
    for name in REVIEWED_PRODUCT_FIELDS:
        if name in fields:
            setattr(product, name, fields[name])
            update_fields.append(name)
    if REVIEWED_BRAND in fields:
        brand_id = fields[REVIEWED_BRAND]
        product.brand = Brand.objects.filter(pk=brand_id).first() if brand_id else None
        update_fields.append("brand")
    if update_fields:
        product.full_clean(exclude=["merchant"])
        product.save(update_fields=[*update_fields, "updated_at"])
    skus = SKU.objects.filter(product=product)
    for sku_id, hs_code in (changes.get("hs_codes") or {}).items():
        sku = locks.skus.get(int(sku_id))
        if sku is not None and sku.hs_code != hs_code:
            # The record described the old code: void it (bonded import needs a record,
            # so it goes off with it; the merchant submits the record again).
            if sku.allow_bonded:
                skus.filter(pk=sku.pk).update(allow_bonded=False)
                sku.allow_bonded = False
            product_record_void(sku=sku, by=None, reason=f"HS code {sku.hs_code} -> {hs_code}")
        skus.filter(pk=int(sku_id)).update(hs_code=hs_code)
    new_skus = [int(pk) for pk in changes.get("new_skus") or []]
    if new_skus:
        skus.filter(pk__in=new_skus).update(is_active=True)
    removed = ProductImage.objects.filter(
        product=product, pk__in=[int(pk) for pk in changes.get("remove_images") or []]
    )
    for image in removed:
        _delete_files_on_commit(image.image, image.thumbnail)
    removed.delete()
    proposed = list(revision.images.all())
    if proposed:
        last = ProductImage.objects.filter(product=product).order_by("-position").first()
        start = (last.position + 1) if last else 0
        ProductImage.objects.bulk_create(
            ProductImage(
                merchant_id=product.merchant_id,
                product=product,
                image=image.image.name,
                thumbnail=image.thumbnail.name,
                alt=image.alt,
                position=start + offset,
            )
            for offset, image in enumerate(proposed)
        )
        # The files now belong to the live images; the proposal rows go, the files stay.
        revision.images.all().delete()
    revision.product = product


@transaction.atomic
def revision_approve(*, revision: ProductRevision, by) -> ProductRevisionEvent:
    """Operator approves a live product's pending edits: they are applied and shown."""
    _require_operator(by)
    # The product first, then the revision (lock order): a merchant editing the product at
    # the same moment waits for this approval instead of deadlocking with it.
    locks = lock_product(revision.product_id, all_skus=True)
    if locks.revision is None or locks.revision.pk != revision.pk:
        current = ProductRevision.objects.filter(pk=revision.pk).values_list("status", flat=True)
        raise IllegalTransition("approve", current.first() or revision.status)
    _revision_apply(locks)
    return REVISION_FLOW.apply(revision, "approve", by=by, event_model=ProductRevisionEvent)


@transaction.atomic
def revision_reject(*, revision: ProductRevision, by, reason: str) -> ProductRevisionEvent:
    """Operator rejects pending edits (reason shown to the merchant); the live version stays.

    Variants proposed with the revision stay inactive, proposed images are discarded.
    """
    _require_operator(by)
    lock_product(revision.product_id)
    event = REVISION_FLOW.apply(
        revision, "reject", by=by, event_model=ProductRevisionEvent, reason=reason.strip()
    )
    _discard_proposed_images(revision)
    return event


@transaction.atomic
def revision_withdraw(*, revision: ProductRevision, by, reason: str = "") -> ProductRevisionEvent:
    """The merchant takes back pending edits; the live version stays as it is."""
    require_capability(by=by, merchant=revision.merchant_id, capability=Capability.MANAGE_CATALOG)
    lock_product(revision.product_id)
    event = REVISION_FLOW.apply(
        revision, "withdraw", by=by, event_model=ProductRevisionEvent, reason=reason
    )
    _discard_proposed_images(revision)
    return event


def _discard_proposed_images(revision: ProductRevision) -> None:
    for image in revision.images.all():
        _delete_files_on_commit(image.image, image.thumbnail)
    revision.images.all().delete()


# --- shopper reports -----------------------------------------------------------------------


@transaction.atomic
def report_create(*, product: Product, reporter, reason: str, details: str = "") -> ListingReport:
    """A signed-in shopper reports a visible listing; it joins the operators' queue.

    One open report per shopper and listing: a second one is refused with a message.
    """
    if not getattr(reporter, "is_authenticated", False):
        raise PermissionDenied(_("Log in to report a listing."))
    if not product_is_visible(product):
        raise ValidationError(_("This listing is not on sale."), code="report_not_on_sale")
    if reason not in ListingReport.Reason.values:
        raise field_error("reason", _("Pick one of the listed reasons."), "report_reason")
    details = details.strip()
    if reason == ListingReport.Reason.OTHER and not details:
        raise field_error(
            "details", _("Tell us what is wrong with this listing."), "report_details_required"
        )
    if ListingReport.objects.filter(
        product=product, reporter=reporter, status=ReportStatus.OPEN
    ).exists():
        raise ValidationError(
            _("You have already reported this listing; our team is looking into it."),
            code="report_duplicate",
        )
    report = ListingReport(
        merchant_id=product.merchant_id,
        product=product,
        reporter=reporter,
        reason=reason,
        details=details[:4000],
    )
    report.full_clean(exclude=["merchant", "product", "reporter"])
    report.save()
    return report


def _report_close(report: ListingReport, name: str, *, by, resolution: str) -> ListingReportEvent:
    _require_operator(by)
    event = REPORT_FLOW.apply(
        report, name, by=by, event_model=ListingReportEvent, reason=resolution.strip()
    )
    report.resolution = resolution.strip()
    report.handled_by = by
    report.handled_at = event.created_at
    ListingReport.objects.filter(pk=report.pk).update(
        resolution=report.resolution, handled_by=by, handled_at=report.handled_at
    )
    return event


@transaction.atomic
def report_uphold(
    *, report: ListingReport, by, resolution: str, delist: bool = False
) -> ListingReportEvent:
    """Operator agrees with a report; with ``delist`` the product is taken off sale through
    the product workflow (the resolution becomes the delisting reason)."""
    _require_operator(by)
    # A report belongs to its product: the product is locked first (lock order).
    product = lock_product(report.product_id).product if delist else None
    event = _report_close(report, "uphold", by=by, resolution=resolution)
    if product is not None and product.status == Product.Status.APPROVED:
        product_delist(product=product, by=by, reason=resolution)
    return event


@transaction.atomic
def report_dismiss(*, report: ListingReport, by, resolution: str) -> ListingReportEvent:
    """Operator finds nothing wrong; the report leaves the queue with the resolution."""
    return _report_close(report, "dismiss", by=by, resolution=resolution)

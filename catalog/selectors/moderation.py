"""Moderation reads shared by the seller portal, the seller API and the back office:
a product's history (its own events and those of its revisions, one timeline), the diff of
a pending revision against the live product, and the operators' queues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from catalog.models import Brand, ListingReport, Product, ProductRevision
from catalog.sanitize import sanitize_html

PRODUCT_TRANSITION_LABELS = {
    "submit": _("Submitted for review"),
    "resubmit": _("Resubmitted for review"),
    "approve": _("Approved and published"),
    "reject": _("Rejected"),
    "delist": _("Delisted"),
}
REVISION_TRANSITION_LABELS = {
    "propose": _("Edits proposed"),
    "approve": _("Edits approved and published"),
    "reject": _("Edits rejected"),
    "withdraw": _("Edits withdrawn"),
    "merge": _("Edits kept for the next review"),
}
FIELD_LABELS = {
    "name_en": _("Name (English)"),
    "name_zh_hans": _("Name (Chinese)"),
    "description_en": _("Description (English)"),
    "description_zh_hans": _("Description (Chinese)"),
    "brand": _("Brand"),
}


@dataclass
class HistoryEntry:
    when: datetime
    actor: object | None
    action: str
    reason: str
    from_state: str = ""
    to_state: str = ""
    about_edits: bool = False


def product_history(product: Product) -> list[HistoryEntry]:
    """Every moderation step of ``product`` and of its revisions, newest first.

    Uses the ``events`` and ``revisions`` (with their ``events``) prefetched by the detail
    selectors; costs queries only when they were not prefetched.
    """
    statuses = dict(Product.Status.choices)
    entries = [
        HistoryEntry(
            when=event.created_at,
            actor=event.actor,
            action=str(PRODUCT_TRANSITION_LABELS.get(event.transition, event.transition)),
            reason=event.reason,
            from_state=str(statuses.get(event.from_state, event.from_state)),
            to_state=str(statuses.get(event.to_state, event.to_state)),
        )
        for event in product.events.all()
    ]
    for revision in product.revisions.all():
        entries.append(
            HistoryEntry(
                when=revision.created_at,
                actor=revision.created_by,
                action=str(REVISION_TRANSITION_LABELS["propose"]),
                reason="",
                about_edits=True,
            )
        )
        entries.extend(
            HistoryEntry(
                when=event.created_at,
                actor=event.actor,
                action=str(REVISION_TRANSITION_LABELS.get(event.transition, event.transition)),
                reason=event.reason,
                about_edits=True,
            )
            for event in revision.events.all()
        )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


def last_decision(product: Product) -> HistoryEntry | None:
    """The latest rejection or delisting of the product, when that is its current state."""
    if product.status not in {Product.Status.REJECTED, Product.Status.DELISTED}:
        return None
    events = [e for e in product.events.all() if e.to_state == product.status]
    if not events:
        return None
    event = max(events, key=lambda e: (e.created_at, e.pk))
    return HistoryEntry(
        when=event.created_at,
        actor=event.actor,
        action=str(PRODUCT_TRANSITION_LABELS.get(event.transition, event.transition)),
        reason=event.reason,
    )


def pending_of(product: Product) -> ProductRevision | None:
    """The pending revision among the prefetched ``revisions``."""
    return next(
        (r for r in product.revisions.all() if r.status == ProductRevision.Status.PENDING), None
    )


def last_rejected_revision(product: Product) -> HistoryEntry | None:
    """The most recent rejected edits, when no newer edits are pending (shown to the seller)."""
    revisions = sorted(product.revisions.all(), key=lambda r: (r.created_at, r.pk), reverse=True)
    if not revisions or revisions[0].status != ProductRevision.Status.REJECTED:
        return None
    events = [e for e in revisions[0].events.all() if e.transition == "reject"]
    if not events:
        return None
    event = events[-1]
    return HistoryEntry(
        when=event.created_at,
        actor=event.actor,
        action=str(REVISION_TRANSITION_LABELS["reject"]),
        reason=event.reason,
        about_edits=True,
    )


@dataclass
class DiffRow:
    label: str
    live: SafeString
    proposed: SafeString


def _text(value) -> SafeString:
    return format_html("{}", value or "—")


def _html(value: str) -> SafeString:
    # Stored descriptions are sanitised on write; cleaning again at display costs little
    # and keeps a bad row (e.g. written by a migration) harmless.
    return mark_safe(sanitize_html(value or "")) or _text("")  # noqa: S308 - sanitised above


def thumbnails_html(images) -> SafeString:
    images = [i for i in images if i.thumbnail or i.image]
    if not images:
        return _text("")
    return format_html_join(
        " ",
        '<img src="{}" alt="{}" width="80" height="80" class="thumb">',
        ((i.thumbnail.url if i.thumbnail else i.image.url, i.alt) for i in images),
    )


def revision_diff(revision: ProductRevision) -> list[DiffRow]:
    """What the revision would change, row by row: live value next to the proposed one."""
    product = revision.product
    changes = revision.changes or {}
    rows: list[DiffRow] = []
    fields = changes.get("fields") or {}
    for name in ("name_en", "name_zh_hans", "description_en", "description_zh_hans"):
        if name in fields:
            render = _html if name.startswith("description") else _text
            rows.append(
                DiffRow(
                    str(FIELD_LABELS[name]), render(getattr(product, name)), render(fields[name])
                )
            )
    if "brand" in fields:
        proposed = Brand.objects.filter(pk=fields["brand"]).first() if fields["brand"] else None
        rows.append(DiffRow(str(FIELD_LABELS["brand"]), _text(product.brand), _text(proposed)))
    skus = {sku.pk: sku for sku in product.skus.all()}
    for sku_id, hs_code in (changes.get("hs_codes") or {}).items():
        sku = skus.get(int(sku_id))
        if sku is not None:
            rows.append(
                DiffRow(
                    str(_("HS code of %(sku)s") % {"sku": sku.code}),
                    _text(sku.hs_code),
                    _text(hs_code),
                )
            )
    new_skus = [skus[pk] for pk in changes.get("new_skus") or [] if pk in skus]
    if new_skus:
        rows.append(
            DiffRow(
                str(_("Variants to put on sale")),
                _text(""),
                format_html_join(
                    mark_safe("<br>"),
                    "{} · {} {} · HS {}",
                    ((s.code, s.price, product.listing_currency, s.hs_code) for s in new_skus),
                ),
            )
        )
    removed = set(changes.get("remove_images") or [])
    proposed_images = list(revision.images.all())
    if removed or proposed_images:
        live_images = list(product.images.all())
        after = [i for i in live_images if i.pk not in removed] + proposed_images
        rows.append(DiffRow(str(_("Images")), thumbnails_html(live_images), thumbnails_html(after)))
    return rows


def _pending_revision_exists():
    return Exists(
        ProductRevision.objects.filter(
            product=OuterRef("pk"), status=ProductRevision.Status.PENDING
        )
    )


def products_awaiting_review() -> QuerySet[Product]:
    """The operators' queue: new listings awaiting review and live products with pending
    edits, oldest first."""
    return (
        Product.objects.annotate(has_pending_revision=_pending_revision_exists())
        .filter(Q(status=Product.Status.PENDING_REVIEW) | Q(has_pending_revision=True))
        .select_related("merchant", "category", "brand")
        .order_by("updated_at", "id")
    )


def reports_queue() -> QuerySet[ListingReport]:
    """Shoppers' reports, open ones first, oldest first within a status."""
    return (
        ListingReport.objects.select_related(
            "product", "product__merchant", "reporter", "handled_by"
        )
        .annotate(
            queue_rank=Case(
                When(status=ListingReport.Status.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("queue_rank", "created_at")
    )

"""Listing writes: creating and editing products, their SKUs, wholesale tiers and images.

Every function validates with the models' own rules (``full_clean``) plus the trade's rules
below, so the portal, the API and the CSV import refuse the same bad input with the same
field-named messages:

- HS codes have 6, 8 or 10 digits (dots and spaces are dropped) in a real chapter (01–97,
  chapter 77 is reserved);
- a SKU offered in bonded mode (1210) needs a *recorded* customs product record (the DB
  constraint ``sku_bonded_needs_record`` is the last line of defence); the record's status
  and number are set by customs' answer or an operator only (``catalog.services.records``),
  and a new HS code voids the record (bonded import must be off in the same edit);
- prices fit the listing currency's minor unit (no fractions of a yen);
- wholesale tiers start at 2 units and get cheaper as the quantity grows.

Edits to a live (approved) product are split: names, descriptions, brand, images, HS codes
and new variants go into the product's pending ``ProductRevision`` for an operator
(see ``catalog.services.moderation``); everything else applies immediately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from babel.numbers import is_currency
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.images import prepare_image
from catalog.lock_objects import LockedProduct, lock_product
from catalog.models import (
    SKU,
    Product,
    ProductImage,
    ProductRecordStatus,
    ProductRevision,
    ProductRevisionImage,
    WholesaleTier,
    modes_of,
)
from catalog.sanitize import sanitize_html
from catalog.services.moderation import (
    REVIEWED_BRAND,
    REVIEWED_PRODUCT_FIELDS,
    REVISION_FLOW,
)
from catalog.services.records import product_record_void
from marketplace.countries import validate_country
from marketplace.digits import DIGIT
from marketplace.money import MoneyError, minor_unit
from marketplace.rules import RuleErrors, field_error
from merchants.roles import Capability
from merchants.services import require_capability

MAX_IMAGES = 12

# A variant's attributes (its options: {name: value}, e.g. {"size": "M"}). Limits keep a
# listing readable and a row small; the characters are the ones the portal ("name: value"
# per line) and the CSV ("name=value;…") write attributes with, so what one door accepts
# every door can show and read back.
MAX_ATTRIBUTES = 10
MAX_ATTRIBUTE_NAME_LENGTH = 40
MAX_ATTRIBUTE_VALUE_LENGTH = 100
# The attribute rules' codes (docs/API.md lists them), by rule.
ATTRIBUTE_RULE_CODES = {
    "count": "attributes_too_many",
    "blank": "attribute_blank",
    "name_length": "attribute_name_too_long",
    "value_length": "attribute_value_too_long",
    "name_character": "attribute_name_character",
    "value_character": "attribute_value_character",
}
# The model's translated attribute fields (modeltranslation), one per language.
ATTRIBUTE_FIELDS = ("attributes_en", "attributes_zh_hans")
_ATTRIBUTE_NAME_SEPARATORS = frozenset("=:：;\r\n")
_ATTRIBUTE_VALUE_SEPARATORS = frozenset(";\r\n")

# Consumption-tax (excise) categories a SKU may carry; the customs engine reads them as flags.
EXCISE_CATEGORIES = [
    ("", gettext_lazy("None (ordinary goods)")),
    ("high_end_cosmetic", gettext_lazy("High-end cosmetics")),
    ("alcohol", gettext_lazy("Alcohol")),
    ("tobacco", gettext_lazy("Tobacco")),
    ("high_end_watch", gettext_lazy("High-end watches")),
    ("jewellery", gettext_lazy("Jewellery and precious stones")),
]

_HS_SEPARATORS = re.compile(r"[\s.\-]")
_HS_FORMAT = re.compile(r"^[0-9]{6}([0-9]{2}){0,2}$")  # ASCII digits (marketplace.digits)


class _Keep:
    """Marker for "leave this field as it is" in ``product_update``."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


@dataclass
class SkuInput:
    code: str
    price: Decimal
    hs_code: str
    origin_country: str
    net_weight_kg: Decimal
    gross_weight_kg: Decimal
    barcode: str = ""
    # the variant's attributes ({name: value}) in each language; one may stay empty (the
    # storefront falls back to the other)
    attributes_en: dict = field(default_factory=dict)
    attributes_zh_hans: dict = field(default_factory=dict)
    min_order_quantity: int = 1
    low_stock_threshold: int = 5
    length_cm: Decimal = Decimal(0)
    width_cm: Decimal = Decimal(0)
    height_cm: Decimal = Decimal(0)
    customs_unit: str = "011"
    allow_bonded: bool = False
    allow_direct: bool = True
    allow_personal_parcel: bool = False
    allow_general_trade: bool = False
    postal_tax_category: str = "20"
    excise_category: str = ""
    tiers: list[tuple[int, Decimal]] = field(default_factory=list)
    is_active: bool = True


# --- validation helpers --------------------------------------------------------------------


def normalize_hs_code(value: str) -> str:
    """``"3304.99.00 00"`` -> ``"3304990000"``: merchants copy codes with separators."""
    return _HS_SEPARATORS.sub("", value or "")


def hs_code_problem(code: str) -> ValidationError | None:
    """Why ``code`` (normalised) is not a valid HS code (``hs_code_digits``,
    ``hs_code_chapter``), or ``None``."""
    if not _HS_FORMAT.match(code):
        return ValidationError(
            _("An HS code has 6, 8 or 10 digits, without dots or spaces."), code="hs_code_digits"
        )
    chapter = int(code[:2])
    if not 1 <= chapter <= 97 or chapter == 77:
        return ValidationError(
            _("%(chapter)s is not an HS chapter: chapters run from 01 to 97 (77 is unused).")
            % {"chapter": code[:2]},
            code="hs_code_chapter",
        )
    return None


def normalize_attributes(attributes):
    """Names and values stripped (an empty name dropped), ``None`` as no attributes; anything
    that is not a mapping is left for ``attribute_errors`` to refuse."""
    if attributes is None:
        return {}
    if not isinstance(attributes, dict):
        return attributes
    return {str(k).strip(): str(v).strip() for k, v in attributes.items() if str(k).strip()}


def attribute_errors(attributes) -> list[ValidationError]:
    """Why a variant's ``attributes`` (``{name: value}``, already stripped) break the rules:
    one error per rule broken (each with its code), ``[]`` when they are fine."""
    if not isinstance(attributes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()
    ):
        return [
            ValidationError(
                _("Attributes are pairs of a name and a value, e.g. colour: red."),
                code="attributes_shape",
            )
        ]
    names, values = list(attributes), list(attributes.values())
    # (broken?, message, code, limit) — one error per rule, however many pairs break it
    rules = [
        (
            len(attributes) > MAX_ATTRIBUTES,
            _("A variant has at most %(max)s attributes."),
            ATTRIBUTE_RULE_CODES["count"],
            MAX_ATTRIBUTES,
        ),
        (
            not all(names) or not all(values),
            _("Each attribute needs a name and a value."),
            ATTRIBUTE_RULE_CODES["blank"],
            None,
        ),
        (
            any(len(name) > MAX_ATTRIBUTE_NAME_LENGTH for name in names),
            _("An attribute name has at most %(max)s characters."),
            ATTRIBUTE_RULE_CODES["name_length"],
            MAX_ATTRIBUTE_NAME_LENGTH,
        ),
        (
            any(len(value) > MAX_ATTRIBUTE_VALUE_LENGTH for value in values),
            _("An attribute value has at most %(max)s characters."),
            ATTRIBUTE_RULE_CODES["value_length"],
            MAX_ATTRIBUTE_VALUE_LENGTH,
        ),
        (
            any(_ATTRIBUTE_NAME_SEPARATORS.intersection(name) for name in names),
            _("An attribute name cannot contain “=”, “:”, “;” or a line break."),
            ATTRIBUTE_RULE_CODES["name_character"],
            None,
        ),
        (
            any(_ATTRIBUTE_VALUE_SEPARATORS.intersection(value) for value in values),
            _("An attribute value cannot contain “;” or a line break."),
            ATTRIBUTE_RULE_CODES["value_character"],
            None,
        ),
    ]
    return [
        ValidationError(message, code=code, params=None if limit is None else {"max": limit})
        for broken, message, code, limit in rules
        if broken
    ]


def hs_code_error(code: str) -> str | None:
    """The message of ``hs_code_problem``, for a door that shows only words (the CSV import)."""
    problem = hs_code_problem(code)
    return problem.messages[0] if problem else None


def _currency_error(code: str) -> str | None:
    """A listing currency is one the operators keep active in ``marketplace.Currency``."""
    from marketplace.models import Currency

    refused = _("%(code)s is not a currency the marketplace lists in.") % {"code": code or "—"}
    if not is_currency(code):
        return refused
    active = Currency.objects.filter(code=code).values_list("is_active", flat=True).first()
    if active is None and not Currency.objects.exists():
        # The table is seeded by a migration; only a database emptied by a test flush lacks
        # it, and listings (and the demo data) must still load there.
        return None
    return None if active else refused


def _decimals_error(amount: Decimal, currency: str) -> str | None:
    try:
        digits = minor_unit(currency)
    except MoneyError:
        return None
    if amount != amount.quantize(Decimal(1).scaleb(-digits)):
        return _("%(currency)s prices have at most %(digits)s decimal places.") % {
            "currency": currency,
            "digits": digits,
        }
    return None


def _sku_rule_errors(sku: SKU, product: Product, tiers) -> dict[str, list[ValidationError]]:
    errors = RuleErrors()
    add = errors.add

    if sku.hs_code and (problem := hs_code_problem(sku.hs_code)):
        add("hs_code", problem)
    try:
        validate_country(sku.origin_country)
    except ValidationError as problem:
        add("origin_country", problem)
    if not modes_of(sku):
        add("trade_modes", _("Allow at least one trade mode."), "trade_mode_required")
    if sku.allow_bonded and sku.product_record_status != ProductRecordStatus.RECORDED:
        add(
            "allow_bonded",
            _(
                "Bonded import (1210) needs a customs product record: submit the variant's "
                "product record and wait for customs to record it, or untick bonded import."
            ),
            "bonded_needs_record",
        )
    if sku.excise_category not in {value for value, _label in EXCISE_CATEGORIES}:
        add(
            "excise_category",
            _("Pick one of the listed consumption-tax categories."),
            "excise_category",
        )
    if not re.fullmatch(rf"{DIGIT}{{3}}", sku.customs_unit or ""):
        add(
            "customs_unit",
            _("A customs unit code has 3 digits, e.g. 011 for pieces."),
            "customs_unit_digits",
        )
    if (
        sku.net_weight_kg is not None
        and sku.gross_weight_kg is not None
        and sku.gross_weight_kg < sku.net_weight_kg
    ):
        add(
            "gross_weight_kg",
            _("The gross weight includes packaging: it cannot be below net."),
            "gross_below_net",
        )
    if sku.price is not None and (problem := _decimals_error(sku.price, product.listing_currency)):
        add("price", problem, "price_decimals")
    for name in ATTRIBUTE_FIELDS:
        for problem in attribute_errors(getattr(sku, name)):
            add(name, problem)
    seen: set[int] = set()
    previous = None
    for min_quantity, unit_price in sorted(tiers or []):
        if min_quantity in seen:
            add(
                "tiers",
                _("Two tiers start at %(n)s units.") % {"n": min_quantity},
                "tier_duplicate",
            )
        seen.add(min_quantity)
        if min_quantity < 2:
            add("tiers", _("A wholesale tier starts at 2 units or more."), "tier_min_quantity")
        if unit_price < 0:
            add("tiers", _("A wholesale unit price cannot be negative."), "tier_price_negative")
        elif sku.price is not None and unit_price >= sku.price:
            add(
                "tiers",
                _("The tier from %(n)s units must be cheaper than the regular price.")
                % {"n": min_quantity},
                "tier_not_cheaper",
            )
        elif previous is not None and unit_price > previous:
            add(
                "tiers",
                _("Larger quantities cannot have a higher unit price."),
                "tier_price_rising",
            )
        if (problem := _decimals_error(unit_price, product.listing_currency)) is not None:
            add("tiers", problem, "price_decimals")
        previous = unit_price
    return errors.errors


def _may_edit(by, merchant) -> None:
    """Refuse ``by`` unless they may edit ``merchant``'s catalog: the services enforce
    capabilities (docs/ARCHITECTURE.md, "Capabilities"); ``by=None`` is the platform."""
    require_capability(by=by, merchant=merchant, capability=Capability.MANAGE_CATALOG)


def _unique_slug(merchant, base: str, *, exclude_pk=None) -> str:
    root = slugify(base)[:100] or "product"
    candidate, n = root, 1
    taken = Product.objects.for_merchant(merchant)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    while taken.filter(slug=candidate).exists():
        n += 1
        candidate = f"{root}-{n}"
    return candidate


# --- revisions (edits to live products) ----------------------------------------------------


def _revision_is_empty(changes: dict, revision: ProductRevision | None) -> bool:
    has_images = bool(revision and revision.pk and revision.images.exists())
    return not (
        changes.get("fields")
        or changes.get("hs_codes")
        or changes.get("new_skus")
        or changes.get("remove_images")
        or has_images
    )


def _propose(locks: LockedProduct, by, mutate) -> ProductRevision | None:
    """Apply ``mutate(changes)`` to the product's pending revision (created when needed).

    ``locks`` comes from ``lock_product`` (product, then pending revision): the product's
    lock also serialises the creation of its one pending revision. A revision left with
    nothing in it is withdrawn; none is created for nothing.
    """
    product, revision = locks.product, locks.revision
    changes = {
        "fields": {},
        "hs_codes": {},
        "new_skus": [],
        "remove_images": [],
        **((revision.changes if revision else None) or {}),
    }
    changes = {k: (dict(v) if isinstance(v, dict) else list(v)) for k, v in changes.items()}
    mutate(changes)
    if _revision_is_empty(changes, revision):
        if revision is not None:
            revision.changes = changes
            revision.save(update_fields=["changes", "updated_at"])
            REVISION_FLOW.apply(
                revision,
                "withdraw",
                by=by,
                event_model=_revision_event_model(),
                reason=_("Nothing left to review: the proposed values match the live ones."),
            )
            locks.revision = None
        return None
    if revision is None:
        revision = ProductRevision(
            merchant_id=product.merchant_id,
            product=product,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
    revision.changes = changes
    revision.save()
    locks.revision = revision
    return revision


def _revision_event_model():
    from catalog.models import ProductRevisionEvent

    return ProductRevisionEvent


def _is_live(product: Product) -> bool:
    return product.status == Product.Status.APPROVED


# --- SKUs ----------------------------------------------------------------------------------


@transaction.atomic
def sku_upsert(*, product: Product, data: SkuInput, by=None, replace_tiers: bool = False) -> SKU:
    """Create or update (by merchant + code) one SKU of ``product`` with its wholesale tiers.

    Tiers are replaced when ``data.tiers`` is not empty, or always with ``replace_tiers``
    (so an empty list clears them). On a live product, a changed HS code of a variant on
    sale waits in the pending revision (the live code stays until an operator approves), and
    putting a variant on sale (a new one, or one switched off) waits for review too: it stays
    inactive until the revision is approved. Switching a variant off applies at once.
    """
    _may_edit(by, product.merchant_id)
    values = {k: v for k, v in data.__dict__.items() if k not in {"code", "tiers"}}
    code = (data.code or "").strip()
    if not code:
        raise field_error("code", _("Give the variant a SKU code."), "sku_code_required")
    locks = lock_product(product.pk, sku_codes=[code])
    product = locks.product
    sku = locks.sku_by_code(code)
    creating = sku is None
    if creating:
        if SKU.objects.for_merchant(product.merchant).filter(code=code).exists():
            # Refused without locking the other product's rows (lock order: its product
            # would have to come first).
            raise field_error(
                "code", _("This SKU code is already used by another product."), "sku_code_taken"
            )
        sku = SKU(merchant=product.merchant, product=product, code=code)
    live_hs_code = None if creating else sku.hs_code
    was_active = False if creating else sku.is_active
    for key, value in values.items():
        setattr(sku, key, value)
    sku.origin_country = (sku.origin_country or "").strip().upper()
    sku.hs_code = normalize_hs_code(sku.hs_code)
    sku.barcode = (sku.barcode or "").strip()
    for name in ATTRIBUTE_FIELDS:
        setattr(sku, name, normalize_attributes(getattr(sku, name)))

    try:
        tiers = [(int(quantity), Decimal(str(price))) for quantity, price in data.tiers or []]
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise field_error(
            "tiers", _("Each tier is a whole quantity and a unit price."), "tier_shape"
        ) from exc
    errors = _sku_rule_errors(sku, product, tiers)
    try:
        # The origin is the rules' (the kernel's validator, one message): the column's
        # max-length check would add a second one to "New Zealand".
        sku.full_clean(
            exclude=["merchant", "product", "origin_country"], validate_constraints=False
        )
    except ValidationError as exc:
        for name, found in exc.error_dict.items():
            shown = {m for error in errors.get(name, []) for m in error.messages}
            errors.setdefault(name, []).extend(e for e in found if e.messages[0] not in shown)
    if errors:
        raise ValidationError(errors)

    live = _is_live(product)
    revision = locks.revision if live else None
    queued = bool(revision and not creating and sku.pk in (revision.changes.get("new_skus") or []))
    # A variant that is not on sale (new, queued, or switched off) may change freely: putting
    # it on sale is what gets reviewed, with its data as it is then.
    off_sale = creating or queued or not was_active
    proposed_hs = None
    if live and not off_sale and sku.hs_code != live_hs_code:
        proposed_hs, sku.hs_code = sku.hs_code, live_hs_code
    if live and off_sale:
        sku.is_active = False
    hs_changing = not creating and (
        sku.hs_code != live_hs_code or (proposed_hs is not None and proposed_hs != live_hs_code)
    )
    if hs_changing and sku.product_record_status != ProductRecordStatus.NONE:
        if sku.allow_bonded:
            raise field_error(
                "hs_code",
                _(
                    "This variant's customs product record names HS code %(code)s: a new "
                    "code needs a new record. Untick bonded import (1210) in the same edit, "
                    "then submit the product record again."
                )
                % {"code": live_hs_code},
                "record_hs_code_bonded",
            )
        if proposed_hs is None:
            # Applied now: the record described the old code (a proposed code voids it when
            # an operator approves it, catalog.services.moderation).
            product_record_void(sku=sku, by=by, reason=f"HS code {live_hs_code} -> {sku.hs_code}")
    sku.save()

    if tiers or replace_tiers:
        WholesaleTier.objects.filter(sku=sku).delete()
        WholesaleTier.objects.bulk_create(
            WholesaleTier(
                merchant=product.merchant, sku=sku, min_quantity=quantity, unit_price=price
            )
            for quantity, price in sorted(tiers)
        )

    if not live:
        return sku
    if off_sale and data.is_active and not queued:
        _propose(locks, by, lambda c: c["new_skus"].append(sku.pk))
    elif off_sale and queued and not data.is_active:
        _propose(locks, by, lambda c: c["new_skus"].remove(sku.pk))
    elif not off_sale:
        key = str(sku.pk)
        current = (revision.changes.get("hs_codes") or {}).get(key) if revision else None
        if proposed_hs is not None and proposed_hs != current:
            _propose(locks, by, lambda c: c["hs_codes"].__setitem__(key, proposed_hs))
        elif proposed_hs is None and current is not None:
            # Set back to the live code: nothing to review for this SKU any more.
            _propose(locks, by, lambda c: c["hs_codes"].pop(key, None))
    return sku


# --- products ------------------------------------------------------------------------------


@transaction.atomic
def product_create(
    *,
    merchant,
    category,
    name_en: str,
    name_zh_hans: str,
    description_en: str = "",
    description_zh_hans: str = "",
    brand=None,
    listing_currency: str = "CNY",
    min_order_quantity: int = 1,
    skus: list[SkuInput] | None = None,
    slug: str = "",
    by=None,
) -> Product:
    """Create a draft product (and its SKUs). Descriptions are sanitised on the way in.

    ``slug`` (optional, must be free) lets a caller that names products by slug keep its
    name (the CSV import); otherwise one is made from the name."""
    _may_edit(by, merchant)
    name_en, name_zh_hans = (name_en or "").strip(), (name_zh_hans or "").strip()
    listing_currency = (listing_currency or "").strip().upper()
    errors = RuleErrors()
    if not name_en and not name_zh_hans:
        errors.add(
            "name_en", _("Give the product a name in at least one language."), "name_required"
        )
    if problem := _currency_error(listing_currency):
        errors.add("listing_currency", problem, "listing_currency")
    errors.raise_if_any()
    product = Product(
        merchant=merchant,
        category=category,
        brand=brand,
        name_en=name_en,
        name_zh_hans=name_zh_hans,
        description_en=sanitize_html(description_en),
        description_zh_hans=sanitize_html(description_zh_hans),
        listing_currency=listing_currency,
        min_order_quantity=min_order_quantity,
        slug=slug or _unique_slug(merchant, name_en or name_zh_hans),
        status=Product.Status.DRAFT,
    )
    product.full_clean(exclude=["merchant"])
    product.save()
    for sku in skus or []:
        sku_upsert(product=product, data=sku, by=by)
    return product


@transaction.atomic
def product_update(
    *,
    product: Product,
    by,
    name_en=KEEP,
    name_zh_hans=KEEP,
    description_en=KEEP,
    description_zh_hans=KEEP,
    brand=KEEP,
    category=KEEP,
    listing_currency=KEEP,
    min_order_quantity=KEEP,
) -> ProductRevision | None:
    """Edit a product's own fields; returns the pending revision when some edits must wait.

    On a live product, names, descriptions and brand go to the pending revision (values equal
    to the live ones are dropped from it); category, currency and minimum order apply now.
    Descriptions are sanitised; slugs never change (links keep working).
    """
    _may_edit(by, product.merchant_id)
    locks = lock_product(product.pk)
    locked = locks.product
    given = {
        name: value
        for name, value in {
            "name_en": name_en,
            "name_zh_hans": name_zh_hans,
            "description_en": description_en,
            "description_zh_hans": description_zh_hans,
            "brand": brand,
            "category": category,
            "listing_currency": listing_currency,
            "min_order_quantity": min_order_quantity,
        }.items()
        if value is not KEEP
    }
    for name in ("name_en", "name_zh_hans"):
        if name in given:
            given[name] = (given[name] or "").strip()
    for name in ("description_en", "description_zh_hans"):
        if name in given:
            given[name] = sanitize_html(given[name] or "")
    if "listing_currency" in given:
        given["listing_currency"] = (given["listing_currency"] or "").strip().upper()

    # Validate everything on a candidate copy, so a refused edit changes nothing.
    candidate = Product.objects.get(pk=locked.pk)
    for name, value in given.items():
        setattr(candidate, name, value)
    errors = RuleErrors()
    if not candidate.name_en and not candidate.name_zh_hans:
        errors.add(
            "name_en", _("Give the product a name in at least one language."), "name_required"
        )
    if "listing_currency" in given and given["listing_currency"] != locked.listing_currency:
        if problem := _currency_error(given["listing_currency"]):
            errors.add("listing_currency", problem, "listing_currency")
        else:
            prices = SKU.objects.filter(product=locked).values_list("price", flat=True)
            if any(_decimals_error(p, given["listing_currency"]) for p in prices):
                errors.add(
                    "listing_currency",
                    _("Some variant prices have more decimals than %(currency)s allows.")
                    % {"currency": given["listing_currency"]},
                    "price_decimals",
                )
    try:
        candidate.full_clean(exclude=["merchant"], validate_constraints=False)
    except ValidationError as exc:
        errors.extend(exc)
    errors.raise_if_any()

    reviewed = set(REVIEWED_PRODUCT_FIELDS) | {REVIEWED_BRAND}
    live = _is_live(locked)
    direct = {k: v for k, v in given.items() if not (live and k in reviewed)}
    for name, value in direct.items():
        setattr(locked, name, value)
    if direct:
        locked.save()
    for name, value in direct.items():
        setattr(product, name, value)

    if not live:
        return None
    proposals = {k: v for k, v in given.items() if k in reviewed}
    if not proposals:
        return locks.revision

    def mutate(changes: dict) -> None:
        fields = changes["fields"]
        for name, value in proposals.items():
            if name == REVIEWED_BRAND:
                value, live_value = (value.pk if value else None), locked.brand_id
            else:
                live_value = getattr(locked, name) or ""
            if value == live_value:
                fields.pop(name, None)
            else:
                fields[name] = value

    return _propose(locks, by, mutate)


# --- images --------------------------------------------------------------------------------


def _image_count(locks: LockedProduct) -> int:
    live = ProductImage.objects.filter(product=locks.product).count()
    revision = locks.revision
    if revision is None:
        return live
    leaving = len(revision.changes.get("remove_images") or [])
    return live - leaving + revision.images.count()


@transaction.atomic
def product_image_add(
    *, product: Product, by, upload, alt: str = ""
) -> ProductImage | ProductRevisionImage:
    """Add an image (checked by content, re-encoded, thumbnail generated).

    On a live product the image is proposed in the pending revision and appears on approval.
    """
    _may_edit(by, product.merchant_id)
    locks = lock_product(product.pk)
    locked = locks.product
    if _image_count(locks) >= MAX_IMAGES:
        raise field_error(
            "image", _("A product has at most %(n)s images.") % {"n": MAX_IMAGES}, "too_many_images"
        )
    prepared = prepare_image(upload)
    alt = (alt or "").strip()[:200]
    if _is_live(locked):
        revision = locks.revision or ProductRevision.objects.create(
            merchant_id=locked.merchant_id,
            product=locked,
            created_by=by if getattr(by, "is_authenticated", False) else None,
            changes={"fields": {}, "hs_codes": {}, "new_skus": [], "remove_images": []},
        )
        position = (revision.images.aggregate(m=Max("position"))["m"] or 0) + 1
        return ProductRevisionImage.objects.create(
            merchant_id=locked.merchant_id,
            revision=revision,
            image=prepared.display,
            thumbnail=prepared.thumbnail,
            alt=alt,
            position=position,
        )
    last = ProductImage.objects.filter(product=locked).aggregate(m=Max("position"))["m"]
    return ProductImage.objects.create(
        merchant_id=locked.merchant_id,
        product=locked,
        image=prepared.display,
        thumbnail=prepared.thumbnail,
        alt=alt,
        position=0 if last is None else last + 1,
    )


@transaction.atomic
def product_image_delete(*, product: Product, by, image: ProductImage) -> ProductRevision | None:
    """Remove an image; on a live product the removal waits for review (returns the revision)."""
    _may_edit(by, product.merchant_id)
    if image.product_id != product.pk:
        raise field_error(
            "image", _("This image belongs to another product."), "image_other_product"
        )
    locks = lock_product(product.pk)
    if _is_live(locks.product):

        def mutate(changes):
            if image.pk not in changes["remove_images"]:
                changes["remove_images"].append(image.pk)

        return _propose(locks, by, mutate)
    from catalog.services.moderation import _delete_files_on_commit

    _delete_files_on_commit(image.image, image.thumbnail)
    image.delete()
    return None


@transaction.atomic
def product_image_keep(*, product: Product, by, image: ProductImage) -> ProductRevision | None:
    """Take back a proposed removal of a live image."""
    _may_edit(by, product.merchant_id)

    def mutate(changes):
        if image.pk in changes["remove_images"]:
            changes["remove_images"].remove(image.pk)

    return _propose(lock_product(product.pk), by, mutate)


@transaction.atomic
def product_image_move(*, product: Product, image: ProductImage, offset: int, by=None) -> None:
    """Move an image ``offset`` places (−1 earlier, +1 later). Applies at once, also when
    live: the order only picks which approved image comes first."""
    _may_edit(by, product.merchant_id)
    lock_product(product.pk, revision=False)
    images = list(ProductImage.objects.filter(product=product).order_by("position", "id"))
    index = next((i for i, img in enumerate(images) if img.pk == image.pk), None)
    if index is None:
        raise field_error(
            "image", _("This image belongs to another product."), "image_other_product"
        )
    target = max(0, min(len(images) - 1, index + offset))
    images.insert(target, images.pop(index))
    for position, img in enumerate(images):
        img.position = position
    ProductImage.objects.bulk_update(images, ["position"])


@transaction.atomic
def revision_image_delete(*, product: Product, by, image: ProductRevisionImage) -> None:
    """Drop an image proposed for a live product before it is reviewed."""
    _may_edit(by, product.merchant_id)
    from catalog.services.moderation import _delete_files_on_commit

    if image.revision.product_id != product.pk:
        raise field_error(
            "image", _("This image belongs to another product."), "image_other_product"
        )
    locks = lock_product(product.pk)
    _delete_files_on_commit(image.image, image.thumbnail)
    image.delete()
    _propose(locks, by, lambda c: None)

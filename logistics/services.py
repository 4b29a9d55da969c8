"""Warehouse writes.

Who may register what (the issue was silent; decided here, documented in docs/STOCK.md):

- Operators create and edit any warehouse in the back office: platform warehouses (no owner,
  usable by every merchant) and, on a merchant's behalf, merchant-owned ones of any kind.
- Merchants register their own *overseas* and *domestic* warehouses in the seller portal or
  API. A *bonded* warehouse sits in a customs-supervised zone and is declared against its
  customs office, so only operators register those.
- A warehouse's ``code`` never changes once created: stock files and integrations name
  warehouses by code.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import is_operator
from marketplace.cacheversion import storefront_version
from marketplace.rules import RuleErrors, field_error
from merchants.roles import Capability
from merchants.services import require_capability

from .lock_objects import lock_warehouse
from .models import Warehouse

MERCHANT_EDITABLE = ("name_en", "name_zh_hans", "country", "address", "is_active")
OPERATOR_EDITABLE = (*MERCHANT_EDITABLE, "kind", "customs_area_code", "merchant")


def _clean_and_save(warehouse: Warehouse) -> Warehouse:
    warehouse.country = (warehouse.country or "").upper()
    warehouse.code = (warehouse.code or "").strip().lower()
    warehouse.name_en = (warehouse.name_en or "").strip()
    warehouse.name_zh_hans = (warehouse.name_zh_hans or "").strip()
    errors = RuleErrors()
    if not (warehouse.name_en or warehouse.name_zh_hans):
        errors.add(
            "name_en", _("Give the warehouse a name in at least one language."), "name_required"
        )
    try:
        warehouse.full_clean(exclude=["name"])
    except ValidationError as exc:
        errors.extend(exc)
    errors.raise_if_any()
    warehouse.save()
    return warehouse


def _acting_as_operator(by, by_operator: bool, merchant_id) -> bool:
    """Whether the caller acts as an operator: ``by``'s account decides when a person acts
    (capabilities are the services' to enforce); the flag only speaks for the platform."""
    if by is None:
        return by_operator
    if is_operator(by):
        return True
    if merchant_id is not None:
        require_capability(by=by, merchant=merchant_id, capability=Capability.MANAGE_CATALOG)
    return False


@transaction.atomic
def warehouse_create(
    *,
    code: str,
    kind: str,
    country: str,
    name_en: str = "",
    name_zh_hans: str = "",
    customs_area_code: str = "",
    address: str = "",
    merchant=None,
    by_operator: bool = False,
    is_active: bool = True,
    by=None,
) -> Warehouse:
    """Register a warehouse. ``merchant=None`` makes it a platform warehouse (operators only);
    a merchant may register its own overseas or domestic warehouses.

    ``by`` is the person acting (doors pass it; an operator acts as one, anyone else needs
    the merchant's ``manage_catalog``); without it the platform acts, as an operator when
    ``by_operator``."""
    by_operator = _acting_as_operator(by, by_operator, getattr(merchant, "pk", merchant))
    if not by_operator:
        if merchant is None:
            raise field_error(
                "merchant",
                _("Only operators may register platform warehouses."),
                "platform_warehouse_operator_only",
            )
        if kind == Warehouse.Kind.BONDED:
            raise field_error(
                "kind",
                _(
                    "Bonded warehouses are registered by the platform's operators. "
                    "Choose overseas or domestic, or ask the operator."
                ),
                "bonded_warehouse_operator_only",
            )
    warehouse = Warehouse(
        merchant=merchant,
        code=code,
        kind=kind,
        country=country,
        name_en=name_en,
        name_zh_hans=name_zh_hans,
        customs_area_code=customs_area_code.strip(),
        address=address.strip(),
        is_active=is_active,
    )
    return _clean_and_save(warehouse)


@transaction.atomic
def warehouse_update(
    *, warehouse: Warehouse, by_operator: bool = False, by=None, **changes
) -> Warehouse:
    """Edit a warehouse. Merchants edit names, country, address and the active flag of their
    own warehouses; operators may also change kind, customs area and owner. Never the code.
    ``by`` as for ``warehouse_create``."""
    by_operator = _acting_as_operator(by, by_operator, warehouse.merchant_id)
    allowed = OPERATOR_EDITABLE if by_operator else MERCHANT_EDITABLE
    refused = sorted(set(changes) - set(allowed))
    if refused:
        raise ValidationError(
            {
                name: ValidationError(_("This field cannot be changed here."), code="not_editable")
                for name in refused
            }
        )
    locked = lock_warehouse(warehouse.pk)
    if not by_operator and locked.merchant_id is None:
        raise ValidationError(
            _("Only operators may edit platform warehouses."),
            code="platform_warehouse_operator_only",
        )
    before = (locked.kind, locked.country, locked.is_active)
    for name, value in changes.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    saved = _clean_and_save(locked)
    if (saved.kind, saved.country, saved.is_active) != before:
        # The storefront promises clearance modes by where stock lies (catalog.clearance).
        storefront_version.bump_for_write()
    return saved

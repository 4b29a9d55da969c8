"""What people read for a clearance mode (``marketplace.clearance``, which stays free of
Django): translated labels and the choices forms and serializers offer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from marketplace.clearance import SKU_MODES, ClearanceMode

MODE_LABELS = {
    ClearanceMode.BONDED: _("Bonded import (1210)"),
    ClearanceMode.DIRECT: _("Direct purchase import (9610)"),
    ClearanceMode.PERSONAL_PARCEL: _("Personal parcel"),
    ClearanceMode.GENERAL_TRADE: _("General trade (0110)"),
    ClearanceMode.EXPORT_RETAIL: _("Export retail (9610)"),
}


def mode_label(mode: str) -> str:
    """The label of ``mode`` in the active language (an unknown value is shown as it is)."""
    try:
        return str(MODE_LABELS[ClearanceMode(mode)])
    except ValueError:
        return str(mode)


def sku_mode_choices() -> list[tuple[str, str]]:
    """``(value, label)`` for the modes a SKU may be allowed (``SKU_MODES``)."""
    return [(mode.value, MODE_LABELS[mode]) for mode in SKU_MODES]

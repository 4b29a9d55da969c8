"""Merchant writes: creating merchants and managing their staff."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Membership, Merchant
from .roles import Capability, Role


@transaction.atomic
def merchant_create(
    *, name_en: str, name_zh_hans: str, slug: str, kind: str, country: str, status: str
) -> Merchant:
    """Create a merchant directly (operators and demo data; applicants go through review)."""
    merchant = Merchant(
        name_en=name_en,
        name_zh_hans=name_zh_hans,
        slug=slug,
        kind=kind,
        country=country.upper(),
        status=status,
    )
    merchant.full_clean()
    merchant.save()
    return merchant


@transaction.atomic
def membership_add(*, merchant: Merchant, user, role: str = Role.STAFF) -> Membership:
    """Give ``user`` a role at ``merchant`` (idempotent: an existing membership is updated)."""
    membership, _created = Membership.objects.update_or_create(
        merchant=merchant, user=user, defaults={"role": role, "is_active": True}
    )
    return membership


@transaction.atomic
def membership_change_role(*, actor: Membership, membership: Membership, role: str) -> Membership:
    """Change a colleague's role. Only those who may manage the team; the last owner stays."""
    if not actor.can(Capability.MANAGE_TEAM):
        raise PermissionDenied(_("Your role may not manage the team."))
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == Role.OWNER and role != Role.OWNER:
        owners = Membership.objects.filter(
            merchant_id=locked.merchant_id, role=Role.OWNER, is_active=True
        ).count()
        if owners <= 1:
            raise ValidationError({"role": _("A merchant must keep at least one owner.")})
    locked.role = role
    locked.save(update_fields=["role"])
    return locked

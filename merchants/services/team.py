"""The merchant's team: memberships, roles and email invitations.

What each role may do is the table in ``merchants/roles.py``; these services check it
(``require_capability``) so the portal, the API and the admin give the same answer.
Invitation links carry a signed token (``django.core.signing``, salted, timestamped): it
cannot be forged, stops working after ``INVITATION_TTL``, works once, and only for a
signed-in user with the invited email address.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.outbox import outbox_enqueue
from marketplace.rules import field_error
from merchants.lock_objects import lock_invitation, lock_team
from merchants.models import Invitation, Membership, Merchant
from merchants.outbox import INVITATION_EMAIL
from merchants.roles import Capability, Role

from ._common import merchant_note, require_capability

INVITATION_TTL = timedelta(days=getattr(settings, "MERCHANT_INVITATION_TTL_DAYS", 7))
_TOKEN_SALT = "merchants.invitation"


class InvitationInvalid(Exception):
    """The link is not (or no longer) usable; ``message`` says why, in the user's language."""

    BAD = "bad"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"

    MESSAGES = {
        BAD: gettext_lazy("This invitation link is not valid. Ask for a new invitation."),
        EXPIRED: gettext_lazy("This invitation has expired. Ask the owner for a new one."),
        USED: gettext_lazy("This invitation has already been used."),
        REVOKED: gettext_lazy("This invitation was withdrawn by the merchant."),
    }

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.code])


def _active_owners(team: dict[int, Membership]) -> int:
    return sum(1 for m in team.values() if m.role == Role.OWNER and m.is_active)


@transaction.atomic
def membership_add(*, merchant: Merchant, user, role: str = Role.STAFF) -> Membership:
    """Give ``user`` a role at ``merchant`` (idempotent: an existing membership is updated
    and reactivated). For trusted callers only: approval, invitations, operators, demo."""
    membership, _created = Membership.objects.update_or_create(
        merchant=merchant, user=user, defaults={"role": role, "is_active": True}
    )
    return membership


@transaction.atomic
def membership_change_role(*, by, membership: Membership, role: str) -> Membership:
    """Change a colleague's role. Only those who may manage the team; the last owner stays."""
    require_capability(by=by, merchant=membership.merchant, capability=Capability.MANAGE_TEAM)
    if role not in Role.values:
        raise field_error("role", _("Unknown role."), "unknown_role")
    team = lock_team(membership.merchant_id, membership_ids=[membership.pk], owners=True)
    locked = team[membership.pk]
    if (
        locked.role == Role.OWNER
        and role != Role.OWNER
        and locked.is_active
        and _active_owners(team) <= 1
    ):
        raise field_error("role", _("A merchant must keep at least one owner."), "last_owner")
    old = locked.role
    locked.role = role
    locked.save(update_fields=["role"])
    if old != role:
        merchant_note(
            merchant=locked.merchant,
            action="role_change",
            by=by,
            details={"email": locked.user.email, "old": old, "new": role},
        )
    return locked


@transaction.atomic
def membership_deactivate(*, by, membership: Membership) -> Membership:
    """Take someone off the team (they can no longer act for the merchant). The row stays
    for the history; the last active owner cannot be removed."""
    require_capability(by=by, merchant=membership.merchant, capability=Capability.MANAGE_TEAM)
    # The owners are locked with it so two owners removing each other cannot both win.
    team = lock_team(membership.merchant_id, membership_ids=[membership.pk], owners=True)
    locked = team[membership.pk]
    if not locked.is_active:
        return locked
    if locked.role == Role.OWNER and _active_owners(team) <= 1:
        raise field_error(
            "is_active",
            _("The last owner cannot be removed: make someone else owner first."),
            "last_owner",
        )
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    merchant_note(
        merchant=locked.merchant,
        action="member_deactivate",
        by=by,
        details={"email": locked.user.email, "role": locked.role},
    )
    return locked


@transaction.atomic
def membership_reactivate(*, by, membership: Membership) -> Membership:
    """Bring a deactivated colleague back with their previous role."""
    require_capability(by=by, merchant=membership.merchant, capability=Capability.MANAGE_TEAM)
    locked = lock_team(membership.merchant_id, membership_ids=[membership.pk])[membership.pk]
    if locked.is_active:
        return locked
    locked.is_active = True
    locked.save(update_fields=["is_active"])
    merchant_note(
        merchant=locked.merchant,
        action="member_reactivate",
        by=by,
        details={"email": locked.user.email, "role": locked.role},
    )
    return locked


# --- invitations ---------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The signed token of the emailed link (the id, signed and timestamped)."""
    return signing.dumps({"i": invitation.pk}, salt=_TOKEN_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link names, or ``InvitationInvalid`` saying why not."""
    try:
        data = signing.loads(token, salt=_TOKEN_SALT, max_age=INVITATION_TTL)
    except signing.SignatureExpired as exc:
        raise InvitationInvalid(InvitationInvalid.EXPIRED) from exc
    except signing.BadSignature as exc:
        raise InvitationInvalid(InvitationInvalid.BAD) from exc
    invitation = (
        Invitation.objects.select_related("merchant", "invited_by").filter(pk=data.get("i")).first()
    )
    if invitation is None:
        raise InvitationInvalid(InvitationInvalid.BAD)
    _check_usable(invitation)
    return invitation


def _check_usable(invitation: Invitation) -> None:
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise InvitationInvalid(InvitationInvalid.USED)
    if status == Invitation.Status.REVOKED:
        raise InvitationInvalid(InvitationInvalid.REVOKED)
    if status == Invitation.Status.EXPIRED:
        raise InvitationInvalid(InvitationInvalid.EXPIRED)
    if invitation.merchant.status != Merchant.Status.APPROVED:
        raise InvitationInvalid(InvitationInvalid.BAD)


@transaction.atomic
def invitation_create(
    *, by, merchant: Merchant, email: str, role: str, language: str = ""
) -> Invitation:
    """Invite ``email`` to the team with ``role`` (only roles that may manage the team).
    The email with the link is sent by a worker once this transaction commits."""
    require_capability(by=by, merchant=merchant, capability=Capability.MANAGE_TEAM)
    email = (email or "").strip().lower()
    if role not in Role.values:
        raise field_error("role", _("Unknown role."), "unknown_role")
    invitation = Invitation(
        merchant=merchant,
        email=email,
        role=role,
        invited_by=by if getattr(by, "is_authenticated", False) else None,
        expires_at=timezone.now() + INVITATION_TTL,
    )
    invitation.full_clean()
    if Membership.objects.filter(
        merchant=merchant, user__email__iexact=email, is_active=True
    ).exists():
        raise field_error("email", _("This person is already on the team."), "already_member")
    pending = Invitation.objects.for_merchant(merchant).filter(
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise field_error(
            "email",
            _("This address already has a pending invitation: revoke it first."),
            "invitation_pending",
        )
    invitation.save()
    merchant_note(merchant=merchant, action="invite", by=by, details={"email": email, "role": role})
    outbox_enqueue(
        kind=INVITATION_EMAIL,
        payload={
            "invitation_id": invitation.pk,
            "language": language or translation.get_language() or "en",
        },
        key=f"invitation:{invitation.pk}",
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, by, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation: its link stops working."""
    require_capability(by=by, merchant=invitation.merchant, capability=Capability.MANAGE_TEAM)
    locked = lock_invitation(invitation.pk)
    if locked.status != Invitation.Status.PENDING:
        raise ValidationError(
            _("Only a pending invitation can be revoked."), code="invitation_not_pending"
        )
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    merchant_note(
        merchant=locked.merchant,
        action="invite_revoke",
        by=by,
        details={"email": locked.email, "role": locked.role},
    )
    return locked


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """``user`` (signed in, with the invited address) joins the team with the invited role.
    The invitation is used up; a second click gets ``InvitationInvalid(USED)``."""
    locked = lock_invitation(invitation.pk)
    _check_usable(locked)
    if not user.is_authenticated or user.email.lower() != locked.email.lower():
        raise PermissionDenied(
            _("This invitation was sent to another email address. Log in with that address.")
        )
    existing = Membership.objects.filter(merchant=locked.merchant, user=user).first()
    if existing and existing.is_active:
        membership = existing  # already on the team: keep the role they have
    else:
        membership = membership_add(merchant=locked.merchant, user=user, role=locked.role)
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    merchant_note(
        merchant=locked.merchant,
        action="invite_accept",
        by=user,
        details={"email": locked.email, "role": membership.role},
    )
    return membership


@transaction.atomic
def invitation_accept_with_signup(
    *, invitation: Invitation, password: str, language: str = "en", display_name: str = ""
):
    """Create the invitee's account (with the invited address) and accept. Returns the user."""
    from accounts.models import User
    from accounts.services import user_register

    if User.objects.filter(email__iexact=invitation.email).exists():
        raise field_error(
            "email", _("An account with this email address exists: log in first."), "email_taken"
        )
    try:
        password_validation.validate_password(password, User(email=invitation.email))
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc  # keeps the codes
    user = user_register(
        email=invitation.email, password=password, display_name=display_name, language=language
    )
    invitation_accept(invitation=invitation, user=user)
    return user

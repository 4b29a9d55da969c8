"""Merchant writes, one module per topic; everything is importable from here.

- ``merchants``: the merchant lifecycle (``MERCHANT_FLOW``), operator edits, commission;
- ``applications``: applying and the review (``APPLICATION_FLOW``);
- ``team``: memberships, roles, invitations;
- ``payout``: payout details.
"""

from ._common import is_operator, merchant_note, require_capability
from .applications import (
    APPLICATION_FLOW,
    ApplicationDetails,
    application_approve,
    application_reject,
    application_request_info,
    application_submit,
    application_submit_with_signup,
    application_update,
)
from .merchants import (
    MERCHANT_FLOW,
    category_commission_remove,
    category_commission_set,
    merchant_commission_set,
    merchant_create,
    merchant_reinstate,
    merchant_suspend,
    merchant_unique_slug,
    merchant_update,
)
from .payout import payout_details_set
from .team import (
    INVITATION_TTL,
    InvitationInvalid,
    invitation_accept,
    invitation_accept_with_signup,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    invitation_token,
    membership_add,
    membership_change_role,
    membership_deactivate,
    membership_reactivate,
)

__all__ = [
    "APPLICATION_FLOW",
    "INVITATION_TTL",
    "MERCHANT_FLOW",
    "ApplicationDetails",
    "InvitationInvalid",
    "application_approve",
    "application_reject",
    "application_request_info",
    "application_submit",
    "application_submit_with_signup",
    "application_update",
    "category_commission_remove",
    "category_commission_set",
    "invitation_accept",
    "invitation_accept_with_signup",
    "invitation_create",
    "invitation_from_token",
    "invitation_revoke",
    "invitation_token",
    "is_operator",
    "membership_add",
    "membership_change_role",
    "membership_deactivate",
    "membership_reactivate",
    "merchant_commission_set",
    "merchant_create",
    "merchant_note",
    "merchant_reinstate",
    "merchant_suspend",
    "merchant_unique_slug",
    "merchant_update",
    "payout_details_set",
    "require_capability",
]

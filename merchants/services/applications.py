"""Merchant applications: a company applies, operators review, approval makes a merchant.

``APPLICATION_FLOW`` on ``MerchantApplication.status`` (every move writes a
``MerchantApplicationEvent`` the applicant sees on their status page):

- ``approve``: submitted → approved — creates the approved ``Merchant`` of the kind applied
  for, with the applicant as owner, the categories, trade modes and payout details;
- ``reject``: submitted | info requested → rejected, reason required (shown to the applicant);
- ``request_info``: submitted → info requested, message required (shown to the applicant);
- ``resubmit``: info requested → submitted, when the applicant updates the application.

Submitting writes the first event (``submit``, from nothing to submitted) directly: creation
is not a move between states.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import require_operator
from marketplace.outbox import outbox_enqueue
from marketplace.rules import RuleErrors, field_error
from marketplace.transitions import Transition, Workflow
from merchants.lock_objects import lock_application
from merchants.models import (
    MerchantApplication,
    MerchantApplicationEvent,
    MerchantEvent,
    PayoutDetails,
)
from merchants.outbox import APPLICATION_EMAIL
from merchants.roles import Role
from merchants.validators import normalise_account_number, sniff_licence_type

from .merchants import MERCHANT_FLOW, merchant_create, merchant_unique_slug
from .team import membership_add

Status = MerchantApplication.Status

APPLICATION_FLOW = Workflow(
    field="status",
    transitions={
        "approve": Transition(sources={Status.SUBMITTED}, target=Status.APPROVED),
        "reject": Transition(
            sources={Status.SUBMITTED, Status.INFO_REQUESTED},
            target=Status.REJECTED,
            reason_required=True,
        ),
        "request_info": Transition(
            sources={Status.SUBMITTED}, target=Status.INFO_REQUESTED, reason_required=True
        ),
        "resubmit": Transition(sources={Status.INFO_REQUESTED}, target=Status.SUBMITTED),
    },
)


@dataclass
class ApplicationDetails:
    """What a company tells us when it applies (the form, the API and demo data fill it)."""

    kind: str
    company_name_zh_hans: str
    company_name_en: str
    country: str
    licence_number: str
    contact_name: str
    contact_email: str
    contact_phone: str
    payout_bank_name: str
    payout_account_holder: str
    payout_swift: str
    # Empty on an update means "keep the stored one" (it is never shown back in full).
    payout_account_number: str = ""
    # Empty on an update means "keep the stored file".
    licence_file: object = None
    categories: list = field(default_factory=list)
    trade_modes: list[str] = field(default_factory=list)


_SCALARS = (
    "kind",
    "company_name_zh_hans",
    "company_name_en",
    "licence_number",
    "contact_name",
    "contact_email",
    "contact_phone",
    "payout_bank_name",
    "payout_account_holder",
)


def _fill(application: MerchantApplication, details: ApplicationDetails) -> None:
    for name in _SCALARS:
        setattr(application, name, (getattr(details, name) or "").strip())
    application.country = (details.country or "").strip().upper()
    application.payout_swift = (details.payout_swift or "").replace(" ", "").upper()
    if details.payout_account_number:
        application.payout_account_number = normalise_account_number(details.payout_account_number)
    application.trade_modes = list(dict.fromkeys(details.trade_modes or []))
    if details.licence_file is not None:
        upload = details.licence_file
        upload.seek(0)
        kind = sniff_licence_type(upload.read(16))
        upload.seek(0)
        # Name the stored file by its real type; the browser's name and extension are ignored.
        upload.name = f"licence.{kind or 'bin'}"
        application.licence_file = upload


def _validate(application: MerchantApplication, details: ApplicationDetails) -> None:
    errors = RuleErrors()
    try:
        application.full_clean(exclude=["applicant", "merchant", "status"])
    except ValidationError as exc:
        errors.extend(exc)
    if not application.trade_modes:
        errors.add("trade_modes", _("Choose at least one trade mode."), "trade_mode_required")
    if not details.categories:
        errors.add("categories", _("Choose at least one category."), "category_required")
    errors.raise_if_any()


def _emit_update(application: MerchantApplication, event: MerchantApplicationEvent) -> None:
    """The applicant's email about ``event``, in the outbox of this transaction (links use
    ``settings.SITE_URL``)."""
    language = application.applicant.preferred_language or translation.get_language() or "en"
    outbox_enqueue(
        kind=APPLICATION_EMAIL,
        payload={"event_id": event.pk, "language": language},
        key=f"application-event:{event.pk}",
    )


@transaction.atomic
def application_submit(*, applicant, details: ApplicationDetails) -> MerchantApplication:
    """File a new application for ``applicant`` (signed in). One open application per person;
    every field is checked by the model's rules and the licence by its content."""
    if MerchantApplication.objects.filter(
        applicant=applicant, status__in=MerchantApplication.OPEN_STATES
    ).exists():
        raise ValidationError(
            _("You already have an application under review: update that one instead."),
            code="application_pending",
        )
    if details.licence_file is None:
        raise field_error(
            "licence_file", _("Upload a copy of the business licence."), "licence_required"
        )
    if not details.payout_account_number:
        raise field_error(
            "payout_account_number",
            _("Enter the account number or IBAN."),
            "account_number_required",
        )
    application = MerchantApplication(applicant=applicant, status=Status.SUBMITTED)
    _fill(application, details)
    _validate(application, details)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:  # a second submit racing the first
        raise ValidationError(
            _("You already have an application under review: update that one instead."),
            code="application_pending",
        ) from exc
    application.categories.set(details.categories)
    MerchantApplicationEvent.objects.create(
        subject=application,
        transition="submit",
        from_state="",
        to_state=Status.SUBMITTED,
        actor=applicant,
    )
    return application


@transaction.atomic
def application_submit_with_signup(
    *, email: str, password: str, language: str, details: ApplicationDetails
) -> MerchantApplication:
    """Create the applicant's account and file the application in one go (nothing is kept if
    either fails). On approval this account becomes the merchant's owner."""
    from accounts.models import User
    from accounts.services import user_register

    if User.objects.filter(email__iexact=email.strip()).exists():
        raise field_error(
            "email", _("An account with this email address exists: log in first."), "email_taken"
        )
    try:
        password_validation.validate_password(password, User(email=email))
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc  # keeps the codes
    user = user_register(email=email.strip().lower(), password=password, language=language)
    return application_submit(applicant=user, details=details)


@transaction.atomic
def application_update(
    *, application: MerchantApplication, by, details: ApplicationDetails
) -> MerchantApplication:
    """The applicant answers a request for more information: the application is changed and
    goes back to the review queue (``resubmit``)."""
    if by is None or by.pk != application.applicant_id:
        raise PermissionDenied(_("Only the applicant may change this application."))
    locked = lock_application(application.pk)
    if locked.status != Status.INFO_REQUESTED:
        raise ValidationError(
            _("This application can only be changed after the operator asks for information."),
            code="application_not_editable",
        )
    _fill(locked, details)
    _validate(locked, details)
    locked.save()
    locked.categories.set(details.categories)
    APPLICATION_FLOW.apply(locked, "resubmit", by=by, event_model=MerchantApplicationEvent)
    locked.refresh_from_db()
    return locked


def _require_operator(by) -> None:
    require_operator(by, _("Only operators may review applications."))


@transaction.atomic
def application_approve(*, application: MerchantApplication, by):
    """Approve: create the merchant (kind as applied for), make the applicant its owner and
    copy categories, trade modes and payout details. Returns the new ``Merchant``."""
    _require_operator(by)
    event = APPLICATION_FLOW.apply(
        application, "approve", by=by, event_model=MerchantApplicationEvent
    )
    app = MerchantApplication.objects.select_related("applicant").get(pk=application.pk)
    merchant = merchant_create(
        name_en=app.company_name_en,
        name_zh_hans=app.company_name_zh_hans,
        slug=merchant_unique_slug(app.company_name_en, fallback=f"merchant-{app.pk}"),
        kind=app.kind,
        country=app.country,
        status="applied",
    )
    merchant.trade_modes = list(app.trade_modes)
    merchant.save(update_fields=["trade_modes"])
    merchant.categories.set(app.categories.all())
    MERCHANT_FLOW.apply(merchant, "approve", by=by, event_model=MerchantEvent)
    membership_add(merchant=merchant, user=app.applicant, role=Role.OWNER)
    PayoutDetails.objects.create(
        merchant=merchant,
        payout_bank_name=app.payout_bank_name,
        payout_account_holder=app.payout_account_holder,
        payout_account_number=app.payout_account_number,
        payout_swift=app.payout_swift,
        updated_by=app.applicant,
    )
    app.merchant = merchant
    app.save(update_fields=["merchant", "updated_at"])
    application.merchant = merchant
    _emit_update(app, event)
    return merchant


@transaction.atomic
def application_reject(
    *, application: MerchantApplication, by, reason: str
) -> MerchantApplicationEvent:
    """Reject with a reason the applicant reads on their status page (and by email)."""
    _require_operator(by)
    event = APPLICATION_FLOW.apply(
        application, "reject", by=by, event_model=MerchantApplicationEvent, reason=reason.strip()
    )
    _emit_update(application, event)
    return event


@transaction.atomic
def application_request_info(
    *, application: MerchantApplication, by, message: str
) -> MerchantApplicationEvent:
    """Ask the applicant for more information; they update the application and it returns
    to the queue."""
    _require_operator(by)
    event = APPLICATION_FLOW.apply(
        application,
        "request_info",
        by=by,
        event_model=MerchantApplicationEvent,
        reason=message.strip(),
    )
    _emit_update(application, event)
    return event

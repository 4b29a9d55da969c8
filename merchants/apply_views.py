"""The public application pages under /<lang>/apply/.

Applicants must have an account, because on approval that account becomes the merchant's
owner. Visitors who are not signed in create it on the same form (email and password at the
top); visitors with an account log in first. Each applicant sees only their own
applications (another one's is a 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from marketplace.forms import form_add_service_errors

from . import selectors, services
from .forms import AccountForm, ApplicationForm
from .models import MerchantApplication
from .validators import LICENCE_TYPES


def _route_errors(exc: ValidationError, form: ApplicationForm, account: AccountForm | None):
    # The account's fields (email, password) are shown on the account form, the rest on
    # the application form.
    if account is not None and hasattr(exc, "error_dict"):
        names = {"email": "email", "password": "password1"}
        errors = exc.error_dict
        form_add_service_errors(
            account, ValidationError({k: v for k, v in errors.items() if k in names}), names
        )
        exc = ValidationError({k: v for k, v in errors.items() if k not in names})
    form_add_service_errors(form, exc)


@require_http_methods(["GET", "POST"])
def apply(request):
    """The application form. A signed-in user with an application under review is sent to
    it; others apply (creating their account on the way if they have none)."""
    user = request.user
    if user.is_authenticated and (open_application := selectors.application_open_of(user)):
        return redirect("apply:status", pk=open_application.pk)
    anonymous = not user.is_authenticated
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    initial = {} if anonymous else {"contact_email": user.email}
    form = ApplicationForm(data, files, initial=initial)
    account = AccountForm(data, prefix="account") if anonymous else None
    if request.method == "POST":
        valid = form.is_valid()
        valid = (account.is_valid() if account is not None else True) and valid
        if valid:
            try:
                if anonymous:
                    application = services.application_submit_with_signup(
                        email=account.cleaned_data["email"],
                        password=account.cleaned_data["password1"],
                        language=get_language() or "en",
                        details=form.details(),
                    )
                    login(
                        request,
                        application.applicant,
                        backend="django.contrib.auth.backends.ModelBackend",
                    )
                else:
                    application = services.application_submit(
                        applicant=user, details=form.details()
                    )
            except ValidationError as exc:
                _route_errors(exc, form, account)
            else:
                messages.success(request, _("Thank you. Your application was sent for review."))
                return redirect("apply:status", pk=application.pk)
    past = list(selectors.applications_of(user)) if not anonymous else []
    login_url = reverse("accounts:login") + "?" + urlencode({"next": request.path})
    return render(
        request,
        "merchants/apply.html",
        {"form": form, "account_form": account, "past": past, "login_url": login_url},
        status=400 if request.method == "POST" else 200,
    )


def _own(request, pk: int) -> MerchantApplication:
    try:
        return selectors.application_detail(selectors.applications_of(request.user), pk)
    except MerchantApplication.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def status(request, pk: int):
    """The applicant's view of their application: state, reasons and messages, next step."""
    application = _own(request, pk)
    return render(request, "merchants/apply_status.html", {"application": application})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    """Answer a request for more information: change the application and send it back."""
    application = _own(request, pk)
    if application.status != MerchantApplication.Status.INFO_REQUESTED:
        messages.info(request, _("This application cannot be changed now."))
        return redirect("apply:status", pk=application.pk)
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        instance=application,
        updating=True,
        initial={"country": application.country, "trade_modes": application.trade_modes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                application=application, by=request.user, details=form.details()
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except PermissionDenied:
            raise
        else:
            messages.success(request, _("Your application was sent back for review."))
            return redirect("apply:status", pk=application.pk)
    return render(
        request,
        "merchants/apply_edit.html",
        {"form": form, "application": application},
        status=400 if request.method == "POST" else 200,
    )


def licence_response(application: MerchantApplication) -> FileResponse:
    """Serve the licence with the type sniffed at upload (never guessed from the request)."""
    kind = application.licence_kind
    response = FileResponse(
        application.licence_file.open("rb"),
        content_type=LICENCE_TYPES.get(kind, "application/octet-stream"),
        as_attachment=kind not in LICENCE_TYPES,
        filename=f"licence-{application.pk}.{kind}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def licence(request, pk: int):
    """The applicant's own licence file."""
    return licence_response(_own(request, pk))

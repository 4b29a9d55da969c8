"""Pages of the merchants app.

Seller portal (``SellerPortalMixin``, scoped to the current merchant): dashboard, merchant
picker, merchant profile with its history, team (invite, revoke, roles, deactivate),
commission and payout details. Public: the invitation link. The application pages are in
``merchants/apply_views.py``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.generic import DetailView, FormView, ListView, TemplateView

from marketplace.forms import form_add_service_errors
from marketplace.portal import SellerPortalMixin
from marketplace.tenancy import SESSION_KEY, memberships_for

from . import selectors, services
from .forms import InvitationForm, InvitationSignupForm, PayoutForm, RoleForm
from .models import Membership, Merchant
from .roles import Capability


class DashboardView(SellerPortalMixin, TemplateView):
    template_name = "seller/dashboard.html"

    def required_capability(self, request) -> str | None:
        return None  # decided in ``get``: store staff land on their stores

    def get(self, request, *args, **kwargs):
        if not self.membership.can(Capability.VIEW):
            if self.membership.can(Capability.VIEW_STORES):  # store staff: their stores only
                return redirect("seller_stores:list")
            raise PermissionDenied
        return super().get(request, *args, **kwargs)


class ProfileView(SellerPortalMixin, TemplateView):
    """The merchant as the platform knows it, its commission summary and its history."""

    template_name = "seller/merchant/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        merchant = Merchant.objects.prefetch_related("categories").get(pk=self.merchant.pk)
        context.update(
            profile=merchant,
            events=list(selectors.merchant_events(self.merchant)),
            commission_rate=selectors.commission_rate_for(self.merchant, None),
        )
        return context


class TeamView(SellerPortalMixin, ListView):
    template_name = "seller/team.html"
    context_object_name = "team"

    def get_queryset(self):
        return selectors.team_for_merchant(self.merchant)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_manage = self.membership.can(Capability.MANAGE_TEAM)
        context["can_manage"] = can_manage
        if can_manage:
            context["invitations"] = list(selectors.invitations_pending(self.merchant))
        return context


class TeamMemberView(SellerPortalMixin, DetailView):
    """A colleague; owners change their role or take them off the team (POST here)."""

    template_name = "seller/team_member.html"
    context_object_name = "member"

    def get_queryset(self):
        return selectors.team_for_merchant(self.merchant)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = self.membership.can(Capability.MANAGE_TEAM)
        context.setdefault("role_form", RoleForm(initial={"role": self.object.role}))
        return context

    def post(self, request, *args, **kwargs):
        self.object = member = self.get_object()
        if not self.membership.can(Capability.MANAGE_TEAM):
            raise PermissionDenied
        action = request.POST.get("action")
        role_form = RoleForm(request.POST if action == "role" else None)
        try:
            if action == "deactivate":
                services.membership_deactivate(by=request.user, membership=member)
                messages.success(
                    request,
                    _("%(email)s can no longer act for this merchant.")
                    % {"email": member.user.email},
                )
            elif action == "reactivate":
                services.membership_reactivate(by=request.user, membership=member)
                messages.success(
                    request, _("%(email)s is back on the team.") % {"email": member.user.email}
                )
            elif action == "role" and role_form.is_valid():
                services.membership_change_role(
                    by=request.user, membership=member, role=role_form.cleaned_data["role"]
                )
                messages.success(request, _("The role was changed."))
            else:
                return self.render_to_response(
                    self.get_context_data(role_form=role_form), status=400
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return self.render_to_response(self.get_context_data(role_form=role_form), status=400)
        return redirect("seller:team_member", pk=member.pk)


class InviteView(SellerPortalMixin, FormView):
    capability = Capability.MANAGE_TEAM
    template_name = "seller/merchant/invite.html"
    form_class = InvitationForm

    def form_valid(self, form):
        try:
            invitation = services.invitation_create(
                by=self.request.user,
                merchant=self.merchant,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                language=get_language(),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("An invitation was emailed to %(email)s.") % {"email": invitation.email},
        )
        return redirect("seller:team")


class InvitationDetailView(SellerPortalMixin, DetailView):
    """One invitation; POST revokes it while it is pending."""

    capability = Capability.MANAGE_TEAM
    template_name = "seller/merchant/invitation.html"
    context_object_name = "invitation"

    def get_queryset(self):
        return selectors.invitations_for_merchant(self.merchant)

    def post(self, request, *args, **kwargs):
        self.object = invitation = self.get_object()
        try:
            services.invitation_revoke(by=request.user, invitation=invitation)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("seller:invitation", pk=invitation.pk)
        messages.success(
            request, _("The invitation for %(email)s was revoked.") % {"email": invitation.email}
        )
        return redirect("seller:team")


class CommissionView(SellerPortalMixin, TemplateView):
    """The commission rates the operator set, by category (read-only for merchants)."""

    template_name = "seller/merchant/commission.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["table"] = selectors.commission_table(self.merchant)
        return context


class PayoutView(SellerPortalMixin, TemplateView):
    capability = Capability.MANAGE_PAYOUT
    template_name = "seller/merchant/payout.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["payout"] = selectors.payout_details_for(self.merchant)
        return context


class PayoutEditView(SellerPortalMixin, FormView):
    capability = Capability.MANAGE_PAYOUT
    template_name = "seller/merchant/payout_edit.html"
    form_class = PayoutForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.payout = selectors.payout_details_for(self.merchant)
        kwargs["masked"] = self.payout.payout_account_masked if self.payout else ""
        if self.payout and "data" not in kwargs:
            kwargs["initial"] = {
                "bank_name": self.payout.payout_bank_name,
                "account_holder": self.payout.payout_account_holder,
                "swift": self.payout.payout_swift,
            }
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.payout_details_set(
                by=self.request.user,
                merchant=self.merchant,
                bank_name=data["bank_name"],
                account_holder=data["account_holder"],
                account_number=data["account_number"],
                swift=data["swift"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The payout details were saved."))
        return redirect("seller:payout")


@login_required
@require_http_methods(["GET", "POST"])
def choose_merchant(request):
    """Pick which merchant to act for (users who work for several). Members of a suspended
    merchant are told it is suspended, and why."""
    memberships = list(memberships_for(request.user))
    if request.method == "POST":
        membership = get_object_or_404(
            memberships_for(request.user), merchant_id=request.POST.get("merchant")
        )
        request.session[SESSION_KEY] = membership.merchant_id
        return redirect("seller:dashboard")
    suspended = [
        (m.merchant, selectors.merchant_suspension(m.merchant))
        for m in Membership.objects.filter(
            user=request.user, is_active=True, merchant__status=Merchant.Status.SUSPENDED
        ).select_related("merchant")
    ]
    return render(
        request, "seller/choose.html", {"memberships": memberships, "suspended": suspended}
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """The link in the invitation email. Signed in with the invited address: a button joins
    the team. Not signed in: log in (existing account) or set a password (new account)."""
    from accounts.models import User

    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationInvalid as exc:
        return render(
            request, "merchants/invitation_invalid.html", {"message": exc.message}, status=410
        )
    local, _at, domain = invitation.email.partition("@")
    context = {"invitation": invitation, "masked_email": f"{local[:2]}***@{domain}"}
    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            context["wrong_account"] = True
            return render(request, "merchants/invitation_accept.html", context, status=403)
        if request.method == "POST":
            try:
                membership = services.invitation_accept(invitation=invitation, user=user)
            except services.InvitationInvalid as exc:
                return render(
                    request,
                    "merchants/invitation_invalid.html",
                    {"message": exc.message},
                    status=410,
                )
            request.session[SESSION_KEY] = membership.merchant_id
            messages.success(
                request, _("Welcome to %(merchant)s.") % {"merchant": invitation.merchant.name}
            )
            return redirect("seller:dashboard")
        return render(request, "merchants/invitation_accept.html", context)

    if User.objects.filter(email__iexact=invitation.email).exists():
        context["login_url"] = (
            reverse("accounts:login") + "?" + urlencode({"next": request.get_full_path()})
        )
        return render(request, "merchants/invitation_accept.html", context)

    form = InvitationSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new_user = services.invitation_accept_with_signup(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data.get("display_name", ""),
                language=get_language() or "en",
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, {"password": "password1"})
        except services.InvitationInvalid as exc:
            return render(
                request, "merchants/invitation_invalid.html", {"message": exc.message}, status=410
            )
        else:
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_KEY] = invitation.merchant_id
            messages.success(
                request, _("Welcome to %(merchant)s.") % {"merchant": invitation.merchant.name}
            )
            return redirect("seller:dashboard")
    context["form"] = form
    return render(request, "merchants/invitation_accept.html", context)

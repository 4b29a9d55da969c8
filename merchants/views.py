"""Seller portal pages of the merchants app: dashboard, merchant picker, team."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django.views.generic import DetailView, ListView, TemplateView

from marketplace.portal import SellerPortalMixin
from marketplace.tenancy import SESSION_KEY, memberships_for

from . import selectors


class DashboardView(SellerPortalMixin, TemplateView):
    template_name = "seller/dashboard.html"


class TeamView(SellerPortalMixin, ListView):
    template_name = "seller/team.html"
    context_object_name = "team"

    def get_queryset(self):
        return selectors.team_for_merchant(self.merchant)


class TeamMemberView(SellerPortalMixin, DetailView):
    template_name = "seller/team_member.html"
    context_object_name = "member"

    def get_queryset(self):
        return selectors.team_for_merchant(self.merchant)


@login_required
@require_http_methods(["GET", "POST"])
def choose_merchant(request):
    """Pick which merchant to act for (users who work for several)."""
    memberships = list(memberships_for(request.user))
    if request.method == "POST":
        membership = get_object_or_404(
            memberships_for(request.user), merchant_id=request.POST.get("merchant")
        )
        request.session[SESSION_KEY] = membership.merchant_id
        return redirect("seller:dashboard")
    return render(request, "seller/choose.html", {"memberships": memberships})

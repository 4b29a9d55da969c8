"""Seller-portal return pages (``/<lang>/seller/returns/``): the merchant's returns, one
return with approve / decline, its return label (PDF), receipt with inspection and the
refund (full or partial), and the merchant's return policy.

Thin: forms read input, ``logistics.returns.services`` decides. Tenancy: every return is
looked up among the current merchant's (``ReturnRequest.objects.for_merchant``); another
merchant's is a 404, for every page and every POST.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from marketplace.forms import form_add_service_errors, form_error_messages
from marketplace.portal import SellerPortalMixin
from marketplace.transitions import IllegalTransition
from merchants.roles import Capability

from . import services
from .forms import DeclineForm, PolicyForm, ReceiveForm
from .labels import for_label, return_label_pdf
from .models import ReturnRequest
from .selectors import customs_state, return_for_merchant, returns_for_merchant

PAGE_SIZE = 25


class ReturnsMixin(SellerPortalMixin):
    capability = Capability.VIEW
    write_capability = Capability.MANAGE_ORDERS

    def get_return(self) -> ReturnRequest:
        try:
            return return_for_merchant(self.merchant, self.kwargs["pk"])
        except ReturnRequest.DoesNotExist:
            raise Http404 from None


class ReturnListView(ReturnsMixin, TemplateView):
    template_name = "returns/seller/list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "")
        page = Paginator(returns_for_merchant(self.merchant, status=status), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            page=page,
            returns=page.object_list,
            status=status,
            statuses=ReturnRequest.Status.choices,
            query="",
            **kwargs,
        )


class ReturnDetailView(ReturnsMixin, TemplateView):
    template_name = "returns/seller/detail.html"

    def get_context_data(self, **kwargs):
        found = kwargs.pop("found", None) or self.get_return()
        return super().get_context_data(
            found=found,
            customs=customs_state(found),
            customs_deadline=services.customs_deadline(found.order),
            decline_form=kwargs.pop("decline_form", None) or DeclineForm(),
            receive_form=kwargs.pop("receive_form", None) or ReceiveForm(request=found),
            **kwargs,
        )


class _ActionView(ReturnDetailView):
    """A POST on one return; errors are shown on its page (re-rendered, 400)."""

    http_method_names = ["post"]
    done_message = ""

    def act(self, found: ReturnRequest):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        found = self.get_return()
        try:
            extra = self.act(found)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except IllegalTransition:
            messages.error(request, _("This return cannot do that now."))
        else:
            if isinstance(extra, dict):  # a form that did not validate: show it
                return self.render_to_response(
                    self.get_context_data(found=found, **extra), status=400
                )
            messages.success(request, self.done_message)
        return redirect("seller_returns:detail", pk=found.pk)


class ReturnApproveView(_ActionView):
    def act(self, found):
        services.return_approve(request=found, by=self.request.user)
        self.done_message = _("Return approved: the shopper is emailed the return label.")


class ReturnDeclineView(_ActionView):
    def act(self, found):
        form = DeclineForm(self.request.POST)
        if not form.is_valid():
            return {"decline_form": form}
        services.return_decline(
            request=found, by=self.request.user, reason=form.cleaned_data["reason"]
        )
        self.done_message = _("Return declined: the shopper is told why.")


class ReturnReceiveView(_ActionView):
    def act(self, found):
        form = ReceiveForm(self.request.POST, request=found)
        if not form.is_valid():
            return {"receive_form": form}
        try:
            services.return_receive(
                request=found,
                by=self.request.user,
                outcomes=form.outcomes(),
                refund=form.cleaned_data.get("refund"),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return {"receive_form": form}
        self.done_message = _("Return received and refunded.")


class ReturnLabelView(ReturnsMixin, View):
    capability = Capability.MANAGE_ORDERS

    def get(self, request, pk: int):
        found = for_label(ReturnRequest.objects.for_merchant(self.merchant)).filter(pk=pk).first()
        if found is None or not found.waybill_number:
            raise Http404
        return label_response(found)


def label_response(found: ReturnRequest) -> HttpResponse:
    response = HttpResponse(return_label_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="return-{found.waybill_number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


class PolicyView(ReturnsMixin, TemplateView):
    template_name = "returns/seller/policy.html"
    write_capability = Capability.MANAGE_ORDERS

    def get_context_data(self, **kwargs):
        policy = services.return_policy_of(self.merchant)
        form = kwargs.pop("form", None) or PolicyForm(
            initial={"window_days": policy.window_days, "policy": policy.policy}
        )
        return super().get_context_data(form=form, policy=policy, **kwargs)

    def post(self, request, *args, **kwargs):
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                services.return_policy_set(
                    merchant=self.merchant,
                    by=request.user,
                    days=form.cleaned_data["window_days"],
                    policy=form.cleaned_data["policy"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Return policy saved."))
                return redirect("seller_returns:policy")
        for message in form_error_messages(form):
            messages.error(request, message)
        return self.render_to_response(self.get_context_data(form=form), status=400)

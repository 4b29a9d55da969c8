"""Back office for distribution (imported by ``marketing.admin``): commission rates set by
operators (through ``commission_rate_set``), commissions and the ledger (read only), and the
review of withdrawal requests (approve, or reject with a reason)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from marketplace.forms import form_add_service_errors
from marketplace.transitions import IllegalTransition

from .ledger import withdrawal_approve, withdrawal_pay, withdrawal_pay_check, withdrawal_reject
from .models import Commission, CommissionRate, LedgerEntry, Withdrawal
from .rates import commission_rate_set


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CommissionRate)
class CommissionRateAdmin(admin.ModelAdmin):
    list_display = (
        "merchant",
        "category",
        "product",
        "rate",
        "level2_rate",
        "rebate_rate",
        "platform_percent",
        "set_by",
    )
    list_filter = ("set_by",)
    list_select_related = ("merchant", "category", "product")
    raw_id_fields = ("merchant", "category", "product")
    fields = (
        "merchant",
        "category",
        "product",
        "rate",
        "level2_rate",
        "rebate_rate",
        "platform_percent",
    )

    def save_model(self, request, obj, form, change):
        try:
            saved = commission_rate_set(
                merchant=obj.merchant,
                category=obj.category,
                product=obj.product,
                rate=obj.rate,
                level2_rate=obj.level2_rate,
                rebate_rate=obj.rebate_rate,
                platform_percent=obj.platform_percent,
                by_operator=True,
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        obj.pk = saved.pk


@admin.register(Commission)
class CommissionAdmin(ReadOnlyAdmin):
    list_display = (
        "checkout_number",
        "account",
        "role",
        "base",
        "rate",
        "amount",
        "reversed",
        "platform_bears",
        "merchant_bears",
        "platform_reversed",
        "currency",
        "status",
    )
    list_filter = ("status", "role")
    search_fields = ("checkout_number", "account__user__email")
    list_select_related = ("account__user",)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "account", "bucket", "kind", "amount", "currency", "note")
    list_filter = ("bucket", "kind")
    search_fields = ("account__user__email", "note")
    list_select_related = ("account__user",)


class WithdrawalReviewForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("decision"),
        required=False,
        choices=[
            ("", "—"),
            ("approve", _("Approve")),
            ("reject", _("Reject")),
            ("pay", _("Mark paid")),
        ],
    )
    review_reason = forms.CharField(label=_("reason (to reject)"), required=False, max_length=300)
    # not "payout_reference": the admin drops a form field named like a read-only one
    payout_ref = forms.CharField(
        label=_("payout reference (to mark paid)"), required=False, max_length=100
    )
    payout_paid_at = forms.DateTimeField(label=_("paid at (to mark paid)"), required=False)

    class Meta:
        model = Withdrawal
        fields = ()

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("review_reason") or "").strip():
            form_add_service_errors(
                self,
                ValidationError(
                    {
                        "review_reason": ValidationError(
                            _("Please give a reason."), code="reason_required"
                        )
                    }
                ),
                {},
            )
        if data.get("decision") == "pay":
            try:
                withdrawal_pay_check(
                    reference=data.get("payout_ref") or "", paid_at=data.get("payout_paid_at")
                )
            except ValidationError as exc:
                form_add_service_errors(
                    self, exc, {"payout_reference": "payout_ref", "paid_at": "payout_paid_at"}
                )
        return data


@admin.register(Withdrawal)
class WithdrawalAdmin(admin.ModelAdmin):
    form = WithdrawalReviewForm
    list_display = ("id", "account", "amount", "currency", "status", "created_at", "paid_at")
    list_filter = ("status", "currency")
    search_fields = ("account__user__email",)
    list_select_related = ("account__user",)
    readonly_fields = (
        "account",
        "amount",
        "currency",
        "status",
        "reason",
        "created_at",
        "payout_reference",
        "paid_at",
    )
    actions = ["approve_withdrawals"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        try:
            if decision == "approve":
                withdrawal_approve(withdrawal=obj, by=request.user)
            elif decision == "reject":
                withdrawal_reject(
                    withdrawal=obj, by=request.user, reason=form.cleaned_data["review_reason"]
                )
            elif decision == "pay":
                withdrawal_pay(
                    withdrawal=obj,
                    by=request.user,
                    reference=form.cleaned_data["payout_ref"],
                    paid_at=form.cleaned_data["payout_paid_at"],
                )
        except (IllegalTransition, ValidationError) as exc:  # say it, change nothing
            self.message_user(request, f"{obj}: {exc}", messages.ERROR)

    @admin.action(description=_("Approve the selected withdrawals"))
    def approve_withdrawals(self, request, queryset):
        for withdrawal in queryset:
            try:
                withdrawal_approve(withdrawal=withdrawal, by=request.user)
            except (IllegalTransition, ValidationError) as exc:
                self.message_user(request, f"{withdrawal}: {exc}", messages.ERROR)

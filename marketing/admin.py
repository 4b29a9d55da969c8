"""Back office: flash sales and admissions. Operators see every merchant's sales with their
live counters, schedule a sale for a merchant (*Schedule a flash sale*, through
``flash_sale_schedule``), change an upcoming one (*Change this upcoming sale*, through
``flash_sale_edit``, the merchants' own door) and cancel one (``flash_sale_cancel``);
merchants schedule theirs in the seller portal. Admissions are read-only: they move only through the services."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from catalog.models import SKU
from marketplace.forms import form_add_service_errors
from merchants.models import Merchant

from .coupons.services import coupon_check, coupon_create
from .flash.selectors import flash_counters, flash_held_units_by_item
from .flash.services import flash_sale_cancel, flash_sale_edit, flash_sale_schedule
from .gifts.services import (
    gift_promotion_check,
    gift_promotion_create,
    gift_promotion_edit,
    gift_promotion_end,
    gift_promotion_state,
)
from .models import (
    Coupon,
    CouponClaim,
    Distributor,
    FlashAdmission,
    FlashSale,
    FlashSaleEvent,
    FlashSaleItem,
    GiftPromotion,
    Referral,
)


class FlashSaleEventInline(admin.TabularInline):
    """The sale's history: cancellations and changes, with who (an operator's change is
    ``operator_change``) and why."""

    model = FlashSaleEvent
    fields = ("created_at", "transition", "from_state", "to_state", "actor", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class FlashSaleItemInline(admin.TabularInline):
    model = FlashSaleItem
    fields = ("sku", "flash_price", "quantity", "held", "left")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sku")

    @admin.display(description=_("Held by shoppers"))
    def held(self, item):
        return flash_held_units_by_item([item.pk]).get(item.pk, 0)

    @admin.display(description=_("Left at the gate"))
    def left(self, item):
        value = flash_counters([item.pk])[item.pk]
        return "—" if value is None else value


_WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class FlashSaleTermsForm(forms.Form):
    """A sale's terms as an operator types them; the service decides (``_sale_check``).
    ``sku_owner()`` says whose SKU codes the lines name."""

    title = forms.CharField(label=_("Title"), max_length=120)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=_WHEN)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=_WHEN)
    per_shopper_limit = forms.IntegerField(label=_("Units per shopper"), min_value=1, initial=1)
    items = forms.CharField(
        label=_("SKUs in the sale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: SKU code, flash price, units on offer (e.g. HONEY-250, 99, 50)."
        ),
    )

    def sku_owner(self, data):
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        merchant, text = self.sku_owner(data), data.get("items")
        if merchant is None or not text:
            return data
        rows = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            try:
                code, price, units = parts
                rows.append((code, Decimal(price), int(units)))
            except (ValueError, ArithmeticError):
                self.add_error(
                    "items",
                    _("Line %(n)s: write SKU code, flash price, units.") % {"n": n},
                )
        codes = dict(
            SKU.objects.for_merchant(merchant)
            .filter(code__in=[r[0] for r in rows])
            .values_list("code", "pk")
        )
        # an unknown code goes on as id 0: the service's "No such SKU" answers for it
        data["item_rows"] = [
            {"sku": codes.get(code, 0), "flash_price": price, "quantity": units}
            for code, price, units in rows
        ]
        return data


class FlashSaleScheduleForm(FlashSaleTermsForm):
    """An operator schedules a merchant's flash sale; ``flash_sale_schedule`` decides."""

    merchant = forms.ModelChoiceField(label=_("Merchant"), queryset=Merchant.objects.none())
    field_order = ["merchant"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merchant"].queryset = Merchant.objects.filter(
            status=Merchant.Status.APPROVED
        ).order_by("name_en")

    def sku_owner(self, data):
        return data.get("merchant")


class FlashSaleChangeForm(FlashSaleTermsForm):
    """An operator changes a merchant's upcoming sale; ``flash_sale_edit`` decides, the same
    service the merchant's portal and API call."""

    reason = forms.CharField(
        label=_("Why (kept in the sale's history)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, sale: FlashSale, **kwargs):
        self.sale = sale
        items = sale.items.select_related("sku").order_by("pk")
        kwargs.setdefault(
            "initial",
            {
                "title": sale.title,
                "starts_at": timezone.localtime(sale.starts_at),
                "ends_at": timezone.localtime(sale.ends_at),
                "per_shopper_limit": sale.per_shopper_limit,
                "items": "\n".join(f"{i.sku.code}, {i.flash_price}, {i.quantity}" for i in items),
            },
        )
        super().__init__(*args, **kwargs)

    def sku_owner(self, data):
        return self.sale.merchant


@admin.register(FlashSale)
class FlashSaleAdmin(admin.ModelAdmin):
    list_display = ("title", "merchant", "starts_at", "ends_at", "per_shopper_limit", "status")
    list_filter = ("status",)
    search_fields = ("title", "merchant__name_en", "merchant__name_zh_hans")
    list_select_related = ("merchant",)
    readonly_fields = (
        "merchant",
        "title",
        "starts_at",
        "ends_at",
        "per_shopper_limit",
        "status",
        "created_by",
        "created_at",
    )
    inlines = [FlashSaleItemInline, FlashSaleEventInline]
    actions = ["change_sale", "cancel_sales"]
    change_form_template = "admin/marketing/flashsale/change_form.html"

    def has_add_permission(self, request):
        return False  # scheduled through schedule_view (the service's rules), not a raw row

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "schedule/",
                self.admin_site.admin_view(self.schedule_view),
                name="marketing_flashsale_schedule",
            ),
            path(
                "<int:sale_id>/terms/",
                self.admin_site.admin_view(self.terms_view),
                name="marketing_flashsale_terms",
            ),
            *super().get_urls(),
        ]

    def schedule_view(self, request):
        """Schedule a merchant's flash sale (operators; the rules are the portal's)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = FlashSaleScheduleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                sale = flash_sale_schedule(
                    merchant=data["merchant"],
                    by=request.user,
                    title=data["title"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    per_shopper_limit=data["per_shopper_limit"],
                    items=data["item_rows"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc, {})
            else:
                self.message_user(request, gettext("Flash sale scheduled."), messages.SUCCESS)
                return redirect("admin:marketing_flashsale_change", sale.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Schedule a flash sale"),
            "form": form,
        }
        return TemplateResponse(request, "admin/marketing/flashsale/schedule.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        sale = self.get_object(request, object_id)
        upcoming = bool(
            sale and sale.status == FlashSale.Status.SCHEDULED and sale.starts_at > timezone.now()
        )
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "upcoming": upcoming}
        )

    def terms_view(self, request, sale_id):
        """Change a merchant's upcoming sale (operators) through ``flash_sale_edit``: the
        merchant's own rules, an event naming the operator and the reason."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        sale = self.get_object(request, str(sale_id))
        if sale is None:
            raise Http404
        form = FlashSaleChangeForm(request.POST or None, sale=sale)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                flash_sale_edit(
                    sale=sale,
                    by=request.user,
                    title=data["title"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    per_shopper_limit=data["per_shopper_limit"],
                    items=data["item_rows"],
                    reason=data["reason"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc, {})
            else:
                self.message_user(request, gettext("Flash sale changed."), messages.SUCCESS)
                return redirect("admin:marketing_flashsale_change", sale.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Change this upcoming sale"),
            "intro": gettext(
                "Change a merchant's flash sale before it starts: the same rules as in the "
                "seller portal. Your name and your reason are kept in the sale's history."
            ),
            "submit": gettext("Save the change"),
            "form": form,
            "original": sale,
        }
        return TemplateResponse(request, "admin/marketing/flashsale/schedule.html", context)

    @admin.action(description=_("Change the selected upcoming flash sale"))
    def change_sale(self, request, queryset):
        sales = list(queryset[:2])
        if len(sales) != 1:
            self.message_user(
                request, gettext("Select one flash sale to change."), messages.WARNING
            )
            return None
        return redirect("admin:marketing_flashsale_terms", sales[0].pk)

    @admin.action(description=_("Cancel the selected flash sales"))
    def cancel_sales(self, request, queryset):
        for sale in queryset:
            try:
                flash_sale_cancel(
                    sale=sale, by=request.user, reason=str(_("Cancelled by an operator"))
                )
            except ValidationError as exc:
                self.message_user(request, f"{sale}: {' '.join(exc.messages)}", messages.ERROR)


@admin.register(FlashAdmission)
class FlashAdmissionAdmin(admin.ModelAdmin):
    list_display = ("id", "item", "user", "quantity", "status", "expires_at", "checkout_number")
    list_filter = ("status",)
    search_fields = ("checkout_number", "user__email")
    list_select_related = ("item__sale", "user")
    readonly_fields = (
        "item",
        "user",
        "quantity",
        "status",
        "expires_at",
        "checkout_number",
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CouponAdminForm(forms.ModelForm):
    """The back office's coupon form: the rules are ``coupon_check``'s, shown on the fields."""

    class Meta:
        model = Coupon
        fields = (
            "merchant",
            "title_zh_hans",
            "title_en",
            "code",
            "automatic",
            "kind",
            "amount",
            "percent",
            "cap",
            "tiers",
            "threshold",
            "currency",
            "scope",
            "scope_ids",
            "starts_at",
            "ends_at",
            "issue_limit",
            "per_shopper_limit",
            "audience",
            "allowed_users",
            "stackable",
            "cuts_price",
            "platform_percent",
            "is_active",
        )

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            fields = {k: v for k, v in data.items() if k not in ("merchant", "allowed_users")}
            try:
                coupon_check(merchant=data.get("merchant"), by=self.request_user, **fields)
            except ValidationError as exc:
                form_add_service_errors(self, exc, {})
        return data


@admin.register(Coupon)
class CouponAdmin(TranslationAdmin):
    """Operators create platform coupons (no merchant) and coupons for a merchant, with the
    platform's share of the cost; existing coupons are paused with ``is_active``."""

    form = CouponAdminForm
    list_display = (
        "title",
        "merchant",
        "kind",
        "automatic",
        "code",
        "starts_at",
        "ends_at",
        "issued",
        "issue_limit",
        "is_active",
    )
    list_filter = ("kind", "automatic", "is_active", "audience")
    search_fields = ("title_en", "title_zh_hans", "code")
    list_select_related = ("merchant",)
    autocomplete_fields = ["merchant"]
    filter_horizontal = ("allowed_users",)
    readonly_fields = ("issued",)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # what shoppers claimed stays as it was claimed
        return [f.name for f in Coupon._meta.fields if f.name not in ("is_active", "ends_at")]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["is_active", "ends_at"])
            return
        fields = {
            k: v for k, v in form.cleaned_data.items() if k not in ("merchant", "allowed_users")
        }
        created = coupon_create(
            merchant=form.cleaned_data.get("merchant"), by=request.user, **fields
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        if not change:
            obj = form.instance
            obj.allowed_users.set(form.cleaned_data.get("allowed_users") or [])
        else:
            super().save_related(request, form, formsets, change)

    def has_delete_permission(self, request, obj=None):
        return False


GIFT_FIELDS = (
    "title_zh_hans",
    "title_en",
    "gift_sku",
    "quantity",
    "threshold",
    "currency",
    "starts_at",
    "ends_at",
    "platform_percent",
)


class GiftPromotionAdminForm(forms.ModelForm):
    """The back office's gift with purchase: the rules are ``gift_promotion_check``'s, shown
    on the fields; an operator alone sets the platform's share of the cost."""

    class Meta:
        model = GiftPromotion
        fields = ("merchant", *GIFT_FIELDS)

    def clean(self):
        data = super().clean()
        if not self.errors:
            merchant = data.get("merchant") if self.instance.pk is None else self.instance.merchant
            fields = {k: data.get(k) for k in GIFT_FIELDS} | {"title": data.get("title_zh_hans")}
            try:
                gift_promotion_check(merchant=merchant, by=self.request_user, **fields)
            except ValidationError as exc:
                form_add_service_errors(self, exc, {"title": "title_zh_hans"})
        return data


@admin.register(GiftPromotion)
class GiftPromotionAdmin(admin.ModelAdmin):
    """Operators see every merchant's gifts with purchase (满赠), create one for a merchant
    with the platform's share of its cost, change or end it, through the services."""

    form = GiftPromotionAdminForm
    list_display = (
        "title",
        "merchant",
        "gift_sku",
        "quantity",
        "threshold",
        "currency",
        "starts_at",
        "ends_at",
        "platform_percent",
        "state",
    )
    list_filter = ("is_active",)
    search_fields = ("title_en", "title_zh_hans", "gift_sku__code")
    list_select_related = ("merchant", "gift_sku")
    autocomplete_fields = ["merchant"]
    raw_id_fields = ("gift_sku",)
    actions = ["end_now"]

    @admin.display(description=_("state"))
    def state(self, obj):
        return gift_promotion_state(obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        return ("merchant",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        fields = {k: form.cleaned_data.get(k) for k in GIFT_FIELDS}
        fields["title"] = fields["title_zh_hans"]
        if change:
            try:
                gift_promotion_edit(gift=obj, by=request.user, **fields)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return
        created = gift_promotion_create(
            merchant=form.cleaned_data.get("merchant"), by=request.user, **fields
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    @admin.action(description=_("End the chosen gifts with purchase now"))
    def end_now(self, request, queryset):
        for gift in queryset:
            try:
                gift_promotion_end(gift=gift, by=request.user)
            except ValidationError as exc:
                messages.error(request, f"{gift}: {' '.join(exc.messages)}")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CouponClaim)
class CouponClaimAdmin(admin.ModelAdmin):
    list_display = ("id", "coupon", "user", "status", "checkout_number", "claimed_at")
    list_filter = ("status",)
    search_fields = ("checkout_number", "user__email", "coupon__code")
    list_select_related = ("coupon", "user")
    readonly_fields = ("coupon", "user", "status", "checkout_number", "claimed_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Distributor)
class DistributorAdmin(admin.ModelAdmin):
    list_display = ("code", "user", "is_active", "created_at")
    search_fields = ("code", "user__email")
    list_select_related = ("user",)
    readonly_fields = ("user", "code", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = (
        "checkout_number",
        "distributor",
        "buyer",
        "paid",
        "commission",
        "currency",
        "status",
    )
    list_filter = ("status",)
    search_fields = ("checkout_number", "distributor__code", "buyer__email")
    list_select_related = ("distributor", "buyer")
    readonly_fields = (
        "distributor",
        "buyer",
        "checkout_number",
        "paid",
        "commission",
        "currency",
        "status",
        "clicked_at",
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from marketing.points import admin as points_admin  # noqa: E402, F401 - registers its models

from .distribution import admin as distribution_admin  # noqa: E402, F401
from .o2o import admin as o2o_admin  # noqa: E402, F401

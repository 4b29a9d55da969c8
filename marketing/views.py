"""Marketing pages: the storefront's flash-sale page (with a countdown and live counters
from the gate) and the seller portal's flash sales. Thin: forms shape input, the services
in ``marketing.flash.services`` decide."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import FormView, TemplateView

from accounts.menu import menu_of
from catalog.views.storefront import storefront_page
from marketplace import pagecache
from marketplace.currency import display_currency
from marketplace.forms import form_add_service_errors
from marketplace.portal import SellerPortalMixin
from merchants.roles import Capability

from .coupons import selectors as coupon_selectors
from .coupons.services import coupon_claim, coupon_create
from .distribution import selectors as distribution_selectors
from .distribution.services import SESSION_KEY, distributor_signup, share_click_record
from .flash import gate, selectors
from .flash.services import (
    flash_admit,
    flash_sale_cancel,
    flash_sale_edit,
    flash_sale_schedule,
    flash_sold_out,
    sold_out_error,
)
from .forms import CouponForm, FlashItemFormSet, FlashSaleForm, FlashTakeForm, GiftPromotionForm
from .gifts.services import (
    gift_promotion_create,
    gift_promotion_edit,
    gift_promotion_end,
    gift_promotion_state,
    merchant_gift_promotions,
)
from .models import Distributor, FlashSale

# ---------------------------------------------------------------------------- storefront


# The flash page's stored copy lives at most this long (and never past the end of a sale it
# lists); what changes with the clock or the shopper is in its live slots (``flash_page_live``).
FLASH_PAGE_TTL = 60


def _phase(window, now) -> str:
    starts_at, ends_at = window
    if now < starts_at:
        return "upcoming"
    return "live" if now < ends_at else "ended"


def flash_page_live(meta: dict, request) -> dict[str, str]:
    """The flash page's live slots, made for this response from its clock: per sale its phase
    and countdown (``sale-<id>``), per item the units left and sold (from the gate), then
    "You hold N units" for a shopper who holds some, else "Grab it" with this response's
    CSRF token while the sale is on (``item-<id>``). One Redis round trip for the live
    items' counters and the shopper's own (``gate_read``); a query only for a shopper the
    gate says holds units (their admissions' expiry). The shopper is the one the header's
    account menu resolved (no user is loaded)."""
    now = timezone.now()
    menu = menu_of(request)
    user_id = menu.user_id if menu is not None else None
    phases = {sale["id"]: _phase(sale["window"], now) for sale in meta["sales"]}
    live_items = [
        item_id
        for sale in meta["sales"]
        if phases[sale["id"]] == "live"
        for item_id, _quantity in sale["items"]
    ]
    left, mine = gate.gate_read(live_items, user_id=user_id)
    holds = {}
    if user_id is not None and live_items and (mine is None or any(mine.values())):
        holds = selectors.shopper_holds(user_id, live_items, now=now)
    slots = {}
    sale_template = get_template("marketing/_flash_sale_phase.html")
    item_template = get_template("marketing/_flash_item_live.html")
    csrf = None
    for sale in meta["sales"]:
        phase = phases[sale["id"]]
        starts_at, ends_at = sale["window"]
        slots[f"sale-{sale['id']}"] = sale_template.render(
            {"phase": phase, "starts_at": starts_at, "ends_at": ends_at}
        )
        for item_id, quantity in sale["items"]:
            remaining = left.get(item_id) if phase == "live" else None
            held = holds.get(item_id)
            grab = phase == "live" and held is None and remaining != 0
            if grab and csrf is None:
                csrf = pagecache.csrf_input(request)
            slots[f"item-{item_id}"] = item_template.render(
                {
                    "item_id": item_id,
                    "phase": phase,
                    "quantity": quantity,
                    "left": remaining,
                    "sold": None if remaining is None else max(quantity - remaining, 0),
                    "held": held,
                    "grab": grab,
                    "limit": sale["limit"],
                    "csrf_input": csrf,
                }
            )
    return slots


@require_GET
@storefront_page("flash", FLASH_PAGE_TTL, live=flash_page_live)
def flash_sales(request):
    """The flash-sale page, from the whole-page cache like the product pages: sales on now
    and soon with their items; what depends on the clock or the shopper is in live slots
    (``flash_page_live``). The stored copy never outlives the first end among its sales, and
    a sale scheduled, changed or cancelled retires it (the storefront version)."""
    now = timezone.now()
    sales = selectors.storefront_flash_sales(now=now)
    for sale in sales:
        sale.phase_slot = pagecache.live_slot(f"sale-{sale.pk}")
        for item in sale.items.all():
            item.live_slot = pagecache.live_slot(f"item-{item.pk}")
    response = render(request, "marketing/flash_sales.html", {"sales": sales})
    response.live_meta = {
        "sales": [
            {
                "id": sale.pk,
                "window": (sale.starts_at, sale.ends_at),
                "limit": sale.per_shopper_limit,
                "items": [(item.pk, item.quantity) for item in sale.items.all()],
            }
            for sale in sales
        ]
    }
    if sales:
        first_end = min(sale.ends_at for sale in sales)
        response.page_timeout = max(int((first_end - now).total_seconds()), 0)
    return response


@require_GET
def flash_live(request):
    """Units left per item of the sales on now (JSON for the page's counters)."""
    sales = selectors.storefront_flash_sales()
    ids = [item.pk for sale in sales if sale.is_live() for item in sale.items.all()]
    left = selectors.flash_counters(ids)
    response = JsonResponse({"items": {str(k): v for k, v in left.items()}})
    response["Cache-Control"] = "no-store"
    return response


def _back(request):
    """Where a "grab it" answer goes: the product page it came from (``next``, a local path),
    else the flash-sale page."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("flash:sales")


def flash_sold_out_answer(request):
    """The answer to a "grab it" once the gate says every unit is taken: the "sold out"
    message and the way back. This view gives it, and so does the front door
    (``marketing.flash.door``) ahead of Django's request cycle, through this function."""
    messages.error(request, sold_out_error().messages[0])
    return _back(request)


def flash_take_admit(request, pk: int):
    """The gate step of "grab it" (the flash page) and "Buy now" (the product page's,
    ``orders.flash_views.buy_now``): the admission and its item's terms, or the response to
    send instead (sold out, signed out, refused: back to ``next`` with the reason). Once the
    gate says every unit is taken, the answer is "sold out" to everyone, signed in or not,
    from one Redis read (no query): what most of a rush's attempts get."""
    if flash_sold_out(pk):
        return flash_sold_out_answer(request)
    # The shopper's id from the session, checked as Django checks it (accounts.menu): no
    # user row is loaded for an admission.
    menu = menu_of(request)
    if menu is None:
        return redirect_to_login(request.POST.get("next") or request.get_full_path())
    terms = selectors.flash_item_terms(pk)
    if terms is None:
        raise Http404
    form = FlashTakeForm(request.POST)
    quantity = form.cleaned_data["quantity"] if form.is_valid() else 1
    try:
        admission = flash_admit(user_id=menu.user_id, item=terms, quantity=quantity)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _back(request)
    return admission, terms


def held_until(admission) -> str:
    """When an admission's units go back to other shoppers (HH:MM, the shop's time)."""
    return timezone.localtime(admission.expires_at).strftime("%H:%M")


@require_POST
def flash_take(request, pk: int):
    """'Grab it' (the flash page): through the gate (``flash_take_admit``), then to the
    product page to put the units in the cart and check out at the flash price."""
    taken = flash_take_admit(request, pk)
    if isinstance(taken, HttpResponse):
        return taken
    admission, terms = taken
    messages.success(
        request,
        gettext(
            "You got %(n)s at the flash price. Add them to your cart and check out before "
            "%(time)s or they go back to other shoppers."
        )
        % {"n": admission.quantity, "time": held_until(admission)},
    )
    return redirect("storefront:product", pk=terms.product_id, slug=terms.product_slug)


# ---------------------------------------------------------------------------- seller portal


class SellerFlashSaleListView(SellerPortalMixin, TemplateView):
    """The merchant's sales with their state: upcoming, on now, sold out, ended, cancelled."""

    template_name = "seller/marketing/flash_sales.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sales = list(selectors.merchant_flash_sales(self.merchant))
        states = selectors.flash_sale_states(sales)
        context["sales"] = [(sale, states[sale.pk]) for sale in sales]
        return context


class SellerFlashSaleCreateView(SellerPortalMixin, FormView):
    template_name = "seller/marketing/flash_sale_form.html"
    form_class = FlashSaleForm
    capability = Capability.MANAGE_CATALOG

    def get_formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return FlashItemFormSet(data, prefix="items", form_kwargs={"merchant": self.merchant})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formset", self.get_formset())
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        formset = self.get_formset()
        if not (form.is_valid() and formset.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        items = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("sku")]
        try:
            sale = flash_sale_schedule(
                merchant=self.merchant, by=request.user, items=items, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, {})
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        messages.success(request, gettext("Flash sale scheduled."))
        return redirect("seller_flash:detail", pk=sale.pk)


class SellerFlashSaleEditView(SellerFlashSaleCreateView):
    """Change a sale before it starts (``flash_sale_edit`` refuses once it has)."""

    template_name = "seller/marketing/flash_sale_form.html"

    def get_sale(self) -> FlashSale:
        if not hasattr(self, "_sale"):
            self._sale = get_object_or_404(
                selectors.merchant_flash_sales(self.merchant), pk=self.kwargs["pk"]
            )
        return self._sale

    def get_initial(self):
        sale = self.get_sale()
        local = timezone.localtime
        return {
            "title": sale.title,
            "starts_at": local(sale.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": local(sale.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "per_shopper_limit": sale.per_shopper_limit,
        }

    def get_formset(self):
        if self.request.method == "POST":
            return super().get_formset()
        initial = [
            {"sku": i.sku_id, "flash_price": i.flash_price, "quantity": i.quantity}
            for i in self.get_sale().items.all()
        ]
        return FlashItemFormSet(
            initial=initial, prefix="items", form_kwargs={"merchant": self.merchant}
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sale"] = self.get_sale()
        return context

    def post(self, request, *args, **kwargs):
        sale = self.get_sale()
        form = self.get_form()
        formset = self.get_formset()
        if not (form.is_valid() and formset.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        items = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("sku")]
        try:
            flash_sale_edit(sale=sale, by=request.user, items=items, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc, {})
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        messages.success(request, gettext("Flash sale changed."))
        return redirect("seller_flash:detail", pk=sale.pk)


class SellerFlashSaleDetailView(SellerPortalMixin, TemplateView):
    """One of the merchant's sales: its items, units taken (PostgreSQL) and left (gate)."""

    template_name = "seller/marketing/flash_sale.html"
    capability = Capability.VIEW
    write_capability = Capability.MANAGE_CATALOG

    def get_sale(self) -> FlashSale:
        return get_object_or_404(
            selectors.merchant_flash_sales(self.merchant), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sale = self.get_sale()
        items = list(sale.items.all())
        left = selectors.flash_counters([i.pk for i in items])
        held = selectors.flash_held_units_by_item([i.pk for i in items])
        context.update(
            sale=sale,
            rows=[(i, held.get(i.pk, 0), left.get(i.pk)) for i in items],
            phase=selectors.flash_sale_states([sale], left=left)[sale.pk],
            editable=sale.phase() == "upcoming",
        )
        return context

    def post(self, request, *args, **kwargs):
        sale = self.get_sale()
        try:
            flash_sale_cancel(sale=sale, by=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, gettext("Flash sale cancelled."))
        return redirect("seller_flash:detail", pk=sale.pk)


# ---------------------------------------------------------------------------- coupons


def coupon_centre(request):
    """领券中心: coupons to claim, and the shopper's own."""
    return render(
        request,
        "marketing/coupons.html",
        {
            "coupons": coupon_selectors.coupon_centre(),
            "mine": coupon_selectors.shopper_coupons(request.user),
        },
    )


@login_required
@require_POST
def coupon_take(request, pk: int):
    coupon = get_object_or_404(coupon_selectors.coupon_centre(), pk=pk)
    try:
        coupon_claim(coupon=coupon, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("Coupon claimed: it applies at checkout."))
    return redirect("coupons:centre")


class SellerCouponListView(SellerPortalMixin, TemplateView):
    template_name = "seller/marketing/coupons.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["coupons"] = coupon_selectors.merchant_coupons(self.merchant)
        return context


class SellerCouponCreateView(SellerPortalMixin, FormView):
    template_name = "seller/marketing/coupon_form.html"
    form_class = CouponForm
    capability = Capability.MANAGE_CATALOG

    def form_valid(self, form):
        try:
            coupon = coupon_create(
                merchant=self.merchant, by=self.request.user, **form.service_fields()
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc, {"title": "title_zh_hans"})
            return self.form_invalid(form)
        messages.success(self.request, gettext("Coupon created."))
        return redirect("seller_coupons:detail", pk=coupon.pk)


class SellerCouponDetailView(SellerPortalMixin, TemplateView):
    template_name = "seller/marketing/coupon.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["coupon"] = get_object_or_404(
            coupon_selectors.merchant_coupons(self.merchant), pk=self.kwargs["pk"]
        )
        return context


# ---------------------------------------------------------------------------- gifts with purchase


class SellerGiftListView(SellerPortalMixin, TemplateView):
    """The merchant's gifts with purchase (满赠) with their state; end one (POST)."""

    template_name = "seller/marketing/gifts.html"
    write_capability = Capability.MANAGE_CATALOG

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["gifts"] = [
            (gift, gift_promotion_state(gift, now))
            for gift in merchant_gift_promotions(self.merchant)
        ]
        return context

    def post(self, request, *args, **kwargs):
        gift = get_object_or_404(
            merchant_gift_promotions(self.merchant), pk=request.POST.get("end")
        )
        try:
            gift_promotion_end(gift=gift, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, gettext("Gift with purchase ended."))
        return redirect("seller_gifts:list")


class SellerGiftCreateView(SellerPortalMixin, FormView):
    template_name = "seller/marketing/gift_form.html"
    form_class = GiftPromotionForm
    capability = Capability.MANAGE_CATALOG

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"merchant": self.merchant}

    def save(self, form):
        return gift_promotion_create(
            merchant=self.merchant, by=self.request.user, **form.service_fields()
        )

    def form_valid(self, form):
        try:
            self.save(form)
        except ValidationError as exc:
            form_add_service_errors(form, exc, {"title": "title_zh_hans"})
            return self.form_invalid(form)
        messages.success(self.request, gettext("Gift with purchase saved."))
        return redirect("seller_gifts:list")


class SellerGiftEditView(SellerGiftCreateView):
    """Change a gift with purchase still running or to come (``gift_promotion_edit``)."""

    def get_gift(self):
        if not hasattr(self, "_gift"):
            self._gift = get_object_or_404(
                merchant_gift_promotions(self.merchant), pk=self.kwargs["pk"]
            )
        return self._gift

    def get_initial(self):
        gift = self.get_gift()
        local = timezone.localtime
        return {
            "title_zh_hans": gift.title_zh_hans or gift.title,
            "title_en": gift.title_en,
            "gift_sku": gift.gift_sku_id,
            "quantity": gift.quantity,
            "threshold": gift.threshold,
            "starts_at": local(gift.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": local(gift.ends_at).strftime("%Y-%m-%dT%H:%M"),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"gift": self.get_gift()}

    def save(self, form):
        return gift_promotion_edit(
            gift=self.get_gift(), by=self.request.user, **form.service_fields()
        )


# ---------------------------------------------------------------------------- distribution


def _safe_next(request) -> str:
    target = request.GET.get("next") or ""
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return reverse("storefront:home")
    return target


def _share_url(code: str, target: str) -> str:
    return f"{settings.SITE_URL}{reverse('distribution:share', args=[code])}?{urlencode({'next': target})}"


@require_GET
def share(request, code: str):
    """A distributor's share link: records the click (the last one counts) and goes on."""
    target = _safe_next(request)
    click = share_click_record(code=code, user=request.user, path=target)
    if click is not None and not request.user.is_authenticated:
        request.session[SESSION_KEY] = click.pk  # bound to the account at log-in
    return HttpResponseRedirect(target)


@require_GET
def share_qr(request, code: str):
    """The QR code of a share link (SVG; ``?format=png`` for print)."""
    distributor = get_object_or_404(Distributor, code=code, is_active=True)
    url = _share_url(distributor.code, _safe_next(request))
    if request.GET.get("format") == "png":
        return HttpResponse(distribution_selectors.qr_png(url), content_type="image/png")
    return HttpResponse(distribution_selectors.qr_svg(url), content_type="image/svg+xml")


@login_required
def distribution_dashboard(request):
    """One-click sign-up, the shopper's share link and QR code, and their figures."""
    if request.method == "POST":
        distributor_signup(user=request.user)
        messages.success(request, gettext("You are a distributor: share your link."))
        return redirect("distribution:dashboard")
    distributor = Distributor.objects.filter(user=request.user).first()
    context = {"distributor": distributor}
    if distributor is not None:
        home = reverse("storefront:home")
        context.update(
            figures=distribution_selectors.distributor_dashboard(distributor),
            share_url=_share_url(distributor.code, home),
            qr_url=f"{reverse('distribution:qr', args=[distributor.code])}?{urlencode({'next': home})}",
            referrals=distributor.referrals.all()[:20],
            withdrawals=distribution_selectors.account_withdrawals(request.user),
        )
    return render(request, "marketing/distribution.html", context)


@require_GET
def page_qr(request):
    """The QR code of one of the storefront's own pages (``?path=``; anything but a local path
    is the home page: this is no QR generator for other sites)."""
    path = request.GET.get("path") or ""
    if not path.startswith("/") or path.startswith("//"):
        path = reverse("storefront:home")
    response = HttpResponse(
        distribution_selectors.qr_svg(settings.SITE_URL + path), content_type="image/svg+xml"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


# ---------------------------------------------------------------------------- product page


def product_flash_html(sku_ids: list[int], request, prefetched: dict | None) -> str:
    """The product page's flash-sale box (``catalog.offers``, a live slot made on every
    response): per SKU in a sale on now, the flash price, the countdown to its end, units
    sold and left (from the gate), "Buy now"; per SKU in a sale to come, "starts in". Nothing
    is read when no sale covers the page's SKUs but the cached index (``flash_offers``)."""
    now = timezone.now()
    chosen = selectors.flash_offers(sku_ids, now=now, prefetched=prefetched)
    if not chosen:
        return ""
    live = [o.item_id for o in chosen.values() if o.phase(now) == "live"]
    left = selectors.flash_counters(live)
    rows = []
    for sku_id in sku_ids:
        offer = chosen.get(sku_id)
        if offer is None:
            continue
        remaining = left.get(offer.item_id)
        rows.append(
            {
                "offer": offer,
                "sku_id": sku_id,
                "phase": offer.phase(now),
                "left": remaining,
                "sold": None if remaining is None else max(offer.quantity - remaining, 0),
                "sold_out": remaining == 0,
            }
        )
    return get_template("marketing/_product_flash.html").render(
        {
            "rows": rows,
            "csrf_input": pagecache.csrf_input(request),
            "next": request.path,
            "display_currency": display_currency(request),
            # this response's CSP nonce for the countdown's script: the slot is made per
            # response, so the nonce never reaches the cached page
            "request": request,
        }
    )

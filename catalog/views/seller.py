"""Seller-portal pages for listings: products, variants, images, review.

Every page reaches products through ``Product.objects.for_merchant(self.merchant)`` (via the
seller selectors), so another merchant's product is a 404. Writes need the
``manage_catalog`` capability and go through ``catalog.services``; actions that change
state have a confirmation page (GET) and act on POST.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, TemplateView

from catalog.forms import (
    ImageForm,
    ProductForm,
    SkuForm,
    TierFormSet,
    tiers_from,
)
from catalog.models import Product, ProductImage, ProductRevisionImage
from catalog.sanitize import sanitize_html
from catalog.selectors import moderation as moderation_selectors
from catalog.selectors import seller as selectors
from catalog.services import moderation, products, records
from marketplace.forms import form_add_service_errors
from marketplace.portal import SellerPortalMixin
from marketplace.transitions import IllegalTransition
from merchants.roles import Capability

STATUS_TABS = [("", gettext_lazy("All")), *Product.Status.choices]


class ProductListView(SellerPortalMixin, ListView):
    template_name = "seller/catalog/product_list.html"
    context_object_name = "products"
    paginate_by = 25

    def get_queryset(self):
        self.status = self.request.GET.get("status", "")
        if self.status not in Product.Status.values:
            self.status = ""
        return selectors.seller_products(self.merchant, status=self.status or None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = selectors.seller_status_counts(self.merchant)
        context["tabs"] = [
            {
                "value": value,
                "label": label,
                "count": sum(counts.values()) if not value else counts.get(value, 0),
                "active": value == self.status,
            }
            for value, label in STATUS_TABS
        ]
        context["can_edit"] = self.membership.can(Capability.MANAGE_CATALOG)
        return context


class _ProductMixin(SellerPortalMixin):
    """Loads ``self.product`` from the merchant's own products (404 for anyone else's)."""

    def get_product(self):
        return selectors.seller_product(self.merchant, self.kwargs["pk"])

    def detail_url(self):
        return reverse("seller_catalog:detail", args=[self.kwargs["pk"]])


def _description_preview(form) -> dict:
    if not form.is_bound:
        return {}
    return {
        "preview_en": sanitize_html(form.data.get("description_en", "")),
        "preview_zh_hans": sanitize_html(form.data.get("description_zh_hans", "")),
    }


class ProductCreateView(SellerPortalMixin, TemplateView):
    template_name = "seller/catalog/product_form.html"
    capability = Capability.MANAGE_CATALOG

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=ProductForm()))

    def post(self, request, *args, **kwargs):
        form = ProductForm(request.POST)
        if form.is_valid() and "preview" not in request.POST:
            try:
                product = products.product_create(
                    merchant=self.merchant, by=self.request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("Product created as a draft. Now add its variants."))
                return redirect("seller_catalog:detail", product.pk)
        return self.render_to_response(
            self.get_context_data(form=form, **_description_preview(form))
        )


class ProductEditView(_ProductMixin, TemplateView):
    template_name = "seller/catalog/product_form.html"
    capability = Capability.MANAGE_CATALOG

    def initial(self, product) -> dict:
        initial = {
            "name_en": product.name_en or "",
            "name_zh_hans": product.name_zh_hans or "",
            "description_en": product.description_en or "",
            "description_zh_hans": product.description_zh_hans or "",
            "category": product.category_id,
            "brand": product.brand_id,
            "listing_currency": product.listing_currency,
            "min_order_quantity": product.min_order_quantity,
        }
        # Continue from the proposed values when edits already wait for review.
        revision = moderation.pending_revision(product)
        if revision is not None:
            initial.update((revision.changes or {}).get("fields", {}))
        return initial

    def get(self, request, *args, **kwargs):
        product = self.get_product()
        form = ProductForm(initial=self.initial(product))
        return self.render_to_response(self.get_context_data(form=form, product=product))

    def post(self, request, *args, **kwargs):
        product = self.get_product()
        form = ProductForm(request.POST, initial=self.initial(product))
        if form.is_valid() and "preview" not in request.POST:
            try:
                revision = products.product_update(
                    product=product, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                if revision is not None:
                    messages.success(
                        request,
                        _(
                            "Saved. Changes to names, descriptions and brand wait for review; "
                            "shoppers see the current version until then."
                        ),
                    )
                else:
                    messages.success(request, _("Saved."))
                return redirect(self.detail_url())
        return self.render_to_response(
            self.get_context_data(form=form, product=product, **_description_preview(form))
        )


class ProductDetailView(_ProductMixin, TemplateView):
    template_name = "seller/catalog/product_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        product = selectors.seller_product_detail(self.merchant, self.kwargs["pk"])
        revision = moderation_selectors.pending_of(product)
        if revision is not None:
            revision.product = product
        context.update(
            product=product,
            skus=list(product.skus.all()),
            images=list(product.images.all()),
            description_en=sanitize_html(product.description_en or ""),
            description_zh_hans=sanitize_html(product.description_zh_hans or ""),
            history=moderation_selectors.product_history(product),
            decision=moderation_selectors.last_decision(product),
            rejected_edits=moderation_selectors.last_rejected_revision(product),
            revision=revision,
            diff=moderation_selectors.revision_diff(revision) if revision else [],
            removing=set((revision.changes or {}).get("remove_images") or [])
            if revision
            else set(),
            awaiting_skus=set((revision.changes or {}).get("new_skus") or [])
            if revision
            else set(),
            pending_hs={int(k): v for k, v in (revision.changes or {}).get("hs_codes", {}).items()}
            if revision
            else {},
            can_edit=self.membership.can(Capability.MANAGE_CATALOG),
            can_submit=product.status
            in {Product.Status.DRAFT, Product.Status.REJECTED, Product.Status.DELISTED},
            image_form=ImageForm(),
        )
        return context


class SkuFormView(_ProductMixin, TemplateView):
    """Add a variant (no ``sku_pk``) or edit one, with its wholesale tiers."""

    template_name = "seller/catalog/sku_form.html"
    capability = Capability.MANAGE_CATALOG

    def get_sku(self, product):
        if "sku_pk" not in self.kwargs:
            return None
        return get_object_or_404(product.skus.all(), pk=self.kwargs["sku_pk"])

    def forms(self, product, sku, data=None):
        if sku is None:
            initial, tiers = {}, []
        else:
            initial = SkuForm.initial_for(sku)
            revision = moderation.pending_revision(product)
            proposed = (revision.changes or {}).get("hs_codes", {}) if revision else {}
            initial["hs_code"] = proposed.get(str(sku.pk), sku.hs_code)
            tiers = [
                {"min_quantity": t.min_quantity, "unit_price": t.unit_price}
                for t in sku.tiers.all()
            ]
        form = SkuForm(data, initial=initial, lock_code=sku is not None)
        formset = TierFormSet(data, initial=tiers, prefix="tiers")
        return form, formset

    def get(self, request, *args, **kwargs):
        product = self.get_product()
        sku = self.get_sku(product)
        form, formset = self.forms(product, sku)
        return self.render_to_response(
            self.get_context_data(product=product, sku=sku, form=form, formset=formset)
        )

    def post(self, request, *args, **kwargs):
        product = self.get_product()
        sku = self.get_sku(product)
        form, formset = self.forms(product, sku, request.POST)
        tier_errors: list[str] = []
        if form.is_valid() and formset.is_valid():
            try:
                products.sku_upsert(
                    product=product,
                    data=form.to_input(tiers_from(formset)),
                    by=request.user,
                    replace_tiers=True,
                )
            except ValidationError as error:
                form_add_service_errors(form, error, SkuForm.ALIASES)
                tier_errors = (
                    error.message_dict.get("tiers", []) if hasattr(error, "error_dict") else []
                )
            else:
                messages.success(request, _("Variant saved."))
                return redirect(self.detail_url())
        return self.render_to_response(
            self.get_context_data(
                product=product, sku=sku, form=form, formset=formset, tier_errors=tier_errors
            )
        )


class ImageUploadView(_ProductMixin, TemplateView):
    """The product's images: upload, order; deletions have their own confirmation page."""

    template_name = "seller/catalog/images.html"
    capability = Capability.MANAGE_CATALOG

    def context(self, form):
        product = selectors.seller_product_detail(self.merchant, self.kwargs["pk"])
        revision = moderation_selectors.pending_of(product)
        return self.get_context_data(
            product=product,
            images=list(product.images.all()),
            proposed=list(revision.images.all()) if revision else [],
            removing=set((revision.changes or {}).get("remove_images") or [])
            if revision
            else set(),
            form=form,
            max_images=products.MAX_IMAGES,
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.context(ImageForm()))

    def post(self, request, *args, **kwargs):
        product = self.get_product()
        if "move" in request.POST:
            image = get_object_or_404(product.images.all(), pk=request.POST.get("image"))
            offset = -1 if request.POST["move"] == "up" else 1
            products.product_image_move(
                product=product, image=image, offset=offset, by=request.user
            )
            return redirect(request.path)
        form = ImageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                added = products.product_image_add(
                    product=product,
                    by=request.user,
                    upload=form.cleaned_data["image"],
                    alt=form.cleaned_data["alt"],
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                if isinstance(added, ProductRevisionImage):
                    messages.success(
                        request, _("Image added; it appears to shoppers once it is reviewed.")
                    )
                else:
                    messages.success(request, _("Image added."))
                return redirect(request.path)
        return self.render_to_response(self.context(form))


class _ConfirmView(_ProductMixin, TemplateView):
    """GET shows what will happen; POST does it and goes back to the product."""

    template_name = "seller/catalog/confirm.html"
    capability = Capability.MANAGE_CATALOG
    title = ""
    question = ""
    button = gettext_lazy("Confirm")

    def target(self, product):
        return None

    def act(self, product, target):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        product = self.get_product()
        target = self.target(product)
        return self.render_to_response(
            self.get_context_data(
                product=product,
                target=target,
                title=self.title,
                question=self.question,
                button=self.button,
            )
        )

    def post(self, request, *args, **kwargs):
        with transaction.atomic():
            product = self.get_product()
            target = self.target(product)
            try:
                message = self.act(product, target)
            except ValidationError as error:
                for text in error.messages:
                    messages.error(request, text)
                return redirect(self.detail_url())
            except IllegalTransition:
                messages.error(request, _("This is not possible in the product's current state."))
                return redirect(self.detail_url())
        messages.success(request, message)
        return redirect(self.detail_url())


class ProductSubmitView(_ConfirmView):
    title = gettext_lazy("Submit for review")
    question = gettext_lazy(
        "An operator checks the listing before it goes on sale. You can keep editing while "
        "it waits; the operator reviews the latest version."
    )
    button = gettext_lazy("Submit for review")

    def act(self, product, target):
        moderation.product_submit(product=product, by=self.request.user)
        return _("Submitted for review.")


class ImageDeleteView(_ConfirmView):
    title = gettext_lazy("Remove image")
    question = gettext_lazy("Remove this image from the product?")
    button = gettext_lazy("Remove")

    def target(self, product):
        return get_object_or_404(
            ProductImage.objects.filter(product=product), pk=self.kwargs["image_pk"]
        )

    def act(self, product, target):
        revision = products.product_image_delete(
            product=product, by=self.request.user, image=target
        )
        if revision is not None:
            return _("The image will be removed once the change is reviewed.")
        return _("Image removed.")


class ImageKeepView(_ConfirmView):
    title = gettext_lazy("Keep image")
    question = gettext_lazy("Keep this image and take back its removal?")
    button = gettext_lazy("Keep the image")

    def target(self, product):
        return get_object_or_404(
            ProductImage.objects.filter(product=product), pk=self.kwargs["image_pk"]
        )

    def act(self, product, target):
        products.product_image_keep(product=product, by=self.request.user, image=target)
        return _("The image stays.")


class ProposedImageDeleteView(_ConfirmView):
    title = gettext_lazy("Remove proposed image")
    question = gettext_lazy("Remove this image before it is reviewed?")
    button = gettext_lazy("Remove")

    def target(self, product):
        return get_object_or_404(
            ProductRevisionImage.objects.filter(revision__product=product).select_related(
                "revision"
            ),
            pk=self.kwargs["image_pk"],
        )

    def act(self, product, target):
        products.revision_image_delete(product=product, by=self.request.user, image=target)
        return _("Proposed image removed.")


class RevisionWithdrawView(_ConfirmView):
    title = gettext_lazy("Withdraw pending edits")
    question = gettext_lazy(
        "Withdraw all edits waiting for review? Shoppers keep seeing the current version."
    )
    button = gettext_lazy("Withdraw edits")

    def target(self, product):
        revision = moderation.pending_revision(product)
        if revision is None:
            raise Http404
        return revision

    def act(self, product, target):
        moderation.revision_withdraw(revision=target, by=self.request.user)
        return _("Edits withdrawn.")


class ProductRecordSubmitView(_ConfirmView):
    """Submit a variant's customs product record (备案) to the gateway; customs' answer
    (recorded with its number, or rejected with a reason) shows on the product page."""

    title = gettext_lazy("Submit product record")
    question = gettext_lazy(
        "Send this variant's customs data (HS code, the product's Chinese name, origin, unit "
        "and net weight) to customs for its product record? Customs answers on this page; "
        "once the record is recorded, you can offer the variant for bonded import (1210)."
    )
    button = gettext_lazy("Submit product record")

    def target(self, product):
        return get_object_or_404(product.skus.all(), pk=self.kwargs["sku_pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sku"] = kwargs.get("target")
        return context

    def act(self, product, target):
        if not records.can_submit(target):
            raise ValidationError(
                _("This variant's product record is %(status)s: there is nothing to submit.")
                % {"status": target.get_product_record_status_display()},
                code="record_not_submittable",
            )
        records.product_record_submit(sku=target, by=self.request.user)
        return _("Product record of %(code)s submitted to customs.") % {"code": target.code}

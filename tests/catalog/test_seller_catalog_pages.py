"""Seller portal listing pages, driven the way a merchant uses them."""

import re

import pytest
from django.urls import reverse

from catalog.models import SKU, Product, ProductImage, ProductRevision
from catalog.services import moderation
from catalog.services.products import product_update, sku_upsert
from merchants.roles import CAPABILITIES, Capability, Role
from tests.catalog.listing_helpers import media, sku_input, sku_post_data, upload  # noqa: F401
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    MembershipFactory,
    OperatorFactory,
    ProductFactory,
    SKUFactory,
    UserFactory,
)
from tests.marketplace.test_i18n import english_words

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def draft_of(tenant, **kwargs):
    product = ProductFactory(
        merchant=tenant.merchant, status=Product.Status.DRAFT, published_at=None, **kwargs
    )
    sku_upsert(product=product, data=sku_input(code=f"SKU-{product.pk}"))
    return product


def live_of(tenant, **kwargs):
    product = draft_of(tenant, **kwargs)
    Product.objects.filter(pk=product.pk).update(status=Product.Status.APPROVED)
    product.refresh_from_db()
    return product


def test_product_list_shows_only_my_products_and_filters_by_status(tenants):
    mine_live = live_of(tenants.a, name_en="Manuka Honey")
    mine_draft = draft_of(tenants.a, name_en="Propolis Spray")
    theirs = live_of(tenants.b, name_en="Foreign Wine")
    page = tenants.a.client.get(reverse("seller_catalog:products")).content.decode()
    assert "Manuka Honey" in page and "Propolis Spray" in page
    assert theirs.name_en not in page
    drafts = tenants.a.client.get(reverse("seller_catalog:products") + "?status=draft")
    html = drafts.content.decode()
    assert mine_draft.name_en in html and mine_live.name_en not in html
    assert re.search(r"Draft <small>1</small>", html)


def test_create_a_product_with_a_safe_preview_first(tenants):
    category, brand = CategoryFactory(name_en="Health"), BrandFactory(name_en="Comvita")
    form = {
        "name_zh_hans": "康维他麦卢卡蜂蜜",
        "name_en": "Comvita Manuka Honey",
        "description_en": '<p>Raw <b>honey</b></p><script>alert("x")</script>',
        "description_zh_hans": '<p onmouseover="x()">原生蜂蜜</p>',
        "category": category.pk,
        "brand": brand.pk,
        "listing_currency": "AUD",
        "min_order_quantity": "1",
    }
    url = reverse("seller_catalog:create")
    preview = tenants.a.client.post(url, {**form, "preview": "1"})
    html = preview.content.decode()
    assert preview.status_code == 200 and "Description preview" in html
    preview_html = html.split('id="preview-title"', 1)[1]
    assert "<p>Raw <b>honey</b></p>" in preview_html and "<p>原生蜂蜜</p>" in preview_html
    assert "<script>" not in html and "onmouseover=" not in preview_html
    assert not Product.objects.filter(merchant=tenants.a.merchant).exists()

    saved = tenants.a.client.post(url, form)
    product = Product.objects.get(merchant=tenants.a.merchant)
    assert saved.url == reverse("seller_catalog:detail", args=[product.pk])
    assert product.status == Product.Status.DRAFT and product.listing_currency == "AUD"
    assert product.description_en == "<p>Raw <b>honey</b></p>"


def test_create_without_a_name_names_the_field(tenants):
    response = tenants.a.client.post(
        reverse("seller_catalog:create"),
        {"category": CategoryFactory().pk, "listing_currency": "CNY", "min_order_quantity": "1"},
    )
    assert response.status_code == 200
    assert "Give the product a name in at least one language." in response.content.decode()


def test_add_a_variant_with_tiers_and_cross_border_data(tenants):
    product = draft_of(tenants.a)
    response = tenants.a.client.post(
        reverse("seller_catalog:sku_create", args=[product.pk]), sku_post_data()
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    sku = SKU.objects.get(code="KN-HONEY-500")
    assert sku.attributes == {"size": "500g", "colour": "amber"}
    assert sku.hs_code == "0409000000" and sku.postal_tax_category == "13"
    assert list(sku.tiers.values_list("min_quantity", flat=True)) == [10, 50]
    detail = tenants.a.client.get(reverse("seller_catalog:detail", args=[product.pk]))
    assert "KN-HONEY-500" in detail.content.decode()

    # Editing keeps the code and can clear the tiers.
    edit_url = reverse("seller_catalog:sku_edit", args=[product.pk, sku.pk])
    data = sku_post_data(
        code="IGNORED",
        **{"tiers-0-min_quantity": "", "tiers-0-unit_price": ""},
        **{"tiers-1-min_quantity": "", "tiers-1-unit_price": ""},
    )
    assert tenants.a.client.post(edit_url, data).status_code == 302
    sku.refresh_from_db()
    assert sku.code == "KN-HONEY-500" and sku.tiers.count() == 0


def test_bonded_without_a_recorded_record_is_a_clear_form_error(tenants):
    product = draft_of(tenants.a)
    response = tenants.a.client.post(
        reverse("seller_catalog:sku_create", args=[product.pk]),
        sku_post_data(
            trade_modes=["bonded", "direct"],
            # typed status fields are not on the form any more: ignored
            product_record_status="recorded",
            product_record_number="FAKE-1",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bonded import (1210) needs a customs product record" in html
    assert 'name="product_record_status"' not in html
    # The message sits on the trade-modes field.
    block = html.split("id_trade_modes", 1)[1].split('class="field', 1)[0]
    assert "submit the variant&#x27;s product record" in block
    assert not SKU.objects.filter(code="KN-HONEY-500").exists()


def test_bonded_rule_in_chinese(tenants):
    product = draft_of(tenants.a)
    response = tenants.a.client.post(
        "/zh-hans" + reverse("seller_catalog:sku_create", args=[product.pk])[3:],
        sku_post_data(trade_modes=["bonded"]),
    )
    assert "保税" in response.content.decode()


def test_hs_code_and_tier_errors_show_on_the_form(tenants):
    product = draft_of(tenants.a)
    response = tenants.a.client.post(
        reverse("seller_catalog:sku_create", args=[product.pk]),
        sku_post_data(hs_code="12.34", **{"tiers-1-unit_price": "290.00"}),
    )
    html = response.content.decode()
    assert "An HS code has 6, 8 or 10 digits" in html
    assert "Larger quantities cannot have a higher unit price." in html


def test_submit_then_see_the_rejection_reason_and_resubmit(tenants):
    product = draft_of(tenants.a)
    url = reverse("seller_catalog:submit", args=[product.pk])
    assert "Submit for review" in tenants.a.client.get(url).content.decode()
    tenants.a.client.post(url)
    assert Product.objects.get(pk=product.pk).status == Product.Status.PENDING_REVIEW
    moderation.product_reject(
        product=product, by=OperatorFactory(), reason="Add the net weight to the photos"
    )
    detail = tenants.a.client.get(reverse("seller_catalog:detail", args=[product.pk]))
    html = detail.content.decode()
    assert "Rejected by the marketplace" in html and "Add the net weight to the photos" in html
    assert "Marketplace operator" in html  # operators are not named to merchants
    assert "Resubmit for review" in html
    tenants.a.client.post(url)
    assert Product.objects.get(pk=product.pk).status == Product.Status.PENDING_REVIEW


def test_submitting_an_incomplete_product_explains_why(tenants):
    product = ProductFactory(
        merchant=tenants.a.merchant, status=Product.Status.DRAFT, published_at=None
    )
    response = tenants.a.client.post(
        reverse("seller_catalog:submit", args=[product.pk]), follow=True
    )
    assert "Add at least one active variant (SKU) before submitting." in response.content.decode()
    assert Product.objects.get(pk=product.pk).status == Product.Status.DRAFT


def test_editing_a_live_product_shows_the_pending_edits(tenants):
    product = live_of(tenants.a, name_en="Manuka Honey")
    edit = reverse("seller_catalog:edit", args=[product.pk])
    form = tenants.a.client.get(edit).content.decode()
    assert "This product is live" in form
    tenants.a.client.post(
        edit,
        {
            "name_en": "Manuka Honey MGO 400",
            "name_zh_hans": product.name_zh_hans,
            "description_en": product.description_en,
            "description_zh_hans": product.description_zh_hans,
            "category": product.category_id,
            "brand": product.brand_id,
            "listing_currency": "CNY",
            "min_order_quantity": "2",
        },
    )
    product.refresh_from_db()
    assert product.name_en == "Manuka Honey" and product.min_order_quantity == 2
    detail = tenants.a.client.get(reverse("seller_catalog:detail", args=[product.pk]))
    html = detail.content.decode()
    assert "Edits awaiting review" in html and "Manuka Honey MGO 400" in html
    # The edit form continues from the proposed values.
    assert 'value="Manuka Honey MGO 400"' in tenants.a.client.get(edit).content.decode()

    tenants.a.client.post(reverse("seller_catalog:revision_withdraw", args=[product.pk]))
    assert not ProductRevision.objects.filter(product=product, status="pending").exists()


def test_upload_order_and_remove_images(tenants, django_capture_on_commit_callbacks):
    product = draft_of(tenants.a)
    url = reverse("seller_catalog:images", args=[product.pk])
    for name in ("a.png", "b.png"):
        assert tenants.a.client.post(url, {"image": upload(name), "alt": name}).status_code == 302
    first, second = ProductImage.objects.filter(product=product)
    tenants.a.client.post(url, {"move": "up", "image": second.pk})
    assert ProductImage.objects.filter(product=product).first().pk == second.pk
    page = tenants.a.client.get(url).content.decode()
    assert "Main image" in page and second.thumbnail.url in page

    refused = tenants.a.client.post(url, {"image": upload("x.png", fmt="BMP")})
    assert "JPEG, PNG, WebP or GIF" in refused.content.decode()

    delete = reverse("seller_catalog:image_delete", args=[product.pk, first.pk])
    assert tenants.a.client.get(delete).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        tenants.a.client.post(delete)
    assert list(ProductImage.objects.filter(product=product)) == [second]


def test_permission_matrix(tenants, client_for, monkeypatch):
    product = live_of(tenants.a)
    read = reverse("seller_catalog:detail", args=[product.pk])
    write = reverse("seller_catalog:edit", args=[product.pk])
    listing = reverse("seller_catalog:products")
    from django.test import Client

    anonymous = Client()
    assert anonymous.get(listing).url.startswith(reverse("accounts:login"))
    assert anonymous.get(read).url.startswith(reverse("accounts:login"))

    shopper = client_for(UserFactory())
    operator = client_for(OperatorFactory())
    for outsider in (shopper, operator):  # no membership: asked to pick a merchant
        assert outsider.get(listing).url == reverse("seller:choose")
        assert outsider.get(read).url == reverse("seller:choose")

    for role in (Role.OWNER, Role.MANAGER, Role.STAFF):
        member = client_for(MembershipFactory(merchant=tenants.a.merchant, role=role).user)
        assert member.get(listing).status_code == 200
        assert member.get(read).status_code == 200
        assert member.get(write).status_code == 200

    assert tenants.b.client.get(read).status_code == 404
    assert tenants.b.client.get(write).status_code == 404

    # A role without the catalog capability may look but not change.
    viewer = MembershipFactory(merchant=tenants.a.merchant, role=Role.STAFF)
    monkeypatch.setitem(CAPABILITIES, Role.STAFF, frozenset({Capability.VIEW}))
    looking = client_for(viewer.user)
    assert looking.get(read).status_code == 200
    assert "Edit details" not in looking.get(read).content.decode()
    assert looking.get(write).status_code == 403
    assert looking.post(reverse("seller_catalog:create"), {}).status_code == 403
    assert looking.post(reverse("seller_catalog:submit", args=[product.pk])).status_code == 403


def test_list_page_query_count_does_not_grow_with_products(tenants, django_assert_max_num_queries):
    for _ in range(3):
        product = live_of(tenants.a)
        SKUFactory(product=product)
    url = reverse("seller_catalog:products")
    tenants.a.client.get(url)  # warm the session
    with django_assert_max_num_queries(9):
        small = tenants.a.client.get(url)
    for _ in range(20):
        product = draft_of(tenants.a)
        SKUFactory(product=product)
    with django_assert_max_num_queries(9):
        large = tenants.a.client.get(url)
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count('href="/en/seller/catalog/') >= 23


def test_detail_page_query_count_is_fixed(tenants, django_assert_max_num_queries):
    product = live_of(tenants.a)
    for n in range(6):
        SKUFactory(product=product, code=f"Q-{n}")
    moderation.product_delist(product=product, by=OperatorFactory(), reason="Check")
    moderation.product_submit(product=product, by=tenants.a.owner)
    moderation.product_approve(product=product, by=OperatorFactory())
    product_update(product=product, by=tenants.a.owner, name_en="Renamed")
    url = reverse("seller_catalog:detail", args=[product.pk])
    tenants.a.client.get(url)
    with django_assert_max_num_queries(15):
        response = tenants.a.client.get(url)
    assert response.status_code == 200 and "Renamed" in response.content.decode()


def test_chinese_seller_catalog_pages_have_no_english(tenants):
    category = CategoryFactory(name_en="Health", name_zh_hans="营养保健")
    brand = BrandFactory(name_en="Comvita", name_zh_hans="康维他")
    product = ProductFactory(
        merchant=tenants.a.merchant,
        category=category,
        brand=brand,
        name_zh_hans="麦卢卡蜂蜜",
        description_zh_hans="<p>新西兰原生蜂蜜</p>",
        status=Product.Status.DRAFT,
        published_at=None,
    )
    sku_upsert(
        product=product,
        data=sku_input(
            code="123-456",
            attributes_en={},
            attributes_zh_hans={"规格": "250克"},
            tiers=[(10, 150)],
        ),
    )
    moderation.product_submit(product=product, by=tenants.a.owner)
    moderation.product_approve(product=product, by=OperatorFactory())
    product_update(product=product, by=tenants.a.owner, name_zh_hans="麦卢卡蜂蜜 新包装")
    sku = product.skus.get()
    # Product data in English (names, descriptions), currency and country codes are data,
    # not interface text: the check strips them.
    data_words = {product.name_en, product.description_en, "CNY", "NZ", brand.name_en}
    paths = [
        reverse("seller_catalog:products"),
        reverse("seller_catalog:create"),
        reverse("seller_catalog:detail", args=[product.pk]),
        reverse("seller_catalog:edit", args=[product.pk]),
        reverse("seller_catalog:sku_create", args=[product.pk]),
        reverse("seller_catalog:sku_edit", args=[product.pk, sku.pk]),
        reverse("seller_catalog:images", args=[product.pk]),
        reverse("seller_catalog:revision_withdraw", args=[product.pk]),
    ]
    for path in paths:
        zh = "/zh-hans/" + path.removeprefix("/en/")
        response = tenants.a.client.get(zh)
        assert response.status_code == 200, zh
        html = response.content.decode()
        for word in data_words:
            html = html.replace(word, "")
        html = re.sub(r"\b[A-Z]{3}\b", "", html)  # ISO currency codes in the currency picker
        html = re.sub(r"[\w.+-]+@[\w.-]+", "", html)  # who did what: emails are data
        html = re.sub(r"(<textarea[^>]*>).*?(</textarea>)", r"\1\2", html, flags=re.S)
        assert english_words(html) == set(), zh

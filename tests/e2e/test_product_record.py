"""In a real browser: a merchant submits a variant's customs product record from the product
page; the outbox worker sends Silkway's SWR101 to the real gateway simulator, customs
answers asynchronously, and the merchant sees the record recorded with its number."""

import pytest
from playwright.sync_api import expect

from catalog.models import SKU
from customs.declarations import services
from tests.customs.docking.conftest import simulator, wait_for  # noqa: F401 - fixture
from tests.declarations.helpers import profile
from tests.factories import MembershipFactory, ProductFactory, SKUFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
def test_a_merchant_submits_a_product_record_and_sees_it_recorded(
    signed_in,
    simulator,  # noqa: F811 - the fixture imported above
):
    services.transports_reset()
    p = profile(gateway_url=simulator.url)
    owner = MembershipFactory()
    product = ProductFactory(
        merchant=owner.merchant, name_en="Manuka Honey", name_zh_hans="麦卢卡蜂蜜"
    )
    sku = SKUFactory(product=product, code="KN-HONEY-250", hs_code="0409000000")
    context, page = signed_in(owner.user)
    try:
        page.goto(f"/en/seller/catalog/{product.pk}/")
        cell = page.locator('[data-record="KN-HONEY-250"]')
        expect(cell).to_contain_text("No record")
        cell.get_by_role("button", name="Submit product record").click()
        expect(
            page.get_by_text("Product record of KN-HONEY-250 submitted to customs.")
        ).to_be_visible()
        expect(cell).to_contain_text("Submitted")
        expect(cell).to_contain_text("Waiting for customs' answer.")

        # customs answers later: the receipt worker fetches and applies its answers
        def recorded():
            services.receipts_fetch(profile=p, timeout=0.2)
            return SKU.objects.filter(pk=sku.pk, product_record_status="recorded").exists()

        wait_for(recorded, timeout=30)
        page.reload()
        expect(cell).to_contain_text("Recorded")
        number = SKU.objects.get(pk=sku.pk).product_record_number
        expect(cell).to_contain_text(f"No. {number}")
        expect(cell.get_by_role("button")).to_have_count(0)

        page.goto(f"/zh-hans/seller/catalog/{product.pk}/")
        expect(page.locator('[data-record="KN-HONEY-250"]')).to_contain_text(f"编号 {number}")
    finally:
        context.close()
        services.transports_reset()

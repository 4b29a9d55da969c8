"""In a real browser: a company applies through the public form, an operator approves it in
the back office, and the applicant — now the owner — logs in to the new merchant's portal."""

import pytest
from playwright.sync_api import expect

from merchants.demo import licence_pdf
from merchants.models import Merchant, MerchantApplication
from tests.factories import CategoryFactory, OperatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

APPLICANT = "founder@tui-honey.example"
PASSWORD = "tui-honey-passphrase-2026"


@pytest.mark.django_db(transaction=True)
def test_apply_approve_and_log_in_as_owner(
    browser, live_server, screenshot, page, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    CategoryFactory(name_en="Food & Wine", name_zh_hans="食品酒水", slug="food-wine")
    operator = OperatorFactory(email="ops@silkway.example")
    licence = tmp_path / "licence.pdf"
    licence.write_bytes(licence_pdf("Tui Honey Ltd - NZBN 9429041234567"))

    # 1. The applicant fills the public form, creating their account on the way.
    page.goto("/en/apply/")
    page.get_by_label("Email address").fill(APPLICANT)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_label("Purchasing agent").check()
    page.get_by_label("Company name in Chinese").fill("图伊蜂蜜")
    page.get_by_label("Company name in English").fill("Tui Honey Ltd")
    page.get_by_label("Country").select_option("NZ")
    page.get_by_label("Business licence number").fill("NZBN 9429041234567")
    page.get_by_label("Business licence (PDF, JPEG or PNG)").set_input_files(str(licence))
    page.get_by_label("Contact person").fill("Mere Tui")
    page.get_by_label("Contact email").fill(APPLICANT)
    page.get_by_label("Contact phone").fill("+64 21 555 0101")
    page.get_by_label("Food & Wine").check()
    page.get_by_label("Personal parcel").check()
    page.get_by_label("Bank name").fill("ASB Bank")
    page.get_by_label("Account holder").fill("Tui Honey Ltd")
    page.get_by_label("Account number or IBAN").fill("12-3140-0123456-00")
    page.get_by_label("SWIFT/BIC code").fill("ASBBNZ2A")
    page.get_by_role("button", name="Send the application").click()
    page.wait_for_url("**/en/apply/*/")
    expect(page.get_by_text("Submitted, awaiting review").first).to_be_visible()
    expect(page.get_by_text("***********5600")).to_be_visible()  # the account number, masked
    assert "123140012345600" not in page.content()
    screenshot("applied")
    application = MerchantApplication.objects.get()

    # 2. An operator logs into the back office and approves it.
    ops_context = browser.new_context(base_url=live_server.url, locale="en-US")
    ops = ops_context.new_page()
    ops.set_default_timeout(15000)
    ops.goto("/en/ops/")
    ops.get_by_label("Email address").fill(operator.email)
    ops.get_by_label("Password").fill("correct-horse-battery-staple")
    ops.get_by_role("button", name="Log in").click()
    ops.get_by_role("link", name="Merchant applications").first.click()
    ops.get_by_role("link", name="Tui Honey Ltd").click()
    expect(ops.get_by_role("link", name="Open the licence (PDF)")).to_be_visible()
    ops.get_by_role("button", name="Approve").click()
    ops.wait_for_url(f"**/merchantapplication/{application.pk}/change/")
    expect(ops.get_by_text("Approved: Tui Honey Ltd is open for business.")).to_be_visible()
    ops_context.close()

    merchant = Merchant.objects.get(slug="tui-honey-ltd")
    assert merchant.status == "approved" and merchant.kind == "purchasing_agent"

    # 3. The applicant, now the owner, logs in (fresh browser) and lands in the portal.
    owner_context = browser.new_context(base_url=live_server.url, locale="en-US")
    owner = owner_context.new_page()
    owner.set_default_timeout(15000)
    owner.goto("/en/accounts/login/?next=/en/seller/")
    owner.get_by_label("Email address").fill(APPLICANT)
    owner.get_by_label("Password").fill(PASSWORD)
    owner.get_by_role("button", name="Log in").click()
    owner.wait_for_url("**/en/seller/")
    expect(owner.locator("h1")).to_have_text("Dashboard")
    expect(owner.get_by_text("Tui Honey Ltd").first).to_be_visible()
    expect(owner.get_by_text("Purchasing agent")).to_be_visible()
    expect(owner.get_by_text("Owner").first).to_be_visible()
    owner.locator(".main-nav summary", has_text="Merchant").click()  # the merchant's menu
    owner.get_by_role("link", name="Merchant profile").click()
    expect(owner.get_by_text("图伊蜂蜜")).to_be_visible()
    owner_context.close()

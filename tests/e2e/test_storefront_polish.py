"""In a real browser at a laptop's width (1280 px): the demo shows its pictures, the currency
switcher looks the same on every page, the seller portal's header keeps to two rows, "Filter
and sort" stays where it is when opened, and the back office's "try" pages fit the window in
both languages."""

import pytest
from django.core.management import call_command

from catalog.models import Product, ProductImage
from tests.catalog.storefront_catalog import build_shop
from tests.factories import MembershipFactory, OperatorFactory, WarehouseFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LAPTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def media_served(settings):
    """The live server runs with DEBUG off; serve uploads (the demo's pictures) too."""
    settings.ROOT_URLCONF = "tests.e2e.media_urls"


def loaded_images(page, selector: str) -> list[int]:
    """``naturalWidth`` of every image matched, once each has finished loading."""
    page.wait_for_function(
        "s => Array.from(document.querySelectorAll(s)).every(i => i.complete)", arg=selector
    )
    return page.eval_on_selector_all(selector, "imgs => imgs.map(i => i.naturalWidth)")


@pytest.mark.django_db(transaction=True)
def test_after_seeding_the_demo_the_home_and_product_pages_show_pictures(media_served, page):
    call_command("seed_demo")
    page.goto("/en/")
    cards = page.locator(".product-card")
    assert cards.count() == 12
    # the grid's images load lazily: scroll them all into view
    for index in range(cards.count()):
        cards.nth(index).scroll_into_view_if_needed()
    widths = loaded_images(page, ".product-card .thumb img")
    assert len(widths) == 12 and all(width > 0 for width in widths), widths

    page.locator(".product-card a").first.click()
    page.wait_for_url("**/en/p/**")
    assert loaded_images(page, ".gallery img.main-image") == [480]
    product = Product.objects.get(pk=page.locator("article.product").get_attribute("data-product"))
    assert ProductImage.objects.filter(product=product).count() == 1


SWITCH_STYLE = """() => {
  const summary = document.querySelector('.currency-switch summary');
  const style = getComputedStyle(summary);
  return {
    display: style.display, listStyle: style.listStyleType, radius: style.borderTopLeftRadius,
    border: style.borderTopStyle, padding: style.paddingLeft, size: style.fontSize,
    color: style.color, height: Math.round(summary.getBoundingClientRect().height),
  };
}"""


@pytest.mark.django_db(transaction=True)
def test_the_currency_switcher_looks_the_same_on_every_page(signed_in, page):
    page.goto("/en/")  # anonymous, on the storefront
    storefront = page.evaluate(SWITCH_STYLE)
    assert storefront["listStyle"] == "none" and storefront["border"] == "solid"
    for path in ("/en/accounts/login/", "/en/accounts/signup/", "/en/apply/"):
        page.goto(path)
        assert page.evaluate(SWITCH_STYLE) == storefront, path
    context, seller = signed_in(MembershipFactory().user, "en-US")
    for path in ("/en/seller/", "/en/seller/team/", "/zh-hans/seller/"):
        seller.goto(path)
        assert seller.evaluate(SWITCH_STYLE) == storefront, path
    context.close()


HEADER = """() => {
  const header = document.querySelector('header.site-header');
  const tops = Array.from(document.querySelectorAll('.main-nav > *'))
    .map(e => Math.round(e.getBoundingClientRect().top));
  return {height: header.getBoundingClientRect().height, navRows: new Set(tops).size};
}"""


@pytest.mark.django_db(transaction=True)
def test_the_english_seller_portal_header_keeps_to_two_rows_at_1280(signed_in):
    membership = MembershipFactory()
    context, page = signed_in(membership.user, "en-US", **LAPTOP)
    page.goto("/en/")
    one_row = page.evaluate(HEADER)["height"]  # the storefront's header: one row
    for path in ("/en/seller/", "/zh-hans/seller/"):
        page.goto(path)
        header = page.evaluate(HEADER)
        # brand and switches, then every portal link on one row (it wrapped onto three)
        assert header["navRows"] == 1, (path, header)
        assert header["height"] < 2 * one_row, (path, header, one_row)
    context.close()


@pytest.mark.django_db(transaction=True)
def test_filter_and_sort_keeps_its_heading_in_place_when_opened(page):
    build_shop()
    page.set_viewport_size({"width": 1280, "height": 800})
    for path in ("/en/c/food/", "/en/search/?q=honey", "/zh-hans/store/kiwi/"):
        page.goto(path)
        heading = page.locator("details.filters summary")
        closed = heading.bounding_box()
        heading.click()
        page.locator(".filter-form").wait_for(state="visible")
        opened = heading.bounding_box()
        assert (opened["x"], opened["y"]) == (closed["x"], closed["y"]), path
        # and the form below uses the panel's width, not a column squeezed beside the heading
        form = page.locator(".filter-form").bounding_box()
        assert form["y"] > opened["y"] and form["width"] > 0.9 * closed["width"], path


LAYOUT = """() => ({
  scroll: document.documentElement.scrollWidth,
  width: window.innerWidth,
  flags: Array.from(document.querySelectorAll('.try-lines td.field-attributes')).map(td => {
    const label = td.querySelector('label');
    const line = parseFloat(getComputedStyle(label).lineHeight) ||
      1.3 * parseFloat(getComputedStyle(label).fontSize);
    return {width: td.getBoundingClientRect().width, labelHeight: label.getBoundingClientRect().height, line};
  }),
})"""


def assert_fits(page, where):
    layout = page.evaluate(LAYOUT)
    assert layout["scroll"] <= layout["width"], (where, layout["scroll"])
    for flag in layout["flags"]:
        # a flag's name on one line ("高档化妆品" wrapped one character per line)
        assert flag["labelHeight"] < 1.6 * flag["line"], (where, flag)
        assert flag["width"] > 100, (where, flag)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang, locale", [("en", "en-US"), ("zh-hans", "zh-CN")])
def test_the_try_pages_fit_a_1280_window_in_both_languages(signed_in, lang, locale):
    warehouse = WarehouseFactory(kind="bonded", country="CN", code="e2e-bonded")
    context, page = signed_in(OperatorFactory(), locale, **LAPTOP)

    page.goto(f"/{lang}/ops/customs/regime/try-quote/")
    assert page.locator(".try-lines td.field-attributes").count() == 5
    assert_fits(page, "try a quote")
    page.locator("[name=lines-0-hs_code]").fill("3304990099")
    page.locator("[name=lines-0-unit_price]").fill("450")
    page.locator("[name=lines-0-attributes]").first.check()  # high-end cosmetic
    page.locator("[name=lines-1-hs_code]").fill("2204210000")
    page.locator("[name=lines-1-quantity]").fill("12")
    page.locator("[name=lines-1-unit_price]").fill("300.55")
    page.locator(".submit-row input[type=submit]").click()
    page.locator(".customs-breakdown").wait_for()
    page.wait_for_load_state("load")
    assert_fits(page, "a quote's breakdown")

    page.goto(f"/{lang}/ops/logistics/shippingroute/try/")
    assert_fits(page, "try shipping")
    page.locator("[name=warehouse]").select_option(str(warehouse.pk))
    page.locator("[name=country]").fill("CN")
    page.locator("[name=province]").select_option("CN-ZJ")
    page.locator("[name=goods_subtotal]").fill("150")
    page.locator("[name=lines-0-unit_weight_kg]").fill("1.2")
    page.locator(".submit-row input[type=submit]").click()
    page.locator("#shipping-options").wait_for()
    page.wait_for_load_state("load")
    assert_fits(page, "shipping options")
    context.close()

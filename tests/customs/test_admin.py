"""Back office for duties and taxes: every screen opens, rate edits are checked and reach the
quotes, ledgers stay masked, assessments are filterable, and operators can try a quote."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from customs import selectors
from customs.models import DutyAssessment, HsRate, PostalCategory, QuotaLedger, Regime, VatRate
from customs.services import duty_assessment_compute, duty_assessment_request, quota_record_usage
from marketplace.models import PersonalDataAccess
from tests.customs.helpers import line
from tests.marketplace.test_i18n import english_words

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(client_for, operator):
    return client_for(operator)


def try_quote_form(**changes):
    data = {
        "destination": "CN",
        "mode": "direct",
        "order_date": "2026-11-22",
        "currency": "",
        "freight": "20",
        "insurance": "",
        "order_discount": "",
        "non_cash_deductions": "",
        "id_number": "",
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20",
        "lines-0-sku": "TEE",
        "lines-0-hs_code": "6109100022",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "300",
        "lines-0-currency": "CNY",
        "lines-0-has_product_record": "on",
    }
    for index in range(1, 5):
        data[f"lines-{index}-currency"] = "CNY"
        data[f"lines-{index}-quantity"] = "1"
    return data | changes


@pytest.fixture
def assessments(rate_tables):
    """An estimate and a final made from it at another USD rate (flagged), and a plain one."""

    def request(**kwargs):
        assessment = duty_assessment_request(
            destination="CN",
            mode="direct",
            lines=[line("680.00", hs="3304990099"), line("69.90", currency="USD", sku="EAR")],
            order_date=date(2026, 11, 22),
            **kwargs,
        )
        duty_assessment_compute(assessment_id=assessment.pk)
        return DutyAssessment.objects.get(pk=assessment.pk)

    estimate = request(reference="SO-1", freeze=False, fx_rates={"USD": Decimal("7.10")})
    final = request(reference="SO-1", estimate=estimate, fx_rates={"USD": Decimal("7.25")})
    plain = request(reference="SO-2", fx_rates={"USD": Decimal("7.10")})
    return estimate, final, plain


def test_every_customs_screen_opens_for_an_operator(ops, rate_tables, assessments, id_number):
    quota_record_usage(id_number=id_number(1), year=2026, amount=Decimal("10"), reference="SO-1")
    objects = [
        Regime.objects.first(),
        HsRate.objects.first(),
        PostalCategory.objects.first(),
        VatRate.objects.first(),
        QuotaLedger.objects.first(),
        assessments[1],
    ]
    for obj in objects:
        name = obj._meta.model_name
        for url in (
            reverse(f"admin:customs_{name}_changelist"),
            reverse(f"admin:customs_{name}_change", args=[obj.pk]),
        ):
            assert ops.get(url).status_code == 200, url
    for name in ("regime", "hsrate", "postalcategory", "vatrate"):
        assert ops.get(reverse(f"admin:customs_{name}_add")).status_code == 200
    index = ops.get(reverse("admin:app_list", args=["customs"])).content.decode()
    assert reverse("admin:customs_try_quote") in index


def test_shoppers_cannot_open_the_back_office(client_for, user):
    response = client_for(user).get(reverse("admin:customs_try_quote"))
    assert response.status_code == 302 and "/login/" in response.url


def test_try_a_quote_is_linked_from_the_regimes(ops, rate_tables):
    html = ops.get(reverse("admin:customs_regime_changelist")).content.decode()
    assert reverse("admin:customs_try_quote") in html


def test_try_a_quote_shows_the_breakdown_of_worked_example_one(ops, rate_tables):
    response = ops.post(reverse("admin:customs_try_quote"), try_quote_form())
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="tax-total">29\.12<', html)
    assert "China cross-border e-commerce retail import (direct purchase, 9610)" in html
    # the VAT row of the line: base 320.00, rate 0.13, factor 0.7, amount 29.12
    assert re.search(
        r"<td>VAT</td><td>320\.00</td><td>0\.13</td><td>0\.7</td>\s*<td>29\.12</td>", html
    )


def test_try_a_quote_in_chinese_has_no_english(ops, rate_tables):
    url = reverse("admin:customs_try_quote").replace("/en/", "/zh-hans/")
    html = ops.post(url, try_quote_form()).content.decode()
    assert re.search(r'id="tax-total">29\.12<', html)
    assert "跨境电商零售进口（直购进口 9610）" in html and "增值税" in html
    # This page's own content (the admin's sidebar lists every app's models), without codes:
    # they are data, not UI text (regime and currency codes, SKUs, flags, option values).
    html = html[html.index('<div id="content-main">') : html.index("<!-- END Content -->")]
    html = re.sub(r"<code>.*?</code>|\b(?:CNY|EUR|GB|DE|HS|SKU|TEE)\b", "", html)
    assert english_words(html) == set()


def test_try_a_quote_explains_what_cannot_be_quoted(ops, rate_tables):
    html = ops.post(
        reverse("admin:customs_try_quote"), try_quote_form(destination="DE", mode="bonded")
    ).content.decode()
    assert "no tax regime is set up" in html
    html = ops.post(
        reverse("admin:customs_try_quote"), try_quote_form(**{"lines-0-hs_code": "61.09"})
    ).content.decode()
    assert "An HS code is 4 to 10 digits" in html


def test_try_a_quote_with_an_identity_number_shows_the_allowance_left(ops, rate_tables, id_number):
    buyer = id_number(2)
    quota_record_usage(id_number=buyer, year=2026, amount=Decimal("1000.00"), reference="SO-0")
    html = ops.post(
        reverse("admin:customs_try_quote"), try_quote_form(id_number=buyer)
    ).content.decode()
    assert "25000.00 / 26000.00 CNY" in html


def test_try_a_quote_shows_the_allowance_only_to_staff_who_may_read_the_ledgers(
    client_for, rate_tables, id_number
):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    spender, saver = id_number(21), id_number(22)
    quota_record_usage(id_number=spender, year=2026, amount=Decimal("25800.00"), reference="SO-0")
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_regime"))
    rates_only = client_for(staff)
    url = reverse("admin:customs_try_quote")
    pages = [
        rates_only.post(url, try_quote_form(id_number=number)).content.decode()
        for number in (spender, saver, "")
    ]
    totals = [re.search(r"29\.12", page) is not None for page in pages]
    assert totals == [True, True, True]
    assert not any("/ 26000.00 CNY" in page or "200.00 CNY" in page for page in pages)
    staff.user_permissions.add(Permission.objects.get(codename="view_quotaledger"))
    page = client_for(staff).post(url, try_quote_form(id_number=spender)).content.decode()
    assert "200.00 / 26000.00 CNY" in page


def test_an_operator_edit_reaches_the_next_quote(
    ops, rate_tables, django_capture_on_commit_callbacks
):
    row = HsRate.objects.get(table="CN", hs_prefix="61", flag="")
    url = reverse("admin:customs_hsrate_change", args=[row.pk])
    data = {
        "table": "CN",
        "hs_prefix": "61",
        "flag": "",
        # typed as percentages, as the form shows them
        "duty_rate": "7",
        "vat_rate": "9",
        "ct_rate": "0",
        "postal_category": "2",
        "note": "knitted apparel, reduced VAT",
    }
    selectors.ratebook_current()  # cached before the edit
    with django_capture_on_commit_callbacks(execute=True):
        response = ops.post(url, data)
    assert response.status_code == 302
    html = ops.post(reverse("admin:customs_try_quote"), try_quote_form()).content.decode()
    assert re.search(r'id="tax-total">20\.16<', html)  # 320 x 9 % x 0.7
    row.refresh_from_db()
    assert (row.duty_rate, row.vat_rate) == (Decimal("0.07"), Decimal("0.09"))


def test_an_edit_that_breaks_the_rate_data_is_refused_with_the_reason(ops, rate_tables):
    response = ops.post(
        reverse("admin:customs_vatrate_add"),
        {"country": "DE", "rate": "16", "effective_from": "2020-07-01", "note": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This change would make the rate data inconsistent" in html
    assert "VAT rates of DE overlap in time" in html
    assert VatRate.objects.filter(country="DE").count() == 1


def test_a_regime_edit_uses_checkboxes_for_modes_and_is_checked(ops, rate_tables):
    regime = Regime.objects.get(code="CN_POSTAL")
    url = reverse("admin:customs_regime_change", args=[regime.pk])
    form = ops.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(
        {
            "modes": ["personal_parcel", "direct"],  # 9610 already belongs to CN_CBEC_9610
            "effective_from": "2019-04-09",
            "effective_to": "",
        }
    )
    for name in (
        "base_includes_freight",
        "excise_allowed",
        "requires_product_record",
        "collected_at_checkout",
    ):
        if not data.get(name):
            data.pop(name, None)
    html = ops.post(url, data).content.decode()
    assert "regimes CN_CBEC_9610 and CN_POSTAL both apply to CN/direct" in html
    assert Regime.objects.get(pk=regime.pk).modes == "personal_parcel"


def test_deleting_a_default_rate_row_is_refused(ops, rate_tables):
    row = HsRate.objects.get(table="CN", hs_prefix="", flag="")
    response = ops.post(
        reverse("admin:customs_hsrate_delete", args=[row.pk]), {"post": "yes"}, follow=True
    )
    assert "has no default row" in response.content.decode()
    assert HsRate.objects.filter(pk=row.pk).exists()


def test_hs_search_finds_the_rows_that_apply_to_a_code(ops, rate_tables):
    url = reverse("admin:customs_hsrate_changelist")
    rows = ops.get(url, {"q": "3304990099", "table__exact": "CN"}).context["cl"].result_list
    assert {(r.hs_prefix, r.flag) for r in rows} == {
        ("", ""),
        ("3304", ""),
        ("3304", "high_end_cosmetic"),
    }
    rows = ops.get(url, {"q": "9506", "table__exact": "CN"}).context["cl"].result_list
    # golf sub-headings under 9506, and the shorter rows a 9506 code would fall back to
    assert {r.hs_prefix for r in rows} == {"", "95", "950631", "950632", "950639"}


def test_quota_ledgers_show_the_number_masked_and_reveal_it_audited(
    ops, operator, rate_tables, id_number
):
    buyer = id_number(3)
    quota_record_usage(id_number=buyer, year=2026, amount=Decimal("3200.00"), reference="SO-7")
    ledger = QuotaLedger.objects.get()
    changelist = ops.get(reverse("admin:customs_quotaledger_changelist")).content.decode()
    page = ops.get(reverse("admin:customs_quotaledger_change", args=[ledger.pk])).content.decode()
    for html in (changelist, page):
        assert buyer not in html and ledger.id_masked in html
    assert "SO-7" in page and "3200.00" in page
    assert "3200.00" in changelist  # used this year
    for term in (buyer, "SO-7"):
        found = ops.get(reverse("admin:customs_quotaledger_changelist"), {"q": term})
        assert list(found.context["cl"].result_list) == [ledger]
        assert found.context["cl"].result_list[0].used_year == Decimal("3200.00")
    assert not PersonalDataAccess.objects.exists()
    reveal = reverse("admin:customs_quotaledger_reveal", args=[ledger.pk])
    assert buyer not in ops.get(reveal).content.decode()
    shown = ops.post(reveal, {"purpose": "customs asked about order SO-7"}).content.decode()
    assert buyer in shown
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.purpose) == (operator, "customs asked about order SO-7")


def test_assessments_that_differ_from_their_estimate_are_filtered(ops, assessments):
    estimate, final, plain = assessments
    url = reverse("admin:customs_dutyassessment_changelist")
    flagged = ops.get(url, {"differs": "yes"}).context["cl"].result_list
    assert list(flagged) == [final]
    frozen = ops.get(url, {"status__exact": "frozen"}).context["cl"].result_list
    assert set(frozen) == {final, plain}
    page = ops.get(reverse("admin:customs_dutyassessment_change", args=[final.pk]))
    html = page.content.decode()
    assert "Differences from the estimate" in html and "lines[1].tax_total" in html
    assert final.result["tax_total"] in html and estimate.result["tax_total"] in html
    assert "The estimate it was made from" in html


def test_an_operator_freezes_or_recomputes_from_the_assessment_page(
    ops, operator, assessments, django_capture_on_commit_callbacks
):
    estimate, final, _plain = assessments
    lifecycle = reverse("admin:customs_dutyassessment_lifecycle", args=[estimate.pk])
    with django_capture_on_commit_callbacks(execute=True):
        ops.post(lifecycle, {"action": "recompute"})
    estimate.refresh_from_db()
    assert estimate.status == DutyAssessment.Status.COMPUTED
    assert estimate.events.filter(transition="recompute", actor=operator).exists()
    ops.post(lifecycle, {"action": "freeze"})
    assert DutyAssessment.objects.get(pk=estimate.pk).status == DutyAssessment.Status.FROZEN
    response = ops.post(
        reverse("admin:customs_dutyassessment_lifecycle", args=[final.pk]),
        {"action": "recompute"},
        follow=True,
    )
    assert "not possible in the current state" in response.content.decode()


def test_a_postal_rate_edited_in_both_languages_reaches_the_quotes(
    ops, rate_tables, django_capture_on_commit_callbacks
):
    category = PostalCategory.objects.get(code="2")
    with django_capture_on_commit_callbacks(execute=True):
        response = ops.post(
            reverse("admin:customs_postalcategory_change", args=[category.pk]),
            {
                "code": "2",
                "rate": "25",  # percent, as the form shows it
                "description_en": "textiles and everything not listed elsewhere",
                "description_zh_hans": "纺织品及其他未列明物品",
            },
        )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.description_zh_hans == "纺织品及其他未列明物品"
    html = ops.post(
        reverse("admin:customs_try_quote"),
        try_quote_form(mode="personal_parcel", freight="", **{"lines-0-unit_price": "1200"}),
    ).content.decode()
    assert re.search(r'id="tax-total">300\.00<', html)  # 1,200 x 25 %


RAW_FRACTION = re.compile(r">\s*[01]\.\d{6}\s*<")


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_hs_rates_are_listed_as_percentages(ops, rate_tables, lang):
    """The list showed the stored fractions (0.100000) where operators read 10%."""
    row = HsRate.objects.get(table="CN", hs_prefix="61", flag="")
    url = reverse("admin:customs_hsrate_changelist").replace("/en/", f"/{lang}/")
    html = ops.get(url, {"q": "61", "table__exact": "CN"}).content.decode()
    assert not RAW_FRACTION.search(html)
    cells = re.search(rf'<a href="[^"]*/hsrate/{row.pk}/change/[^"]*">.*?</tr>', html, re.S)
    shown = re.findall(r'<td class="field-(\w+)">([^<]*)</td>', cells.group(0))
    rates = {name: value for name, value in shown if name.endswith("_percent")}
    # customs/seed/rates.csv: CN,61 duty 0.07, VAT empty (the standard rate), CT 0
    assert rates == {"duty_rate_percent": "7%", "vat_rate_percent": "-", "ct_rate_percent": "0%"}


def test_vat_rates_and_postal_categories_are_listed_as_percentages(ops, rate_tables):
    for name in ("vatrate", "postalcategory"):
        html = ops.get(reverse(f"admin:customs_{name}_changelist")).content.decode()
        assert not RAW_FRACTION.search(html), name
    html = ops.get(reverse("admin:customs_vatrate_changelist"), {"q": "DE"}).content.decode()
    assert '<td class="field-rate_percent">19%</td>' in html


def test_an_hs_rate_is_edited_as_a_percentage(ops, rate_tables):
    row = HsRate.objects.get(table="CN", hs_prefix="61", flag="")
    row.duty_rate = Decimal("0.1")
    row.save()
    url = reverse("admin:customs_hsrate_change", args=[row.pk]).replace("/en/", "/zh-hans/")
    html = ops.get(url).content.decode()
    assert re.search(r'name="duty_rate" value="10"', html)
    assert "以百分比填写：13 表示 13%。" in html
    assert not re.search(r'value="0\.\d{6}"', html)
    data = {
        "table": "CN",
        "hs_prefix": "61",
        "flag": "",
        "duty_rate": "130",
        "vat_rate": "",
        "ct_rate": "0",
        "postal_category": row.postal_category,
        "note": row.note,
    }
    refused = ops.post(url, data).content.decode()
    assert "确保该值小于或等于100。" in refused
    row.refresh_from_db()
    assert row.duty_rate == Decimal("0.1")

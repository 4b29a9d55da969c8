"""POST /api/v1/duties/quote and the quote service behind it: anonymous, throttled,
validated with field paths, answered in the request's language, FX converted correctly."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings as django_settings

from customs.api.views import EXAMPLE_REQUEST, EXAMPLE_RESPONSE
from customs.services import buyer_identity_save, duty_quote, fx_rates_into, quota_record_usage
from marketplace.money import Money, convert
from tests.customs.helpers import line
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/duties/quote"


def order(**changes):
    body = {
        "destination": "CN",
        "mode": "direct",
        "order_date": "2026-11-22",
        "freight": "20.00",
        "lines": [
            {
                "sku": "TEE",
                "hs_code": "6109100022",
                "quantity": 1,
                "unit_price": "300.00",
                "currency": "CNY",
            }
        ],
    }
    return body | changes


def post(client, body, language="en", url=URL):
    return client.post(
        url, body, content_type="application/json", headers={"Accept-Language": language}
    )


def test_anyone_can_quote_worked_example_one(client, rate_tables):
    response = post(client, order())
    assert response.status_code == 200
    body = response.json()
    assert body["tax_total"] == "29.12"
    assert body["dutiable_value"] == "320.00"
    assert body["regime"]["code"] == "CN_CBEC_9610"
    vat = body["lines"][0]["taxes"][-1]
    assert (vat["kind"], vat["base"], vat["rate"], vat["factor"], vat["amount"]) == (
        "vat",
        "320.00",
        "0.13",
        "0.7",
        "29.12",
    )
    assert body["blocked"] is False and body["collected_at_checkout"] is True


def test_the_trailing_slash_spelling_answers_too(client, rate_tables):
    assert post(client, order(), url=URL + "/").json()["tax_total"] == "29.12"


def test_a_signed_in_shopper_quotes_with_the_csrf_token(client_for, user, rate_tables):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    refused = post(strict, order())
    assert refused.status_code == 403
    assert post(client_for(user), order()).status_code == 200


def test_the_openapi_example_is_what_the_api_answers(client, rate_tables):
    assert post(client, EXAMPLE_REQUEST).json() == EXAMPLE_RESPONSE


def test_the_endpoint_is_documented_with_its_request_response_and_example(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/duties/quote"]["post"]
    assert "/api/v1/duties/quote/" not in schema["paths"]  # one operation, two spellings
    body = operation["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/QuoteRequest")
    assert [e["value"] for e in body["examples"].values()] == [EXAMPLE_REQUEST]
    answer = operation["responses"]["200"]["content"]["application/json"]
    assert answer["schema"]["$ref"].endswith("/QuoteResponse")
    # 401/403 (a bad token, a session without its CSRF token), 413 and 415 (the body) are
    # the answers every operation documents (marketplace.api.schema.AutoSchema).
    assert set(operation["responses"]) == {"200", "400", "401", "403", "413", "415", "429"}
    assert "id_number" in schema["components"]["schemas"]["QuoteRequest"]["properties"]


def test_texts_follow_the_request_language(client, rate_tables):
    zh = post(
        client,
        order(
            mode="personal_parcel",
            lines=[
                {"hs_code": "6109100022", "quantity": 1, "unit_price": "200", "currency": "CNY"}
            ],
        ),
        "zh-hans",
    )
    body = zh.json()
    assert body["regime"]["name"] == "个人邮寄物品（行邮税）"
    assert body["totals"][0]["name"] == "行邮税"
    assert body["waived_total"] == "40.00" and body["tax_total"] == "0.00"
    assert any("予以免征" in notice["message"] for notice in body["notices"])
    en = post(client, order(mode="personal_parcel"), "en").json()
    assert en["regime"]["name"] == "China personal parcel (postal tax)"


def test_blocking_reasons_come_in_the_shoppers_words(client, rate_tables):
    big = order(
        lines=[{"hs_code": "6109100022", "quantity": 2, "unit_price": "2600", "currency": "CNY"}]
    )
    zh = post(client, big, "zh-hans").json()
    assert zh["blocked"] is True and zh["tax_total"] == "0.00"
    assert zh["blocking"][0]["code"] == "cbec_transaction_limit"
    assert "超过跨境电商零售进口单次交易限值 5,000.00 CNY" in zh["blocking"][0]["message"]
    en = post(client, big, "en").json()
    assert "over the 5,000.00 CNY limit" in en["blocking"][0]["message"]


def shopper_with_identity(client_for, number: str):
    """A signed-in shopper who saved ``number`` on their account, and their client."""
    shopper = UserFactory()
    buyer_identity_save(user=shopper, name="张三", id_number=number)
    return shopper, client_for(shopper)


def test_an_identity_number_gives_the_yearly_allowance_and_is_never_echoed(
    client, client_for, rate_tables, id_number
):
    buyer = id_number(5)
    quota_record_usage(id_number=buyer, year=2026, amount=Decimal("3200.00"), reference="SO-0")
    _, owner = shopper_with_identity(client_for, buyer)
    response = post(owner, order(id_number=buyer))
    body = response.json()
    assert (body["yearly_limit"], body["yearly_remaining"], body["yearly_counted"]) == (
        "26000.00",
        "22800.00",
        "320.00",
    )
    assert buyer not in response.content.decode()
    assert "id_number" not in body
    anonymous = post(client, order()).json()
    assert anonymous["yearly_remaining"] is None and anonymous["yearly_limit"] is None


def test_over_the_yearly_allowance_the_order_is_refused_before_payment(
    client_for, rate_tables, id_number
):
    buyer = id_number(6)
    quota_record_usage(id_number=buyer, year=2026, amount=Decimal("25800.00"), reference="SO-0")
    _, owner = shopper_with_identity(client_for, buyer)
    body = post(owner, order(id_number=buyer), "zh-hans").json()
    assert body["blocked"] is True
    assert "您本年度剩余额度为 200.00 CNY" in body["blocking"][0]["message"]


def test_someone_elses_number_gets_the_same_answer_whoever_it_belongs_to(
    client, client_for, rate_tables, id_number
):
    """The quote once told anyone a stranger's spending: 26,000 minus what they bought."""
    spender, saver = id_number(11), id_number(12)
    quota_record_usage(id_number=spender, year=2026, amount=Decimal("25800.00"), reference="SO-1")
    shopper_with_identity(client_for, spender)  # saved, but on another account
    _, stranger = shopper_with_identity(client_for, id_number(13))
    for caller in (client, stranger):
        for language in ("en", "zh-hans"):
            without = post(caller, order(), language)
            answers = [
                post(caller, order(id_number=number), language) for number in (spender, saver)
            ]
            assert [a.status_code for a in answers] == [200, 200]
            assert answers[0].content == answers[1].content == without.content
            body = answers[0].json()
            assert body["blocked"] is False and body["blocking"] == []
            assert body["yearly_remaining"] is None and body["yearly_limit"] is None
            assert "200.00" not in answers[0].content.decode()
    # The owner of the spent number sees their own 200 CNY left.
    _, owner = shopper_with_identity(client_for, spender)
    mine = post(owner, order(id_number=spender)).json()
    assert mine["yearly_remaining"] == "200.00" and mine["blocked"] is True


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {
                "lines": [
                    {"hs_code": "6109.10", "quantity": 1, "unit_price": "1", "currency": "CNY"}
                ]
            },
            "lines[0].hs_code",
            "4 to 10 digits",
        ),
        (
            {
                "lines": [
                    {"hs_code": "6109100022", "quantity": 1, "unit_price": "1", "currency": "CNY"},
                    {"hs_code": "6109100022", "quantity": 0, "unit_price": "1", "currency": "CNY"},
                ]
            },
            "lines[1].quantity",
            "greater than or equal to 1",
        ),
        (
            {
                "lines": [
                    {"hs_code": "6109100022", "quantity": 1, "unit_price": "-1", "currency": "CNY"}
                ]
            },
            "lines[0].unit_price",
            "greater than or equal to 0",
        ),
        (
            {
                "lines": [
                    {
                        "hs_code": "6109100022",
                        "quantity": 2,
                        "unit_price": "10",
                        "currency": "CNY",
                        "discount": "20.01",
                    }
                ]
            },
            "lines[0].discount",
            "cannot be more than quantity",
        ),
        (
            {
                "lines": [
                    {
                        "hs_code": "6109100022",
                        "quantity": 1,
                        "unit_price": "1",
                        "currency": "CNY",
                        "attributes": ["sparkly"],
                    }
                ]
            },
            "lines[0].attributes[0]",
            "not a valid choice",
        ),
        ({"lines": []}, "lines", "may not be empty"),
        ({"mode": "teleport"}, "mode", "not a valid choice"),
        ({"destination": "Germany"}, "destination", "no more than 2 characters"),
        ({"freight": "a lot"}, "freight", "valid number"),
        ({"id_number": "110101199003071235"}, "id_number", "18-character identity number"),
        ({"mode": "bonded", "destination": "DE"}, "mode", "no tax regime is set up"),
        ({"order_discount": "301"}, "order_discount", "cannot be more than the goods"),
        (
            {
                "lines": [
                    {"hs_code": "6109100022", "quantity": 1, "unit_price": "1", "currency": "XYZ"}
                ]
            },
            "lines[0].currency",
            "No exchange rate from XYZ",
        ),
    ],
)
def test_bad_input_names_the_field_and_the_rule(client, rate_tables, changes, field, words):
    response = post(client, order(**changes))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert words in " ".join(error["fields"][field]), error["fields"]


def test_field_errors_are_translated(client, rate_tables):
    bad = order(lines=[{"hs_code": "61", "quantity": 1, "unit_price": "1", "currency": "CNY"}])
    error = post(client, bad, "zh-hans").json()["error"]
    assert error["message"] == "部分字段无效，请查看各字段的错误说明。"
    assert error["fields"]["lines[0].hs_code"] == ["HS 编码为 4 至 10 位数字，不含点或空格。"]


def test_quotes_are_throttled_per_client(client, rate_tables, settings):
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "quote": "3/min",
        },
    }
    codes = [post(client, order()).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    error = post(client, order(), "zh-hans").json()["error"]
    assert error["status"] == 429 and error["code"] == "throttled" and error["retry_after"] > 0


# --- the service: FX and the ledger --------------------------------------------------------


def test_fx_rates_are_re_expressed_into_the_regime_currency(fx):
    base = {"CNY": Decimal(1), **fx}
    into_eur = fx_rates_into("EUR", base)
    assert into_eur["CNY"] == Decimal(1) / Decimal("7.70")
    assert into_eur["USD"] == Decimal("7.10") / Decimal("7.70")
    assert "EUR" not in into_eur
    assert fx_rates_into("CNY", base)["USD"] == Decimal("7.10")
    assert fx_rates_into("SGD", base) == {}  # no rate of its own: only SGD amounts price


@pytest.mark.parametrize("amount", ["30.00", "64.00", "10.005", "99.99", "149.95"])
def test_a_quote_converts_like_the_money_kernel(rate_tables, fx, amount):
    """A USD line into an EU regime (EUR) gives the goods value convert() gives."""
    result = duty_quote(
        destination="DE",
        mode="export_retail",
        lines=[line(amount, currency="USD")],
        order_date=date(2026, 11, 22),
    )
    expected = convert(Money(Decimal(amount), "USD"), "EUR", fx, base="CNY")
    assert result.currency == "EUR"
    assert result.goods_value == expected.amount


def test_a_cny_line_into_an_eu_regime_uses_the_inverse_rate(rate_tables, fx):
    result = duty_quote(
        destination="DE",
        mode="export_retail",
        lines=[line("770.00", currency="CNY")],
        freight=Decimal("77.00"),
        currency="CNY",
        order_date=date(2026, 11, 22),
    )
    assert (result.goods_value, result.freight) == (Decimal("100.00"), Decimal("10.00"))


def test_frozen_fx_rates_given_by_the_caller_win(rate_tables, fx):
    result = duty_quote(
        destination="CN",
        mode="direct",
        lines=[line("100.00", currency="USD")],
        fx_rates={"USD": Decimal("7.00")},
        order_date=date(2026, 11, 22),
    )
    assert result.goods_value == Decimal("700.00")


def test_the_ledger_fills_the_year_only_for_china(rate_tables, id_number):
    buyer = id_number(8)
    quota_record_usage(id_number=buyer, year=2026, amount=Decimal("26000.00"), reference="SO-0")
    china = duty_quote(
        destination="CN",
        mode="direct",
        lines=[line("10")],
        id_number=buyer,
        order_date=date(2026, 11, 22),
    )
    assert china.blocked and china.yearly_remaining == Decimal("0.00")
    next_year = duty_quote(
        destination="CN",
        mode="direct",
        lines=[line("10")],
        id_number=buyer,
        order_date=date(2027, 1, 1),
    )
    assert not next_year.blocked and next_year.yearly_remaining == Decimal("26000.00")
    uk = duty_quote(
        destination="GB",
        mode="export_retail",
        lines=[line("10", currency="GBP")],
        id_number=buyer,
        order_date=date(2026, 11, 22),
    )
    assert not uk.blocked and uk.yearly_remaining is None


def test_a_quote_with_an_identity_number_costs_one_query(
    rate_tables, fx, id_number, django_assert_num_queries
):
    duty_quote(destination="CN", mode="direct", lines=[line("10")])  # rate book and FX cached
    with django_assert_num_queries(1):
        duty_quote(destination="CN", mode="direct", lines=[line("10")], id_number=id_number(1))

"""The base currency has no rate of its own: 1 CNY is 1 CNY. The service that writes rates
refuses one, and the back-office form says why, in the operator's language."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from marketplace.models import ExchangeRate
from marketplace.services import exchange_rate_set

pytestmark = pytest.mark.django_db

ADD_URL = "/{}/ops/marketplace/exchangerate/add/"


def form_data(currency, rate="1.5"):
    return {
        "currency": currency,
        "rate": rate,
        "valid_from_0": "2026-12-01",
        "valid_from_1": "10:00:00",
    }


def test_the_service_refuses_a_rate_for_the_base_currency(settings):
    settings.BASE_CURRENCY = "CNY"
    before = ExchangeRate.objects.count()
    for code in ("CNY", "cny"):
        with pytest.raises(ValidationError) as refused:
            exchange_rate_set(currency=code, rate=Decimal("1.5"))
        assert "base currency" in refused.value.message_dict["currency"][0]
    assert ExchangeRate.objects.count() == before
    exchange_rate_set(currency="USD", rate=Decimal("7.20"))  # any other currency still works
    assert ExchangeRate.objects.count() == before + 1


def test_the_rule_follows_the_configured_base(settings):
    settings.BASE_CURRENCY = "USD"
    with pytest.raises(ValidationError):
        exchange_rate_set(currency="USD", rate="1.1")
    exchange_rate_set(currency="CNY", rate="0.14")


@pytest.mark.parametrize(
    "lang, message",
    [
        ("en", "CNY is the base currency"),
        ("zh-hans", "CNY 是基准币种"),
    ],
)
def test_the_back_office_form_shows_the_refusal_on_the_currency(
    client_for, operator, lang, message
):
    before = ExchangeRate.objects.count()
    response = client_for(operator).post(ADD_URL.format(lang), form_data("CNY"))
    assert response.status_code == 200  # the form again, not a server error
    html = response.content.decode()
    assert message in html
    assert response.context["adminform"].form.errors["currency"]
    assert ExchangeRate.objects.count() == before


def test_the_back_office_form_still_adds_other_rates(client_for, operator):
    response = client_for(operator).post(ADD_URL.format("en"), form_data("USD", "7.30"))
    assert response.status_code == 302
    row = ExchangeRate.objects.filter(currency="USD").order_by("-created_at").first()
    assert row.rate == Decimal("7.30") and row.set_by == operator

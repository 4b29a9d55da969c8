"""Network edits are checked as a whole: known places only, prices that fit the method's
currency, no two routes of one method claiming the same parcel; saving refreshes every
process's copy on commit."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from logistics.shipping import selectors
from logistics.shipping.models import ShippingMethod, ShippingRoute, ShippingZone
from logistics.shipping.services import network_delete, network_save
from tests.logistics.shipping_helpers import carrier, method, route, zone

pytestmark = pytest.mark.django_db


def messages(exc) -> str:
    return " ".join(m for ms in exc.value.message_dict.values() for m in ms)


def test_zone_members_are_normalised_and_checked():
    made = zone("t-west", "fr, de  FR cn-xj")
    assert made.members == "FR DE CN-XJ"
    with pytest.raises(ValidationError) as exc:
        zone("t-bad", "FR UK CN-XX")
    assert "UK, CN-XX" in messages(exc) and "GB, not UK" in messages(exc)
    with pytest.raises(ValidationError):
        zone("t-empty", "  ")


def test_route_prices_must_fit_the_methods_currency():
    japan, china = zone("t-jp", "JP"), zone("t-cn", "CN")
    yen = method("t-yen", carrier("t-jp-post"), currency_id="JPY")
    with pytest.raises(ValidationError) as exc:
        route(yen, japan, china, first_weight_price=D("1500.50"))
    assert "first_weight_price" in exc.value.message_dict
    assert route(yen, japan, china, first_weight_price=D("1500")).pk


def test_a_methods_currency_cannot_change_under_its_prices():
    japan, china = zone("t-jp", "JP"), zone("t-cn", "CN")
    cny = method("t-cny", carrier("t-c"))
    route(cny, japan, china, first_weight_price=D("12.50"))
    cny.currency_id = "JPY"
    with pytest.raises(ValidationError) as exc:
        network_save(obj=cny)
    assert "currency" in exc.value.message_dict


def test_two_routes_of_one_method_may_not_claim_the_same_parcel():
    china, europe = zone("t-cn", "CN"), zone("t-eu", "FR DE")
    west = zone("t-west", "FR ES")
    line = method("t-line", carrier("t-c"))
    route(line, china, europe)
    with pytest.raises(ValidationError) as exc:
        route(line, china, west)
    assert "FR" in messages(exc) and "t-eu" in messages(exc)
    # Another method may serve the same places; a warehouse kind or a province is more
    # specific and so does not tie.
    route(method("t-other", carrier("t-d")), china, west)
    route(line, china, west, origin_kind="domestic")
    route(line, china, zone("t-remote", "CN-XJ"))
    route(line, china, china)
    # An inactive route never ties.
    assert route(line, zone("t-cn2", "CN"), europe, is_active=False).pk


def test_editing_a_zone_is_checked_against_the_routes_using_it():
    china, europe, spain = zone("t-cn", "CN"), zone("t-eu", "FR DE"), zone("t-es", "ES")
    line = method("t-line", carrier("t-c"))
    route(line, china, europe)
    route(line, china, spain)
    spain.members = "ES FR"
    with pytest.raises(ValidationError) as exc:
        network_save(obj=spain)
    assert "members" in exc.value.message_dict
    assert ShippingZone.objects.get(pk=spain.pk).members == "ES"


def test_the_database_refuses_a_reversed_delivery_window():
    with pytest.raises(ValidationError):
        route(method("t-m", carrier("t-c")), zone("t-a", "JP"), zone("t-b", "CN"), min_days=9,
              max_days=3)  # fmt: skip


def test_saving_bumps_the_network_version_now_and_once_committed(
    django_capture_on_commit_callbacks,
):
    before = selectors.network_version.current()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        zone("t-a", "JP")
        zone("t-b", "KR")
    written = selectors.network_version.current()
    assert written > before  # the writer's own reads see its edit at once
    assert len(callbacks) == 1  # one more bump on commit, however many rows changed
    callbacks[0]()
    assert selectors.network_version.current() > written


def test_carriers_and_methods_are_switched_off_not_deleted():
    seeded = ShippingMethod.objects.get(code="dhl-express")
    with pytest.raises(ValidationError):
        network_delete(obj=seeded)
    some_route = ShippingRoute.objects.filter(method=seeded).first()
    network_delete(obj=some_route)
    assert not ShippingRoute.objects.filter(pk=some_route.pk).exists()

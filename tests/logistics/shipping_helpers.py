"""A small shipping network for tests, built through the services (the seeded default
network is switched off first, so every option a test sees is one it made)."""

from __future__ import annotations

from decimal import Decimal as D

from logistics.shipping.models import Carrier, ShippingMethod, ShippingRoute, ShippingZone
from logistics.shipping.services import network_save
from marketplace.money import Money

RATES = {"USD": D("7.10"), "EUR": D("7.70"), "JPY": D("0.047"), "CNY": D("1")}


def cny(amount: str) -> Money:
    return Money(D(amount), "CNY")


def zone(code: str, members: str) -> ShippingZone:
    return network_save(
        obj=ShippingZone(code=code, name_en=code.upper(), name_zh_hans=f"区{code}", members=members)
    )


def carrier(code: str, **fields) -> Carrier:
    return network_save(obj=Carrier(code=code, name_en=code.title(), name_zh_hans=code, **fields))


def method(code: str, carrier_obj: Carrier, **fields) -> ShippingMethod:
    values = {
        "name_en": f"{code} service",
        "name_zh_hans": f"{code}服务",
        "kind": ShippingMethod.Kind.POSTAL,
        "currency_id": "CNY",
        "volumetric_divisor": None,
        "max_weight_kg": None,
        "free_shipping_eligible": True,
    }
    values.update(fields)
    return network_save(obj=ShippingMethod(code=code, carrier=carrier_obj, **values))


def route(method_obj, origin, destination, **fields) -> ShippingRoute:
    values = {
        "origin_kind": "",
        "min_days": 3,
        "max_days": 5,
        "working_days": False,
        "first_weight_kg": D("1"),
        "first_weight_price": D("10.00"),
        "step_kg": D("1"),
        "step_price": D("5.00"),
        "minimum_charge": D("0"),
    }
    values.update(fields)
    return network_save(
        obj=ShippingRoute(
            method=method_obj, origin_zone=origin, destination_zone=destination, **values
        )
    )


def switch_off_seeded_network() -> None:
    ShippingRoute.objects.update(is_active=False)

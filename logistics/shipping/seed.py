"""The default shipping network every installation starts with (demo and tests use it too).

Transit times follow ``shared/reference/tracking.md`` ("Transit times to promise"):

| route | promised here |
| --- | --- |
| China -> US / Europe, express | 3-5 days |
| China -> US / Europe, dedicated line | 7-15 days |
| China -> Russia / South America | 25-30 days (dedicated line), 25-40 (postal) |
| postal | 15-30 days |
| bonded warehouse in China -> shopper in China | 1-5 working days (remote provinces 3-7) |
| direct mail into China | about 2 weeks: 10-15 days by postal EMS, 5-8 by express |

Rates are realistic starting points, not any carrier's tariff: operators replace them in
the back office. Used by the data migration (historical models), by the test suite after
a transactional test flushed the database, and by ``seed_demo`` (through the migration).
Idempotent and additive: rows are matched by code (routes by method, zones and warehouse
kind), existing rows are left as the operator edited them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

EU27 = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
REMOTE_CN = "CN-XJ CN-XZ CN-QH CN-GS CN-NX CN-NM"

# fmt: off
ZONES = [
    # code, en, zh-hans, members
    ("cn", "Mainland China", "中国大陆", "CN"),
    ("cn-remote", "China remote provinces", "中国偏远省区", REMOTE_CN),
    ("east-asia", "Japan and Korea", "日韩", "JP KR"),
    ("anz", "Australia and New Zealand", "澳新", "AU NZ"),
    ("europe", "Europe (EU, UK, Switzerland, Norway)", "欧洲（欧盟、英国、瑞士、挪威）",
     f"{EU27} GB CH NO"),
    ("north-america", "United States and Canada", "美国和加拿大", "US CA"),
    ("ru-latam", "Russia and Latin America", "俄罗斯及拉丁美洲", "RU BR AR CL CO PE MX"),
]
# fmt: on

CARRIERS = [
    # code, en, zh-hans, website
    ("china-post", "China Post", "中国邮政", "https://www.chinapost.com.cn/"),
    ("ems", "EMS (national posts)", "EMS（各国邮政）", "https://www.ems.post/"),
    ("dhl", "DHL Express", "DHL国际快递", "https://www.dhl.com/"),
    ("yanwen", "Yanwen Logistics", "燕文物流", "https://www.yw56.com.cn/"),
    ("sf", "SF Express", "顺丰速运", "https://www.sf-express.com/"),
]

K_EXPRESS, K_LINE, K_POSTAL, K_DOMESTIC = "express", "dedicated_line", "postal", "domestic"

# fmt: off
METHODS = [
    # code, carrier, en, zh-hans, description en, description zh, kind, currency, divisor,
    # max kg, free-shipping eligible, position
    ("sf-standard", "sf", "SF Express Standard", "顺丰标快",
     "Door to door across mainland China.", "中国大陆门到门。",
     K_DOMESTIC, "CNY", 6000, "50", True, 10),
    ("china-post-parcel", "china-post", "China Post Parcel", "中国邮政快递包裹",
     "Economical delivery to every address in mainland China.", "经济实惠，通达中国大陆每个地址。",
     K_DOMESTIC, "CNY", None, "40", True, 20),
    ("ems-direct-mail", "ems", "EMS direct mail to China", "EMS邮政直邮中国",
     "Posted abroad, cleared by China customs, delivered by China Post.",
     "海外邮政寄出，中国海关清关，中国邮政派送。",
     K_POSTAL, "CNY", 6000, "30", True, 30),
    ("dhl-express", "dhl", "DHL Express Worldwide", "DHL全球特快",
     "Fastest, with tracking door to door; customs clearance included.",
     "最快，全程追踪门到门，含清关。",
     K_EXPRESS, "USD", 5000, "70", False, 40),
    ("yanwen-line", "yanwen", "Yanwen dedicated line", "燕文专线",
     "Consolidated air freight, handed to the local post for delivery.",
     "集运空运，目的国邮政派送。",
     K_LINE, "CNY", 6000, "30", True, 50),
    ("china-post-air", "china-post", "China Post Air Parcel", "中国邮政航空包裹",
     "Economical international post, charged by actual weight.", "经济型国际邮政包裹，按实重计费。",
     K_POSTAL, "CNY", None, "30", True, 60),
]
# fmt: on

# method, origin zone, origin warehouse kind ("" = any), destination zone,
# min days, max days, working days, first kg, first price, step kg, step price, minimum
# fmt: off
ROUTES = [
    # Bonded goods (1210) leave the bonded zone for Chinese shoppers once customs releases them.
    ("sf-standard", "cn", "bonded", "cn", 1, 5, True, "1", "14.00", "1", "4.00", "0"),
    ("sf-standard", "cn", "bonded", "cn-remote", 3, 7, True, "1", "24.00", "1", "12.00", "0"),
    ("sf-standard", "cn", "domestic", "cn", 1, 3, True, "1", "12.00", "1", "3.00", "0"),
    ("sf-standard", "cn", "domestic", "cn-remote", 3, 6, True, "1", "22.00", "1", "10.00", "0"),
    ("china-post-parcel", "cn", "bonded", "cn", 2, 6, True, "1", "8.00", "1", "3.00", "0"),
    ("china-post-parcel", "cn", "bonded", "cn-remote", 4, 10, True, "1", "15.00", "1", "8.00", "0"),
    ("china-post-parcel", "cn", "domestic", "cn", 2, 5, True, "1", "7.00", "1", "2.00", "0"),
    ("china-post-parcel", "cn", "domestic", "cn-remote", 4, 9, True, "1", "14.00", "1", "8.00", "0"),
    # Direct mail into China (9610) from overseas warehouses: about two weeks by post.
    ("ems-direct-mail", "east-asia", "overseas", "cn", 7, 12, False, "0.5", "70.00", "0.5", "18.00", "0"),
    ("ems-direct-mail", "anz", "overseas", "cn", 10, 15, False, "0.5", "90.00", "0.5", "25.00", "0"),
    ("ems-direct-mail", "europe", "overseas", "cn", 10, 15, False, "0.5", "100.00", "0.5", "30.00", "0"),
    ("ems-direct-mail", "north-america", "overseas", "cn", 10, 15, False, "0.5", "100.00", "0.5", "30.00", "0"),
    # ... and by express, customs clearance included.
    ("dhl-express", "east-asia", "overseas", "cn", 4, 6, False, "0.5", "30.00", "0.5", "7.00", "0"),
    ("dhl-express", "anz", "overseas", "cn", 5, 8, False, "0.5", "40.00", "0.5", "10.00", "0"),
    ("dhl-express", "europe", "overseas", "cn", 5, 8, False, "0.5", "42.00", "0.5", "10.00", "0"),
    ("dhl-express", "north-america", "overseas", "cn", 5, 8, False, "0.5", "40.00", "0.5", "10.00", "0"),
    # Export retail (9610 export / 9810) from Chinese domestic warehouses.
    ("dhl-express", "cn", "domestic", "north-america", 3, 5, False, "0.5", "38.00", "0.5", "9.00", "0"),
    ("dhl-express", "cn", "domestic", "europe", 3, 5, False, "0.5", "40.00", "0.5", "10.00", "0"),
    ("dhl-express", "cn", "domestic", "east-asia", 2, 4, False, "0.5", "28.00", "0.5", "6.00", "0"),
    ("dhl-express", "cn", "domestic", "anz", 3, 6, False, "0.5", "42.00", "0.5", "11.00", "0"),
    ("dhl-express", "cn", "domestic", "ru-latam", 5, 8, False, "0.5", "55.00", "0.5", "14.00", "0"),
    ("yanwen-line", "cn", "domestic", "north-america", 7, 15, False, "0.1", "22.00", "0.1", "9.00", "30.00"),
    ("yanwen-line", "cn", "domestic", "europe", 7, 15, False, "0.1", "20.00", "0.1", "8.50", "30.00"),
    ("yanwen-line", "cn", "domestic", "east-asia", 5, 10, False, "0.1", "15.00", "0.1", "5.00", "20.00"),
    ("yanwen-line", "cn", "domestic", "anz", 7, 15, False, "0.1", "20.00", "0.1", "8.00", "30.00"),
    ("yanwen-line", "cn", "domestic", "ru-latam", 25, 30, False, "0.1", "25.00", "0.1", "10.00", "35.00"),
    ("china-post-air", "cn", "domestic", "north-america", 15, 30, False, "1", "130.00", "1", "60.00", "0"),
    ("china-post-air", "cn", "domestic", "europe", 15, 30, False, "1", "120.00", "1", "55.00", "0"),
    ("china-post-air", "cn", "domestic", "east-asia", 10, 20, False, "1", "80.00", "1", "30.00", "0"),
    ("china-post-air", "cn", "domestic", "anz", 15, 30, False, "1", "110.00", "1", "45.00", "0"),
    ("china-post-air", "cn", "domestic", "ru-latam", 25, 40, False, "1", "140.00", "1", "70.00", "0"),
]
# fmt: on


def seed_shipping_network(get_model: Callable[[str, str], type]) -> dict[str, int]:
    """Create the default zones, carriers, methods and routes that are missing; return how
    many of each were created."""
    Zone = get_model("logistics", "ShippingZone")  # noqa: N806 - a model class
    Carrier = get_model("logistics", "Carrier")  # noqa: N806
    Method = get_model("logistics", "ShippingMethod")  # noqa: N806
    Route = get_model("logistics", "ShippingRoute")  # noqa: N806
    created = {"zones": 0, "carriers": 0, "methods": 0, "routes": 0}

    zones = {}
    for code, en, zh, members in ZONES:
        zone, made = Zone.objects.get_or_create(
            code=code,
            defaults={"name": en, "name_en": en, "name_zh_hans": zh, "members": members},
        )
        zones[code] = zone
        created["zones"] += made
    carriers = {}
    for code, en, zh, website in CARRIERS:
        carrier, made = Carrier.objects.get_or_create(
            code=code, defaults={"name": en, "name_en": en, "name_zh_hans": zh, "website": website}
        )
        carriers[code] = carrier
        created["carriers"] += made
    methods = {}
    for (
        code,
        carrier,
        en,
        zh,
        note_en,
        note_zh,
        kind,
        currency,
        divisor,
        max_kg,
        free,
        position,
    ) in METHODS:
        method, made = Method.objects.get_or_create(
            code=code,
            defaults={
                "carrier": carriers[carrier],
                "name": en,
                "name_en": en,
                "name_zh_hans": zh,
                "description": note_en,
                "description_en": note_en,
                "description_zh_hans": note_zh,
                "kind": kind,
                "currency_id": currency,
                "volumetric_divisor": divisor,
                "max_weight_kg": Decimal(max_kg),
                "free_shipping_eligible": free,
                "position": position,
            },
        )
        methods[code] = method
        created["methods"] += made
    for (
        method,
        origin,
        kind,
        destination,
        low,
        high,
        working,
        first_kg,
        first_price,
        step_kg,
        step_price,
        minimum,
    ) in ROUTES:
        _route, made = Route.objects.get_or_create(
            method=methods[method],
            origin_zone=zones[origin],
            origin_kind=kind,
            destination_zone=zones[destination],
            defaults={
                "min_days": low,
                "max_days": high,
                "working_days": working,
                "first_weight_kg": Decimal(first_kg),
                "first_weight_price": Decimal(first_price),
                "step_kg": Decimal(step_kg),
                "step_price": Decimal(step_price),
                "minimum_charge": Decimal(minimum),
            },
        )
        created["routes"] += made
    return created

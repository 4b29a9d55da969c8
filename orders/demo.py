"""Demo shopper for the checkout (``DEMO_STEPS``, run by ``marketplace.demo.seed_demo``): an
account with a saved delivery address in Hangzhou and a saved customs identity (customs'
demo buyer, whose quota ledger already counts 3,200 CNY this year), so a visitor can log in
and buy with a test card without typing an address or an identity number.

Idempotent: the identity is keyed by its digest, the address is added once.
"""

from __future__ import annotations

from customs.demo import DEMO_BUYER_ID
from customs.services.identities import buyer_identity_save
from marketplace.demo import DemoStep
from orders.selectors import addresses_of
from orders.services import address_save

SHOPPER_EMAIL = "shopper@silkway.local"
SHOPPER_NAME = "林小雨"
HOME = {
    "name": SHOPPER_NAME,
    "phone": "13800138000",
    "country": "CN",
    "province": "CN-ZJ",
    "city": "杭州市",
    "district": "西湖区",
    "lines": "文三路 90 号 1 幢 301 室",
    "postcode": "310012",
}


def seed_orders_demo(demo) -> None:
    shopper = demo.user(SHOPPER_EMAIL)
    buyer_identity_save(user=shopper, name=SHOPPER_NAME, id_number=DEMO_BUYER_ID)
    if not addresses_of(user=shopper).exists():
        address_save(user=shopper, address=HOME, label="家")
    demo.login(SHOPPER_EMAIL, "shopper (saved address and identity)", "/zh-hans/checkout/")


DEMO_STEPS = [DemoStep("orders.shopper", seed_orders_demo, after=("customs.rates",))]

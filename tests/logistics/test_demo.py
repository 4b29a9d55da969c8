"""Demo warehouses and stock: every kind of warehouse, stock for every approved SKU written
through the services, some low and some sold out, and seeding twice changes nothing."""

import pytest
from django.db.models import Sum

from catalog.demo_stock import seed_stock_demo
from catalog.models import Stock, StockAdjustment
from catalog.selectors.stock import low_stock_skus
from logistics.demo import seed_logistics_demo
from logistics.models import Warehouse
from tests.factories import MerchantFactory, ProductFactory, SKUFactory

pytestmark = pytest.mark.django_db


def seed_warehouses_and_stock():
    """Logistics' demo step, then catalog's stock step, as ``seed_demo`` runs them."""
    seed_logistics_demo()
    seed_stock_demo()


@pytest.fixture
def catalog():
    kiwi = MerchantFactory(slug="kiwi-nature")
    tokyo = MerchantFactory(slug="tokyo-beauty", country="JP")
    skus = []
    for i in range(8):
        skus.append(
            SKUFactory(
                product=ProductFactory(merchant=kiwi),
                product_record_status="recorded" if i % 2 else "none",
                product_record_number=f"R-{i}" if i % 2 else "",
            )
        )
    for _ in range(6):
        skus.append(SKUFactory(product=ProductFactory(merchant=tokyo), origin_country="JP"))
    draft = SKUFactory(product=ProductFactory(merchant=kiwi, status="draft"))
    return skus, draft


def test_demo_warehouses_cover_every_kind():
    MerchantFactory(slug="kiwi-nature")
    seed_logistics_demo()
    kinds = set(Warehouse.objects.platform().values_list("kind", flat=True))
    assert kinds == {"bonded", "overseas", "domestic"}
    for bonded in Warehouse.objects.filter(kind="bonded"):
        assert bonded.country == "CN" and len(bonded.customs_area_code) == 4
    assert Warehouse.objects.get(code="kiwi-christchurch").merchant.slug == "kiwi-nature"
    assert Warehouse.objects.get(code="tokyo").name_zh_hans == "东京海外仓"


def test_every_approved_sku_is_stocked_in_a_bonded_or_overseas_warehouse(catalog):
    skus, draft = catalog
    seed_warehouses_and_stock()
    for sku in skus:
        places = Stock.objects.filter(sku=sku).select_related("warehouse")
        kinds = {s.warehouse.kind for s in places}
        assert kinds & {"bonded", "overseas"}, sku.code
        if sku.product_record_status == "recorded":
            assert "bonded" in kinds
        else:
            assert "bonded" not in kinds
        if sku.origin_country == "JP":
            assert {s.warehouse.code for s in places} == {"tokyo"}
    assert not Stock.objects.filter(sku=draft).exists()


def test_demo_stock_has_low_and_sold_out_skus_and_a_ledger_that_adds_up(catalog):
    seed_warehouses_and_stock()
    low = {sku.code: sku.total_available for sku in low_stock_skus(merchant=catalog[0][0].merchant)}
    low.update(
        {sku.code: sku.total_available for sku in low_stock_skus(merchant=catalog[0][-1].merchant)}
    )
    assert 0 in low.values(), "some demo SKUs are sold out"
    assert any(v > 0 for v in low.values()), "some demo SKUs are running low"
    for stock in Stock.objects.all():
        ledger = StockAdjustment.objects.filter(stock=stock)
        assert ledger.filter(reason="receipt").exists()
        assert ledger.aggregate(t=Sum("on_hand_delta"))["t"] == stock.on_hand


def test_seeding_twice_changes_nothing(catalog):
    seed_warehouses_and_stock()
    before = (Warehouse.objects.count(), Stock.objects.count(), StockAdjustment.objects.count())
    seed_warehouses_and_stock()
    after = (Warehouse.objects.count(), Stock.objects.count(), StockAdjustment.objects.count())
    assert before == after


def test_the_full_demo_stocks_every_approved_product():
    from catalog.models import SKU, Product
    from marketplace.demo import seed_demo

    seed_demo()
    approved = SKU.objects.filter(product__status=Product.Status.APPROVED, is_active=True)
    assert approved.exists()
    unstocked = approved.exclude(stock__warehouse__kind__in=["bonded", "overseas"])
    assert list(unstocked.values_list("code", flat=True)) == []
    assert Stock.objects.filter(warehouse__kind="bonded").exists()
    assert Stock.objects.filter(warehouse__kind="overseas").exists()
    sold_out = [s for s in Stock.objects.all() if s.on_hand == 0]
    assert sold_out, "a few demo SKUs are out of stock"
    counts = (Stock.objects.count(), StockAdjustment.objects.count())
    seed_demo()
    assert (Stock.objects.count(), StockAdjustment.objects.count()) == counts


def test_the_demo_stock_pages_in_chinese_have_no_english(client_for):
    from accounts.models import User
    from marketplace.demo import seed_demo
    from tests.catalog.test_stock_pages import _visible_ui_words

    seed_demo()
    client = client_for(User.objects.get(email="store@silkway.local"))
    for path in (
        "/zh-hans/seller/stock/",
        "/zh-hans/seller/stock/low/",
        "/zh-hans/seller/stock/warehouses/",
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert _visible_ui_words(response.content.decode()) == set(), path
    row = Stock.objects.filter(merchant__slug="silkway-global").first()
    detail = client.get(f"/zh-hans/seller/stock/{row.pk}/").content.decode()
    assert _visible_ui_words(detail) == set()


# --------------------------------------------------------------------------------------------
# The tracking demo as ``make run`` runs it: seeded on the embedded default, then the
# simulators, the workers and the web server started as their own processes, and nobody
# touching anything while the parcel travels.
# --------------------------------------------------------------------------------------------

DEMO_CARRIERS = ("china-post", "ems", "dhl", "yanwen", "sf")
# Direct mail into China (12–16 days) in about 12 seconds.
DEMO_SPEED = "100000"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env: dict, log, *args: str):
    import subprocess
    import sys

    from tests.processes import ROOT

    return subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _answers(url: str) -> bool:
    import requests

    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.RequestException:
        return False


def _signed_in(base: str, email: str):
    import re

    import requests

    from marketplace.demo import DEMO_PASSWORD

    session = requests.Session()
    page = session.get(f"{base}/en/accounts/login/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    session.post(
        f"{base}/en/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": email, "password": DEMO_PASSWORD},
        headers={"Referer": f"{base}/en/accounts/login/"},
        timeout=10,
    )
    return session


def _timeline(html: str) -> list[str]:
    """The statuses of the order page's timeline, oldest first."""
    import re

    section = re.search(r"<section class=\"tracking\".*?</section>", html, re.S)
    return (
        list(reversed(re.findall(r'data-status="([a-z_]*)"', section.group(0)))) if section else []
    )


DECLARATION = """
from customs.declarations.models import OrderDeclaration
from orders.models import Order
order = Order.objects.get(number="{number}")
print("order", order.status, "declaration", OrderDeclaration.objects.get(order=order).status)
"""


@pytest.mark.timeout(600)
def test_the_demo_parcel_travels_to_delivered_by_itself_and_the_stuck_one_is_queued(tmp_path):
    import re

    from tests.fulfilment.simulator import wait_for
    from tests.processes import embedded_default_env, manage, stop_process

    web, customs, carrier = _free_port(), _free_port(), _free_port()
    base = f"http://127.0.0.1:{web}"
    env = embedded_default_env(
        tmp_path,
        CUSTOMS_GATEWAY_URL=f"http://127.0.0.1:{customs}",
        CARRIER_SIMULATOR_URL=f"http://127.0.0.1:{carrier}",
        OUTBOX_SWEEP_GRACE_SECONDS="1",
    )
    manage(env, "migrate", "--noinput", "-v", "0")
    seeded = manage(env, "seed_demo")
    number, waybill = re.search(r"order (SW[0-9A-Z]+), parcel (\S+) on its way", seeded).groups()
    stuck = re.search(r"stuck parcel (\S+) in the exceptions queue", seeded).group(1)

    # make run's processes, started after the seed as make run starts them
    log = open(tmp_path / "processes.log", "w")  # noqa: SIM115 - closed below
    processes = [
        _start(env, log, "runserver", f"127.0.0.1:{web}", "--noreload"),
        _start(
            env,
            log,
            "customs_gateway",
            "--port",
            str(customs),
            "--state-dir",
            str(tmp_path / "customs"),
        ),
        _start(
            env,
            log,
            "carrier_simulator",
            "--port",
            str(carrier),
            "--state-dir",
            str(tmp_path / "carrier"),
            "--platform-url",
            base,
            "--speed",
            DEMO_SPEED,
            *[arg for code in DEMO_CARRIERS for arg in ("--carrier", f"{code}=demo-{code}")],
        ),
        _start(env, log, "declarations_worker", "--every", "1"),
        _start(env, log, "tracking_worker", "--every", "5"),
    ]
    try:
        wait_for(lambda: _answers(f"{base}/healthz"), timeout=60)
        shopper = _signed_in(base, "shopper@silkway.local")
        order_page = f"{base}/en/account/orders/{number}/"

        # the booking failed while the simulator was down; the outbox sweep books it, and
        # the simulator's signed webhooks move it to the end
        def delivered():
            timeline = _timeline(shopper.get(order_page, timeout=10).text)
            return timeline if timeline and timeline[-1] == "delivered" else None

        timeline = wait_for(delivered, timeout=180, interval=2)
        assert timeline[0] == "info_received"
        assert timeline.index("customs") < timeline.index("customs_released") < len(timeline) - 1
        assert "out_for_delivery" in timeline

        english = shopper.get(order_page, timeout=10).text
        assert f'data-parcel="{waybill}"' in english
        assert "Released by customs" in english and "Delivered" in english
        chinese = shopper.get(f"{base}/zh-hans/account/orders/{number}/", timeout=10).text
        assert "海关已放行" in chinese and "清关中" in chinese and "已投递" in chinese
        assert "Held by customs for inspection" in chinese  # the carrier's own text beside

        # customs: the order was declared through the gateway simulator and cleared
        def cleared():
            out = manage(env, "shell", "-c", DECLARATION.format(number=number))
            return out if "declaration cleared" in out else None

        assert "order delivered" in wait_for(cleared, timeout=60, interval=2)

        # the stuck parcel waits in the operators' queue
        ops = _signed_in(base, "ops@silkway.local")
        queue = ops.get(f"{base}/en/ops/fulfilment/parcelexception/", timeout=10).text
        assert stuck in queue
        assert "No news from the carrier for too long" in queue
        zh_queue = ops.get(f"{base}/zh-hans/ops/fulfilment/parcelexception/", timeout=10).text
        assert stuck in zh_queue and "承运商长时间无更新" in zh_queue
    finally:
        for process in processes:
            stop_process(process)
        log.close()

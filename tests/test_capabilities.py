"""Capabilities are enforced by the services, one way (docs/ARCHITECTURE.md, "Capabilities").

Every service that writes for a merchant on someone's behalf asks
``merchants.services.require_capability`` first, so each door (portal, API, back office, CSV
import) gets the same answer; doors pass the person who acts, never leave it out (which
would make the platform act). Operators are active staff accounts only.
"""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from catalog.models import Product, Stock
from catalog.services import imports, moderation, products
from catalog.services.stock import stock_adjust
from logistics.models import Warehouse
from logistics.services import warehouse_create, warehouse_update
from logistics.shipping.services import free_shipping_threshold_set
from merchants.roles import CAPABILITIES, Capability, Role
from tests.catalog.listing_helpers import sku_input
from tests.factories import (
    CategoryFactory,
    MembershipFactory,
    OperatorFactory,
    ProductFactory,
    SKUFactory,
    StockFactory,
    UserFactory,
    WarehouseFactory,
)

ROOT = Path(__file__).resolve().parents[1]
ENFORCERS = {"require_capability", "_may_edit", "_acting_as_operator"}
DOOR_FILES = (
    "views.py",
    "apply_views.py",
    "seller_views.py",
    "account_views.py",
    "admin.py",
    "api.py",
)
DOOR_DIRS = ("views", "api", "admin")


def _service_modules():
    for pattern in ("*/**/services*/**/*.py", "*/**/services.py"):
        for path in ROOT.glob(pattern):
            if ".venv" not in path.parts:
                yield path


def _functions_that_enforce() -> set[str]:
    """Service functions that check capabilities (they call one of ``ENFORCERS``)."""
    names = set()
    for path in set(_service_modules()):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                calls = {
                    getattr(n.func, "id", getattr(n.func, "attr", ""))
                    for n in ast.walk(node)
                    if isinstance(n, ast.Call)
                }
                if calls & ENFORCERS:
                    names.add(node.name)
    return names


def _door_modules():
    for path in sorted(ROOT.glob("*/**/*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {".venv", "tests", "bench"} or "migrations" in rel.parts:
            continue
        if rel.name in DOOR_FILES or set(rel.parts[1:-1]) & set(DOOR_DIRS):
            yield path


def test_the_services_that_enforce_are_the_ones_doors_call():
    enforced = _functions_that_enforce()
    assert {
        "product_create",
        "product_update",
        "sku_upsert",
        "product_image_add",
        "product_submit",
        "stock_adjust",
        "import_job_create",
        "warehouse_create",
        "free_shipping_threshold_set",
        "invitation_create",
        "membership_change_role",
        "payout_details_set",
    } <= enforced


def test_every_door_passes_the_person_who_acts():
    enforced = _functions_that_enforce()
    missing = []
    for path in _door_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in enforced and not {k.arg for k in node.keywords} & {"by", "actor"}:
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert missing == [], f"doors must pass by=/actor= (else the platform acts): {missing}"


# --- the answers ---------------------------------------------------------------------------


@pytest.fixture
def shop(db):
    owner = MembershipFactory(role=Role.OWNER)
    product = ProductFactory(merchant=owner.merchant, status=Product.Status.DRAFT)
    sku = SKUFactory(product=product)
    warehouse = WarehouseFactory(merchant=owner.merchant, kind="overseas", country="JP")
    stock = StockFactory(sku=sku, warehouse=warehouse)
    return owner, product, stock


def _writes(merchant, product, stock):
    """One call of each kind of catalog write, as ``by``."""
    return {
        "product_create": lambda by: products.product_create(
            merchant=merchant, category=CategoryFactory(), name_en="x", name_zh_hans="", by=by
        ),
        "product_update": lambda by: products.product_update(
            product=product, by=by, min_order_quantity=7
        ),
        "sku_upsert": lambda by: products.sku_upsert(
            product=product, data=sku_input(code="NEW-1"), by=by
        ),
        "product_submit": lambda by: moderation.product_submit(product=product, by=by),
        "stock_adjust": lambda by: stock_adjust(
            merchant=merchant,
            sku=stock.sku,
            warehouse=stock.warehouse,
            reason="receipt",
            quantity=5,
            actor=by,
        ),
        "import_job_create": lambda by: imports.import_job_create(
            merchant=merchant, kind="stock", data=b"sku,warehouse,quantity\n", actor=by
        ),
        "warehouse_create": lambda by: warehouse_create(
            merchant=merchant, code="own-2", kind="domestic", country="CN", name_en="B", by=by
        ),
        "warehouse_update": lambda by: warehouse_update(
            warehouse=stock.warehouse, by=by, name_en="Renamed"
        ),
        "free_shipping_threshold_set": lambda by: free_shipping_threshold_set(
            merchant=merchant, amount="99", currency="CNY", by=by
        ),
    }


def _unchanged(product, stock, merchant):
    product.refresh_from_db()
    stock.refresh_from_db()
    assert product.min_order_quantity != 7 and product.status == Product.Status.DRAFT
    assert stock.on_hand == 20 and product.skus.count() == 1
    assert not Warehouse.objects.filter(code="own-2").exists()
    assert Stock.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["another merchant's owner", "a removed member", "a shopper", "a deactivated operator"]
)
def test_a_person_without_the_capability_is_refused_by_every_catalog_service(shop, who):
    owner, product, stock = shop
    merchant = owner.merchant
    if who == "another merchant's owner":
        person = MembershipFactory(role=Role.OWNER).user
    elif who == "a removed member":
        person = MembershipFactory(merchant=merchant, role=Role.MANAGER, is_active=False).user
    elif who == "a shopper":
        person = UserFactory()
    else:
        person = OperatorFactory(is_active=False)
    for name, write in _writes(merchant, product, stock).items():
        with pytest.raises(PermissionDenied):
            write(person)
        assert name  # every kind was tried
    _unchanged(product, stock, merchant)


@pytest.mark.django_db
def test_a_role_without_manage_catalog_is_refused_and_members_and_operators_are_not(
    shop, monkeypatch
):
    owner, product, stock = shop
    merchant = owner.merchant
    viewer = MembershipFactory(merchant=merchant, role=Role.STAFF).user
    monkeypatch.setitem(CAPABILITIES, Role.STAFF, frozenset({Capability.VIEW}))
    writes = _writes(merchant, product, stock)
    for write in writes.values():
        with pytest.raises(PermissionDenied):
            write(viewer)
    _unchanged(product, stock, merchant)
    writes["product_update"](owner.user)
    writes["stock_adjust"](OperatorFactory())
    product.refresh_from_db()
    stock.refresh_from_db()
    assert product.min_order_quantity == 7 and stock.on_hand == 25
    threshold = writes["free_shipping_threshold_set"](owner.user)
    assert threshold.free_shipping_threshold == Decimal("99")


@pytest.mark.django_db
def test_a_deactivated_operator_is_no_operator(shop):
    from accounts.models import is_operator

    owner, product, _stock = shop
    product.status = Product.Status.PENDING_REVIEW
    product.save()
    former = OperatorFactory(is_active=False)
    assert not is_operator(former) and not former.is_operator
    with pytest.raises(PermissionDenied):
        moderation.product_approve(product=product, by=former)
    product.refresh_from_db()
    assert product.status == Product.Status.PENDING_REVIEW
    assert is_operator(OperatorFactory())


@pytest.mark.django_db
def test_a_csv_job_whose_uploader_was_removed_imports_nothing_and_says_why(shop):
    from catalog.models import ImportJob

    owner, _product, stock = shop
    manager = MembershipFactory(merchant=owner.merchant, role=Role.MANAGER)
    job = ImportJob.objects.create(
        merchant=owner.merchant,
        kind=ImportJob.Kind.STOCK,
        content=f"sku_code,warehouse_code,quantity\n{stock.sku.code},{stock.warehouse.code},99\n",
        total_rows=1,
        created_by=manager.user,
    )
    manager.is_active = False
    manager.save()
    imports.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    stock.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and stock.on_hand == 20
    assert job.errors[0]["message"] == "Your role may not do this."

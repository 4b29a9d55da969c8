"""Every digit rule means ASCII 0-9: full-width and Arabic-Indic digits are refused with a
400 naming the field, never accepted by one step and refused (as a 500) by the next."""

import ast
from pathlib import Path

import pytest

from marketplace.digits import ascii_int, is_ascii_digits
from tests.catalog.listing_helpers import sku_api_data
from tests.factories import CategoryFactory

ROOT = Path(__file__).resolve().parents[2]
FULL_WIDTH = "３３０４９９００９９"
ARABIC_INDIC = "٣٣٠٤٩٩٠٠٩٩"


def test_the_kernel_helpers_take_ascii_only():
    assert is_ascii_digits("3304990099")
    assert not is_ascii_digits(FULL_WIDTH) and not is_ascii_digits(ARABIC_INDIC)
    assert not is_ascii_digits("") and not is_ascii_digits("²")
    assert ascii_int("42") == 42 and ascii_int("-3") == -3
    assert ascii_int("４２") is None and ascii_int("٤٢") is None and ascii_int("4.2") is None


@pytest.mark.django_db
@pytest.mark.parametrize("hs_code", [FULL_WIDTH, ARABIC_INDIC])
def test_a_seller_sku_refuses_non_ascii_hs_codes(tenants, hs_code):
    response = tenants.a.client.post(
        "/api/v1/seller/products/",
        {
            "name_en": "Serum",
            "category": CategoryFactory().pk,
            "skus": [sku_api_data(hs_code=hs_code, customs_unit="０１１")],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = {(e["field"], e["code"]) for e in response.json()["error"]["errors"]}
    assert errors == {
        ("skus[0].hs_code", "hs_code_digits"),
        ("skus[0].customs_unit", "customs_unit_digits"),
    }


@pytest.mark.django_db
def test_stock_filters_ignore_a_non_ascii_warehouse_id(tenants):
    response = tenants.a.client.get("/api/v1/seller/stock/?warehouse_id=٣")
    assert response.status_code == 200


# --- the class of the defect: no digit rule may say \d or isdigit() ----------------------

SKIP_PARTS = {".venv", "tests", "migrations", "bench", "node_modules", "var"}


def _project_sources():
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIP_PARTS or path.name == "digits.py":
            continue
        yield path


def _ascii_guarded(call: ast.Call, parents) -> bool:
    """``x.isascii() and x.isdigit()``: the ``and`` that holds the call also asks isascii()."""
    node = call
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
            return any(
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr == "isascii"
                for value in node.values
                for n in ast.walk(value)
            )
    return False


def test_no_digit_rule_in_the_project_accepts_unicode_digits():
    offenders = []
    for path in _project_sources():
        text = path.read_text()
        tree = ast.parse(text)
        parents = {
            child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)
        }
        for node in ast.walk(tree):
            # \d inside a string constant (a regex): [0-9] or marketplace.digits.DIGIT instead
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and "\\d" in node.value
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} \\d")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"isdigit", "isdecimal", "isnumeric"}
            ) and not _ascii_guarded(node, parents):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.attr}")
    assert offenders == [], (
        "digit rules must mean ASCII 0-9: use [0-9] / marketplace.digits.is_ascii_digits"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", ["３", "٣", "3"])
def test_api_numbers_take_ascii_digits_only(tenants, quantity):
    from tests.factories import SKUFactory, StockFactory, WarehouseFactory

    stock = StockFactory(
        sku=SKUFactory(product__merchant=tenants.a.merchant),
        warehouse=WarehouseFactory(merchant=tenants.a.merchant, kind="overseas", country="JP"),
    )
    response = tenants.a.client.post(
        f"/api/v1/seller/stock/{stock.pk}/adjustments/",
        {"reason": "receipt", "quantity": quantity},
        content_type="application/json",
    )
    stock.refresh_from_db()
    if quantity == "3":
        assert response.status_code == 201 and stock.on_hand == 23
        return
    assert response.status_code == 400
    errors = {(e["field"], e["code"]) for e in response.json()["error"]["errors"]}
    assert errors == {("quantity", "invalid")} and stock.on_hand == 20


@pytest.mark.django_db
def test_a_price_in_full_width_digits_is_refused(tenants):
    response = tenants.a.client.post(
        "/api/v1/seller/products/",
        {
            "name_en": "Serum",
            "category": CategoryFactory().pk,
            "skus": [sku_api_data(price="１２０.００")],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = {(e["field"], e["code"]) for e in response.json()["error"]["errors"]}
    assert errors == {("skus[0].price", "invalid")}


def test_api_serializers_use_the_kernel_number_fields():
    direct = []
    for path in _project_sources():
        rel = path.relative_to(ROOT)
        if "api" not in rel.parts and rel.name != "api.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"IntegerField", "DecimalField"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "serializers"
                and rel.as_posix() != "marketplace/api/fields.py"
            ):
                direct.append(f"{rel}:{node.lineno} serializers.{node.attr}")
    assert direct == [], f"use marketplace.api.fields (ASCII digits only): {direct}"

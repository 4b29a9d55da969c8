"""What a "grab it" costs, and that the cheaper path weakens nothing: a live sale's terms are
read once per process (its terms cannot change after the start), the shopper is known from
the session without loading the user row, the sold-out answer is one Redis read; a sale
cancelled behind the process's back, a stale session and an upcoming sale still admit
nobody (docs/PERFORMANCE.md, "Flash-sale admissions")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketing.flash import gate, selectors
from marketing.flash.services import flash_admit
from marketing.models import FlashAdmission, FlashSale
from tests.marketing.conftest import make_scene

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_kept_terms():
    selectors.flash_terms_forget()
    yield
    selectors.flash_terms_forget()


def _take(client, item, quantity=1):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("flash:take", args=[item.pk]), {"quantity": quantity})
    return response, [q["sql"] for q in queries.captured_queries]


def test_a_live_sales_terms_are_read_once_and_the_user_row_not_at_all(client_for, scene, shoppers):
    first, _ = _take(client_for(shoppers[0]), scene.item)  # reads the terms (and the menu)
    shopper = client_for(shoppers[1])
    shopper.get(reverse("flash:sales"))  # the page builds the shopper's cached menu
    response, sqls = _take(shopper, scene.item)

    assert first.status_code == response.status_code == 302
    assert response["Location"].endswith(f"/p/{scene.honey.product.pk}/{scene.honey.product.slug}/")
    assert FlashAdmission.objects.filter(user__in=shoppers[:2], item=scene.item).count() == 2
    joined = "\n".join(sqls)
    assert "catalog_product" not in joined and "catalog_sku" not in joined  # terms kept
    assert '"accounts_user"' not in joined  # the id came from the session
    # what is left is the admission itself: the gate's lock, the terms checked in
    # PostgreSQL (the truth), the row
    assert len([s for s in sqls if "SAVEPOINT" not in s]) <= 3


def test_a_sale_cancelled_elsewhere_admits_nobody_though_this_process_kept_its_terms(
    client_for, scene, shoppers
):
    _take(client_for(shoppers[0]), scene.item)
    assert selectors.flash_item_terms(scene.item.pk) is not None  # kept
    # cancelled by another process: this one's memo and the gate both still say "live"
    FlashSale.objects.filter(pk=scene.sale.pk).update(status=FlashSale.Status.CANCELLED)
    assert selectors._TERMS.get(scene.item.pk) is not None

    late = client_for(shoppers[1])
    response = late.post(reverse("flash:take", args=[scene.item.pk]), {"quantity": 1}, follow=True)

    assert "This flash sale is not on now." in response.content.decode()
    assert not FlashAdmission.objects.filter(user=shoppers[1]).exists()
    assert scene.item.pk not in selectors._TERMS  # forgotten: the next attempt reads again
    assert late.post(reverse("flash:take", args=[scene.item.pk])).status_code == 404


def test_the_terms_are_checked_in_postgresql_when_an_admission_is_made(scene, shoppers):
    terms = selectors.flash_item_terms(scene.item.pk)
    FlashSale.objects.filter(pk=scene.sale.pk).update(
        ends_at=scene.sale.starts_at + timedelta(seconds=1)  # ended (bypassing the service)
    )
    with pytest.raises(Exception, match="not on now"):
        flash_admit(user_id=shoppers[0].pk, item=terms, quantity=1)
    assert not FlashAdmission.objects.exists()
    assert gate.gate_left([scene.item.pk])[scene.item.pk] in (None, 5)  # nothing taken


def test_an_upcoming_sales_terms_are_not_kept(db):
    upcoming = make_scene(starts_in=timedelta(hours=1))
    terms = selectors.flash_item_terms(upcoming.item.pk)
    assert terms is not None and not terms.is_live(upcoming.sale.starts_at - timedelta(1))
    assert upcoming.item.pk not in selectors._TERMS  # may still change before the start


def test_a_stale_session_is_not_admitted(client_for, scene, shoppers):
    shopper = client_for(shoppers[0])
    shopper.get(reverse("flash:sales"))  # its menu cached under the old password's hash
    shoppers[0].set_password("a new one")
    shoppers[0].save()  # (forgets the menu; even if it had not, the hash no longer matches)

    response = shopper.post(reverse("flash:take", args=[scene.item.pk]), {"quantity": 1})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not FlashAdmission.objects.exists()


def test_sold_out_is_one_plain_redis_read(client_for, scene, shoppers, monkeypatch):
    for shopper, quantity in zip(shoppers[:3], (2, 2, 1), strict=True):
        flash_admit(user=shopper, item=scene.item, quantity=quantity)
    # the gate's own client: a pipeline would fail the test
    monkeypatch.setattr(gate.client(), "pipeline", lambda **kw: pytest.fail("a pipeline"))
    response, sqls = _take(client_for(shoppers[3]), scene.item)

    assert response["Location"] == reverse("flash:sales") and sqls == []

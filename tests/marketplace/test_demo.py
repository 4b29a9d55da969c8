"""`seed_demo` builds the demo marketplace and is safe to run twice."""

import pytest
from django.core.management import call_command

from accounts.models import User
from catalog.models import Category
from merchants.models import Membership, Merchant

pytestmark = pytest.mark.django_db


def counts():
    return (
        User.objects.count(),
        Merchant.objects.count(),
        Membership.objects.count(),
        Category.objects.count(),
    )


def test_seed_demo_is_idempotent_and_prints_logins(capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    out = capsys.readouterr().out
    assert "ops@silkway.local" in out and "silkway-demo-2026" in out
    kinds = set(Merchant.objects.values_list("kind", flat=True))
    assert {"self_operated", "third_party"} <= kinds
    assert User.objects.get(email="ops@silkway.local").is_staff
    # every merchant has an owner and a staff login
    for merchant in Merchant.objects.all():
        roles = set(Membership.objects.filter(merchant=merchant).values_list("role", flat=True))
        assert {"owner", "staff"} <= roles
    # bonded SKUs carry records as the gateway answered them, never typed in
    from catalog.models import SKU

    bonded = SKU.objects.filter(allow_bonded=True)
    assert bonded.exists()
    for sku in bonded:
        assert sku.product_record_status == "recorded" and sku.product_record_number
        latest = sku.record_submissions.first()
        assert (latest.answer, latest.answer_status) == ("recorded", "800")
        assert latest.record_number == sku.product_record_number
        assert list(sku.record_events.values_list("transition", flat=True)) == ["submit", "record"]


def test_demo_home_page_shows_merchants_in_both_languages(client):
    call_command("seed_demo")
    assert "Kiwi Nature Co." in client.get("/en/").content.decode()
    assert "奇异自然" in client.get("/zh-hans/").content.decode()

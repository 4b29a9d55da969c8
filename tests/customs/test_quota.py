"""The yearly quota ledger: usage, restores, what is left, the limit under concurrency, and
the identity number kept encrypted, digested, masked and audited."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from customs.models import QuotaEntry, QuotaLedger
from customs.selectors import quota_ledger_for, quota_remaining, quota_used
from customs.services import QuotaError, QuotaExceededError, quota_record_usage, quota_restore
from marketplace.models import PersonalDataAccess
from marketplace.services import personal_data_reveal

YEAR = 2026


def D(value):
    return Decimal(value)


@pytest.mark.django_db
class TestUsageAndRestore:
    def test_a_new_buyer_has_the_whole_allowance(self, rate_tables, id_number):
        assert quota_used(id_number=id_number(1), year=YEAR) == D("0.00")
        assert quota_remaining(id_number=id_number(1), year=YEAR) == D("26000.00")
        assert not QuotaLedger.objects.exists()  # reading writes nothing

    def test_usage_counts_towards_that_year_only(self, rate_tables, id_number):
        buyer = id_number(1)
        quota_record_usage(id_number=buyer, year=YEAR, amount=D("3200.00"), reference="SO-1")
        quota_record_usage(id_number=buyer, year=YEAR, amount=D("935.00"), reference="SO-2")
        quota_record_usage(id_number=buyer, year=YEAR - 1, amount=D("999.99"), reference="SO-0")
        assert quota_used(id_number=buyer, year=YEAR) == D("4135.00")
        assert quota_remaining(id_number=buyer, year=YEAR) == D("21865.00")
        assert quota_remaining(id_number=buyer, year=YEAR - 1) == D("25000.01")
        assert quota_remaining(id_number=id_number(2), year=YEAR) == D("26000.00")

    def test_the_number_is_found_however_it_is_typed(self, rate_tables, id_number):
        buyer = id_number(7)
        quota_record_usage(id_number=buyer, year=YEAR, amount=D("10.00"), reference="SO-1")
        spaced = f" {buyer[:6]} {buyer[6:14]} {buyer[14:].lower()} "
        assert quota_used(id_number=spaced, year=YEAR) == D("10.00")

    def test_recording_an_order_twice_counts_it_once(self, rate_tables, id_number):
        buyer = id_number(1)
        first = quota_record_usage(id_number=buyer, year=YEAR, amount=D("500"), reference="SO-1")
        again = quota_record_usage(id_number=buyer, year=YEAR, amount=D("500"), reference="SO-1")
        assert again.pk == first.pk
        assert quota_used(id_number=buyer, year=YEAR) == D("500.00")

    def test_an_order_recorded_again_with_another_amount_is_refused(self, rate_tables, id_number):
        buyer = id_number(1)
        quota_record_usage(id_number=buyer, year=YEAR, amount=D("500"), reference="SO-1")
        with pytest.raises(QuotaError) as caught:
            quota_record_usage(id_number=buyer, year=YEAR, amount=D("600"), reference="SO-1")
        assert "already counted with 500.00 CNY" in caught.value.messages[0]

    def test_a_return_gives_the_allowance_back(self, rate_tables, id_number):
        buyer = id_number(1)
        quota_record_usage(id_number=buyer, year=YEAR, amount=D("900.00"), reference="SO-1")
        quota_restore(id_number=buyer, year=YEAR, amount=D("300.00"), reference="SO-1")
        assert quota_used(id_number=buyer, year=YEAR) == D("600.00")
        assert quota_remaining(id_number=buyer, year=YEAR) == D("25400.00")

    def test_no_more_can_be_restored_than_the_order_used(self, rate_tables, id_number):
        buyer = id_number(1)
        quota_record_usage(id_number=buyer, year=YEAR, amount=D("900.00"), reference="SO-1")
        quota_restore(id_number=buyer, year=YEAR, amount=D("600.00"), reference="SO-1")
        with pytest.raises(QuotaError) as caught:
            quota_restore(id_number=buyer, year=YEAR, amount=D("300.01"), reference="SO-1")
        assert "300.00 CNY of it is left to restore" in caught.value.messages[0]
        quota_restore(id_number=buyer, year=YEAR, amount=D("300.00"), reference="SO-1")
        assert quota_used(id_number=buyer, year=YEAR) == D("0.00")

    def test_restoring_an_order_never_recorded_is_refused(self, rate_tables, id_number):
        buyer = id_number(1)
        quota_record_usage(id_number=buyer, year=YEAR, amount=D("900.00"), reference="SO-1")
        for reference, year in (("SO-2", YEAR), ("SO-1", YEAR - 1)):
            with pytest.raises(QuotaError, match="No usage is recorded"):
                quota_restore(id_number=buyer, year=year, amount=D("1.00"), reference=reference)
        with pytest.raises(QuotaError, match="No usage is recorded"):
            quota_restore(id_number=id_number(2), year=YEAR, amount=D("1"), reference="SO-1")

    def test_a_return_recorded_twice_with_its_key_counts_once(self, rate_tables, id_number):
        buyer = id_number(1)
        quota_record_usage(id_number=buyer, year=YEAR, amount=D("900.00"), reference="SO-1")
        for _ in range(2):
            quota_restore(
                id_number=buyer, year=YEAR, amount=D("100"), reference="SO-1", restore_key="RMA-1"
            )
        assert quota_used(id_number=buyer, year=YEAR) == D("800.00")

    def test_enforcing_the_limit_refuses_one_fen_over(self, rate_tables, id_number):
        buyer = id_number(1)
        quota_record_usage(id_number=buyer, year=YEAR, amount=D("25000.00"), reference="SO-1")
        with pytest.raises(QuotaExceededError) as caught:
            quota_record_usage(
                id_number=buyer,
                year=YEAR,
                amount=D("1000.01"),
                reference="SO-2",
                enforce_limit=True,
            )
        assert caught.value.remaining == D("1000.00")
        assert "1,000.00 CNY is left for 2026" in caught.value.messages[0]
        assert not QuotaEntry.objects.filter(reference="SO-2").exists()
        # exactly at the limit is allowed
        quota_record_usage(
            id_number=buyer, year=YEAR, amount=D("1000.00"), reference="SO-2", enforce_limit=True
        )
        assert quota_remaining(id_number=buyer, year=YEAR) == D("0.00")

    def test_without_enforcing_customs_figures_are_recorded_as_they_are(
        self, rate_tables, id_number
    ):
        buyer = id_number(1)
        quota_record_usage(id_number=buyer, year=YEAR, amount=D("26000.00"), reference="SO-1")
        quota_record_usage(id_number=buyer, year=YEAR, amount=D("5.00"), reference="SO-2")
        assert quota_remaining(id_number=buyer, year=YEAR) == D("0.00")  # never negative

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"id_number": "110101199003071235"}, "18-character identity number"),
            ({"id_number": "12345"}, "18-character identity number"),
            ({"amount": D("0")}, "positive number of yuan"),
            ({"amount": D("-5")}, "positive number of yuan"),
            ({"amount": D("1.005")}, "whole fen"),
            ({"reference": " "}, "order reference"),
            ({"year": 26}, "four-digit calendar year"),
        ],
    )
    def test_bad_input_is_refused_with_the_rule(self, rate_tables, id_number, kwargs, message):
        arguments = {
            "id_number": id_number(1),
            "year": YEAR,
            "amount": D("10"),
            "reference": "SO-1",
        } | kwargs
        with pytest.raises(ValidationError) as caught:
            quota_record_usage(**arguments)
        assert message in caught.value.messages[0]
        assert not QuotaEntry.objects.exists()


@pytest.mark.django_db
def test_the_identity_number_is_stored_encrypted_digested_and_masked(rate_tables, id_number):
    buyer = id_number(42)
    quota_record_usage(id_number=buyer, year=YEAR, amount=D("10"), reference="SO-1")
    ledger = quota_ledger_for(id_number=buyer)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_digest, id_number, id_masked FROM customs_quotaledger WHERE id = %s",
            [ledger.pk],
        )
        digest, stored, masked = cursor.fetchone()
    assert buyer not in digest and buyer not in stored
    assert masked == buyer[0] + "*" * 13 + buyer[-4:]
    assert str(ledger) == masked


@pytest.mark.django_db
def test_reading_the_plain_number_for_a_person_is_audited(rate_tables, id_number, operator):
    buyer = id_number(42)
    quota_record_usage(id_number=buyer, year=YEAR, amount=D("10"), reference="SO-1")
    ledger = quota_ledger_for(id_number=buyer)
    shown = personal_data_reveal(
        obj=ledger, field="id_number", by=operator, purpose="customs query"
    )
    assert shown == buyer
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.subject_type, access.field) == (
        operator,
        "customs.QuotaLedger",
        "id_number",
    )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_checkouts_cannot_both_spend_the_last_of_the_allowance(
    rate_tables, id_number
):
    """Two threads, each its own database connection, race for the last 1,000 CNY."""
    assert connection.vendor == "postgresql"
    buyer = id_number(9)
    quota_record_usage(id_number=buyer, year=YEAR, amount=D("25000.00"), reference="SO-0")
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def checkout(reference: str) -> None:
        try:
            barrier.wait(timeout=10)
            quota_record_usage(
                id_number=buyer,
                year=YEAR,
                amount=D("800.00"),
                reference=reference,
                enforce_limit=True,
            )
            outcomes[reference] = "recorded"
        except QuotaExceededError:
            outcomes[reference] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=checkout, args=(ref,)) for ref in ("SO-A", "SO-B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["recorded", "refused"]
    assert quota_used(id_number=buyer, year=YEAR) == D("25800.00")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_usages_of_a_new_buyer_share_one_ledger(rate_tables, id_number):
    buyer = id_number(10)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def checkout(reference: str) -> None:
        try:
            barrier.wait(timeout=10)
            quota_record_usage(
                id_number=buyer,
                year=YEAR,
                amount=D("13000.00"),
                reference=reference,
                enforce_limit=True,
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=checkout, args=(ref,)) for ref in ("SO-A", "SO-B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert QuotaLedger.objects.count() == 1
    assert quota_remaining(id_number=buyer, year=YEAR) == D("0.00")

"""One-row rules the customs tables hold themselves, whatever code writes to them."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customs.identity import is_valid_id_number, validate_id_number
from customs.models import HsRate, QuotaEntry, QuotaLedger, Regime, VatRate

pytestmark = pytest.mark.django_db


def test_one_version_of_a_regime_per_start_date(rate_tables):
    regime = Regime.objects.get(code="GB_LVG")
    regime.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        regime.save()


def test_a_period_ends_after_it_starts(rate_tables):
    with pytest.raises(IntegrityError), transaction.atomic():
        VatRate.objects.create(
            country="ZZ",
            rate=Decimal("0.1"),
            effective_from=date(2027, 1, 1),
            effective_to=date(2027, 1, 1),
        )


def test_one_rate_row_per_table_prefix_and_flag(rate_tables):
    with pytest.raises(IntegrityError), transaction.atomic():
        HsRate.objects.create(table="CN", hs_prefix="61", flag="")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("destinations", "de fr"),
        ("destinations", ""),
        ("modes", "bonded teleport"),
        ("currency", "yuan"),
        ("code", "cn-cbec"),
        ("rate_table", "cn"),
        ("tax_factor", Decimal("1.5")),
    ],
)
def test_regime_fields_refuse_malformed_values(rate_tables, field, value):
    regime = Regime.objects.get(code="CN_CBEC_9610")
    setattr(regime, field, value)
    with pytest.raises(ValidationError) as caught:
        regime.full_clean()
    assert field in caught.value.message_dict


def test_rate_fields_refuse_more_than_one(rate_tables):
    row = HsRate(table="CN", hs_prefix="9999", duty_rate=Decimal("1.2"))
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert "duty_rate" in caught.value.message_dict


def test_an_order_counts_once_per_buyer_and_amounts_are_positive():
    ledger = QuotaLedger.objects.create(id_digest="d" * 64, id_number="x", id_masked="x")
    QuotaEntry.objects.create(ledger=ledger, year=2026, kind="usage", amount=1, reference="SO-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaEntry.objects.create(
            ledger=ledger, year=2026, kind="usage", amount=2, reference="SO-1"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaEntry.objects.create(
            ledger=ledger, year=2026, kind="restore", amount=0, reference="SO-1"
        )
    # several restores of one order are fine; the same return twice is not
    for key in ("RMA-1", "RMA-2"):
        QuotaEntry.objects.create(
            ledger=ledger, year=2026, kind="restore", amount=1, reference="SO-1", restore_key=key
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaEntry.objects.create(
            ledger=ledger,
            year=2026,
            kind="restore",
            amount=1,
            reference="SO-1",
            restore_key="RMA-1",
        )


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", False),  # validation normalises first; see below
        ("110105194912310021", False),  # wrong check character
        ("1101051949123100", False),
        ("11010519491231002Ⅹ", False),  # a Roman numeral ten, not the letter X
        ("１１０１０５１９４９１２３１００２Ｘ", False),  # full-width digits
    ],
)
def test_identity_numbers_carry_their_check_character(number, valid):
    assert is_valid_id_number(number) is valid


def test_validation_normalises_case_and_spaces():
    assert validate_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    with pytest.raises(ValidationError) as caught:
        validate_id_number("110105194912310021")
    assert caught.value.code == "invalid_id_number"

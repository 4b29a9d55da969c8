"""The rate tables: seeded by migrate, the same RateBook as the seed files, cached, and
dropped everywhere when an operator's edit commits; bad edits are refused."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from customs import selectors
from customs.engine import ClearanceMode, quote
from customs.engine.loader import (
    SEED_DIR,
    read_postal_categories,
    read_rates,
    read_regimes,
    read_vat_rates,
)
from customs.models import HsRate, PostalCategory, Regime, VatRate
from customs.services import duty_quote, rate_data_delete, rate_data_save, rate_tables_seed
from tests.customs.helpers import BOOK, HS_BOOK, HS_COSMETIC, HS_ORDINARY, line, request

pytestmark = pytest.mark.django_db

SEED_COUNTS = {
    "regimes": len(read_regimes(SEED_DIR / "regimes.csv")),
    "rates": len(read_rates(SEED_DIR / "rates.csv")),
    "postal_categories": len(read_postal_categories(SEED_DIR / "postal_categories.csv")),
    "vat_rates": len(read_vat_rates(SEED_DIR / "vat_rates.csv")),
}


def table_counts():
    return {
        "regimes": Regime.objects.count(),
        "rates": HsRate.objects.count(),
        "postal_categories": PostalCategory.objects.count(),
        "vat_rates": VatRate.objects.count(),
    }


def test_migrate_leaves_the_shipped_rate_data_in_the_tables():
    # The test database was built by `migrate`: nothing here seeds it.
    assert table_counts() == SEED_COUNTS
    assert SEED_COUNTS["regimes"] >= 17 and SEED_COUNTS["rates"] >= 100
    cbec = Regime.objects.get(code="CN_CBEC_9610")
    assert (cbec.transaction_limit, cbec.yearly_limit) == (Decimal("5000"), Decimal("26000"))
    assert cbec.tax_factor == Decimal("0.7") and cbec.modes == "direct"
    assert PostalCategory.objects.get(code="3").description_zh_hans.startswith("税目3")
    assert PostalCategory.objects.get(code="3").description_en.startswith("tobacco")
    # and it quotes worked example 1 straight away
    result = duty_quote(
        destination="CN",
        mode="direct",
        lines=[line("300")],
        freight=Decimal("20"),
        order_date=date(2026, 11, 22),
    )
    assert result.tax_total == Decimal("29.12")


def test_seeding_again_adds_nothing_and_keeps_operator_edits(rate_tables, capsys):
    row = HsRate.objects.get(table="CN", hs_prefix="61", flag="")
    row.duty_rate = Decimal("0.08")
    row.save()
    call_command("seed_customs_rates")
    assert "regimes: 0 added" in capsys.readouterr().out
    assert table_counts() == SEED_COUNTS
    assert HsRate.objects.get(pk=row.pk).duty_rate == Decimal("0.08")


def test_a_deleted_seed_row_comes_back_with_a_reseed(rate_tables):
    VatRate.objects.filter(country="DE").delete()
    assert rate_tables_seed()["vat_rates"] == 1
    assert VatRate.objects.get(country="DE").rate == Decimal("0.19")


@pytest.mark.parametrize(
    ("lines", "kwargs"),
    [
        ([line("300")], {"freight": Decimal("20")}),
        ([line("680", hs=HS_COSMETIC, attributes={"high_end_cosmetic"})], {}),
        ([line("1200")], {"mode": ClearanceMode.PERSONAL_PARCEL}),
        ([line("900", hs=HS_BOOK)], {"mode": ClearanceMode.GENERAL_TRADE}),
        (
            [line("40", currency="EUR"), line("9.90", currency="EUR", hs=HS_BOOK)],
            {"destination": "DE", "mode": ClearanceMode.EXPORT_RETAIL},
        ),
        ([line("200", currency="EUR")], {"destination": "FR", "mode": ClearanceMode.EXPORT_RETAIL}),
        ([line("99", currency="GBP")], {"destination": "GB", "mode": ClearanceMode.EXPORT_RETAIL}),
        ([line("120", currency="USD")], {"destination": "US", "mode": ClearanceMode.EXPORT_RETAIL}),
        ([line("500", currency="AUD")], {"destination": "AU", "mode": ClearanceMode.EXPORT_RETAIL}),
        ([line("300", currency="SGD")], {"destination": "SG", "mode": ClearanceMode.EXPORT_RETAIL}),
    ],
)
def test_the_tables_price_exactly_like_the_seed_files(rate_tables, lines, kwargs):
    engine_request = request(lines, **kwargs)
    from_tables = quote(engine_request, selectors.ratebook_current())
    assert from_tables == quote(engine_request, BOOK)
    assert from_tables.tax_total > 0


def test_the_cached_ratebook_reads_no_table_until_an_edit(
    rate_tables, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_assert_num_queries(4):  # the four tables, once
        first = selectors.ratebook_current()
    duty_quote(destination="CN", mode="direct", lines=[line("300")])  # FX rates now cached
    with django_assert_num_queries(0):
        assert selectors.ratebook_current() is first
        duty_quote(destination="CN", mode="direct", lines=[line("300")])
    row = HsRate.objects.get(table="CN", hs_prefix="61", flag="")
    row.vat_rate = Decimal("0.09")
    with django_capture_on_commit_callbacks(execute=True):
        rate_data_save(obj=row)
    assert selectors.ratebook_current() is not first
    result = duty_quote(destination="CN", mode="direct", lines=[line("300")])
    assert result.tax_total == Decimal("18.90")  # 300 x 9 % x 0.7


def test_the_cache_is_not_dropped_before_the_edit_commits(
    rate_tables, django_capture_on_commit_callbacks
):
    first = selectors.ratebook_current()
    row = HsRate.objects.get(table="CN", hs_prefix="61", flag="")
    row.vat_rate = Decimal("0.09")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rate_data_save(obj=row)
    # Until commit the other processes must keep quoting the rates they can read.
    assert selectors.ratebook_current() is first
    assert len(callbacks) == 1


def test_an_edit_in_another_process_reaches_this_one_through_the_version_key(rate_tables):
    from django.core.cache import cache

    first = selectors.ratebook_current()
    # Another process committed an edit: it replaced the shared token, not our memory.
    HsRate.objects.filter(table="CN", hs_prefix="61", flag="").update(vat_rate=Decimal("0.09"))
    cache.set(selectors.RATEBOOK_VERSION_KEY, "set-by-another-process", timeout=None)
    book = selectors.ratebook_current()
    assert book is not first
    assert book.rate_for("CN", HS_ORDINARY).vat_rate == Decimal("0.09")


def test_an_edit_that_breaks_the_rate_data_is_refused_and_nothing_is_saved(rate_tables):
    overlapping = VatRate(country="DE", rate=Decimal("0.16"), effective_from=date(2020, 7, 1))
    with pytest.raises(ValidationError) as caught:
        rate_data_save(obj=overlapping)
    assert "VAT rates of DE overlap in time" in caught.value.messages[0]
    assert VatRate.objects.filter(country="DE").count() == 1


def test_a_one_row_rule_is_refused_before_the_rate_data_is_checked(rate_tables):
    regime = Regime.objects.get(code="CN_CBEC_9610")
    regime.modes = "teleport"
    with pytest.raises(ValidationError) as caught:
        rate_data_save(obj=regime)
    assert "modes" in caught.value.message_dict
    assert Regime.objects.get(pk=regime.pk).modes == "direct"


def test_deleting_a_table_default_row_is_refused(rate_tables):
    default = HsRate.objects.get(table="US", hs_prefix="", flag="")
    with pytest.raises(ValidationError) as caught:
        rate_data_delete(obj=default)
    assert "has no default row" in caught.value.messages[0]
    assert HsRate.objects.filter(pk=default.pk).exists()


def test_a_new_regime_version_is_a_data_change(rate_tables, django_capture_on_commit_callbacks):
    """The UK raises its threshold from 2027: close the old version, add a new one."""
    old = Regime.objects.get(code="GB_LVG")
    new = Regime.objects.get(pk=old.pk)
    new.pk = None
    new.effective_from = date(2027, 1, 1)
    new.transaction_limit = Decimal("200")
    with django_capture_on_commit_callbacks(execute=True):
        # In this order the two versions never overlap.
        old.effective_to = date(2027, 1, 1)
        rate_data_save(obj=old)
        rate_data_save(obj=new)
    before = duty_quote(
        destination="GB",
        mode="export_retail",
        lines=[line("150", currency="GBP")],
        order_date=date(2026, 12, 31),
    )
    after = duty_quote(
        destination="GB",
        mode="export_retail",
        lines=[line("150", currency="GBP")],
        order_date=date(2027, 1, 2),
    )
    assert (before.regime.code, after.regime.code) == ("GB_IMPORT", "GB_LVG")


def test_stored_rates_show_without_column_padding(rate_tables):
    row = selectors.rate_row(HsRate.objects.get(table="CN", hs_prefix="4901", flag=""))
    assert (str(row.vat_rate), str(row.duty_rate)) == ("0.09", "0")
    regime = selectors.regime_row(Regime.objects.get(code="CN_CBEC_9610"))
    assert str(regime.tax_factor) == "0.7"


@pytest.mark.parametrize(
    ("band", "rate"), [("13", Decimal("0.13")), ("20", Decimal("0.2")), ("50", Decimal("0.5"))]
)
def test_a_skus_postal_band_is_quoted_as_its_tax_category(band, rate):
    """The catalog's bands (``catalog.PostalTaxCategory``, what every demo and seller SKU
    carries) are the rate data's 税目 1, 2, 3: a personal parcel to China is quoted, not
    refused as "cannot be estimated" (the Sydney purchasing agent's demo checkout)."""
    from catalog.models import PostalTaxCategory

    assert band in PostalTaxCategory.values
    result = duty_quote(
        destination="CN",
        mode="personal_parcel",
        lines=[line("400", postal_category=band)],
        order_date=date(2026, 11, 22),
    )
    (tax,) = result.lines[0].taxes
    assert tax.rate == rate and tax.amount == Decimal("400") * rate
    # the rate data's own category is taken as it is
    same = duty_quote(
        destination="CN",
        mode="personal_parcel",
        lines=[line("400", postal_category={"13": "1", "20": "2", "50": "3"}[band])],
        order_date=date(2026, 11, 22),
    )
    assert same.lines[0].taxes == result.lines[0].taxes

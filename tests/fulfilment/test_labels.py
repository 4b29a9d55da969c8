"""Shipping labels and packing slips as PDF: read back (text with pypdf, the barcode decoded
from a rendering by zbar), one per parcel and in batches, seller portal (cross-tenant) and
back office."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from logistics.fulfilment import labels
from logistics.fulfilment.models import Parcel
from logistics.fulfilment.services import ParcelSpec, shipment_create
from marketplace.pdf import cjk_font
from tests.pdfs import barcodes, text_of
from tests.tenancy import assert_cross_tenant_404

from .helpers import paid_order, staff_of

pytestmark = pytest.mark.django_db


def packed(merchant=None, *, split=False):
    order = paid_order(merchant=merchant, quantities=(2, 1))
    specs = None
    if split:
        a, b = order.lines.all()
        specs = [
            ParcelSpec(
                lines={a.pk: 2},
                weight_kg=Decimal("1.2"),
                length_cm=Decimal(30),
                width_cm=Decimal(20),
                height_cm=Decimal("10.5"),
            ),
            ParcelSpec(lines={b.pk: 1}, weight_kg=Decimal("0.6"), waybill="new"),
        ]
    shipment_create(order=order, by=staff_of(order.merchant), parcels=specs)
    return order, list(Parcel.objects.filter(order=order).order_by("pk"))


def embedded_fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor and any(k in descriptor for k in ("/FontFile2", "/FontFile3")):
                    names.add(str(font["/BaseFont"]))
    return names


def test_a_label_is_bilingual_embeds_a_cjk_font_and_its_barcode_scans_as_the_waybill(tmp_path):
    order, (parcel,) = packed()
    pdf = labels.labels_pdf(labels.for_printing(Parcel.objects.filter(pk=parcel.pk)))
    (page,) = text_of(pdf)
    assert parcel.waybill_number in page
    assert order.number in page
    assert "收件人" in page and "Ship to" in page
    assert "王小明" in page and "上海" in page
    assert "1 / 1" in page
    assert embedded_fonts(pdf), "the CJK font must be embedded, not referenced"
    assert barcodes(pdf, tmp_path) == [parcel.waybill_number]


def test_a_packing_slip_lists_the_parcels_lines_in_both_languages(tmp_path):
    order, (first, second) = packed(split=True)
    pdf = labels.slips_pdf(labels.for_printing(Parcel.objects.filter(pk=first.pk)))
    (page,) = text_of(pdf)
    assert "装箱单" in page and "Packing slip" in page
    line_a, line_b = order.lines.order_by("pk")
    assert "东西0" in page and "Thing 0" in page and line_a.sku_code in page
    assert line_b.sku_code not in page  # in the other parcel
    assert "1/2" in page
    assert barcodes(pdf, tmp_path) == [first.waybill_number]


def test_a_batch_is_one_pdf_with_one_page_per_parcel_in_order(tmp_path):
    _, parcels = packed(split=True)
    _, more = packed()
    chosen = [*parcels, *more]
    pdf = labels.labels_pdf(
        labels.for_printing(Parcel.objects.filter(pk__in=[p.pk for p in chosen]))
    )
    pages = text_of(pdf)
    assert len(pages) == 3
    for page, parcel in zip(pages, chosen, strict=True):
        assert parcel.waybill_number in page
    assert barcodes(pdf, tmp_path) == [p.waybill_number for p in chosen]
    assert "10.5" in pages[0] and "1.2 kg" in pages[0]


def test_no_cjk_font_fails_clearly(settings):
    settings.LABELS_CJK_FONT = "/nonexistent/font.ttc"
    with pytest.raises(labels.LabelFontMissing, match="fonts-wqy-zenhei"):
        cjk_font()  # the one font rule labels and store posters share


def test_seller_prints_own_parcel_and_another_merchants_is_404(
    tenants, django_assert_max_num_queries
):
    _, (parcel,) = packed(tenants.a.merchant)
    for kind in ("label", "slip"):
        url = reverse("parcel_print:parcel", kwargs={"pk": parcel.pk, "kind": kind})
        with django_assert_max_num_queries(12):
            response = tenants.a.client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert parcel.waybill_number in text_of(response.content)[0]
        assert_cross_tenant_404(url, owner=tenants.a.client, intruder=tenants.b.client)


def test_seller_batch_with_another_merchants_parcel_is_404(tenants):
    _, mine = packed(tenants.a.merchant, split=True)
    _, (theirs,) = packed(tenants.b.merchant)
    url = reverse("parcel_print:batch", kwargs={"kind": "label"})
    query = "?" + "&".join(f"parcel={p.pk}" for p in mine)
    response = tenants.a.client.get(url + query)
    assert response.status_code == 200
    assert len(text_of(response.content)) == 2
    assert_cross_tenant_404(url + query, owner=tenants.a.client, intruder=tenants.b.client)
    assert tenants.a.client.get(url + query + f"&parcel={theirs.pk}").status_code == 404
    assert tenants.a.client.get(url).status_code == 400
    assert tenants.a.client.get(url + "?parcel=x").status_code == 400


def test_back_office_prints_chosen_parcels(admin_client):
    _, parcels = packed(split=True)
    response = admin_client.post(
        reverse("admin:fulfilment_parcel_changelist"),
        {"action": "print_slips", "_selected_action": [p.pk for p in parcels]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = text_of(response.content)
    assert [p.waybill_number in page for page, p in zip(pages, parcels, strict=True)] == [
        True,
        True,
    ]

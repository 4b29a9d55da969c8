"""Building CSV files for the import tests, the way a merchant's spreadsheet would."""

import csv
import io

from catalog.services.imports import PRODUCT_COLUMNS, STOCK_COLUMNS


def product_row(**overrides) -> dict:
    row = {
        "product_slug": "manuka-honey",
        "name_en": "Manuka Honey UMF 10+",
        "name_zh_hans": "麦卢卡蜂蜜 UMF 10+",
        "description_en": "<p>Raw honey.</p>",
        "description_zh_hans": "<p>原生蜂蜜。</p>",
        "category": "honey",
        "brand": "comvita",
        "listing_currency": "CNY",
        "product_min_order_quantity": "1",
        "sku_code": "HONEY-250",
        "price": "129.00",
        "barcode": "9421000000001",
        "attributes_en": "size=250g;flavour=manuka",
        "attributes_zh_hans": "",
        "hs_code": "0409000000",
        "origin_country": "NZ",
        "net_weight_kg": "0.250",
        "gross_weight_kg": "0.320",
        "length_cm": "7.0",
        "width_cm": "7.0",
        "height_cm": "9.5",
        "customs_unit": "035",
        "trade_modes": "direct",
        "postal_tax_category": "13",
        "excise_category": "",
        "product_record_number": "",
        "product_record_status": "",
        "wholesale_tiers": "10=119.00;50=109.00",
        "min_order_quantity": "1",
        "low_stock_threshold": "5",
    }
    row.update(overrides)
    return row


def to_csv(rows, columns=PRODUCT_COLUMNS, *, encoding="utf-8", bom=False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns] if isinstance(row, dict) else row)
    text = out.getvalue()
    return (("\ufeff" if bom else "") + text).encode(encoding)


def stock_csv(rows) -> bytes:
    return to_csv([dict(zip(STOCK_COLUMNS, r, strict=True)) for r in rows], columns=STOCK_COLUMNS)

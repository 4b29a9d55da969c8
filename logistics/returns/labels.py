"""The return label (PDF, 100 × 150 mm), drawn with the shipping labels' reportlab code
(``logistics.fulfilment.labels``: the same embedded CJK font, Code 128 barcode and bilingual
captions): the carrier, the **return waybill** as a barcode, ship-to the merchant's warehouse,
ship-from the shopper, the order, the return and its units."""

from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from logistics.fulfilment.labels import LABEL_SIZE, address_lines, draw_label_head, wrap
from logistics.shipping.regions import place_name
from marketplace.pdf import cjk_font

from .models import ReturnRequest

CAPTIONS = {
    "label": ("退货面单", "Return label"),
    "waybill": ("退货运单号", "Return waybill"),
    "to": ("收件人", "Ship to"),
    "from": ("寄件人", "Ship from"),
    "order": ("订单", "Order"),
    "return": ("退货单", "Return"),
    "units": ("件数", "Units"),
}


def caption(key: str) -> str:
    zh, en = CAPTIONS[key]
    return f"{zh} {en}"


def for_label(requests):
    """``requests`` (narrowed to the caller's) with what the label prints."""
    return requests.select_related(
        "order__checkout", "order__warehouse", "order__shipping_method__carrier"
    ).prefetch_related("lines")


def return_label_pdf(request: ReturnRequest) -> bytes:
    """One page: the return label of an approved return."""
    if not request.waybill_number:
        raise ValueError("only an approved return has a label")
    font = cjk_font()
    out = io.BytesIO()
    width, height = LABEL_SIZE
    canvas = Canvas(out, pagesize=LABEL_SIZE, pageCompression=1)
    canvas.setTitle(caption("label"))
    canvas.setCreator("Silkway")
    margin = 5 * mm
    inner = width - 2 * margin
    order = request.order
    y = draw_label_head(
        canvas,
        carrier=order.shipping_method.carrier,
        title=caption("label"),
        waybill_title=caption("waybill"),
        waybill=request.waybill_number,
    )
    y -= 11
    canvas.setFont(font, 8)
    canvas.drawString(margin, y, caption("to"))
    y -= 13
    warehouse = order.warehouse
    y = wrap(
        canvas, f"{warehouse.name}, {place_name(warehouse.country, 'en')}", margin, y, inner, 11
    )
    if warehouse.address:
        y = wrap(canvas, warehouse.address, margin, y, inner, 10)
    y -= 4
    canvas.line(margin, y, width - margin, y)
    y -= 10
    canvas.setFont(font, 8)
    canvas.drawString(margin, y, caption("from"))
    y -= 11
    for line in address_lines(order.checkout.address or {}):
        y = wrap(canvas, line, margin, y, inner, 9)
    y -= 4
    canvas.line(margin, y, width - margin, y)
    facts = [
        (caption("order"), order.number),
        (caption("return"), f"R{request.pk}"),
        (caption("units"), str(sum(line.quantity for line in request.lines.all()))),
    ]
    for name, value in facts:
        y -= 12
        canvas.setFont(font, 8)
        canvas.drawString(margin, y, name)
        canvas.setFont(font, 10)
        canvas.drawRightString(width - margin, y, value)
    canvas.showPage()
    canvas.save()
    return out.getvalue()

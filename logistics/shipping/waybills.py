"""Waybill numbers (the customs ``logisticsNo``): each carrier's own numbering, handed out once.

The number is the carrier's, so it lives in the network layer: customs declarations (which
send it at payment, CEB511) and fulfilment (a parcel's waybill) both call ``waybill_allocate``
and neither imports the other.

The counter row is incremented by one ``UPDATE … RETURNING`` statement: two transactions
allocating for the same carrier take turns on that row, and the second sees the first's
value, so no number repeats. The row stays locked until the caller's transaction ends; it is
a leaf in the lock order (docs/ARCHITECTURE.md, slot 14: nothing is locked after it), so it
can make allocations for one carrier wait, never deadlock. A rolled-back transaction gives its
number back (carriers' numberings have no gaps to explain).
"""

from __future__ import annotations

import re

from django.db import connection, transaction

from .models import Carrier, WaybillCounter


def default_prefix(carrier: Carrier) -> str:
    """The carrier code's letters and digits, upper-cased, at most 4 (``sf-express`` -> ``SFEX``);
    when another carrier's numbering has that prefix already (``sf-express-intl`` is ``SFEX``
    too), the carrier's id follows it, so two carriers never hand out the same number."""
    prefix = (re.sub(r"[^A-Za-z0-9]", "", carrier.code).upper() or "WB")[:4]
    if WaybillCounter.objects.filter(prefix=prefix).exclude(carrier=carrier).exists():
        own = str(carrier.pk)
        prefix = f"{prefix[: max(1, 8 - len(own) - 1)]}{own}X"[:8]
    return prefix


def waybill_allocate(*, carrier: Carrier) -> str:
    """The next waybill number of ``carrier`` (``SFEX0000000042``)."""
    row = _increment(carrier)  # one statement once the carrier's counter exists
    if row is None:
        with transaction.atomic():
            WaybillCounter.objects.get_or_create(
                carrier=carrier, defaults={"prefix": default_prefix(carrier)}
            )
            row = _increment(carrier)
    prefix, digits, value = row
    return f"{prefix}{value:0{digits}d}"


def _increment(carrier: Carrier) -> tuple[str, int, int] | None:
    table = WaybillCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + 1 "  # noqa: S608 - our table name
            "WHERE carrier_id = %s RETURNING prefix, digits, last_value",
            [carrier.pk],
        )
        return cursor.fetchone()

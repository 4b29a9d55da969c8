"""Distribution reads: a distributor's dashboard figures and the QR code of a share link."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import segno
from django.db.models import Count, Q, Sum

from ..models import Distributor, Referral


@dataclass(frozen=True)
class Dashboard:
    clicks: int
    orders: int
    pending: Decimal
    confirmed: Decimal


def distributor_dashboard(distributor: Distributor) -> Dashboard:
    """Clicks, attributed checkouts, pending and confirmed commission (two queries)."""
    referrals = Referral.objects.filter(distributor=distributor).aggregate(
        orders=Count("id", filter=~Q(status=Referral.Status.REVERSED)),
        pending=Sum("commission", filter=Q(status=Referral.Status.PENDING)),
        confirmed=Sum("commission", filter=Q(status=Referral.Status.CONFIRMED)),
    )
    return Dashboard(
        clicks=distributor.clicks.count(),
        orders=referrals["orders"],
        pending=referrals["pending"] or Decimal("0.00"),
        confirmed=referrals["confirmed"] or Decimal("0.00"),
    )


def qr_svg(url: str) -> bytes:
    """The QR code of ``url`` as SVG (segno; error correction M, scale 4)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return out.getvalue()


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()

"""Declarations' periodic work (``customs`` queue): receipts and the sweeper."""

from __future__ import annotations

import logging

from celery import shared_task

from customs.profiles.models import CustomsProfile

from . import services
from .models import OrderDeclaration
from .records import profiles_waiting_for_records

log = logging.getLogger(__name__)


@shared_task(name="declarations.receipts_poll")
def receipts_poll(limit: int = 100) -> int:
    """Fetch and apply the receipts waiting for every profile that has open declarations
    or product records waiting for customs."""
    profile_ids = (
        set(
            OrderDeclaration.objects.filter(status=OrderDeclaration.Status.OPEN)
            .values_list("profile_id", flat=True)
            .distinct()
        )
        | profiles_waiting_for_records()
    )
    total = 0
    for profile in CustomsProfile.objects.filter(pk__in=list(profile_ids)).select_related(
        "signing_key"
    ):
        try:
            while (n := services.receipts_fetch(profile=profile, limit=limit, timeout=0.5)) > 0:
                total += n
                if n < limit:
                    break
        except Exception:  # noqa: BLE001 - one profile's gateway being down stops no other
            log.warning("receipts for profile %s: gateway unavailable", profile.pk, exc_info=True)
    return total


@shared_task(name="declarations.sweep")
def declarations_sweep() -> int:
    return services.declarations_sweep()

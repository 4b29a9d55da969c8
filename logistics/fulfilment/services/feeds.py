"""Carriers' tracking feeds: operators set how a carrier reports, and its secret."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import require_operator

from ..models import CarrierFeed


@transaction.atomic
def carrier_feed_save(*, feed: CarrierFeed, secret: str | None, by) -> CarrierFeed:
    """Save ``feed``; a new ``secret`` replaces the old one (``None`` keeps it)."""
    if by is not None:
        require_operator(by, _("Only operators set up carriers' tracking feeds."))
    if secret is not None:
        feed.webhook_secret = secret
    feed.full_clean()
    feed.save()
    return feed

"""Carriers' tracking feeds: operators set how a carrier reports, and its secret."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import require_operator

from ..models import CarrierFeed
from ..selectors import push_feeds_forget


@transaction.atomic
def carrier_feed_save(*, feed: CarrierFeed, secret: str | None, by) -> CarrierFeed:
    """Save ``feed``; a new ``secret`` replaces the old one (``None`` keeps it)."""
    if by is not None:
        require_operator(by, _("Only operators set up carriers' tracking feeds."))
    if secret is not None:
        feed.webhook_secret = secret
    feed.full_clean()
    feed.save()
    # this process reads it at its next push (forgotten now, and again once committed: a
    # push may read the old one meanwhile); the others within FEED_TTL, or at once for a
    # push signed with a new secret (docs/LOGISTICS.md, "Tracking")
    push_feeds_forget()
    transaction.on_commit(push_feeds_forget)
    return feed

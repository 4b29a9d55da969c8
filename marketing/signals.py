"""Log-in gives the session's share-link click to the user (last-click attribution survives
signing in), connected in ``MarketingConfig.ready`` — the way orders merges the cart."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from marketing.distribution.services import SESSION_KEY, share_click_bind
from marketing.o2o.services import SESSION_KEY as STORE_SESSION_KEY
from marketing.o2o.services import store_scan_bind


@receiver(user_logged_in, dispatch_uid="marketing.bind_share_click_on_login")
def bind_share_click_on_login(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    click_id = session.get(SESSION_KEY) if session is not None else None
    if click_id:
        share_click_bind(click_id=click_id, user=user)


@receiver(user_logged_in, dispatch_uid="marketing.bind_store_scan_on_login")
def bind_store_scan_on_login(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    scan_id = session.get(STORE_SESSION_KEY) if session is not None else None
    if scan_id:
        store_scan_bind(scan_id=scan_id, user=user)

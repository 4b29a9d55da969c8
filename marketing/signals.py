"""Log-in gives the session's share-link click to the user (last-click attribution survives
signing in), connected in ``MarketingConfig.ready`` — the way orders merges the cart."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from marketing.distribution.services import SESSION_KEY, share_click_bind


@receiver(user_logged_in, dispatch_uid="marketing.bind_share_click_on_login")
def bind_share_click_on_login(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    click_id = session.get(SESSION_KEY) if session is not None else None
    if click_id:
        share_click_bind(click_id=click_id, user=user)

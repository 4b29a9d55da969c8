"""A signed-in distributor's code for the share buttons of cached pages
(``marketplace.sharing``, registered in ``MarketingConfig.ready``), read without a query.

The code (or "" for a shopper who is not a distributor) is kept in the cache per user and read
in the same round trip as the visitor's account menu (``referral_code_keys``), so a warm
product page costs a distributor what it costs any signed-in shopper: two cache round trips,
no query. Signing up, deactivating or deleting a distributor forgets it at once and on commit
(``referral_code_forget``: receivers on distribution's own model); ``CODE_TTL`` bounds
anything else (a queryset ``update``).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from accounts.menu import menu_of

from ..models import Distributor

CODE_TTL = 300


def referral_code_key(user_id) -> str:
    return f"distribution:code:{user_id}"


def referral_code_keys(user_id) -> list[str]:
    return [referral_code_key(user_id)]


def visitor_referral_code(request) -> str | None:
    """The signed-in visitor's active distributor code, or None. The user comes from their
    cached account menu (no query), the code from what was read along with it; on a miss it
    is read once and cached ("" when they are not a distributor)."""
    menu = menu_of(request)
    if menu is None:
        return None
    key = referral_code_key(menu.user_id)
    prefetched = getattr(request, "account_prefetched", None) or {}
    code = prefetched[key] if key in prefetched else cache.get(key)
    if code is None:
        code = (
            Distributor.objects.filter(user_id=menu.user_id, is_active=True)
            .values_list("code", flat=True)
            .first()
        ) or ""
        cache.set(key, code, CODE_TTL)
    return code or None


def referral_code_forget(user_id) -> None:
    """Forget ``user_id``'s cached code, now and when the transaction commits."""
    key = referral_code_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _distributor_changed(sender, instance, **kwargs) -> None:
    referral_code_forget(instance.user_id)


def connect() -> None:
    """Register the provider and forget a code whenever its distributor row changes."""
    from django.db.models.signals import post_delete, post_save

    from marketplace.sharing import register_referral

    register_referral(keys=referral_code_keys, code=visitor_referral_code)
    post_save.connect(
        _distributor_changed, sender=Distributor, dispatch_uid="distribution.code.save"
    )
    post_delete.connect(
        _distributor_changed, sender=Distributor, dispatch_uid="distribution.code.delete"
    )

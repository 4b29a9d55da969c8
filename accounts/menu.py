"""The header's account menu: who is signed in, read without a database query.

A page from the page cache is the same for every visitor; the header's personal part is a
live slot filled per request (``marketplace.pagecache``). That fill must stay cheap, so the
signed-in shopper's menu (display name, whether they see the seller portal and the back
office) is kept in the cache per user (``menu_of``), next to the session (which
``cached_db`` also reads from the cache): a signed-in page costs cache reads, no query.

**Safety.** The session names its user and holds the hash Django signed it in with
(``HASH_SESSION_KEY``, derived from the password hash). A cached menu is used only when it was
built for that same user *and* that same hash, and only for a backend still configured: the
check ``django.contrib.auth.get_user`` makes, against a copy of the user. When they do not
match, or nothing is cached, the request's user is loaded as Django always does (which logs a
stale session out) and the menu is built from it. A saved or deleted user (new password, name,
staff flag, deactivation) and a membership added or removed forget the menu at once and on
commit (``menu_forget``: receivers on the app's own model, and on ``Membership`` in
``merchants``); ``MENU_TTL`` bounds anything else (a write that bypasses ``save()``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.db import transaction
from django.utils.crypto import constant_time_compare

from marketplace import pagecache

MENU_TTL = 300
_UNSET = object()


@dataclass(frozen=True)
class AccountMenu:
    """What the header shows a signed-in user."""

    user_id: int
    name: str
    seller: bool  # any membership: the seller portal link
    operator: bool  # an active staff account: the back-office link


def menu_key(user_id) -> str:
    return f"accounts:menu:{user_id}"


def menu_of(request, *, also=None) -> AccountMenu | None:
    """The signed-in user's menu, or None when nobody is signed in. No session cookie: None at
    once (no session read). Memoised on the request: the cart link and the menu share it.

    ``also(user_id)``: more cache keys of that user to read in the same round trip as the
    menu (the cart count), with whatever the page asked to read along
    (``marketplace.pagecache.read_along``); what was found is left in
    ``request.account_prefetched``."""
    found = getattr(request, "_account_menu", _UNSET)
    if found is _UNSET:
        request.account_prefetched = {}
        found = _resolve(request, also)
        request._account_menu = found
    return found


def _resolve(request, also) -> AccountMenu | None:
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return None
    session = request.session
    user_id = session.get(SESSION_KEY)
    if user_id is None:
        return None
    key = menu_key(user_id)
    along = pagecache.read_along_keys(request)
    own = [key, *(also(user_id) if also else ()), *pagecache.read_along_user_keys(request, user_id)]
    # what the page's own round trip already read (the keys this session read last time)
    have = pagecache.prefetched(request)
    found = {k: have[k] for k in (*own, *along) if k in have}
    if wanted := [k for k in (*own, *along) if k not in have]:
        # a page's live key not found is missing (None): its slot does not read it again
        found.update(dict.fromkeys(k for k in along if k not in have))
        found.update(cache.get_many(wanted))
    pagecache.remember_session_keys(request, own)
    request.account_prefetched = found
    record = request.account_prefetched.pop(key, None)
    session_hash = session.get(HASH_SESSION_KEY) or ""
    if (
        record is not None
        and session_hash
        and session.get(BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
        and constant_time_compare(record["hash"], session_hash)
    ):
        return record["menu"]
    user = request.user  # Django's own check (a stale session is logged out here)
    if not user.is_authenticated:
        return None
    menu = AccountMenu(
        user_id=user.pk,
        name=str(user),
        seller=user.memberships.exists(),
        operator=user.is_operator,
    )
    cache.set(menu_key(user.pk), {"hash": user.get_session_auth_hash(), "menu": menu}, MENU_TTL)
    return menu


def menu_forget(user_id) -> None:
    """Forget ``user_id``'s cached menu, now and when the transaction commits."""
    key = menu_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _user_changed(sender, instance, **kwargs) -> None:
    if instance.pk is not None:
        menu_forget(instance.pk)


def connect() -> None:
    """Forget a user's menu whenever the user row is saved or deleted (``AccountsConfig``)."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save

    user_model = get_user_model()
    post_save.connect(_user_changed, sender=user_model, dispatch_uid="accounts.menu.save")
    post_delete.connect(_user_changed, sender=user_model, dispatch_uid="accounts.menu.delete")

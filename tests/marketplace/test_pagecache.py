"""The whole-page cache's rules: who may get a cached page, what may be stored, live slots;
and the Redis backend's one client per process."""

import re

from django.conf import settings
from django.contrib.messages import add_message, constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.test import RequestFactory

from marketplace import pagecache

factory = RequestFactory()


def test_gets_without_flash_messages_may_be_served_from_the_cache():
    assert pagecache.cacheable_request(factory.get("/en/"))
    # an unrelated cookie (the display currency) is part of the key, not a reason to bypass
    currency = factory.get("/en/")
    currency.COOKIES["silkway_currency"] = "EUR"
    assert pagecache.cacheable_request(currency)
    # a session (signed in, a cart) is not either: the page holds nothing of it
    signed_in = factory.get("/en/")
    signed_in.COOKIES[settings.SESSION_COOKIE_NAME] = "abc"
    assert pagecache.cacheable_request(signed_in)
    flash = factory.get("/en/")
    flash.COOKIES["messages"] = "x"
    assert not pagecache.cacheable_request(flash)
    assert not pagecache.cacheable_request(factory.post("/en/"))


def test_nothing_personal_is_stored():
    request = factory.get("/en/")
    assert pagecache.storable(request, HttpResponse("ok"))
    assert not pagecache.storable(request, HttpResponse("gone", status=404))
    with_cookie = HttpResponse("ok")
    with_cookie.set_cookie("x", "1")
    assert not pagecache.storable(request, with_cookie)
    private = HttpResponse("ok", headers={"Cache-Control": "private"})
    assert not pagecache.storable(request, private)

    # a page with a form that posts carries this visitor's CSRF token
    form = factory.get("/en/")
    get_token(form)
    assert not pagecache.storable(form, HttpResponse("<form>"))

    # a message queued while rendering belongs to this visitor
    messaged = factory.get("/en/")
    messaged.session = {}
    messaged._messages = FallbackStorage(messaged)
    add_message(messaged, constants.INFO, "Saved")
    assert not pagecache.storable(messaged, HttpResponse("ok"))
    # ... and so does one it showed
    shown = factory.get("/en/")
    shown.session = {}
    shown._messages = FallbackStorage(shown)
    list(shown._messages)
    assert not pagecache.storable(shown, HttpResponse("ok"))

    # whatever opened the session (the user, a cart token) made the page personal
    from django.contrib.sessions.backends.cache import SessionStore

    opened = factory.get("/en/")
    opened.session = SessionStore()
    assert pagecache.storable(opened, HttpResponse("ok"))
    opened.session.get("_auth_user_id")
    assert not pagecache.storable(opened, HttpResponse("ok"))


def test_personal_tags_write_slots_on_shared_pages_and_content_elsewhere(rf):
    from csp.middleware import CSPMiddleware

    template = engines["django"].from_string(
        '{% load personal %}<script nonce="{% csp_nonce %}" src="/x.js"></script>'
        "{% flash_messages %}"
    )
    middleware = CSPMiddleware(lambda request: HttpResponse())
    shared = rf.get("/en/")
    middleware.process_request(shared)
    pagecache.share(shared)
    entry = pagecache.CachedPage.of(HttpResponse(template.render({"request": shared})))
    assert entry.slots == {pagecache.NONCE_SLOT, pagecache.MESSAGES_SLOT}
    assert pagecache.storable(shared, HttpResponse("ok"))  # rendering used no nonce

    # each response of the cached copy carries its own nonce, in the page and in the header
    nonces = set()
    for _ in range(2):
        request = rf.get("/en/")
        middleware.process_request(request)
        response = entry.response(pagecache.personal_live(request, entry.slots))
        response = middleware.process_response(request, response)
        nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.add(nonce)
    assert len(nonces) == 2

    # not shared: the same tags write their content in place
    plain = rf.get("/en/")
    middleware.process_request(plain)
    assert f'nonce="{plain.csp_nonce}"' in template.render({"request": plain})


def test_live_slots_are_filled_on_every_response_and_kept_as_holes():
    template = engines["django"].from_string("<p>{{ title }}</p>{{ slot }}<i>{{ other }}</i>")
    html = template.render(
        {"title": "Honey & co", "slot": pagecache.live_slot("stock"), "other": "<b>"}
    )
    entry = pagecache.CachedPage.of(HttpResponse(html))
    assert entry.has_slots
    response = entry.response({"stock": '<p class="availability">In stock</p>'})
    assert response.content.decode() == (
        '<p>Honey &amp; co</p><p class="availability">In stock</p><i>&lt;b&gt;</i>'
    )
    assert "Cookie" in response["Vary"]
    # the stored page holds the hole, never a filled value
    assert b"In stock" not in b"".join(p for p in entry.parts if isinstance(p, bytes))
    plain = pagecache.CachedPage.of(HttpResponse("<p>no slots</p>"))
    assert not plain.has_slots and plain.response().content == b"<p>no slots</p>"


def test_keys_differ_by_path_query_language_and_parts():
    from django.utils import translation

    def key(path, *parts, language="en"):
        with translation.override(language):
            return pagecache.page_key("category", factory.get(path), *parts)

    assert key("/en/c/food/", 1, "USD") == key("/en/c/food/", 1, "USD")
    others = {
        key("/en/c/food/?page=2", 1, "USD"),
        key("/en/c/food/", 2, "USD"),
        key("/en/c/food/", 1, "EUR"),
        key("/en/c/food/", 1, "USD", language="zh-hans"),
    }
    assert key("/en/c/food/", 1, "USD") not in others and len(others) == 4


def test_the_redis_backend_reuses_one_client():
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"] == "marketplace.cache.RedisCache"

    client = cache._cache.get_client()
    assert cache._cache.get_client() is client
    assert cache._cache.get_client(write=True) is client  # one server: one pool, one client
    cache.set("pagecache-test", {"a": 1}, 5)
    assert cache.get_many(["pagecache-test", "missing"]) == {"pagecache-test": {"a": 1}}

"""The whole-page cache's rules: who may get a cached page, what may be stored, live slots;
and the Redis backend's one client per process."""

from django.conf import settings
from django.contrib.messages import add_message, constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.test import RequestFactory

from marketplace import pagecache

factory = RequestFactory()


def test_only_cookieless_gets_may_be_served_from_the_cache():
    assert pagecache.anonymous_request(factory.get("/en/"))
    # an unrelated cookie (the display currency) is part of the key, not a reason to bypass
    currency = factory.get("/en/")
    currency.COOKIES["silkway_currency"] = "EUR"
    assert pagecache.anonymous_request(currency)
    signed_in = factory.get("/en/")
    signed_in.COOKIES[settings.SESSION_COOKIE_NAME] = "abc"
    assert not pagecache.anonymous_request(signed_in)
    flash = factory.get("/en/")
    flash.COOKIES["messages"] = "x"
    assert not pagecache.anonymous_request(flash)
    assert not pagecache.anonymous_request(factory.post("/en/"))


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

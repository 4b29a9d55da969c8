"""The flash sale at the front door (marketing/flash/door.py): once sold out, "grab it" is
answered ahead of Django's request cycle with exactly what the view answers; everything else
goes on to the view."""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from marketing.flash import gate
from marketing.flash.door import SOLD_OUT
from marketing.flash.services import flash_admission_cancel, flash_admit
from marketing.models import FlashAdmission
from marketplace.frontdoor import FrontDoor
from tests.wsgi import Django, call, environ

pytestmark = pytest.mark.django_db

SOLD_OUT_TEXT = {
    "en": "Sold out: every unit has been taken.",
    "zh-hans": "已抢光：所有名额都已被抢完。",
}


def environ_for(
    path: str, *, cookies: dict, body: bytes = b"quantity=1", method="POST", https=False, **extra
):
    csrf = cookies.setdefault("csrftoken", secrets.token_hex(16))
    built = environ(
        method,
        path,
        body=body,
        content_type="application/x-www-form-urlencoded",
        HTTP_COOKIE="; ".join(f"{k}={v}" for k, v in cookies.items()),
        HTTP_X_CSRFTOKEN=csrf,
        HTTP_X_REQUEST_ID="rush-7",
    )
    if https:  # behind the TLS proxy; a browser's POST names where it came from
        built["HTTP_X_FORWARDED_PROTO"] = "https"
        built["HTTP_REFERER"] = "https://testserver/en/flash/"
    built.update(extra)
    return built


def session_cookies(client: Client) -> dict:
    return {name: morsel.value for name, morsel in client.cookies.items()}


def product_path(sku) -> str:
    product = sku.product
    return reverse("storefront:product", kwargs={"pk": product.pk, "slug": product.slug})


def take_path(item, lang: str) -> str:
    with translation.override(lang):
        return reverse("flash:take", args=[item.pk])


@pytest.fixture
def sold_out(scene, shoppers):
    for shopper, quantity in zip(shoppers[:3], (2, 2, 1), strict=True):
        flash_admit(user=shopper, item=scene.item, quantity=quantity)
    assert gate.gate_left([scene.item.pk]) == {scene.item.pk: 0}
    return scene


def unsigned(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers, sorted, with each cookie's signature left out: Django signs the messages
    cookie with a timestamp in seconds, so two answers a second apart differ only there."""
    out = []
    for name, value in headers:
        if name == "Set-Cookie":
            cookie, _, attributes = value.partition(";")
            data, _, _signature = cookie.partition(":")  # value:timestamp:signature
            value = f"{data};{attributes}"
        out.append((name, value))
    return sorted(out)


def shown_next(cookie_headers: list[str], location: str, lang: str) -> str:
    """The page the shopper's browser shows after the redirect, with the cookies it set."""
    browser = Client()
    for header in cookie_headers:
        browser.cookies.load(SimpleCookie(header))
    return browser.get(location, HTTP_ACCEPT_LANGUAGE=lang).content.decode()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
@pytest.mark.parametrize("next_page", [None, "product"])
def test_sold_out_the_door_answers_what_the_view_answers(
    lang, next_page, client_for, sold_out, shoppers, django_assert_num_queries
):
    late = session_cookies(client_for(shoppers[3]))
    path = take_path(sold_out.item, lang)
    body = b"quantity=1"
    back = product_path(sold_out.honey) if next_page else None
    if back:
        body += b"&next=" + back.encode()
    django = Django()
    door = FrontDoor(django, [SOLD_OUT])

    full = call(django, environ_for(path, cookies=dict(late), body=body))
    assert django.calls == 1
    with django_assert_num_queries(0):
        lean = call(door, environ_for(path, cookies=dict(late), body=body))
        kept = call(door, environ_for(path, cookies=dict(late), body=body))  # built once

    assert django.calls == 1  # the door answered alone
    assert lean[0] == full[0] == kept[0] == 302
    assert unsigned(lean[1]) == unsigned(full[1]) == unsigned(kept[1])  # every header, cookie too
    headers = dict(lean[1])
    with translation.override(lang):
        expected = back or reverse("flash:sales")
    assert headers["Location"] == expected
    cookies = [value for name, value in lean[1] if name == "Set-Cookie"]
    assert [c.strip().split("=")[0] for c in cookies] == ["messages"]
    assert SOLD_OUT_TEXT[lang] in shown_next(cookies, headers["Location"], lang)
    assert not FlashAdmission.objects.filter(user=shoppers[3]).exists()


def test_the_doors_answer_carries_productions_headers(client_for, sold_out, shoppers, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    late = session_cookies(client_for(shoppers[3]))
    path = take_path(sold_out.item, "en")
    django = Django()  # built with the settings above, as production's chain is
    door = FrontDoor(django, [SOLD_OUT])

    full = call(django, environ_for(path, cookies=dict(late), https=True))
    lean = call(door, environ_for(path, cookies=dict(late), https=True))

    assert django.calls == 1
    assert unsigned(lean[1]) == unsigned(full[1])
    headers = dict(lean[1])
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Request-ID"] == "rush-7"
    assert "Secure" in headers["Set-Cookie"]
    # plain HTTP is redirected to HTTPS as before: by Django, the door does not answer it
    plain = call(door, environ_for(path, cookies=dict(late)))
    assert plain[0] == 301 and django.calls == 2


def test_a_unit_given_back_is_offered_again_within_a_second(
    client_for, sold_out, shoppers, monkeypatch, django_capture_on_commit_callbacks
):
    """The door remembers for a moment that an item sold out, so most of a rush's attempts
    cost no Redis read; a unit given back is offered again once that moment has passed, and
    nobody is ever admitted from the memory alone."""
    import time

    from marketing.flash import door as flash_door
    from marketplace import localcache

    late = session_cookies(client_for(shoppers[3]))
    path = take_path(sold_out.item, "en")
    django = Django()
    door = FrontDoor(django, [SOLD_OUT])
    assert call(door, environ_for(path, cookies=dict(late)))[0] == 302
    assert django.calls == 0  # sold out, answered at the door

    with django_capture_on_commit_callbacks(execute=True):  # the gate learns on commit
        flash_admission_cancel(
            admission=FlashAdmission.objects.get(user=shoppers[2]), by=shoppers[2]
        )
    assert gate.gate_left([sold_out.item.pk]) == {sold_out.item.pk: 1}
    call(door, environ_for(path, cookies=dict(late)))
    assert django.calls == 0  # within the moment: still "sold out", and nothing admitted
    assert not FlashAdmission.objects.filter(user=shoppers[3]).exists()

    later = time.monotonic() + flash_door.SOLD_OUT_SEEN_SECONDS + 0.5
    monkeypatch.setattr(localcache.time, "monotonic", lambda: later)
    status, headers, _ = call(door, environ_for(path, cookies=dict(late)))
    assert django.calls == 1 and status == 302  # the view took it: the unit is offered
    assert FlashAdmission.objects.get(user=shoppers[3], status="admitted").quantity == 1


def test_units_left_the_door_lets_the_admission_through(client_for, scene, shoppers):
    shopper = session_cookies(client_for(shoppers[0]))
    django = Django()
    door = FrontDoor(django, [SOLD_OUT])

    status, headers, _ = call(
        door, environ_for(take_path(scene.item, "en"), cookies=shopper, body=b"quantity=2")
    )

    assert django.calls == 1
    assert status == 302
    assert dict(headers)["Location"] == product_path(scene.honey)
    assert FlashAdmission.objects.get(user=shoppers[0]).quantity == 2  # the body reached it


def test_redis_unreachable_the_door_passes_and_nobody_is_admitted(
    client_for, scene, shoppers, settings
):
    settings.FLASH_GATE_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.FLASH_GATE_TIMEOUT_SECONDS = 0.2
    shopper = session_cookies(client_for(shoppers[0]))
    django = Django()
    door = FrontDoor(django, [SOLD_OUT])

    status, headers, _ = call(door, environ_for(take_path(scene.item, "en"), cookies=shopper))

    assert django.calls == 1 and status == 302
    assert not FlashAdmission.objects.exists()
    paused = shown_next(
        [v for k, v in headers if k == "Set-Cookie"], dict(headers)["Location"], "en"
    )
    assert "The flash sale is paused for a moment" in paused


def test_a_forged_post_admits_nobody_and_is_still_refused_while_units_are_left(
    client_for, scene, shoppers
):
    """No CSRF check at the door (docs/SECURITY.md): it only ever answers "sold out"."""
    shopper = session_cookies(client_for(shoppers[0]))
    shopper.pop("csrftoken", None)
    django = Django()
    door = FrontDoor(django, [SOLD_OUT])
    forged = environ_for(take_path(scene.item, "en"), cookies=shopper)
    del forged["HTTP_X_CSRFTOKEN"]
    forged["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in shopper.items() if k != "csrftoken")

    assert call(door, forged)[0] == 403 and django.calls == 1
    assert not FlashAdmission.objects.exists()


def test_what_the_door_does_not_answer_goes_to_django(client_for, sold_out, shoppers):
    late = session_cookies(client_for(shoppers[3]))
    path = take_path(sold_out.item, "en")
    django = Django()
    door = FrontDoor(django, [SOLD_OUT])

    assert call(door, environ_for(path, cookies=dict(late), method="GET"))[0] == 405
    assert django.calls == 1
    other = reverse("flash:take", args=[sold_out.item.pk]).replace("/take/", "/took/")
    assert call(door, environ_for(other, cookies=dict(late)))[0] == 404
    assert django.calls == 2
    bad_host = environ_for(path, cookies=dict(late), HTTP_HOST="evil.example")
    assert call(door, bad_host)[0] == 400
    assert django.calls == 3
    # an item with no gate (unknown): the view decides (a 404)
    assert call(door, environ_for(take_path(sold_out.item, "en").replace(
        str(sold_out.item.pk), "999999"), cookies=dict(late)))[0] == 404  # fmt: skip
    assert django.calls == 4


def test_a_message_already_waiting_is_kept_by_django(client_for, sold_out, shoppers):
    """A shopper with a message not shown yet: Django's storage keeps both, so the door
    leaves that request to it."""
    late = client_for(shoppers[3])
    path = take_path(sold_out.item, "en")
    late.post(path, {"quantity": 1})  # the first "sold out", not read yet
    assert "messages" in late.cookies
    django = Django()
    door = FrontDoor(django, [SOLD_OUT])

    status, headers, _ = call(door, environ_for(path, cookies=session_cookies(late)))

    assert django.calls == 1 and status == 302
    page = shown_next([v for k, v in headers if k == "Set-Cookie"], dict(headers)["Location"], "en")
    assert page.count(SOLD_OUT_TEXT["en"]) == 2


def test_the_doors_route_is_the_views_url(scene):
    pattern = SOLD_OUT.pattern()
    for lang in ("en", "zh-hans"):
        match = pattern.fullmatch(take_path(scene.item, lang))
        assert match.groupdict() == {"lang": lang, "pk": str(scene.item.pk)}
    assert pattern.fullmatch(reverse("flash:sales")) is None
    assert pattern.fullmatch(f"/fr/flash/item/{scene.item.pk}/take/") is None


def test_production_serves_through_the_door():
    from marketplace.wsgi import application

    assert isinstance(application, FrontDoor)
    assert SOLD_OUT in [route for _m, _p, route in application.routes]

"""The front door (marketplace/frontdoor.py) itself: what it does with a route that passes,
fails or answers, whatever the route is (the flash sale's: tests/marketing/test_flash_door.py)."""

from __future__ import annotations

import io
import re

from django.http import HttpResponse

from marketplace.frontdoor import FrontDoor, Route


class Behind:
    """The application behind the door: records the bodies it was given."""

    def __init__(self):
        self.bodies = []

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.bodies.append(environ["wsgi.input"].read(length))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"behind"]


def environ_for(path: str, body: bytes = b"a=1", method: str = "POST") -> dict:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }


def call(app, environ):
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def route(answer) -> Route:
    return Route(method="POST", pattern=lambda: re.compile(r"/door/(?P<n>[0-9]+)/"), answer=answer)


def test_a_route_that_passes_leaves_the_request_as_it_came():
    def peek(request, n):
        assert request.POST["a"] == "1" and n == "7"  # it read the body
        return None

    behind = Behind()
    status, _headers, body = call(FrontDoor(behind, [route(peek)]), environ_for("/door/7/"))

    assert (status, body) == ("200 OK", b"behind")
    assert behind.bodies == [b"a=1"]


def test_a_route_that_fails_is_logged_and_django_answers(caplog):
    def broken(request, n):
        raise RuntimeError("a bug in a route")

    behind = Behind()
    status, _headers, _body = call(FrontDoor(behind, [route(broken)]), environ_for("/door/7/"))

    assert status == "200 OK" and behind.bodies == [b"a=1"]
    assert "passed to Django" in caplog.text and "a bug in a route" in caplog.text


def test_a_route_answers_only_its_method_and_path():
    def answer(request, n):
        return HttpResponse(f"door {n}")

    behind = Behind()
    door = FrontDoor(behind, [route(answer)])

    status, headers, body = call(door, environ_for("/door/7/"))
    assert (status, body) == ("200 OK", b"door 7") and behind.bodies == []
    assert headers["X-Content-Type-Options"] == "nosniff" and "X-Request-ID" in headers
    assert headers["Content-Length"] == "6"
    call(door, environ_for("/door/7/", method="GET"))
    call(door, environ_for("/door/7/x/"))
    call(door, environ_for("/door/x/"))
    assert len(behind.bodies) == 3


def test_an_oversized_body_is_left_to_django(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2

    def answer(request, n):
        return HttpResponse("door")

    behind = Behind()
    call(FrontDoor(behind, [route(answer)]), environ_for("/door/7/", body=b"a=123"))

    assert behind.bodies == [b"a=123"]  # not read by the door


def test_a_keyed_route_builds_its_answer_once_per_key():
    built = []

    def answer(request, n):
        built.append(n)
        return HttpResponse(f"door {n}")

    keyed = Route(
        method="POST",
        pattern=lambda: re.compile(r"/door/(?P<n>[0-9]+)/"),
        key=lambda request, n: None if n == "0" else n,
        answer=answer,
    )
    behind = Behind()
    door = FrontDoor(behind, [keyed])

    first = call(door, environ_for("/door/7/"))
    second = call(door, environ_for("/door/7/"))
    call(door, environ_for("/door/8/"))
    call(door, environ_for("/door/0/"))  # no key: Django answers

    assert built == ["7", "8"] and len(behind.bodies) == 1
    assert first[2] == second[2] == b"door 7"
    assert first[1]["X-Request-ID"] != second[1]["X-Request-ID"]  # each request its own id


def test_an_answer_kept_for_https_is_not_sent_over_http(settings):
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_SSL_REDIRECT = False
    keyed = Route(
        method="POST",
        pattern=lambda: re.compile(r"/door/(?P<n>[0-9]+)/"),
        key=lambda request, n: n,
        answer=lambda request, n: HttpResponse("door"),
    )
    door = FrontDoor(Behind(), [keyed])

    secure = call(door, {**environ_for("/door/7/"), "wsgi.url_scheme": "https"})
    plain = call(door, environ_for("/door/7/"))

    assert secure[1]["Strict-Transport-Security"] == "max-age=3600"
    assert "Strict-Transport-Security" not in plain[1]

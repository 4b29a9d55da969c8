"""Content-Security-Policy on every page: scripts and styles from us or with the request's
nonce (never 'unsafe-inline'), Stripe.js allowed, the API docs page still complete."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from tests.catalog.storefront_catalog import build_shop

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def origin(url: str) -> str:
    return "{0.scheme}://{0.netloc}".format(urlsplit(url))


def nonce_of(response) -> str:
    (nonce,) = {
        value[len("'nonce-") : -1]
        for value in policy(response)["script-src"]
        if value.startswith("'nonce-")
    }
    return nonce


def assert_strict(response):
    assert "Content-Security-Policy-Report-Only" not in response
    rules = policy(response)
    assert rules["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in rules["script-src"]
    assert "'unsafe-eval'" not in rules["script-src"]
    # exactly the configured Stripe.js and API (localstripe's in tests and the demo)
    assert origin(settings.STRIPE_JS_URL) in rules["script-src"]
    assert origin(settings.STRIPE_API_BASE) in rules["connect-src"]
    assert not [s for s in rules["script-src"] if "stripe.com" in s]
    assert "'unsafe-inline'" not in rules["style-src"]
    assert rules["object-src"] == ["'none'"] and rules["frame-ancestors"] == ["'none'"]
    return rules


def test_storefront_pages_carry_the_policy(client):
    shop = build_shop()
    for url in ("/en/", "/zh-hans/", f"/en/p/{shop.clover.pk}/", "/en/accounts/login/"):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert_strict(response)


def test_seller_portal_back_office_and_admin_log_in_carry_the_policy(tenants, client_for, operator):
    assert_strict(tenants.a.client.get("/en/seller/"))
    ops = client_for(operator)
    assert_strict(ops.get("/en/ops/"))
    assert_strict(ops.get("/en/ops/customs/regime/try-quote/"))
    assert_strict(Client().get("/en/ops/login/"))


def test_each_response_gets_its_own_nonce(client):
    first, second = client.get("/api/docs/"), client.get("/api/docs/")
    assert nonce_of(first) != nonce_of(second)


def test_every_inline_script_and_style_on_the_api_docs_carries_the_nonce(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert_strict(response)
    nonce = nonce_of(response)
    assert f"'nonce-{nonce}'" in policy(response)["style-src"]
    html = response.content.decode()
    tags = re.findall(r"<(script|style)\b([^>]*)>", html)
    inline = [attrs for name, attrs in tags if "src=" not in attrs]
    assert inline, "the docs page starts Swagger UI with an inline script"
    for _name, attrs in tags:
        assert f'nonce="{nonce}"' in attrs, attrs
    # Swagger UI's assets are ours (drf-spectacular-sidecar), allowed by 'self'.
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert sources and all(src.startswith("/static/") for src in sources)


def test_no_template_has_an_inline_script_or_style_without_the_nonce():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text()
        for name, attrs in re.findall(r"<(script|style)\b([^>]*)>", text):
            # ``{% csp_nonce %}``: the same nonce, as a live slot on a page-cached page
            assert "request.csp_nonce" in attrs or "{% csp_nonce %}" in attrs, (
                f"{path}: <{name}{attrs}>"
            )
        assert " style=" not in text, f"{path}: an inline style attribute is blocked by the CSP"


def test_the_settings_pass_the_system_checks():
    """django-csp refuses settings in its old format (any CSP_* name) at start-up."""
    from django.core.management import call_command

    call_command("check", fail_level="WARNING")


def test_a_page_that_used_its_nonce_is_not_kept_in_the_page_cache(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    from marketplace.pagecache import storable

    middleware = CSPMiddleware(lambda request: HttpResponse())
    plain, inline = rf.get("/en/"), rf.get("/en/")
    for request in (plain, inline):
        middleware.process_request(request)
    assert str(inline.csp_nonce)  # what a template writing nonce="{{ request.csp_nonce }}" does
    assert storable(plain, HttpResponse("page")) is True
    assert storable(inline, HttpResponse("page")) is False


def test_the_policy_allows_exactly_the_configured_stripe():
    """Production: Stripe's Stripe.js, its frames and its API; localstripe: its own origin
    for the script and the API, and no frame at all."""
    from marketplace.settings.security import csp_directives

    stripe = csp_directives(stripe_js_url="https://js.stripe.com/v3/", stripe_api_base="")
    assert stripe["script-src"][-1] == "https://js.stripe.com"
    assert stripe["connect-src"] == ["'self'", "https://api.stripe.com"]
    assert stripe["frame-src"] == ["https://js.stripe.com", "https://hooks.stripe.com"]
    local = csp_directives(
        stripe_js_url="http://127.0.0.1:8420/js.stripe.com/v3/",
        stripe_api_base="http://127.0.0.1:8420",
    )
    assert local["script-src"][-1] == "http://127.0.0.1:8420"
    assert local["connect-src"] == ["'self'", "http://127.0.0.1:8420"]
    assert local["frame-src"] == ["'none'"]

"""Every API view parses JSON with the kernel's depth-limited parser (marketplace/api/parsers.py):
a view naming DRF's own ``JSONParser`` would answer a deeply nested body with a 500."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import parsers

from marketplace.api.parsers import JSONParser


def api_views():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None)
                if view is not None and prefix.startswith("api/"):
                    yield prefix + str(pattern.pattern), view

    return list(walk(get_resolver().url_patterns))


def test_no_api_view_parses_json_without_the_depth_limit():
    views = api_views()
    assert len(views) > 20
    unlimited = [
        path
        for path, view in views
        for parser in view().get_parsers()
        if isinstance(parser, parsers.JSONParser) and not isinstance(parser, JSONParser)
    ]
    assert unlimited == []


@pytest.mark.django_db
def test_a_deeply_nested_body_to_the_onboarding_api_is_a_400(client_for, user):
    response = client_for(user).post(
        "/api/v1/onboarding/applications/", "[" * 1500, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "json_too_deep"

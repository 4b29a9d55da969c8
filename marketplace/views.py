"""Kernel pages: the language switch."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.http import require_GET


@require_GET
def switch_language(request, code: str):
    """Switch to ``code`` and stay on the same page (its URL in the new language).

    A GET link (works without JavaScript); it only sets the language cookie.
    """
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if check_for_language(code):
        target = translate_url(target, code)
    response = HttpResponseRedirect(target)
    if check_for_language(code):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response

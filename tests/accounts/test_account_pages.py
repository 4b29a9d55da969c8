"""Sign-up, log-in, log-out and password reset, in both languages."""

import re

import pytest
from django.core import mail

from accounts.models import User
from tests.factories import PASSWORD, UserFactory
from tests.marketplace.test_i18n import english_words

pytestmark = pytest.mark.django_db


def test_sign_up_creates_a_shopper_and_logs_them_in(client):
    response = client.post(
        "/en/accounts/signup/",
        {
            "email": "New.Shopper@Example.com",
            "display_name": "Mei",
            "preferred_language": "zh-hans",
            "password1": "a-Strong-passphrase-42",
            "password2": "a-Strong-passphrase-42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.shopper@example.com")
    assert not user.is_staff and user.preferred_language == "zh-hans"
    # signed in at once: the next page offers "Log out", not "Log in"
    assert client.session["_auth_user_id"] == str(user.pk)
    home = client.get("/en/").content.decode()
    assert "Log out" in home and "Log in" not in home


def test_sign_up_errors_are_translated(client):
    response = client.post(
        "/zh-hans/accounts/signup/",
        {"email": "x@example.com", "password1": "abc", "password2": "abd"},
    )
    assert response.status_code == 200
    assert "输入的两个密码不一致" in response.content.decode()


def test_log_in_with_email_and_log_out(client):
    user = UserFactory()
    response = client.post("/en/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    # the home page may come from the page cache: what the header says is what counts
    home = client.get("/en/").content.decode()
    assert user.email in home and "Log out" in home and "Log in" not in home
    client.post("/en/accounts/logout/")
    home = client.get("/en/").content.decode()
    assert user.email not in home and "Log out" not in home and "Log in" in home


def test_wrong_password_is_refused_in_chinese(client):
    user = UserFactory()
    response = client.post("/zh-hans/accounts/login/", {"username": user.email, "password": "x"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_password_reset_round_trip(client, lang):
    user = UserFactory()
    client.post(f"/{lang}/accounts/password-reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    assert link.startswith(f"/{lang}/accounts/reset/")
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Another-strong-pass-77", "new_password2": "Another-strong-pass-77"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-strong-pass-77")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abc", "密码长度太短。密码必须包含至少 8 个字符。"),
        ("12345678", "这个密码太常见了。"),
        ("90817263", "密码只包含数字。"),
    ],
)
def test_sign_up_password_rules_speak_chinese_on_the_chinese_page(client, password, message):
    response = client.post(
        "/zh-hans/accounts/signup/",
        {"email": "mei@example.com", "password1": password, "password2": password},
    )
    html = response.content.decode()
    assert message in html
    assert "This password" not in html
    assert english_words(html) == set()


def test_password_reset_rules_speak_chinese_on_the_chinese_page(client):
    user = UserFactory()
    client.post("/zh-hans/accounts/password-reset/", {"email": user.email})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "abc", "new_password2": "abc"}
    )
    html = response.content.decode()
    assert "密码长度太短。密码必须包含至少 8 个字符。" in html
    assert english_words(html) == set()


@pytest.mark.parametrize(("lang", "chosen"), [("zh-hans", "zh-hans"), ("en", "en")])
def test_sign_up_preselects_the_page_language(client, lang, chosen):
    """The Chinese sign-up page used to preselect English (the model's default)."""
    html = client.get(f"/{lang}/accounts/signup/", headers={"Accept-Language": "en"})
    form = html.context["form"]
    assert form["preferred_language"].value() == chosen
    assert re.search(rf'<option value="{chosen}" selected>', html.content.decode())


def test_sign_up_on_the_chinese_page_keeps_chinese_unless_changed(client):
    page = client.get("/zh-hans/accounts/signup/")
    chosen = page.context["form"]["preferred_language"].value()
    client.post(
        "/zh-hans/accounts/signup/",
        {
            "email": "mei@example.com",
            "preferred_language": chosen,
            "password1": "a-Strong-passphrase-42",
            "password2": "a-Strong-passphrase-42",
        },
    )
    assert User.objects.get(email="mei@example.com").preferred_language == "zh-hans"

"""Log-in lockout on every door (the accounts page, the back office, the API token): by
account and by client, with a translated message, a cool-off and the password reset."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD, OperatorFactory, UserFactory
from tests.marketplace.test_i18n import english_words

pytestmark = pytest.mark.django_db

PAGE = "/en/accounts/login/"
ADMIN = "/en/ops/login/"
TOKEN = "/api/v1/auth/token/"
START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    """Forty log-ins per test: a fast hasher keeps them quick (the lock counts the same)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def page_login(client, email, password, url=PAGE):
    return client.post(url, {"username": email, "password": password})


def token_login(api, email, password, language="en"):
    return api.post(TOKEN, {"username": email, "password": password}, HTTP_ACCEPT_LANGUAGE=language)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_limit_is_twenty_failures_in_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 20
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


def test_twenty_wrong_passwords_lock_the_account_on_the_log_in_page(client):
    user = UserFactory()
    codes = [page_login(client, user.email, f"guess-{n}").status_code for n in range(20)]
    assert codes == [200] * 19 + [429]
    refused = page_login(client, user.email, PASSWORD)
    assert refused.status_code == 429 and not signed_in(client)
    html = refused.content.decode()
    assert "Too many failed log-in attempts" in html and "15 minutes" in html
    assert 'href="/en/accounts/password-reset/"' in html
    assert refused["Retry-After"] == "900"


def test_the_lock_holds_for_another_client_and_another_door(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    for n in range(20):
        page_login(client, user.email, f"guess-{n}")
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert page_login(elsewhere, user.email, PASSWORD).status_code == 429
    assert page_login(elsewhere, user.email, PASSWORD, url=ADMIN).status_code == 429
    api = APIClient(REMOTE_ADDR="203.0.113.10")
    assert token_login(api, user.email, PASSWORD).status_code == 429
    assert not signed_in(elsewhere)


def test_the_account_is_counted_whatever_the_case_of_the_email(client):
    user = UserFactory()
    for n in range(20):
        page_login(client, user.email.upper() if n % 2 else user.email, f"guess-{n}")
    assert page_login(Client(REMOTE_ADDR="203.0.113.9"), user.email, PASSWORD).status_code == 429


def test_a_client_guessing_many_accounts_is_locked_for_every_account(client):
    victims = UserFactory.create_batch(20)
    codes = [page_login(client, victim.email, "guess").status_code for victim in victims]
    assert codes[-1] == 429
    bystander = UserFactory()
    assert page_login(client, bystander.email, PASSWORD).status_code == 429
    # The same bystander from their own network is not affected.
    own = Client(REMOTE_ADDR="198.51.100.7")
    assert page_login(own, bystander.email, PASSWORD).status_code == 302 and signed_in(own)


def test_the_message_is_translated(client):
    user = UserFactory()
    for n in range(20):
        page_login(client, user.email, f"guess-{n}", url="/zh-hans/accounts/login/")
    response = page_login(client, user.email, PASSWORD, url="/zh-hans/accounts/login/")
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录失败次数过多" in html and "15 分钟" in html
    assert 'href="/zh-hans/accounts/password-reset/"' in html
    assert english_words(html) == set()
    api = token_login(APIClient(), user.email, PASSWORD, language="zh-hans")
    assert api.json()["error"]["code"] == "locked_out"
    assert "登录失败次数过多" in api.json()["error"]["message"]


def test_the_lock_ends_after_the_cool_off_and_a_correct_log_in_works(client):
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        for n in range(20):
            page_login(client, user.email, f"guess-{n}")
        clock.shift(timedelta(minutes=14))
        assert page_login(client, user.email, PASSWORD).status_code == 429
        # Trying during the lock starts the cool-off again.
        clock.shift(timedelta(minutes=14))
        assert page_login(client, user.email, PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=15, seconds=1))
        response = page_login(client, user.email, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_logging_in_to_an_account_of_ones_own_does_not_reset_the_count(client):
    victim, own = UserFactory(), UserFactory()
    for n in range(19):
        page_login(client, victim.email, f"guess-{n}")
    assert page_login(client, own.email, PASSWORD).status_code == 302
    client.post("/en/accounts/logout/")
    assert page_login(client, victim.email, "guess-19").status_code == 429
    assert page_login(Client(REMOTE_ADDR="198.51.100.7"), victim.email, PASSWORD).status_code == 429


def test_twenty_wrong_passwords_lock_the_token_endpoint_even_under_its_throttle():
    """Paced under the 10/min throttle, an attacker still meets the lock."""
    user = UserFactory()
    api = APIClient()
    with time_machine.travel(START, tick=False) as clock:
        answers = []
        for n in range(20):
            answers.append(token_login(api, user.email, f"guess-{n}"))
            clock.shift(timedelta(seconds=7))
        assert [a.status_code for a in answers] == [400] * 19 + [429]
        locked = token_login(api, user.email, PASSWORD)
        assert locked.status_code == 429
        error = locked.json()["error"]
        assert error["code"] == "locked_out" and "15 minutes" in error["message"]
        assert error["retry_after"] == 900 and locked["Retry-After"] == "900"
        assert "token" not in locked.json()
        clock.shift(timedelta(minutes=16))
        assert token_login(api, user.email, PASSWORD).status_code == 200


def test_twenty_wrong_passwords_lock_the_back_office_log_in(client):
    operator = OperatorFactory()
    codes = [page_login(client, operator.email, f"g-{n}", url=ADMIN).status_code for n in range(20)]
    assert codes == [200] * 19 + [429]
    refused = page_login(client, operator.email, PASSWORD, url=ADMIN)
    assert (
        refused.status_code == 429 and "Too many failed log-in attempts" in refused.content.decode()
    )
    assert client.get("/en/ops/").status_code == 302  # still sent to the log-in


def test_a_password_reset_lifts_the_lock(client):
    user = UserFactory()
    for n in range(20):
        page_login(client, user.email, f"guess-{n}")
    client.post("/en/accounts/password-reset/", {"email": user.email})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    new = "Another-strong-pass-77"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    response = page_login(client, user.email, new)
    assert response.status_code == 302 and signed_in(client)


def test_operators_see_the_failures_in_the_back_office(client, client_for, operator):
    user = UserFactory()
    for n in range(3):
        page_login(client, user.email, f"guess-{n}")
    page = client_for(operator).get("/zh-hans/ops/axes/accessattempt/")
    assert page.status_code == 200
    html = page.content.decode()
    assert user.email in html


def test_behind_a_proxy_the_client_is_the_address_the_proxy_names(settings):
    settings.LOGIN_CLIENT_ADDRESS_META = "HTTP_X_REAL_IP"
    victims = UserFactory.create_batch(20)
    proxy = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="203.0.113.50")
    assert [page_login(proxy, v.email, "guess").status_code for v in victims][-1] == 429
    # Another shopper through the same proxy is a different client.
    neighbour = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="203.0.113.51")
    bystander = UserFactory()
    assert page_login(neighbour, bystander.email, PASSWORD).status_code == 302

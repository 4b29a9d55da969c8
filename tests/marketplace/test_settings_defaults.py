"""Configuration: the embedded default with nothing set, and a clean deploy check."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django, json
django.setup()
from django.conf import settings
print(json.dumps({
  "engine": settings.DATABASES["default"]["ENGINE"],
  "cache": settings.CACHES["default"]["BACKEND"],
  "eager": settings.CELERY_TASK_ALWAYS_EAGER,
  "broker": settings.CELERY_BROKER_URL,
  "debug": settings.DEBUG,
  "languages": [code for code, _ in settings.LANGUAGES],
}))
"""


def _clean_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            (
                "DATABASE_URL",
                "REDIS_URL",
                "CELERY_",
                "SECRET_KEY",
                "DEBUG",
                "ALLOWED_HOSTS",
                "PYTEST_XDIST",
                "STRIPE_",
                "FIELD_ENCRYPTION_KEY",
                "DJANGO_ALLOW_ASYNC_UNSAFE",
            )
        )
    }
    env["DJANGO_SETTINGS_MODULE"] = "marketplace.settings"
    env.update(extra)
    return env


def test_with_nothing_set_the_embedded_default_applies():
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    config = json.loads(out.stdout.strip().splitlines()[-1])
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["cache"].endswith("LocMemCache")
    assert config["eager"] is True and config["broker"] == "memory://"
    assert config["languages"] == ["zh-hans", "en"]


def test_database_and_redis_urls_switch_to_postgres_redis_and_workers():
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=_clean_env(DATABASE_URL="postgres://u@db:5432/silkway", REDIS_URL="redis://r:6379/0"),
        capture_output=True,
        text=True,
        check=True,
    )
    config = json.loads(out.stdout.strip().splitlines()[-1])
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["cache"].endswith("RedisCache")
    assert config["eager"] is False and config["broker"] == "redis://r:6379/0"


def _deploy_check(**extra) -> subprocess.CompletedProcess:
    """``manage.py check --deploy`` with production's variables (and ``extra``)."""
    env = _clean_env(
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        DEBUG="false",
        ALLOWED_HOSTS="shop.example.com",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:////tmp/silkway-check.sqlite3"),
        FIELD_ENCRYPTION_KEY="k" * 43 + "=",
        **extra,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_production_variables_pass_the_deploy_check():
    out = _deploy_check(
        STRIPE_SECRET_KEY="sk_live_x",
        STRIPE_PUBLISHABLE_KEY="pk_live_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_the_deploy_check_asks_for_the_stripe_keys_and_no_stand_in():
    out = _deploy_check(STRIPE_API_BASE="http://127.0.0.1:8420")
    assert out.returncode != 0
    for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
        assert f"{name} is not set" in out.stderr + out.stdout
    assert "payments.W002" in out.stderr + out.stdout


def test_the_embedded_default_talks_to_localstripe():
    probe = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.STRIPE_API_BASE, s.STRIPE_JS_URL, s.STRIPE_SECRET_KEY[:8]]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    api, js, key = json.loads(out.stdout.strip().splitlines()[-1])
    assert api == "http://127.0.0.1:8420" and js == "http://127.0.0.1:8420/js.stripe.com/v3/"
    assert key == "sk_test_"

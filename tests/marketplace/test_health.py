"""Health probes: liveness, readiness, and a stopped dependency reported by name."""

import socket

import pytest


@pytest.mark.django_db
def test_healthz_says_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_cache_and_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # check the real broker, as production does
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["database"] == {
        **body["checks"]["database"],
        "ok": True,
        "detail": "postgresql",
    }
    assert body["checks"]["cache"]["detail"] == "RedisCache"
    assert body["checks"]["broker"]["ok"] is True


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens


@pytest.mark.django_db
def test_readyz_reports_a_stopped_cache_with_503(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    # Django's setting_changed handler rebuilds the cache connections from the new settings.
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"]["ok"] is False
    assert "Connection" in body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_readyz_reports_a_stopped_broker_with_503(client, settings):
    from marketplace.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    original = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    # readyz opens a fresh connection from the configured URL; the shared producer pool
    # (used by every other test) is left alone.
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = original
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["broker"]["ok"] is False

"""A real Celery worker for integration tests.

``celery_worker`` starts ``celery worker`` as a separate process, on the real Redis broker,
bound to this test run's PostgreSQL database, and switches the test process from eager to
real dispatch while it is in use. Tests that let the worker read their rows must commit them:
use ``transactional_db``.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _database_url(settings_dict) -> str:
    auth = settings_dict["USER"] or ""
    if settings_dict.get("PASSWORD"):
        auth += ":" + settings_dict["PASSWORD"]
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{settings_dict['NAME']}"


def start_worker(log: Path, *, queues: str = "default,customs,notifications", **env_overrides):
    """Start ``celery worker`` (solo pool) on this run's database and broker; returns the
    process once it answers a ping. ``env_overrides`` become its environment (settings)."""
    from django.db import connection

    from marketplace.tasks import ping

    if not os.environ.get("REDIS_URL"):
        pytest.fail("worker tests need REDIS_URL (make test sets it)")
    env = dict(os.environ)
    env["DATABASE_URL"] = _database_url(connection.settings_dict)
    env["CELERY_TASK_ALWAYS_EAGER"] = "false"
    env.update({key: str(value) for key, value in env_overrides.items()})
    name = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "marketplace",
                "worker",
                "-Q",
                queues,
                "-P",
                "solo",
                "-c",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{name}-{uuid.uuid4().hex[:6]}@%h",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            ping.apply_async(("ready",), queue=queues.split(",")[0]).get(timeout=5)
            return proc
        except Exception:  # noqa: BLE001 - keep polling until the worker answers
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("Celery worker did not start:\n" + log.read_text()[-3000:])


def stop_worker(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """The real worker process, started once per test process."""
    proc = start_worker(tmp_path_factory.mktemp("celery") / "worker.log")
    try:
        yield proc
    finally:
        stop_worker(proc)


@pytest.fixture
def celery_worker(celery_worker_process):
    """Tasks of this test go to the real worker; every other test keeps running them eagerly
    (turning eager mode off for the rest of the session sent later tests' outbox deliveries
    to the worker, which then wrote while those tests flushed the database)."""
    from marketplace.celery import app

    app.conf.task_always_eager = False
    try:
        yield celery_worker_process
    finally:
        app.conf.task_always_eager = True

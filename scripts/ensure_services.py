"""Make sure PostgreSQL, Redis and RabbitMQ answer before the test suite runs.

- answers: fine, say nothing more than one line each;
- installed but stopped (local address): start it with the machine's own command, wait;
- missing: stop with one clear line naming what is missing and how to get it.

Reads DATABASE_URL, REDIS_URL and CUSTOMS_AMQP_URL (defaults: 127.0.0.1:5432, 127.0.0.1:6379
and amqp://guest:guest@127.0.0.1:5672//, the broker the customs AMQP transport tests use).
"""

import glob
import os
import shutil
import subprocess
import sys
import time
from urllib.parse import urlparse

LOCAL = {"127.0.0.1", "localhost", "::1", ""}


def postgres_answers(url: str) -> bool:
    import psycopg2

    try:
        psycopg2.connect(url, connect_timeout=2).close()
        return True
    except psycopg2.OperationalError as exc:
        # The server answered but the database does not exist yet: that is "up".
        return "does not exist" in str(exc)


def create_database(url: str) -> None:
    """Create the database named in DATABASE_URL if the server has no such database yet."""
    import psycopg2
    from psycopg2 import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    try:
        psycopg2.connect(url, connect_timeout=2).close()
        return
    except psycopg2.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    admin = psycopg2.connect(parsed._replace(path="/postgres").geturl(), connect_timeout=2)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    print(f"PostgreSQL: created database {name}")


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.exceptions.RedisError:
        return False


def start_postgres() -> str | None:
    if shutil.which("pg_ctlcluster") and glob.glob("/etc/postgresql/*"):
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        cmd = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"]
    elif shutil.which("pg_ctl") and os.environ.get("PGDATA"):
        cmd = ["pg_ctl", "start", "-w", "-D", os.environ["PGDATA"]]
    else:
        return "PostgreSQL is not installed: `apt-get install postgresql` (or set DATABASE_URL)"
    subprocess.run(cmd, check=False, capture_output=True)  # noqa: S603 - fixed argv
    return None


def start_redis() -> str | None:
    if not shutil.which("redis-server"):
        return "Redis is not installed: `apt-get install redis-server` (or set REDIS_URL)"
    subprocess.run(  # noqa: S603 - fixed argv
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=False,
        capture_output=True,
    )
    return None


def rabbitmq_answers(url: str) -> bool:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001 - any failure to connect means "not answering"
        return False


def start_rabbitmq() -> str | None:
    if not shutil.which("rabbitmq-server"):
        return (
            "RabbitMQ is not installed: `apt-get install rabbitmq-server` (or set CUSTOMS_AMQP_URL)"
        )
    subprocess.run(["rabbitmq-server", "-detached"], check=False, capture_output=True)  # noqa: S603, S607 - fixed argv
    return None


def ensure(name: str, url: str, answers, start, tries: int = 30) -> str | None:
    if answers(url):
        print(f"{name}: answering at {urlparse(url).hostname}:{urlparse(url).port}")
        return None
    host = urlparse(url).hostname or ""
    if host not in LOCAL:
        return f"{name} does not answer at {host}; start it there or fix the URL"
    problem = start()
    if problem:
        return problem
    for _ in range(tries):
        if answers(url):
            print(f"{name}: was stopped, started it")
            return None
        time.sleep(0.5)
    return f"{name} is installed but did not start; see its log"


def main() -> int:
    db = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    cache = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    amqp = os.environ.get("CUSTOMS_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
    problems = [
        p
        for p in (
            ensure("PostgreSQL", db, postgres_answers, start_postgres),
            ensure("Redis", cache, redis_answers, start_redis),
            # RabbitMQ takes several seconds to boot: wait up to 60 s.
            ensure("RabbitMQ", amqp, rabbitmq_answers, start_rabbitmq, tries=120),
        )
        if p
    ]
    if not problems:
        create_database(db)
    for problem in problems:
        print(f"make test: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

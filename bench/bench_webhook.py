"""HTTP benchmark of the carriers' tracking webhook, served as in production.

    .venv/bin/python bench/bench_webhook.py        (or: make bench)

1. Creates the database ``silkway_bench_webhook`` on DATABASE_URL's PostgreSQL server
   (dropped after), migrates it and seeds one pushing carrier feed with its secret and
   ``BENCH_PARCELS`` (default 300) packed direct-mail parcels, each shipped by a first scan
   sent through the webhook before measuring (so the rounds measure steady tracking, not
   the once-per-order "ship" with its stock movement).
2. Starts gunicorn as production runs it (DEBUG off, PostgreSQL, the Redis cache, 2
   ``gthread`` workers of 4 threads).
3. ``BENCH_CLIENTS`` threads (default 8) post, each in a loop, one carrier event per request
   (``{"events": [{waybill, status, time, location, text}]}``, the way the carrier simulator
   pushes) to ``POST /tracking/webhooks/<carrier>/``, signed with HMAC-SHA256 over the raw
   body (``X-Silkway-Signature``): a random parcel, ``in_transit`` at a new time, so every
   event passes the signature check and the de-duplication read and is stored, and its
   parcel's order follows (``parcels_follow_events``: order lock, latest event by event
   time). Every 10th request repeats an event already sent: a duplicate, answered and not
   stored, as carriers resend. The baseline, same server, same run, same clients and bodies:
   ``POST /en/bench/minimal-post/`` (``bench/urls.py``: the middleware stack, the body read,
   nothing done).
4. ``BENCH_ROUNDS`` rounds (default 3) of ``BENCH_DURATION`` seconds (default 10): baseline,
   then webhook. Prints events ingested per second, the ratio to the baseline's requests per
   second (median of the rounds, every round shown) and one JSON line; checks that the
   stored events are exactly those accepted (no duplicate stored). Target: **≥ 0.3×**
   (issue 11); exits 1 below it or on any error answer.

The clients are Python threads on the same machine as the server: on a small machine they
take CPU from it, which lowers both sides alike (the ratio is what is compared). Each round
also prints the CPU a request cost the gunicorn workers, the PostgreSQL backends serving the
benchmark database and the clients (``/proc`` and ``process_time``): on a machine with no
idle CPU the throughputs follow those sums, which drift less with other work than they do.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_catalog_http import (  # noqa: E402
    bench_database_url,
    ensure_database,
    free_port,
    gunicorn_start,
    server_cpu_seconds,
    wait_until_up,
)

DURATION = int(os.environ.get("BENCH_DURATION", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
PARCELS = int(os.environ.get("BENCH_PARCELS", "300"))
BENCH_DB = os.environ.get("BENCH_DB", "silkway_bench_webhook")  # another name: runs side by side
CARRIER = "benchpost"
SECRET = "bench-webhook-secret"
TARGET = 0.3
DUPLICATE_EVERY = 10


def say(text: str) -> None:
    print(text, flush=True)


def seed() -> list[str]:
    """One pushing carrier feed and ``PARCELS`` packed parcels; returns their waybills."""
    from django.db import transaction

    from logistics.fulfilment.models import Parcel
    from logistics.fulfilment.services import shipment_create
    from tests.factories import MerchantFactory, WarehouseFactory
    from tests.fulfilment.helpers import paid_order, simex, staff_of

    say(f"seeding {PARCELS} packed parcels")
    with transaction.atomic():
        carrier = simex(CARRIER, secret=SECRET)
        merchant = MerchantFactory(country="NZ")
        warehouse = WarehouseFactory(kind="overseas", country="NZ")
        packer = staff_of(merchant)
        for _ in range(PARCELS):
            order = paid_order(
                carrier_obj=carrier, merchant=merchant, warehouse=warehouse, quantities=(1,)
            )
            shipment_create(order=order, by=packer)
    return list(Parcel.objects.order_by("pk").values_list("waybill_number", flat=True))


class Client:
    """One carrier connection (keep-alive) to the server."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def post(self, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        self.connection.request("POST", path, body, headers)
        response = self.connection.getresponse()
        return response.status, response.read()


def signed(event: dict) -> tuple[bytes, dict]:
    from logistics.fulfilment.services.tracking import signature_of

    body = json.dumps({"events": [event]}).encode()
    return body, {
        "Content-Type": "application/json",
        "X-Silkway-Signature": signature_of(SECRET, body),
    }


class Events:
    """Fresh events (a new time each), with every ``DUPLICATE_EVERY``-th one a resend."""

    def __init__(self, waybills: list[str], seed: int):
        self.waybills = waybills
        self.rng = random.Random(seed)
        self.start = datetime(2026, 12, 1, tzinfo=UTC) + timedelta(minutes=seed)
        self.sent = 0
        self.last: dict | None = None

    def next(self) -> tuple[dict, bool]:
        self.sent += 1
        if self.last is not None and self.sent % DUPLICATE_EVERY == 0:
            return self.last, True
        self.last = {
            "waybill": self.rng.choice(self.waybills),
            "status": "in_transit",
            "time": (self.start + timedelta(microseconds=self.sent)).isoformat(),
            "location": "Auckland, NZ",
            "text": "Departed facility",
        }
        return self.last, False


def database_cpu_seconds() -> float:
    """CPU time (user + system) of the PostgreSQL backends serving the benchmark database,
    this process's own connection aside (the server is on this machine: its /proc)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [BENCH_DB],
        )
        pids = [pid for (pid,) in cursor.fetchall()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def measure(
    port: int, path: str, waybills: list[str], seconds: int, seed: int, master: int
) -> dict:
    """``CLIENTS`` threads posting signed single-event bodies to ``path`` for ``seconds``;
    with the CPU each request cost the gunicorn workers, PostgreSQL and the clients."""
    stop = time.monotonic() + seconds
    done = [0] * CLIENTS
    accepted = [0] * CLIENTS
    errors: list[str] = []
    webhook = path.startswith("/tracking/")

    def run(index: int) -> None:
        client = Client(port)
        events = Events(waybills, seed * 1000 + index)
        while time.monotonic() < stop:
            event, duplicate = events.next()
            body, headers = signed(event)
            try:
                status, answer = client.post(path, body, headers)
            except OSError as exc:
                errors.append(str(exc)[:200])
                client = Client(port)
                continue
            if status != 200:
                errors.append(f"{status} {answer[:200]!r}")
                continue
            if webhook:
                result = json.loads(answer)
                if result.get("accepted", 0) + result.get("duplicates", 0) != 1 or (
                    duplicate and result.get("accepted")
                ):
                    errors.append(f"unexpected answer {result}")
                    continue
                accepted[index] += result.get("accepted", 0)
            done[index] += 1

    cpu = (server_cpu_seconds(master), database_cpu_seconds(), time.process_time())
    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    server, database, client = (
        after - before
        for before, after in zip(
            cpu,
            (server_cpu_seconds(master), database_cpu_seconds(), time.process_time()),
            strict=True,
        )
    )
    # (the database's CPU is read before the workers' connections may close at their age)
    requests = max(sum(done), 1)
    return {
        "cpu_ms": {
            "server": 1000 * server / requests,
            "database": 1000 * database / requests,
            "client": 1000 * client / requests,
        },
        "per_second": sum(done) / elapsed,
        "ingested_per_second": sum(accepted) / elapsed,
        "requests": sum(done),
        "accepted": sum(accepted),
        "errors": errors,
    }


def cpu_text(side: dict) -> str:
    cpu = side["cpu_ms"]
    return f"{cpu['server']:.2f} + {cpu['database']:.2f} + {cpu['client']:.2f}"


def drop_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg2
    from django.conf import settings

    if settings.configured:
        from django.db import connections

        connections.close_all()
    parts = urlparse(url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    admin.close()


def main() -> int:
    db_url = bench_database_url(BENCH_DB)
    drop_database(db_url)
    ensure_database(db_url)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "CACHE_KEY_PREFIX": "silkway-bench-webhook-" + secrets.token_hex(4),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    say("migrating the benchmark database")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connections

    from logistics.fulfilment.models import TrackingEvent

    waybills = seed()
    connections.close_all()
    port = free_port()
    server = gunicorn_start(port, env)
    rounds = []
    try:
        wait_until_up(f"http://127.0.0.1:{port}/en/bench/minimal/", time.time() + 60)
        hook = f"/tracking/webhooks/{CARRIER}/"
        client = Client(port)
        for n, waybill in enumerate(waybills):  # the first scan ships each order
            body, headers = signed(
                {
                    "waybill": waybill,
                    "status": "in_transit",
                    "time": f"2026-11-30T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z",
                    "location": "Auckland, NZ",
                    "text": "Picked up",
                }
            )
            status, answer = client.post(hook, body, headers)
            if status != 200 or json.loads(answer).get("accepted") != 1:
                raise SystemExit(f"first scan answered {status}: {answer[:200]!r}")
        before = TrackingEvent.objects.count()
        for number in range(1, ROUNDS + 1):
            base = measure(port, "/en/bench/minimal-post/", waybills, DURATION, number, server.pid)
            webhook = measure(port, hook, waybills, DURATION, number, server.pid)
            ratio = webhook["ingested_per_second"] / base["per_second"]
            rounds.append({"baseline": base, "webhook": webhook, "ratio": ratio})
            say(
                f"round {number}: minimal POST {base['per_second']:.1f}/s, webhook "
                f"{webhook['per_second']:.1f} requests/s, {webhook['ingested_per_second']:.1f} "
                f"events stored/s, ratio {ratio:.3f}; CPU ms a request (server + database + "
                f"client): minimal {cpu_text(base)}, webhook {cpu_text(webhook)}"
            )
        stored = TrackingEvent.objects.count() - before
        accepted = sum(r["webhook"]["accepted"] for r in rounds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        drop_database(db_url)
    errors = [e for r in rounds for side in ("baseline", "webhook") for e in r[side]["errors"]]
    if stored != accepted:
        errors.append(f"{stored} events stored, {accepted} accepted")
    median_ratio = statistics.median(r["ratio"] for r in rounds)
    median_rate = statistics.median(r["webhook"]["ingested_per_second"] for r in rounds)
    say("")
    say("| case | per second | ratio to a minimal POST (median) |")
    say("| --- | ---: | ---: |")
    say(
        "| minimal POST view (baseline) | "
        f"{statistics.median(r['baseline']['per_second'] for r in rounds):.1f} | 1 |"
    )
    each = " ".join(f"{r['ratio']:.3f}" for r in rounds)
    say(
        "| carrier webhook: signature, de-duplication, event stored, order followed | "
        f"{median_rate:.1f} events | **{median_ratio:.3f}** ({each}) |"
    )
    # On a machine with no idle CPU the throughputs follow the CPU each request costs, all
    # of it on the same cores: the workers', PostgreSQL's and the clients'.
    cpu = {
        side: {
            part: statistics.median(r[side]["cpu_ms"][part] for r in rounds)
            for part in ("server", "database", "client")
        }
        for side in ("baseline", "webhook")
    }
    say(
        "CPU ms a request, median (server + database + client): minimal POST "
        f"{cpu_text({'cpu_ms': cpu['baseline']})}, webhook {cpu_text({'cpu_ms': cpu['webhook']})}"
    )
    print(
        json.dumps(
            {
                "bench": "webhook",
                "cpu_ms": {side: {k: round(v, 3) for k, v in c.items()} for side, c in cpu.items()},
                "clients": CLIENTS,
                "events_per_second": round(median_rate, 1),
                "ratio": round(median_ratio, 4),
                "rounds": [round(r["ratio"], 4) for r in rounds],
                "target": TARGET,
                "errors": len(errors),
            }
        )
    )
    if errors:
        say(f"{len(errors)} errors, e.g. {errors[0]}")
        return 1
    if median_ratio < TARGET:
        say(f"below the target {TARGET}×")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

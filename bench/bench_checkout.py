"""HTTP benchmark of checkout, end to end through the API, served as in production.

    .venv/bin/python bench/bench_checkout.py        (or: make bench)

1. Creates (once) the database ``silkway_bench_checkout`` on the PostgreSQL server of
   DATABASE_URL, migrates it and seeds a small marketplace: two merchants, a bonded
   warehouse in China and one in New Zealand, 60 SKUs with plenty of stock, and shoppers
   with API tokens (later runs reuse it; its checkouts pile up, which is what a shop has).
2. Starts localstripe (``payments.localstripe_server``) and gunicorn as production runs it
   (DEBUG off, PostgreSQL, the Redis cache, 2 ``gthread`` workers of 4 threads), pointed at
   localstripe for Stripe.
3. ``BENCH_CLIENTS`` threads (default 8), each a signed-in shopper (token), buy in a loop:
   three ``POST /api/v1/cart/lines/`` (a bonded line and a direct-mail line of one merchant,
   a direct-mail line of the other, each SKU picked at random from its pool), then
   ``POST /api/v1/checkouts/`` with an ``Idempotency-Key`` and the payer's identity: one
   placed checkout of three orders with its PaymentIntent from localstripe (201 with the
   client secret). The baseline, in the same server and run: the same threads posting to a
   minimal view that writes one row (``bench/urls.py``).
4. ``BENCH_ROUNDS`` rounds (default 3) of ``BENCH_DURATION`` seconds (default 10) each:
   the baseline, then checkout. Prints checkouts per second, the ratio to the baseline's
   writes per second (median of the rounds, every round shown), and one JSON line. Exits 1
   on any error answer. There is no target: the figure is recorded in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_catalog_http import free_port, wait_until_up  # noqa: E402

DURATION = int(os.environ.get("BENCH_DURATION", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
WORKERS = 2
THREADS = 4
BENCH_DB = "silkway_bench_checkout"
SHOPPERS = 32
POOL = 20  # SKUs per pool (three pools): buyers spread over stock rows, as in a shop


def say(text: str) -> None:
    print(text, flush=True)


def ensure_database() -> str:
    """The benchmark's own database on DATABASE_URL's server (created on the first run)."""
    import psycopg2

    server = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1/x")
    if not server.scheme.startswith("postgres"):
        raise SystemExit("the checkout benchmark needs PostgreSQL: set DATABASE_URL")
    admin = psycopg2.connect(urlunparse(server._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [BENCH_DB])
        if not cursor.fetchone()[0]:
            say(f"creating database {BENCH_DB}")
            cursor.execute(f'CREATE DATABASE "{BENCH_DB}"')
    admin.close()
    return urlunparse(server._replace(path="/" + BENCH_DB))


def _seed_marketplace() -> None:
    from decimal import Decimal

    from logistics.models import Warehouse
    from tests.factories import (
        MerchantFactory,
        ProductFactory,
        SKUFactory,
        StockFactory,
        UserFactory,
        WarehouseFactory,
    )

    kiwi = MerchantFactory(name_en="Kiwi Nature", name_zh_hans="奇异自然", country="NZ")
    tokyo = MerchantFactory(name_en="Tokyo Beauty", name_zh_hans="东京美妆", country="JP")
    bonded = WarehouseFactory(kind=Warehouse.Kind.BONDED, country="CN")
    auckland = WarehouseFactory(kind=Warehouse.Kind.OVERSEAS, country="NZ")
    for pool, merchant, warehouse in (
        ("bonded", kiwi, bonded),
        ("direct", kiwi, auckland),
        ("other", tokyo, auckland),
    ):
        for n in range(POOL):
            extra = (
                {
                    "allow_bonded": True,
                    "product_record_status": "recorded",
                    "product_record_number": f"B{n}",
                }
                if pool == "bonded"
                else {}
            )
            sku = SKUFactory(
                product=ProductFactory(merchant=merchant, name_en=f"{pool} {n}"),
                code=f"BENCH-{pool}-{n}",
                price=Decimal("39.00"),
                hs_code="3304990099",
                gross_weight_kg=Decimal("0.200"),
                net_weight_kg=Decimal("0.150"),
                **extra,
            )
            StockFactory(sku=sku, warehouse=warehouse, on_hand=2_000_000_000)
    for n in range(SHOPPERS):
        UserFactory(email=f"bench-shopper-{n}@example.com")


def seed() -> dict:
    """The marketplace and shoppers (once); returns the SKU pools and the shoppers' tokens."""
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from catalog.models import SKU

    if not SKU.objects.filter(code__startswith="BENCH-").exists():
        say("seeding the checkout benchmark's marketplace (first run only)")
        with transaction.atomic():
            _seed_marketplace()
    pools = {
        pool: list(
            SKU.objects.filter(code__startswith=f"BENCH-{pool}-").values_list("pk", flat=True)
        )
        for pool in ("bonded", "direct", "other")
    }
    tokens = [
        Token.objects.get_or_create(user=user)[0].key
        for user in User.objects.filter(email__startswith="bench-shopper-").order_by("pk")
    ]
    return {"pools": pools, "tokens": tokens}


def start_localstripe(env: dict) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "payments.localstripe_server", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        line = process.stdout.readline()
        if "listening on" in line:
            url = line.split("listening on", 1)[1].strip()
            threading.Thread(target=process.stdout.read, daemon=True).start()  # drain
            return process, url
    process.kill()
    raise SystemExit("localstripe did not start")


class Client:
    """One shopper's keep-alive connection to the server."""

    def __init__(self, port: int, token: str | None = None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Content-Type": "application/json", "Accept-Language": "en"}
        if token:
            self.headers["Authorization"] = f"Token {token}"

    def post(self, path: str, body: dict, **headers) -> tuple[int, dict]:
        self.connection.request("POST", path, json.dumps(body), {**self.headers, **headers})
        response = self.connection.getresponse()
        data = response.read()
        try:
            return response.status, json.loads(data) if data else {}
        except ValueError:
            return response.status, {"raw": data[:200].decode(errors="replace")}


def buy(client: Client, pools: dict, rng) -> None:
    """Three lines from two merchants into the cart, then a placed, payable checkout."""
    for pool in ("bonded", "direct", "other"):
        status, body = client.post(
            "/api/v1/cart/lines/?country=CN&province=CN-ZJ",
            {"sku": rng.choice(pools[pool]), "quantity": 1},
        )
        if status != 201:
            raise RuntimeError(f"cart add answered {status}: {body}")
    from tests.orders.checkout_helpers import ADDRESS_CN, identity

    status, body = client.post(
        "/api/v1/checkouts/",
        {"address": ADDRESS_CN, "identity": identity(), "currency": "CNY"},
        **{"Idempotency-Key": uuid.uuid4().hex},
    )
    if status != 201 or not (body.get("payment") or {}).get("client_secret"):
        raise RuntimeError(f"checkout answered {status}: {str(body)[:300]}")
    if len(body["orders"]) != 3:
        raise RuntimeError(f"expected three orders, got {len(body['orders'])}")


def write_one(client: Client, pools: dict, rng) -> None:
    status, body = client.post("/en/bench/write/", {})
    if status != 200:
        raise RuntimeError(f"baseline answered {status}: {body}")


def measure(port: int, tokens: list[str], action, pools: dict, seconds: int) -> dict:
    """``action`` in a loop on ``CLIENTS`` threads for ``seconds``: completed per second."""
    import random

    stop = time.monotonic() + seconds
    done = [0] * CLIENTS
    errors: list[str] = []

    def run(index: int) -> None:
        rng = random.Random(index)
        client = Client(port, tokens[index % len(tokens)])
        while time.monotonic() < stop:
            try:
                action(client, pools, rng)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                errors.append(str(exc)[:300])
                client = Client(port, tokens[index % len(tokens)])
                continue
            done[index] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"per_second": sum(done) / elapsed, "count": sum(done), "errors": errors}


def main() -> int:
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    db_url = ensure_database()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "silkway-bench-checkout-" + secrets.token_hex(4),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        # the bench's few shoppers buy far faster than any person: no throttling here
        "THROTTLE_USER": "1000000/min",
    }
    python = sys.executable
    say("migrating the benchmark database")
    for command in ("migrate", "collectstatic"):
        subprocess.run(
            [python, "manage.py", command, "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
    stripe, stripe_url = start_localstripe(env)
    env.update(
        STRIPE_API_BASE=stripe_url,
        STRIPE_SECRET_KEY="sk_test_bench",
        STRIPE_PUBLISHABLE_KEY="pk_test_bench",
        STRIPE_WEBHOOK_SECRET="whsec_bench",
    )
    os.environ.update(env)
    import django

    django.setup()
    world = seed()
    from django.db import connections

    connections.close_all()
    port = free_port()
    gunicorn = (
        f"-m gunicorn marketplace.wsgi:application --bind 127.0.0.1:{port} "
        f"--workers {WORKERS} --worker-class gthread --threads {THREADS} --keep-alive 5 "
        "--log-level warning"
    )
    server = subprocess.Popen(
        [python, *gunicorn.split()],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    rounds = []
    try:
        wait_until_up(f"http://127.0.0.1:{port}/en/bench/minimal/", time.time() + 60)
        # one of each first: a failure shows before any measuring
        client = Client(port, world["tokens"][0])
        buy(client, world["pools"], __import__("random").Random(0))
        write_one(client, world["pools"], None)
        for number in range(1, ROUNDS + 1):
            base = measure(port, world["tokens"], write_one, world["pools"], DURATION)
            checkout = measure(port, world["tokens"], buy, world["pools"], DURATION)
            ratio = checkout["per_second"] / base["per_second"]
            rounds.append({"baseline": base, "checkout": checkout, "ratio": ratio})
            say(
                f"round {number}: one-row writes {base['per_second']:.1f}/s, "
                f"checkouts {checkout['per_second']:.2f}/s ({checkout['count']}), "
                f"ratio {ratio:.3f}"
            )
    finally:
        for process in (server, stripe):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    errors = [e for r in rounds for side in ("baseline", "checkout") for e in r[side]["errors"]]
    median_ratio = statistics.median(r["ratio"] for r in rounds)
    median_rate = statistics.median(r["checkout"]["per_second"] for r in rounds)
    say("")
    say("| case | per second | ratio to one-row write (median) |")
    say("| --- | ---: | ---: |")
    say(
        f"| one-row write (baseline) | "
        f"{statistics.median(r['baseline']['per_second'] for r in rounds):.1f} | 1 |"
    )
    each = " ".join(f"{r['ratio']:.3f}" for r in rounds)
    say(
        f"| checkout: 3 cart adds + place + PaymentIntent | {median_rate:.2f} | "
        f"**{median_ratio:.3f}** ({each}) |"
    )
    print(
        json.dumps(
            {
                "bench": "checkout",
                "clients": CLIENTS,
                "checkouts_per_second": round(median_rate, 2),
                "ratio": round(median_ratio, 4),
                "rounds": [round(r["ratio"], 4) for r in rounds],
                "errors": len(errors),
            }
        )
    )
    if errors:
        say(f"{len(errors)} errors, e.g. {errors[0]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Flash-sale admissions under a rush, served as in production: the Redis gate against a
``select_for_update`` design, the same sale, the same server, the same run.

    .venv/bin/python bench/bench_flash.py        (or: make bench)

1. Creates (once) the database ``silkway_bench_flash`` (or ``BENCH_DB``) on the PostgreSQL server of
   DATABASE_URL and migrates it; seeds a merchant, one SKU with ample stock, and
   ``SHOPPERS`` (2,500) signed-in shoppers (their sessions written as a log-in writes them).
2. Schedules two identical live flash sales through ``flash_sale_schedule`` (one SKU each):
   ``UNITS`` (500) units, at most ``CAP`` (2) per shopper.
3. Starts gunicorn as the catalog bench does (DEBUG off, Redis cache and sessions,
   2 ``gthread`` workers × 4 threads) and sends ``ATTEMPTS`` (10,000) admission attempts
   (every shopper four times, shuffled) over ``CONNECTIONS`` (64) keep-alive connections at
   once: first to the storefront's own "grab it" endpoint (``/<lang>/flash/item/<id>/take/``,
   the Redis gate), then the same attempts to ``/<lang>/bench/flash-row-lock/<id>/take/``
   (``bench/flash_rowlock.py``: the same view with the item's row locked, the held units
   counted in PostgreSQL).
4. Checks each sale from PostgreSQL, the truth: exactly ``UNITS`` units admitted, nobody over
   the cap, every answer a redirect (no error). Reports attempts per second for both, their
   ratio, and the gunicorn workers' CPU per attempt. Exits 1 if a check fails or a target is
   missed: the gate at least 2,000 attempts/s, and at least 3× the row-lock design. Beside
   them, the minimal Django view loaded by the same client with the same cookies, as the
   yardstick that does not drift with the machine's load.

Attempts per second here include everything a shopper's "grab it" costs the server, as
production serves it (``marketplace.wsgi``): for an admission, session, user, CSRF, the sale
item, the admission (gate + row) or refusal, the flash message and the redirect; once sold
out, the front door's answer (``marketing/flash/door.py``: the gate read, the kept redirect
and message cookie, no Django request cycle). The client is an asyncio HTTP/1.1 loop in this process (one core's worth at most).
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_catalog_http import (  # noqa: E402 - after the path is set
    bench_database_url,
    ensure_database,
    free_port,
    gunicorn_start,
    say,
    server_cpu_seconds,
    wait_until_up,
)

BENCH_DB = os.environ.get("BENCH_DB", "silkway_bench_flash")  # another name: side by side
SHOPPERS = int(os.environ.get("BENCH_FLASH_SHOPPERS", "2500"))
ATTEMPTS = int(os.environ.get("BENCH_FLASH_ATTEMPTS", "10000"))
UNITS = 500
CAP = 2
CONNECTIONS = 64
TARGET_RPS = 2000
TARGET_RATIO = 3.0
SHOPPER_EMAIL = "bench-flash-{n}@example.com"


def database_url() -> str:
    url = bench_database_url(BENCH_DB)
    ensure_database(url)
    return url


def seed() -> tuple[list, list[tuple[str, str]]]:
    """Two live sales of the same SKU's units (gate, row lock), and the shoppers' cookies:
    ``[(Cookie header, CSRF token)]`` per shopper."""
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from catalog.models import SKU
    from logistics.models import Warehouse
    from marketing.flash.services import flash_sale_schedule
    from marketing.models import FlashSale
    from marketplace.sessions import SessionStore
    from merchants.models import Membership
    from tests.factories import (
        MembershipFactory,
        MerchantFactory,
        ProductFactory,
        SKUFactory,
        StockFactory,
        WarehouseFactory,
    )

    if not SKU.objects.filter(code__startswith="BENCH-FLASH-").exists():
        say("seeding the flash benchmark's merchant and shoppers (first run only)")
        with transaction.atomic():
            merchant = MerchantFactory(name_en="Flash Kiwi", name_zh_hans="闪购奇异", country="NZ")
            MembershipFactory(merchant=merchant)  # the owner who schedules the sales
            warehouse = WarehouseFactory(kind=Warehouse.Kind.OVERSEAS, country="NZ")
            for design in ("GATE", "LOCK"):
                sku = SKUFactory(
                    product=ProductFactory(merchant=merchant, name_en=f"Flash honey {design}"),
                    code=f"BENCH-FLASH-{design}",
                    price=Decimal("99.00"),
                )
                StockFactory(sku=sku, warehouse=warehouse, on_hand=2_000_000_000)
            User.objects.bulk_create(
                User(
                    email=SHOPPER_EMAIL.format(n=n),
                    display_name=f"Flash shopper {n}",
                    password=make_password(None),
                )
                for n in range(SHOPPERS)
            )
    skus = {
        sku.code: sku
        for sku in SKU.objects.filter(code__startswith="BENCH-FLASH-").select_related(
            "product__merchant"
        )
    }
    merchant = skus["BENCH-FLASH-GATE"].product.merchant
    owner = Membership.objects.filter(merchant=merchant).select_related("user").first().user
    FlashSale.objects.filter(merchant=merchant).delete()  # earlier runs' sales and admissions
    now = timezone.now()
    items = []
    for title, code in (("gate", "BENCH-FLASH-GATE"), ("row lock", "BENCH-FLASH-LOCK")):
        sale = flash_sale_schedule(
            merchant=merchant,
            by=owner,
            title=f"Bench {title}",
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=1),
            per_shopper_limit=CAP,
            items=[{"sku": skus[code], "flash_price": Decimal("49.00"), "quantity": UNITS}],
        )
        items.append(sale.items.get())
    shoppers = []
    for user in User.objects.filter(email__startswith="bench-flash-").order_by("pk"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        csrf = secrets.token_hex(16)  # a CSRF secret: cookie and header carry the same
        shoppers.append((f"sessionid={session.session_key}; csrftoken={csrf}", csrf))
    return items, shoppers


async def _read_response(reader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _rush(
    port: int, path: str, attempts: list[tuple[str, str]], method: str = "POST"
) -> collections.Counter:
    """Send every attempt once over ``CONNECTIONS`` keep-alive connections at once; count
    the answers by status."""
    queue = collections.deque(attempts)
    answers: collections.Counter = collections.Counter()
    body = b"quantity=1"

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while queue:
            cookie, csrf = queue.popleft()
            writer.write(
                (
                    f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                    f"X-CSRFToken: {csrf}\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
                + body
            )
            answers[await _read_response(reader)] += 1
        writer.close()

    await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
    return answers


def rush(port: int, path: str, attempts, master: int, method: str = "POST") -> dict:
    cpu = server_cpu_seconds(master)
    started = time.perf_counter()
    answers = asyncio.run(_rush(port, path, attempts, method))
    seconds = time.perf_counter() - started
    cpu = server_cpu_seconds(master) - cpu
    return {
        "attempts": len(attempts),
        "seconds": round(seconds, 2),
        "rps": round(len(attempts) / seconds, 1),
        "cpu_ms": round(cpu * 1000 / len(attempts), 3),
        "answers": dict(answers),
    }


def check(item) -> dict:
    """What PostgreSQL says the rush did to ``item``'s sale."""
    from django.db.models import Sum

    from marketing.models import FlashAdmission

    holding = FlashAdmission.objects.filter(item=item, status__in=FlashAdmission.HOLDING)
    per_shopper = holding.values("user_id").annotate(n=Sum("quantity"))
    return {
        "admitted_units": holding.aggregate(n=Sum("quantity"))["n"] or 0,
        "shoppers_admitted": per_shopper.count(),
        "most_by_one_shopper": max((row["n"] for row in per_shopper), default=0),
    }


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    prefix = "silkway-bench-flash-" + secrets.token_hex(4)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": prefix,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    python = sys.executable
    say("migrating the flash benchmark database")
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connections

    from marketing.flash import gate

    items, shoppers = seed()
    connections.close_all()
    rng = random.Random(11)
    attempts = [shoppers[n % len(shoppers)] for n in range(ATTEMPTS)]
    rng.shuffle(attempts)

    port = free_port()
    server = gunicorn_start(port, env)
    results: dict[str, dict] = {}
    try:
        wait_until_up(f"http://127.0.0.1:{port}/en/bench/minimal/", time.time() + 60)
        designs = {
            "redis_gate": f"/en/flash/item/{items[0].pk}/take/",
            "row_lock": f"/en/bench/flash-row-lock/{items[1].pk}/take/",
        }
        # the yardstick: the minimal view (whole middleware stack, no work), same client
        results["minimal"] = rush(port, "/en/bench/minimal/", attempts, server.pid, "GET")
        say(f"minimal view: {json.dumps(results['minimal'])}")
        for (name, path), item in zip(designs.items(), items, strict=True):
            say(f"{name}: {ATTEMPTS:,} attempts by {len(shoppers):,} shoppers for {UNITS} units")
            results[name] = {**rush(port, path, attempts, server.pid), **check(item)}
            say(f"  {json.dumps(results[name])}")
        results["redis_gate"]["gate_left"] = gate.gate_left([items[0].pk]).get(items[0].pk)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        client = gate.client()
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)

    minimal = results.pop("minimal")
    failures = []
    for name, result in results.items():
        result["ratio_to_minimal"] = round(result["rps"] / minimal["rps"], 3)
        if result["admitted_units"] != UNITS:
            failures.append(f"{name}: {result['admitted_units']} units admitted, not {UNITS}")
        if result["most_by_one_shopper"] > CAP:
            failures.append(f"{name}: a shopper holds {result['most_by_one_shopper']} > {CAP}")
        if set(result["answers"]) != {302}:
            failures.append(f"{name}: answers {result['answers']} (every one should redirect)")
    gate_rps, lock_rps = results["redis_gate"]["rps"], results["row_lock"]["rps"]
    ratio = gate_rps / lock_rps if lock_rps else 0.0
    print()
    print(
        f"{'design':<12}{'attempts/s':>12}{'x minimal':>10}{'cpu ms':>9}{'units':>7}{'max/shopper':>13}"
    )
    print(f"{'minimal':<12}{minimal['rps']:>12.1f}{1:>10.3f}{minimal['cpu_ms']:>9.3f}")
    for name, result in results.items():
        print(
            f"{name:<12}{result['rps']:>12.1f}{result['ratio_to_minimal']:>10.3f}"
            f"{result['cpu_ms']:>9.3f}{result['admitted_units']:>7}{result['most_by_one_shopper']:>13}"
        )
    print(f"gate / row lock: {ratio:.2f}x (target {TARGET_RATIO}x); gate {gate_rps:.0f}/s "
          f"(target {TARGET_RPS}/s); load {os.getloadavg()[0]:.1f}")  # fmt: skip
    if gate_rps < TARGET_RPS:
        failures.append(f"gate: {gate_rps:.0f} attempts/s < {TARGET_RPS}")
    if ratio < TARGET_RATIO:
        failures.append(f"gate / row lock {ratio:.2f}x < {TARGET_RATIO}x")
    print(
        json.dumps(
            {"bench": "flash", "minimal": minimal, "results": results, "ratio": round(ratio, 2)}
        )
    )
    for failure in failures:
        print("MISSED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

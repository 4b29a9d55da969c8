"""Declarations end to end: paid orders declared through a real Celery worker to the real
gateway simulator over AMQP (RabbitMQ), signing on (SM2 software key), against a no-op task
through the same worker in the same run.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/bench_declarations.py [orders]

Set-up (not timed): a fresh database ``silkway_bench_declarations`` (migrated, dropped at the
end), the simulator as its own process on AMQP, one worker (``-P solo``, queue ``customs``),
``ORDERS`` paid 9610 orders (default 300).

Timed, per round:

- ``baseline``: ``ORDERS × 3`` no-op tasks (``marketplace.tasks.ping``) sent to the worker's
  queue and waited for — the least a worker round trip costs here;
- ``send``, in two rounds side by side (half the orders each, the previous round's outbox
  deliveries finished first): the declarations opened in one transaction **one by one**
  (``declarations_open`` per order, what a payment does) and **batched**
  (``declarations_open_many``), until the simulator holds every one of those documents: the
  worker seals them in batches of up to 100 (one signature per batch), publishes them with
  confirms, and the simulator validates envelope, XSD and signature and files each
  document. Documents per second, the ratio to the no-op tasks per second, and opening's wall
  and CPU milliseconds per order (CPU of this process: the machine is shared);
- ``cleared``: the same run continued until every order is cleared: receipts read and
  applied in this process, the lists (CEB621) matched and sent by the worker after the other
  three were accepted, released by the simulator (its status steps 0.01 s apart). Orders and
  documents (all four) per second.

Prints a table, then one JSON line; exits 1 when the batched ``send`` is below 400 documents
per second.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

TARGET_DOCS_PER_SECOND = 400


def buyer(n: int) -> str:
    """A well-formed identity number (GB 11643 check character) per order, nobody's."""
    from customs.identity import id_check_character

    first17 = f"11010519800101{n:03d}"
    return first17 + id_check_character(first17)


BENCH_DATABASE = "silkway_bench_declarations"


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.test.utils import setup_databases, teardown_databases

    orders_n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = BENCH_DATABASE
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    from customs.declarations import services
    from customs.declarations.models import OrderDeclaration
    from marketplace.celery import app
    from marketplace.models import OutboxMessage
    from marketplace.tasks import ping
    from orders.models import Order
    from tests.customs.docking.conftest import AMQP_URL, start_simulator
    from tests.declarations.helpers import paid_order, profile
    from tests.workers import start_worker, stop_worker

    app.conf.task_always_eager = False
    tmp = Path(tempfile.mkdtemp(prefix="bench-declarations-"))
    sim = start_simulator(tmp / "simulator", amqp=True, step=0.01)
    worker = None
    try:
        p = profile(gateway_url=AMQP_URL, transport="amqp", prefix=sim.prefix)
        worker = start_worker(tmp / "worker.log", queues="customs")
        # one buyer per order: the simulator keeps each buyer's yearly total (26,000 CNY)
        made = [paid_order(buyer_id=buyer(n)) for n in range(orders_n)]
        documents = orders_n * 3

        # baseline: no-op tasks through the same worker
        start = time.perf_counter()
        results = [ping.apply_async(("x",), queue="customs") for _ in range(documents)]
        for r in results:
            r.get(timeout=120)
        baseline = documents / (time.perf_counter() - start)

        def held() -> int:
            state = sim.state()["documents"]
            return sum(1 for d in state if d["kind"] in {"order", "payment", "waybill"})

        # two rounds side by side, half the orders each: opened one by one (what a payment
        # does, ``declarations_open`` per order) and as one batch (``declarations_open_many``)
        deadline = time.monotonic() + 600
        half = orders_n // 2
        rounds = {}
        first_start = time.perf_counter()
        for name, part in (("one by one", made[:half]), ("batched", made[half:])):
            # the previous round's outbox deliveries are all done (each order's message of
            # the first round is still in the worker's queue after its documents went)
            while OutboxMessage.objects.filter(status="pending").exists():
                time.sleep(0.05)
            expected = held() + len(part) * 3
            start, cpu = time.perf_counter(), time.process_time()
            with transaction.atomic():
                if name == "batched":
                    services.declarations_open_many(part, orders_in_payment=1)
                else:
                    for order, facts in part:
                        services.declarations_open(order, payment=facts, orders_in_payment=1)
            opened = time.perf_counter() - start
            open_cpu = time.process_time() - cpu
            while held() < expected and time.monotonic() < deadline:
                time.sleep(0.05)
            seconds = time.perf_counter() - start
            if held() < expected:
                raise RuntimeError(f"the simulator holds {held()} of {expected} documents")
            rounds[name] = {
                "orders": len(part),
                "documents_per_s": len(part) * 3 / seconds,
                "after_commit_documents_per_s": len(part) * 3 / max(seconds - opened, 1e-9),
                "open_ms_per_order": opened * 1000 / len(part),
                "open_cpu_ms_per_order": open_cpu * 1000 / len(part),
            }
        start = first_start  # cleared: from the first opening on

        pending = {o.pk for o, _ in made}
        while pending and time.monotonic() < deadline:
            services.receipts_fetch(profile=p, limit=500, timeout=0.05)
            pending -= set(
                Order.objects.filter(pk__in=pending, status=Order.Status.CLEARED).values_list(
                    "pk", flat=True
                )
            )
        cleared_seconds = time.perf_counter() - start
        if pending:
            raise RuntimeError(f"{len(pending)} orders not cleared")
        stopped = OrderDeclaration.objects.exclude(status="cleared").count()
    finally:
        if worker is not None:
            stop_worker(worker)
        sim.stop()
        app.conf.task_always_eager = True
        teardown_databases(old, verbosity=0)

    rows = [("baseline: no-op task through the worker", f"{baseline:,.0f} tasks/s", "1")]
    for name, r in rounds.items():
        rows.append(
            (
                f"send, opened {name}: {r['orders'] * 3} documents (311/411/511), SM2",
                f"{r['documents_per_s']:,.0f} documents/s",
                f"{r['documents_per_s'] / baseline:.2f}",
            )
        )
        rows.append(
            (
                f"  after the opening committed ({name})",
                f"{r['after_commit_documents_per_s']:,.0f} documents/s",
                f"{r['after_commit_documents_per_s'] / baseline:.2f}",
            )
        )
    rows.append(
        (
            f"cleared: {orders_n} orders, 4 documents each, receipts applied",
            f"{orders_n * 4 / cleared_seconds:,.0f} documents/s "
            f"({orders_n / cleared_seconds:,.1f} orders/s)",
            f"{orders_n * 4 / cleared_seconds / baseline:.2f}",
        )
    )
    for name, value, ratio in rows:
        print(f"{name:<70} {value:>34}  ratio {ratio}")
    for name, r in rounds.items():
        print(
            f"(opening {r['orders']} declarations {name}: {r['open_ms_per_order']:.1f} ms "
            f"per order, {r['open_cpu_ms_per_order']:.1f} ms CPU per order in this process)"
        )
    send = rounds["batched"]["documents_per_s"]
    summary = {
        "bench": "declarations",
        "orders": orders_n,
        "baseline_tasks_per_s": round(baseline),
        "rounds": {name: {k: round(v, 1) for k, v in r.items()} for name, r in rounds.items()},
        "send_documents_per_s": round(send),
        "send_ratio": round(send / baseline, 3),
        "cleared_documents_per_s": round(orders_n * 4 / cleared_seconds),
        "not_cleared": stopped,
        "load": os.getloadavg()[0],
        "python": platform.python_version(),
    }
    print(json.dumps(summary))
    return 0 if send >= TARGET_DOCS_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())

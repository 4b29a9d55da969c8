"""Force two transactions to meet at their row locks, on the real PostgreSQL.

``run_interleaved(first, second)`` runs ``first`` in a thread until its first
``SELECT … FOR UPDATE`` has returned (it now holds that lock), then runs ``second`` in another
thread until PostgreSQL shows it waiting for a lock (or it has finished), and only then lets
``first`` go on. That is the schedule in which two services that lock the same rows in
different orders deadlock; with one lock order, ``second`` simply waits its turn.

With ``pause_before`` (a regular expression) ``first`` pauses instead just before its first
statement matching it, e.g. ``^UPDATE``: after it has read and checked what it is about to
change, which is where a check-then-write race opens.

Use it from a ``django_db(transaction=True)`` test: each thread has its own connection and
must see the rows the test committed.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

from django.db import connection, connections

_LOCKS = re.compile(r"\bFOR (NO KEY )?UPDATE\b")


@dataclass
class Outcome:
    value: object = None
    error: BaseException | None = None


@dataclass
class Interleaving:
    first: Outcome
    second: Outcome
    # True when ``second`` was seen blocked on a row lock while ``first`` held its first one:
    # proof that the two really met (a test that never collides proves nothing).
    second_waited: bool


def _waiting_for_lock(pid: int) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def run_interleaved(
    first, second, *, pause_before: str | None = None, timeout: float = 30.0
) -> Interleaving:
    """Run the callables ``first`` and ``second`` as described above; return both outcomes."""
    before = re.compile(pause_before) if pause_before else None
    holding, go_on = threading.Event(), threading.Event()
    first_done, second_done = threading.Event(), threading.Event()
    second_pid: list[int] = []

    def pause_after_first_lock(execute, sql, params, many, context):
        if before is not None and before.search(sql) and not holding.is_set():
            holding.set()
            go_on.wait(timeout)
        result = execute(sql, params, many, context)
        if before is None and _LOCKS.search(sql) and not holding.is_set():
            holding.set()
            go_on.wait(timeout)
        return result

    def note_backend(execute, sql, params, many, context):
        if not second_pid:
            second_pid.append(context["connection"].connection.get_backend_pid())
        return execute(sql, params, many, context)

    def run(fn, wrapper, outcome: Outcome, done: threading.Event) -> None:
        try:
            with connection.execute_wrapper(wrapper):
                outcome.value = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test to assert on
            outcome.error = exc
        finally:
            connection.close()
            done.set()

    one, two = Outcome(), Outcome()
    t1 = threading.Thread(target=run, args=(first, pause_after_first_lock, one, first_done))
    t2 = threading.Thread(target=run, args=(second, note_backend, two, second_done))
    t1.start()
    deadline = time.monotonic() + timeout
    while not (holding.is_set() or first_done.is_set()) and time.monotonic() < deadline:
        time.sleep(0.01)
    if not holding.is_set():
        go_on.set()
        t1.join(timeout)
        raise AssertionError(f"the first transaction never reached its pause: {one.error!r}")
    t2.start()
    waited = False
    while not second_done.is_set() and time.monotonic() < deadline:
        if second_pid and _waiting_for_lock(second_pid[0]):
            waited = True
            break
        time.sleep(0.01)
    go_on.set()
    t1.join(timeout)
    t2.join(timeout)
    assert not t1.is_alive() and not t2.is_alive(), "a transaction is still stuck"
    return Interleaving(one, two, waited)

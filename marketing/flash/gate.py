"""The flash-sale gate: Redis in front, PostgreSQL behind (docs/MARKETING.md, "Flash sales").

Per sale item, two Redis keys (one hash tag, so a cluster keeps them on one node):

- ``{…:flash:<item>}:gate`` — hash ``left`` (units still on offer) and ``gen`` (the gate's
  generation, the item's ``gate_generation`` when it was last rebuilt);
- ``{…:flash:<item>}:shoppers`` — hash shopper id → units admitted.

``ADMIT`` takes a shopper's units in one step (quantity and per-shopper counter checked and
changed together, in a Lua script Redis runs atomically), so 10,000 shoppers racing for 500
units cannot take 501 or one shopper more than the cap. The admission row PostgreSQL keeps
is the truth; the gate is its fast copy, and ``LOAD`` rebuilds it from the rows.

Why the copy cannot drift into an oversell:

- An admission holds the item's advisory lock **shared** (``hold_gate``) from before it asks
  the gate until its row commits; a rebuild holds it **exclusively**, so it never runs
  between a gate step and the row that records it. A crash in between leaves units taken in
  Redis that no row holds (the sale undersells) until the next rebuild gives them back.
- A unit is given back to the gate (``GIVE_BACK``) only after the row that frees it has
  committed, naming the generation it read under the shared lock: a rebuild in between
  (which already counted the freed row) bumped the generation, so the late give-back is
  refused instead of counted twice.
- Redis unreachable, or a gate missing (Redis restarted empty): nobody is admitted until a
  rebuild (``flash_gate_reconcile``) has loaded it from PostgreSQL. The sale stops; it never
  guesses.
"""

from __future__ import annotations

import logging
from functools import cache

import redis
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

# Answers of ADMIT below 0
SOLD_OUT = -1
OVER_LIMIT = -2
NOT_LOADED = -3

ADMIT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {-3, 0} end
local left = tonumber(redis.call('HGET', KEYS[1], 'left'))
local qty = tonumber(ARGV[2])
if left < qty then return {-1, left} end
local had = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if had + qty > tonumber(ARGV[3]) then return {-2, left} end
redis.call('HINCRBY', KEYS[2], ARGV[1], qty)
return {0, redis.call('HINCRBY', KEYS[1], 'left', -qty)}
"""

GIVE_BACK = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -3 end
if redis.call('HGET', KEYS[1], 'gen') ~= ARGV[3] then return -4 end
local qty = tonumber(ARGV[2])
redis.call('HINCRBY', KEYS[1], 'left', qty)
if redis.call('HINCRBY', KEYS[2], ARGV[1], -qty) <= 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
return 0
"""

LOAD = """
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'left', ARGV[1], 'gen', ARGV[2])
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 0
"""

# An arbitrary constant: the first half of the two-key advisory lock (the item is the second).
_LOCK_SPACE = 912_001


class GateUnavailable(Exception):
    """Redis did not answer: the sale admits nobody until it does."""


@cache
def _client(url: str) -> redis.Redis:
    timeout = settings.FLASH_GATE_TIMEOUT_SECONDS
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


def client() -> redis.Redis:
    url = settings.FLASH_GATE_REDIS_URL
    if not url:
        raise GateUnavailable("no Redis configured (FLASH_GATE_REDIS_URL / REDIS_URL)")
    return _client(url)


@cache
def _scripts(url: str):
    c = _client(url)
    return c.register_script(ADMIT), c.register_script(GIVE_BACK), c.register_script(LOAD)


# What "Redis did not answer" looks like from redis-py: its own errors, and a connect that
# timed out mid-read, which it surfaces as ``ValueError: I/O operation on closed file`` (seen
# under load in the flash bench: a 500 where the sale should have stopped for that shopper).
REDIS_DOWN = (redis.RedisError, OSError, ValueError)


def _keys(item_id: int) -> list[str]:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    tag = f"{{{prefix}:flash:{item_id}}}"
    return [f"{prefix}:{tag}:gate", f"{prefix}:{tag}:shoppers"]


def _run(index: int, item_id: int, args: list):
    try:
        script = (
            _scripts(settings.FLASH_GATE_REDIS_URL)[index]
            if settings.FLASH_GATE_REDIS_URL
            else None
        )
        if script is None:
            raise GateUnavailable("no Redis configured")
        return script(keys=_keys(item_id), args=args)
    except REDIS_DOWN as exc:
        raise GateUnavailable(str(exc)) from exc


def hold_gate(item_ids, *, exclusive: bool, wait: bool = True) -> bool:
    """Take the items' gate locks for this transaction (PostgreSQL advisory locks, in id
    order); ``exclusive`` for a rebuild, shared for an admission or a give-back. With
    ``wait=False`` an exclusive lock that is busy is not waited for (returns False)."""
    if connection.vendor != "postgresql":
        return True  # the embedded default has no Redis, hence no gate to guard
    with connection.cursor() as cursor:
        for item_id in sorted(set(item_ids)):
            if exclusive and not wait:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, item_id])
                if not cursor.fetchone()[0]:
                    return False
            elif exclusive:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, item_id])
            else:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock_shared(%s, %s)", [_LOCK_SPACE, item_id]
                )
    return True


def gate_admit(*, item_id: int, user_id: int, quantity: int, limit: int) -> tuple[int, int]:
    """Ask the gate for ``quantity`` units: ``(0, left after)``, ``(SOLD_OUT, left)``,
    ``(OVER_LIMIT, left)`` or ``(NOT_LOADED, 0)``. Raises ``GateUnavailable``."""
    answer, left = _run(0, item_id, [user_id, quantity, limit])
    return int(answer), int(left)


def gate_give_back(*, item_id: int, user_id: int, quantity: int, generation: int) -> bool:
    """Give ``quantity`` units back if the gate is still of ``generation``. Never raises: a
    give-back that does not happen leaves the sale underselling until the next rebuild."""
    try:
        return _run(1, item_id, [user_id, quantity, str(generation)]) == 0
    except GateUnavailable:
        logger.warning("flash gate %s: give-back of %s units not done (Redis)", item_id, quantity)
        return False


def gate_load(*, item_id: int, left: int, shoppers: dict[int, int], generation: int, ttl: int):
    """Replace the gate of ``item_id`` by what PostgreSQL says (a rebuild)."""
    args: list = [max(left, 0), str(generation), max(int(ttl), 60)]
    for user_id, units in shoppers.items():
        args += [user_id, units]
    _run(2, item_id, args)


def gate_drop(*, item_id: int) -> None:
    """Remove the gate (the sale was cancelled or is over)."""
    try:
        client().delete(*_keys(item_id))
    except (*REDIS_DOWN, GateUnavailable):
        logger.warning("flash gate %s: not dropped (Redis)", item_id)


def gate_left(item_ids) -> dict[int, int | None]:
    """Units left per item as the gate says (``None``: no gate, or Redis unreachable)."""
    ids = list(item_ids)
    if len(ids) != 1:
        return gate_read(ids)[0]
    try:  # the "sold out?" of every attempt: a plain HGET, no pipeline
        value = client().hget(_keys(ids[0])[0], "left")
    except (*REDIS_DOWN, GateUnavailable):
        return dict.fromkeys(ids)
    return {ids[0]: int(value) if value is not None else None}


def gate_read(item_ids, *, user_id: int | None = None) -> tuple[dict, dict | None]:
    """Units left per item and, for ``user_id``, the units that shopper holds per item (the
    per-shopper counters: admitted or used), in one round trip. Unknowns are ``None``; the
    second dict is ``None`` without a shopper or when Redis did not answer."""
    ids = list(item_ids)
    if not ids:
        return {}, ({} if user_id is not None else None)
    try:
        pipe = client().pipeline(transaction=False)
        for item_id in ids:
            gate_key, shoppers_key = _keys(item_id)
            pipe.hget(gate_key, "left")
            if user_id is not None:
                pipe.hget(shoppers_key, str(user_id))
        values = pipe.execute()
    except (*REDIS_DOWN, GateUnavailable):
        return dict.fromkeys(ids), None
    step = 1 if user_id is None else 2
    lefts = values[::step]
    left = {i: (int(v) if v is not None else None) for i, v in zip(ids, lefts, strict=True)}
    if user_id is None:
        return left, None
    return left, {i: int(v or 0) for i, v in zip(ids, values[1::2], strict=True)}

"""The one in-process cache helper and the kernel's cache versions."""

import pytest
from django.core.cache import cache

from marketplace import localcache
from marketplace.cacheversion import CacheVersion
from marketplace.localcache import LocalCache


class Loads:
    """A loader that counts its calls and returns a new value each time."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return f"value {self.calls}"


def test_a_kept_value_is_served_until_its_ttl_runs_out(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(localcache.time, "monotonic", lambda: now[0])
    kept, load = LocalCache(ttl=10), Loads()
    assert kept.get("k", load) == "value 1"
    now[0] += 9.9
    assert kept.get("k", load) == "value 1" and load.calls == 1
    now[0] += 0.2
    assert kept.get("k", load) == "value 2"


def test_refresh_reloads_at_once():
    kept, load = LocalCache(ttl=60), Loads()
    kept.get("k", load)
    assert kept.get("k", load, refresh=True) == "value 2"
    assert kept.get("k", load) == "value 2"


def test_the_least_recently_used_entry_goes_first_when_full():
    kept = LocalCache(maxsize=2)
    kept.get("a", lambda: 1)
    kept.get("b", lambda: 2)
    kept.get("a", lambda: "not called")  # a is now the most recent
    kept.get("c", lambda: 3)
    assert len(kept) == 2
    assert kept.peek("a") == 1 and kept.peek("c") == 3 and kept.peek("b") is None


@pytest.fixture
def version():
    cache.delete("test:version")
    yield CacheVersion("test:version")
    cache.delete("test:version")


def test_a_bump_moves_the_version_and_a_lost_one_never_comes_back(version):
    first = version.current()
    version.bump()
    second = version.current()
    assert second == first + 1
    cache.delete(version.key)  # evicted, or the cache was flushed
    assert version.current() > second


def test_a_pinned_version_is_used_without_reading_the_cache(version):
    with version.pinned(42):
        assert version.current() == 42
        version.bump()
        assert version.current() == 42
    assert version.current() != 42


def test_read_with_returns_entries_made_under_the_current_version_only(version):
    now = version.current()
    cache.set(f"thing:{now}", "fresh")
    assert version.read_with(lambda v: [f"thing:{v}"]) == (now, {f"thing:{now}": "fresh"})
    version.bump()
    current, found = version.read_with(lambda v: [f"thing:{v}"])
    assert current == now + 1 and found == {}


@pytest.mark.django_db
def test_a_write_bumps_now_and_once_more_on_commit(version, django_capture_on_commit_callbacks):
    start = version.current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(3):
            version.bump_for_write()
        assert version.current() == start + 3
    assert len(callbacks) == 1  # many rows in one transaction: one extra bump
    assert version.current() == start + 4


def test_clear_all_empties_every_copy_in_the_process():
    first, second = LocalCache(), LocalCache(ttl=60)
    first.get("k", lambda: 1)
    second.get("k", lambda: 2)
    LocalCache.clear_all()
    assert len(first) == len(second) == 0

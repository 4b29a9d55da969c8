"""The Redis cache backend the project runs on: Django's own, with one client per process.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` object for every command. The
connections come from a shared pool either way, but building the client (it copies ~170
response callbacks) cost about as much CPU as the network round trip itself, on every cache
read of every page. A ``redis.Redis`` client is thread-safe (it takes a connection from its
pool per command, and the pool notices a fork), so one per pool per process is enough.
Everything else (serialisation, key making, timeouts) is Django's, unchanged.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._pools.get(index)
            if pool is None:
                pool = self._pool_class.from_url(self._servers[index], **self._pool_options)
                self._pools[index] = pool
            client = self._clients.setdefault(index, self._client(connection_pool=pool))
        return client


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache`` reusing its Redis client."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

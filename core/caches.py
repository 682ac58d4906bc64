"""Emptying a cache of this portal's keys, and of nothing else.

Django's `RedisCache.clear()` empties the whole Redis database (FLUSHDB): another application's keys, or
another run's that share the server with their own prefix, would go too. Here a Redis cache loses only the
keys under this portal's prefix (`DJANGO_CACHE_KEY_PREFIX`), found with SCAN, not KEYS, so the server is never
blocked; every other backend is cleared as Django clears it (the database cache's own table, a process's memory).
"""

from itertools import islice

from django.core.cache.backends.redis import RedisCache

BATCH = 1000


def clear_own(cache):
    """Remove this portal's keys from `cache`; returns how many were removed from Redis (None otherwise)."""
    if not isinstance(cache, RedisCache):
        cache.clear()
        return None
    client = cache._cache.get_client(write=True)  # Django's client of the configured server
    keys = client.scan_iter(match=cache.make_key("*"), count=BATCH)
    removed = 0
    while batch := list(islice(keys, BATCH)):
        removed += client.delete(*batch)
    return removed

"""A restore empties the cache of this portal's keys only (core/caches.py): on a Redis database shared with
another application, or another run with its own prefix, their keys stay. Real Redis at 127.0.0.1:6379."""

import secrets

import pytest
from django.core.cache.backends.redis import RedisCache

from core.caches import clear_own

REDIS = "redis://127.0.0.1:6379/11"


@pytest.fixture
def redis_cache():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("没有 Redis（127.0.0.1:6379）")
    ours = RedisCache(REDIS, {"KEY_PREFIX": f"kc-test-{secrets.token_hex(6)}"})
    foreign = f"other-app-{secrets.token_hex(6)}"
    client.set(foreign, b"theirs")
    yield ours, client, foreign
    client.delete(foreign)
    clear_own(ours)


def test_only_the_portals_keys_go(redis_cache):
    ours, client, foreign = redis_cache
    for n in range(2500):  # more than one SCAN batch
        ours.set(f"page-{n}", n)
    assert clear_own(ours) == 2500
    assert ours.get("page-1") is None and ours.get("page-2499") is None
    assert client.get(foreign) == b"theirs"


def test_another_run_with_its_own_prefix_keeps_its_keys(redis_cache):
    ours, client, _ = redis_cache
    neighbour = RedisCache(REDIS, {"KEY_PREFIX": f"kc-test-{secrets.token_hex(6)}"})
    neighbour.set("page", "kept")
    ours.set("page", "ours")
    clear_own(ours)
    assert ours.get("page") is None and neighbour.get("page") == "kept"
    clear_own(neighbour)


@pytest.mark.django_db
def test_other_backends_clear_as_django_does():
    from django.core.cache import caches

    cache = caches["default"]
    cache.set("kc-test-key", 1)
    assert clear_own(cache) is None and cache.get("kc-test-key") is None

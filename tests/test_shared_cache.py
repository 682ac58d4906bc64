"""One cache for every process: two real servers on one database share one API throttle.

The embedded default is the database cache (settings.CACHES); with REDIS_URL set, Redis.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

LIMIT = 5


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server_env(tmp_path_factory):
    """The production settings on a fresh SQLite file, migrated once (the migration makes the cache table)."""
    path = tmp_path_factory.mktemp("shared") / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="kunshan_credit.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_HTTPS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{path}",
        DJANGO_API_ANON_RATE=f"{LIMIT}/min",
        DJANGO_LOG_LEVEL="WARNING",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    return env


def _get(port):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/issues/", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _servers(env, count=2):
    ports, processes = [], []
    for _ in range(count):
        port = _free_port()
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        ports.append(port)
    deadline = time.monotonic() + 60
    for port in ports:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    return ports, processes


def _one_limit_across_two_processes(env):
    ports, processes = _servers(env)
    try:
        statuses = [_get(ports[n % 2]) for n in range(2 * LIMIT)]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
    # Alternating between the two servers: the sixth request is refused, whichever server gets it.
    assert statuses == [200] * LIMIT + [429] * LIMIT, statuses


def test_two_processes_share_the_throttle_through_the_database_cache(server_env):
    _one_limit_across_two_processes(server_env)


def test_two_processes_share_the_throttle_through_redis(server_env):
    """On the Redis the run is given (KC_TEST_REDIS_URL, default database 0 of 127.0.0.1:6379), under a key
    prefix of this run only: nothing of anyone else's is read, counted or removed."""
    redis = pytest.importorskip("redis")
    url = os.environ.get("KC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    prefix = f"kc-test-{secrets.token_hex(8)}"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    try:
        _one_limit_across_two_processes({**server_env, "REDIS_URL": url, "DJANGO_CACHE_KEY_PREFIX": prefix})
        assert any(client.scan_iter(match=f"{prefix}:*"))  # the throttle was counted under the run's prefix
    finally:
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)

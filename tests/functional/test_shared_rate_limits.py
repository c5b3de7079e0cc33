"""Rate limits counted in Redis hold across workers and hosts (``REDIS_URL``); in
memory they are per process. Needs the Redis server CI runs (127.0.0.1:6379); skipped
only where none answers."""

from __future__ import annotations

import secrets

import pytest

from shop import create_app

REDIS = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping())
    except Exception:  # noqa: BLE001 - any failure means "no server here"
        return False


def _host(app_config, storage: str, prefix: str):
    return create_app({**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": storage,
                       "RATELIMIT_KEY_PREFIX": prefix, "API_ADDRESS_RATE_LIMIT": "3 per minute"})


def _statuses(app, n: int) -> list[int]:
    client = app.test_client()
    return [client.get("/api/v1/categories").status_code for _ in range(n)]


def test_the_redis_package_is_installed_so_a_redis_uri_boots():
    import redis  # noqa: F401  (Flask-Limiter's Redis storage imports it)


@pytest.mark.skipif(not _redis_answers(), reason="no Redis server on 127.0.0.1:6379")
def test_a_limit_counted_on_one_host_holds_on_another(app, app_config):
    from shop.extensions import limiter

    prefix = f"test-{secrets.token_hex(6)}"
    try:
        host_a = _host(app_config, REDIS, prefix)
        assert _statuses(host_a, 3) == [200, 200, 200]
        host_b = _host(app_config, REDIS, prefix)  # a second app: its own process state
        assert _statuses(host_b, 1) == [429]
    finally:
        limiter.enabled = app.config["RATELIMIT_ENABLED"]


def test_in_memory_each_process_counts_alone(app, app_config):
    from shop.extensions import limiter

    try:
        host_a = _host(app_config, "memory://", "mem")
        assert _statuses(host_a, 4)[-1] == 429
        host_b = _host(app_config, "memory://", "mem")
        assert _statuses(host_b, 1) == [200]
    finally:
        limiter.enabled = app.config["RATELIMIT_ENABLED"]


def test_redis_url_sets_the_limit_storage(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    try:
        reloaded = importlib.reload(config)
        assert reloaded.Config.RATELIMIT_STORAGE_URI == "redis://cache.internal:6379/0"
        monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
        assert importlib.reload(config).Config.RATELIMIT_STORAGE_URI == "memory://"
    finally:
        monkeypatch.undo()
        importlib.reload(config)


@pytest.mark.skipif(not _redis_answers(), reason="no Redis server on 127.0.0.1:6379")
def test_the_home_page_fragments_are_shared_through_redis(app_config):
    from shop.cache import RedisFragmentCache, fragment_cache

    hosts = [create_app({**app_config, "REDIS_URL": REDIS, "FRAGMENT_CACHE_SECONDS": 30}) for _ in range(2)]
    key = ("test", secrets.token_hex(6))
    with hosts[0].app_context():
        cache = fragment_cache()
        assert isinstance(cache, RedisFragmentCache)
        assert cache.get_or_render(key, lambda: "<p>host A</p>", 30) == "<p>host A</p>"
    with hosts[1].app_context():
        # Host B shows what host A rendered, not its own version.
        assert fragment_cache().get_or_render(key, lambda: "<p>host B</p>", 30) == "<p>host A</p>"
        fragment_cache().clear()
        assert fragment_cache().get_or_render(key, lambda: "<p>host B</p>", 30) == "<p>host B</p>"
        fragment_cache().clear()


def test_a_redis_that_does_not_answer_never_breaks_a_page(app_config):
    from shop.cache import RedisFragmentCache

    cache = RedisFragmentCache("redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert cache.get_or_render(("home", "th"), lambda: "<p>rendered</p>", 30) == "<p>rendered</p>"
    cache.clear()

"""KeyValue on redis.asyncio: cache, sessions and rate limits.

One adapter, two clients: a real Redis server when `redis_url` is set, otherwise an in-process fakeredis server
(the embedded stack). Every key is stored under the configured prefix, so one Redis can serve several apps or
test runs. The redis and fakeredis packages are imported only when a client is built (cold start).

redis.asyncio clients hold connections tied to the event loop that opened them, so the adapter keeps one client
per running loop (tests start a loop per test; the Functions worker and the dev host use one).

A server that cannot be reached (refused, timed out, still loading) makes every call raise
DependencyUnavailable("cache"), a 503 with Retry-After: sessions, rate limits and idempotency keys live here, so
a caller is never treated as signed out, signed in or unlimited because the store did not answer.
"""

from __future__ import annotations

import asyncio
import functools
import math
import secrets
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar

from shared.errors import DependencyUnavailable
from shared.ports import WindowDecision
from shared.settings import Settings

# Sliding window log: one sorted-set member per admitted unit, scored by the server clock in milliseconds.
# One script so that the trim, the count and the admission are atomic: exact under any concurrency, across
# every worker that shares the Redis. The server's clock is used so workers with skewed clocks agree.
# KEYS[1] window key; ARGV: limit, window_ms, cost (0 = peek), unique member tag.
# Returns {allowed 0/1, units in the window afterwards, ms until the blocking/oldest unit leaves}.
_WINDOW_SCRIPT = """
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local allowed = 0
if cost > 0 and cost <= limit and count + cost <= limit then
  for i = 1, cost do
    redis.call('ZADD', key, now, ARGV[4] .. ':' .. i)
  end
  redis.call('PEXPIRE', key, math.ceil(window))
  count = count + cost
  allowed = 1
elseif cost == 0 and count < limit then
  allowed = 1
end
local reset = 0
local need = math.max(cost, 1)
if need > limit then
  reset = window
elseif count > 0 then
  -- the unit whose departure matters: the oldest one, or when refused the one whose leaving makes room
  local index = 0
  if allowed == 0 then
    index = count + need - limit - 1
  end
  local unit = redis.call('ZRANGE', key, index, index, 'WITHSCORES')
  if unit[2] then
    reset = tonumber(unit[2]) + window - now
  end
end
return {allowed, count, tostring(math.max(0, reset))}
"""

# INCRBY, and an expiry only when the key has none yet: a fixed-window counter keeps the window it started with.
_INCR_SCRIPT = """
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if ttl > 0 and redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return value
"""


MAX_CONNECTIONS = 50  # per worker event loop; Azure Cache for Redis tiers allow 256 (C0) and up in total
POOL_WAIT_SECONDS = 10


def _ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


RETRY_AFTER_SECONDS = 2  # what a 503 tells clients while the cache is unreachable
P = ParamSpec("P")
R = TypeVar("R")


def _unreachable(exc: BaseException) -> bool:
    import redis.exceptions

    return isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError
                      | redis.exceptions.BusyLoadingError | OSError | asyncio.TimeoutError)


def _fails_closed(method: Callable[Concatenate[Any, P], Awaitable[R]]) -> Callable[Concatenate[Any, P], Awaitable[R]]:
    """A call the server could not answer becomes DependencyUnavailable("cache"); other errors stay as they are."""

    @functools.wraps(method)
    async def call(self: Any, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(self, *args, **kwargs)
        except Exception as exc:
            if _unreachable(exc):
                raise DependencyUnavailable("cache", retry_after=RETRY_AFTER_SECONDS) from exc
            raise

    return call



class RedisKeyValue:
    """KeyValue over a redis.asyncio client (real or fakeredis)."""

    def __init__(self, client: Any | None = None, *, prefix: str = "", factory: Callable[[], Any] | None = None):
        """Pass a ready client, or a factory that builds one (called once per event loop)."""
        if client is None and factory is None:
            raise ValueError("RedisKeyValue needs a client or a factory")
        self.prefix = prefix
        self._factory = factory
        self._fixed = _Connection(client) if client is not None else None
        self._per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Connection] = \
            weakref.WeakKeyDictionary()

    @classmethod
    def from_settings(cls, settings: Settings) -> RedisKeyValue:
        if settings.redis_url:
            credentials = EntraIdCredentials() if settings.redis_auth == "entra" else None
            return cls(prefix=settings.redis_key_prefix,
                       factory=lambda: _real_client(settings.redis_url, credentials))
        import fakeredis

        # One server holds the data; each event loop gets its own client onto it.
        server = fakeredis.FakeServer()
        return cls(prefix=settings.redis_key_prefix, factory=lambda: _fake_client(server))

    def _connection(self) -> _Connection:
        if self._fixed is not None:
            return self._fixed
        loop = asyncio.get_running_loop()
        connection = self._per_loop.get(loop)
        if connection is None:
            assert self._factory is not None  # __init__ requires a client or a factory
            connection = self._per_loop[loop] = _Connection(self._factory())
        return connection

    def _client(self) -> Any:
        return self._connection().client

    def _key(self, key: str) -> str:
        return self.prefix + key

    # -- strings -------------------------------------------------------------------------------------------

    @_fails_closed
    async def get(self, key: str) -> bytes | None:
        return await self._client().get(self._key(key))

    @_fails_closed
    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        return list(await self._client().mget([self._key(k) for k in keys]))

    @_fails_closed
    async def set(self, key: str, value: bytes | str, *, ttl_seconds: float | None = None,
                  only_if_absent: bool = False) -> bool:
        px = _ms(ttl_seconds) if ttl_seconds is not None else None
        return bool(await self._client().set(self._key(key), value, px=px, nx=only_if_absent))

    @_fails_closed
    async def delete(self, *keys: str) -> int:
        if not keys:
            return 0
        return int(await self._client().delete(*(self._key(k) for k in keys)))

    @_fails_closed
    async def incr(self, key: str, amount: int = 1, *, ttl_seconds: float | None = None) -> int:
        """Adds `amount`; `ttl_seconds` applies only when the key has no expiry yet (a fresh counter)."""
        ttl = _ms(ttl_seconds) if ttl_seconds is not None else 0
        return int(await self._connection().incr_script(keys=[self._key(key)], args=[amount, ttl]))

    @_fails_closed
    async def ttl(self, key: str) -> float | None:
        """Seconds left; None when the key is missing or never expires."""
        left = await self._client().pttl(self._key(key))
        return None if left < 0 else left / 1000

    @_fails_closed
    async def expire(self, key: str, ttl_seconds: float) -> bool:
        """False when the key does not exist."""
        return bool(await self._client().pexpire(self._key(key), _ms(ttl_seconds)))

    # -- sets ----------------------------------------------------------------------------------------------

    @_fails_closed
    async def set_add(self, key: str, *members: str, ttl_seconds: float | None = None) -> int:
        """Adds members (returns how many were new); `ttl_seconds` (re)sets the expiry of the whole set."""
        if not members:
            return 0
        async with self._client().pipeline(transaction=True) as pipe:
            pipe.sadd(self._key(key), *members)
            if ttl_seconds is not None:
                pipe.pexpire(self._key(key), _ms(ttl_seconds))
            results = await pipe.execute()
        return int(results[0])

    @_fails_closed
    async def set_remove(self, key: str, *members: str) -> int:
        if not members:
            return 0
        return int(await self._client().srem(self._key(key), *members))

    @_fails_closed
    async def set_members(self, key: str) -> set[str]:
        return {m.decode() if isinstance(m, bytes) else m for m in await self._client().smembers(self._key(key))}

    # -- rate limits ---------------------------------------------------------------------------------------

    async def hit_window(self, key: str, *, limit: int, window_seconds: float, cost: int = 1) -> WindowDecision:
        """Sliding-window rate limit: records the hit only when allowed."""
        if cost < 1:
            raise ValueError("cost must be at least 1")
        return await self._window(key, limit, window_seconds, cost)

    async def peek_window(self, key: str, *, limit: int, window_seconds: float) -> WindowDecision:
        """What a hit would meet now, without recording one; `allowed` says whether one more would pass."""
        return await self._window(key, limit, window_seconds, 0)

    @_fails_closed
    async def _window(self, key: str, limit: int, window_seconds: float, cost: int) -> WindowDecision:
        if limit < 1 or window_seconds <= 0:
            raise ValueError("limit must be at least 1 and window_seconds positive")
        window_ms = window_seconds * 1000
        allowed, count, reset_ms = await self._connection().window_script(
            keys=[self._key(key)], args=[limit, repr(window_ms), cost, secrets.token_hex(8)])
        return WindowDecision(allowed=bool(allowed), limit=limit, remaining=max(0, limit - int(count)),
                              reset_seconds=float(reset_ms) / 1000)

    # -- health and lifecycle --------------------------------------------------------------------------------

    async def ping(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self._client().ping(), timeout=3))
        except Exception:  # health reports readiness; the reason goes to the log of the caller's choosing
            return False

    async def close(self) -> None:
        connections = [self._fixed] if self._fixed is not None else []
        loop = asyncio.get_running_loop()
        if loop in self._per_loop:
            connections.append(self._per_loop.pop(loop))
        for connection in connections:
            await connection.client.aclose()


class _Connection:
    """A client with its scripts registered: they run by EVALSHA (loaded on first use), not resent each call."""

    def __init__(self, client: Any):
        self.client = client
        self.window_script = client.register_script(_WINDOW_SCRIPT)
        self.incr_script = client.register_script(_INCR_SCRIPT)


class EntraIdCredentials:
    """redis-py credential provider for Azure Cache for Redis with access keys off: the username is the app
    identity's object id and the password a fresh Entra ID token. Each new connection asks again, so a token is
    replaced before it expires; the server drops connections whose token has expired and the pool reconnects."""

    SCOPE = "https://redis.azure.com/.default"
    REFRESH_BEFORE_SECONDS = 300

    def __init__(self, credential: Any = None):
        self._credential = credential
        self._token: Any = None
        self._username = ""

    def get_credentials(self) -> tuple[str, str]:
        raise RuntimeError("Entra ID credentials are only available to the asyncio client")

    async def get_credentials_async(self) -> tuple[str, str]:
        import time

        if self._token is None or self._token.expires_on - time.time() < self.REFRESH_BEFORE_SECONDS:
            if self._credential is None:
                from azure.identity.aio import DefaultAzureCredential

                self._credential = DefaultAzureCredential()
            self._token = await self._credential.get_token(self.SCOPE)
            self._username = _token_object_id(self._token.token)
        return self._username, self._token.token


def _token_object_id(token: str) -> str:
    import jwt

    # Only reading our own token's claims to learn the identity's object id; Redis verifies the signature.
    return jwt.decode(token, options={"verify_signature": False})["oid"]


def _real_client(url: str, credentials: EntraIdCredentials | None = None) -> Any:
    import redis.asyncio

    # A blocking pool makes a burst wait for a free connection; the default pool raises "Too many connections"
    # past its cap. Azure Cache for Redis drops idle connections after 10 minutes; the health check reconnects.
    extra = {"credential_provider": credentials} if credentials is not None else {}
    pool = redis.asyncio.BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=POOL_WAIT_SECONDS, socket_connect_timeout=5, socket_timeout=10,
        health_check_interval=60, retry_on_timeout=True, **extra)
    return redis.asyncio.Redis.from_pool(pool)


def _fake_client(server: Any) -> Any:
    import fakeredis
    import redis.asyncio

    return fakeredis.FakeAsyncRedis(server=server, connection_pool_class=redis.asyncio.BlockingConnectionPool,
                                    max_connections=MAX_CONNECTIONS)

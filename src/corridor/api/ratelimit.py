"""Rate limits in front of the log-in and the node-to-node exchange: in-process token buckets.

Log-in (the workbench form POST /login and the API's POST /auth/login) is limited per client IP and
per username, so that guessing is slow from one address and against one account from many; the
account lock-out (accounts.service.authenticate) still ends a run of wrong passwords. The exchange's
node endpoint (/exchange/v1/...) is limited per peer IP in requests, i.e. batches, per second.

Buckets live in the application object (one set per create_app), in memory, so each worker process
of `serve --workers N` has its own. Each worker gets 1/N of every configured rate and burst, so that
a client spread over all workers still gets no more than configured in total; a client whose
connections all land in one worker gets 1/N (the kernel, not Corridor, picks the worker).
Over the limit the answer is 429 with Retry-After and the usual {"error": {...}} body, before the
request reaches a route, the database or the password hasher.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import FastAPI
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corridor.api.errors import error_body
from corridor.settings import Settings, get_settings

LOGIN_PATHS = frozenset({"/login", "/auth/login"})
EXCHANGE_PREFIX = "/exchange/v1/"
# A log-in body is a username and a password; reading more than this to find the username is pointless.
MAX_LOGIN_BODY = 16 * 1024
# Idle buckets are dropped once this many keys exist, so that many addresses cannot exhaust memory.
MAX_KEYS = 50_000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """`rate` tokens per second up to `burst`, one bucket per key; take() spends one token."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"a rate limit needs rate > 0 and burst >= 1 (got {rate}, {burst})")
        self.rate = rate
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0.0 when allowed (a token is spent); otherwise the seconds until a token is available."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= MAX_KEYS:
                    self._prune(now)
                bucket = self._buckets[key] = _Bucket(self.burst, now)
            else:
                bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= MAX_KEYS:  # all busy: forget the oldest rather than grow without bound
            oldest = sorted(self._buckets, key=lambda k: self._buckets[k].updated)[: MAX_KEYS // 10]
            for key in oldest:
                del self._buckets[key]


@dataclass(slots=True)
class Limits:
    login_ip: TokenBuckets
    login_user: TokenBuckets
    exchange_ip: TokenBuckets

    @classmethod
    def from_settings(cls, settings: Settings, clock: Callable[[], float] = time.monotonic) -> Limits:
        n = settings.workers

        def share(rate: float, burst: int) -> TokenBuckets:
            # Rounded down, so that N workers together never exceed the budget, but at least 1.
            return TokenBuckets(rate / n, max(1, burst // n), clock)

        return cls(
            login_ip=share(settings.ratelimit_login_per_minute / 60, settings.ratelimit_login_burst),
            login_user=share(settings.ratelimit_login_user_per_minute / 60, settings.ratelimit_login_user_burst),
            exchange_ip=share(settings.ratelimit_exchange_per_second, settings.ratelimit_exchange_burst),
        )


def login_username(body: bytes, content_type: str) -> str | None:
    """The username a log-in request names (form or JSON), normalised as authenticate() does."""
    raw: object = None
    try:
        if content_type.startswith("application/json"):
            parsed = json.loads(body)
            raw = parsed.get("username") if isinstance(parsed, dict) else None
        elif content_type.startswith("application/x-www-form-urlencoded"):
            values = parse_qs(body.decode("utf-8"), max_num_fields=20).get("username")
            raw = values[0] if values else None
    except (ValueError, UnicodeDecodeError):
        return None  # the route answers a malformed body itself
    return raw.strip().lower()[:64] if isinstance(raw, str) and raw.strip() else None


class RateLimit:
    """Pure ASGI middleware; other paths pass through untouched (their bodies are never read)."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        client = scope.get("client")
        ip = str(client[0]) if client else "unknown"
        if path.startswith(EXCHANGE_PREFIX):
            wait = self.limits.exchange_ip.take(ip)
            if wait:
                await _too_many(
                    scope, receive, send, wait, "this node accepts fewer requests per second from one peer"
                )
                return
        elif path in LOGIN_PATHS and scope.get("method") == "POST":
            wait = self.limits.login_ip.take(ip)
            if wait:
                await _too_many(scope, receive, send, wait, "too many log-in attempts from this address")
                return
            body, replay = await _buffer(receive, MAX_LOGIN_BODY)
            user = login_username(body, _content_type(scope))
            wait = self.limits.login_user.take(user) if user is not None else 0.0
            if wait:
                await _too_many(scope, replay, send, wait, "too many log-in attempts for this username")
                return
            receive = replay
        await self.app(scope, receive, send)


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bytes(value).decode("latin-1").lower()
    return ""


async def _buffer(receive: Receive, limit: int) -> tuple[bytes, Receive]:
    """Read up to `limit` bytes of the body, and a receive() that hands the app the whole body again."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if not message.get("more_body", False) or size > limit:
            break
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return body[:limit], replay


async def _too_many(scope: Scope, receive: Receive, send: Send, wait: float, detail: str) -> None:
    seconds = max(1, math.ceil(wait))
    response = JSONResponse(
        error_body("too_many_requests", f"{detail}; retry in {seconds} s", "rate_limit"),
        status_code=429,
        headers={"Retry-After": str(seconds)},
    )
    await response(scope, receive, send)


def install_rate_limits(app: FastAPI, settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    if settings.ratelimit_enabled:
        app.state.rate_limits = Limits.from_settings(settings)
        app.add_middleware(RateLimit, limits=app.state.rate_limits)

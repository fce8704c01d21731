"""A back-off on the demo's login form, per client address.

Gradio checks a password as fast as it is sent (30 wrong guesses took 0.05 s). This ASGI
middleware sits in front of ``POST /login``: after a few free attempts, each further wrong
password from the same address locks that address out for twice as long as the last time (up
to a cap), and a lockout is answered ``429`` with ``Retry-After`` without the password being
checked at all. A correct login clears the address's record. Other addresses are not affected
(behind a reverse proxy every client shares the proxy's address: put the limit there too).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

FREE_ATTEMPTS = 3  # wrong passwords allowed before the first lockout
FIRST_LOCKOUT_S = 1.0
MAX_LOCKOUT_S = 300.0
MAX_CLIENTS = 10_000  # forget the oldest addresses beyond this, so the table cannot grow forever


@dataclass
class _Client:
    failures: int = 0
    locked_until: float = 0.0
    seen: float = 0.0


class LoginBackoff:
    """Failure counts and lockouts per client key; thread-safe, clock injectable for tests."""

    def __init__(self, free_attempts: int = FREE_ATTEMPTS, first_lockout_s: float = FIRST_LOCKOUT_S,
                 max_lockout_s: float = MAX_LOCKOUT_S, clock: Callable[[], float] = time.monotonic):
        self.free_attempts = free_attempts
        self.first_lockout_s = first_lockout_s
        self.max_lockout_s = max_lockout_s
        self.clock = clock
        self._clients: dict[str, _Client] = {}
        self._lock = threading.Lock()

    def wait_s(self, key: str) -> float:
        """Seconds ``key`` must wait before its next attempt is checked (0: go ahead)."""
        with self._lock:
            client = self._clients.get(key)
            return max(0.0, client.locked_until - self.clock()) if client else 0.0

    def failed(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            client = self._clients.setdefault(key, _Client())
            client.failures += 1
            client.seen = now
            over = client.failures - self.free_attempts
            if over > 0:
                client.locked_until = now + min(self.first_lockout_s * 2 ** (over - 1), self.max_lockout_s)
            if len(self._clients) > MAX_CLIENTS:
                oldest = min(self._clients, key=lambda k: self._clients[k].seen)
                del self._clients[oldest]

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._clients.pop(key, None)


class LoginBackoffMiddleware:
    """ASGI middleware applying a :class:`LoginBackoff` to ``POST .../login``."""

    def __init__(self, app, backoff: LoginBackoff | None = None):
        self.app = app
        self.backoff = backoff or LoginBackoff()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST" or not scope.get("path", "").rstrip("/").endswith("/login"):
            await self.app(scope, receive, send)
            return
        key = (scope.get("client") or ("unknown",))[0]
        wait = self.backoff.wait_s(key)
        if wait > 0:
            body = json.dumps({"detail": f"Too many failed logins; try again in {wait:.0f} s."}).encode()
            await send({"type": "http.response.start", "status": 429, "headers": [
                (b"content-type", b"application/json"), (b"retry-after", str(max(1, round(wait + 0.5))).encode()),
            ]})
            await send({"type": "http.response.body", "body": body})
            return

        async def recording_send(message):
            if message["type"] == "http.response.start":
                status = message["status"]
                if status < 300:
                    self.backoff.succeeded(key)
                elif status in (400, 401, 403):
                    self.backoff.failed(key)
            await send(message)

        await self.app(scope, receive, recording_send)

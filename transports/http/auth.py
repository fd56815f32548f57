"""Bearer-token authentication, billing response headers and a per-address rate limit.

``BearerAuth`` runs after the app's ``AnonymousCaller``: a request without an
``Authorization`` header stays anonymous; with one, the token must be valid (a
malformed, unknown or revoked token is a 401, never silently anonymous).
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from typing import Any

import falcon

from convertr_core import RateLimited, Settings, Unauthorized
from convertr_core.accounts import authenticate
from convertr_core.billing import RESPONSE_HEADERS


class BearerAuth:
    """Middleware: ``req.context.client_id`` / ``client_limits`` / ``token_id`` from
    ``Authorization: Bearer <id>|<secret>``; billing headers on converted responses."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client_limits = settings.limits(client=True)

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.token_id = None
        header = req.get_header("Authorization")
        if header is None:
            return
        identity = authenticate(self.settings, header)
        req.context.client_id = identity.client_id
        req.context.client_limits = self.client_limits
        req.context.token_id = identity.token_id

    def process_response(self, req: falcon.Request, resp: falcon.Response,
                         resource: Any, req_succeeded: bool) -> None:
        if str(resp.status).startswith("401"):
            resp.set_header("WWW-Authenticate", 'Bearer realm="convertr"')
        extra = getattr(req.context, "conversion_extra", None) or {}
        for key, header in RESPONSE_HEADERS.items():  # billed minutes, balance after
            if key in extra:
                resp.set_header(header, str(extra[key]))


def require_client(req: falcon.Request) -> int:
    """The authenticated client's id, or a 401 for an anonymous request."""
    client_id = getattr(req.context, "client_id", None)
    if client_id is None:
        raise Unauthorized("this endpoint needs 'Authorization: Bearer <id>|<secret>'")
    return client_id


class SlidingWindowLimiter:
    """At most ``limit`` events per ``window_s`` seconds per key, in this process.

    Each gunicorn worker keeps its own window, so with N workers an address may get up
    to N × ``limit`` through in the worst case; that bounds abuse, which is the point.
    """

    def __init__(self, limit: int, window_s: float, what: str) -> None:
        self.limit, self.window_s, self.what = limit, window_s, what
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Count one event for ``key``; ``RateLimited`` (with ``retry_after``) when over."""
        if self.limit <= 0:
            return
        now = time.monotonic()
        with self._lock:
            events = self._events[key]
            while events and events[0] <= now - self.window_s:
                events.popleft()
            if len(events) >= self.limit:
                wait = max(1, math.ceil(events[0] + self.window_s - now))
                raise RateLimited(f"too many {self.what} from this address; try again in "
                                  f"{wait} s", retry_after=wait)
            events.append(now)
            self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        """Drop keys whose newest event left the window, so memory stays bounded."""
        if len(self._events) < 10_000:
            return
        for key in [k for k, v in self._events.items() if not v or v[-1] <= now - self.window_s]:
            del self._events[key]


def limit_by_address(limiter: SlidingWindowLimiter, req: falcon.Request,
                     resp: falcon.Response) -> None:
    """Apply ``limiter`` to the request's client address; set ``Retry-After`` on a 429."""
    try:
        limiter.hit(req.remote_addr or "unknown")
    except RateLimited as ex:
        resp.set_header("Retry-After", str(ex.details["retry_after"]))
        raise

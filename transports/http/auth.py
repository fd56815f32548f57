"""Bearer-token authentication, billing response headers and a per-address rate limit.

``BearerAuth`` runs after the app's ``AnonymousCaller``: a request without an
``Authorization`` header stays anonymous; with one, the token must be valid (a
malformed, unknown or revoked token is a 401, never silently anonymous).
"""

from __future__ import annotations

from typing import Any

import falcon

from convertr_core import RateLimited, Settings, Unauthorized, ratelimits
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


class AddressLimit:
    """At most ``limit`` requests of one kind per ``window_s`` seconds per client address,
    counted in the database: the same for every worker and machine."""

    def __init__(self, settings: Settings, bucket: str, limit: int, window_s: float,
                 what: str) -> None:
        self.settings, self.bucket, self.what = settings, bucket, what
        self.limit, self.window_s = limit, window_s

    def check(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Count this request; a 429 with ``Retry-After`` when the address is over."""
        try:
            ratelimits.hit(self.settings, self.bucket, req.remote_addr or "unknown",
                           limit=self.limit, window_s=self.window_s, what=self.what)
        except RateLimited as ex:
            resp.set_header("Retry-After", str(ex.details["retry_after"]))
            raise

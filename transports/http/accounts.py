"""API client endpoints: registration, ``/api/me``, usage and tokens.

Loaded by ``create_app`` through ``ROUTE_EXTENSIONS``:

* ``POST /api/client-registrations`` — form-encoded or JSON; 201 with the seed's shape.
* ``GET /api/me`` — the client, its cohort, balance and upload limit.
* ``GET /api/me/usage?window=30d`` — per-pair requests and billed minutes.
* ``POST /api/tokens`` — a new token for email + password.
* ``DELETE /api/tokens/current`` — revoke the token this request carries.

Registration and token creation are rate-limited per client address, counted in the
database so that the limit holds across workers and machines
(``CONVERTR_REGISTRATIONS_PER_HOUR``, default 10; ``CONVERTR_TOKEN_REQUESTS_PER_HOUR``,
default 30; 0 turns a limit off).
"""

from __future__ import annotations

import os
from typing import Any

import falcon

from convertr_core import Registry, Settings, ValidationFailed, accounts, billing
from convertr_core.rollups import parse_window

from .auth import AddressLimit, BearerAuth, require_client
from .accounts_openapi import accounts_paths
from .uploads import human_bytes

LABEL_HEADER = "X-Convertr-Client-Label"
REGISTERED = "API client registered. Use the returned bearer token with /api/convert."
HOUR_S = 3600.0


def middleware(settings: Settings) -> list[Any]:
    """Bearer authentication (and the billing response headers)."""
    return [BearerAuth(settings)]


def add_routes(app: falcon.App, settings: Settings) -> None:
    """Add the account endpoints."""
    registrations = AddressLimit(settings, "registrations",
                                 _per_hour("CONVERTR_REGISTRATIONS_PER_HOUR", 10), HOUR_S,
                                 "registrations")
    token_requests = AddressLimit(settings, "tokens",
                                  _per_hour("CONVERTR_TOKEN_REQUESTS_PER_HOUR", 30), HOUR_S,
                                  "token requests")
    app.add_route("/api/client-registrations", RegistrationResource(settings, registrations))
    app.add_route("/api/me", MeResource(settings))
    app.add_route("/api/me/usage", UsageResource(settings))
    app.add_route("/api/tokens", TokensResource(settings, token_requests))
    app.add_route("/api/tokens/current", CurrentTokenResource(settings))


def openapi_paths(registry: Registry, settings: Settings) -> dict[str, Any]:
    """This module's entries for ``/openapi.json``."""
    return accounts_paths(settings)


def _per_hour(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def upload_limit_text(limit: int | None) -> str:
    """``1 GB``, or ``unlimited``."""
    return human_bytes(limit) if limit else "unlimited"


def read_body(req: falcon.Request) -> dict[str, Any]:
    """A form-encoded or JSON object body (an empty body is an empty object)."""
    body = req.get_media(default_when_empty={})
    if not isinstance(body, dict):
        raise ValidationFailed("the body must be a JSON object or a form",
                               errors={"request": ["must be a JSON object or a form"]})
    return body


def user_json(client: Any) -> dict[str, Any]:
    """The ``user`` object of registration and ``/api/me``."""
    return {"id": client.id, "name": client.name, "email": client.email,
            "anonymous_api_client_cohort": client.cohort}


def token_json(plain_text_token: str) -> dict[str, str]:
    return {"type": "Bearer", "plain_text_token": plain_text_token}


class RegistrationResource:
    """``POST /api/client-registrations``."""

    def __init__(self, settings: Settings, limiter: AddressLimit) -> None:
        self.settings, self.limiter = settings, limiter

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.limiter.check(req, resp)
        done = accounts.register_client(self.settings, read_body(req),
                                        req.get_header(LABEL_HEADER))
        req.context.cohort = done.client.cohort  # the request log line and header
        resp.status = falcon.HTTP_201
        resp.media = {
            "message": REGISTERED,
            "user": user_json(done.client),
            "token": token_json(done.plain_text_token),
            "anonymous_access": {"available": True,
                                 "upload_limit": upload_limit_text(self.settings.max_input_bytes)},
        }


class MeResource:
    """``GET /api/me``: who the token belongs to, the balance and the upload limit."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        client = accounts.get_client(self.settings, require_client(req))
        limit = req.context.client_limits.max_input_bytes
        resp.media = {"user": {**user_json(client),
                               "created_at": client.created_at.isoformat() + "Z"},
                      "balance_minutes": billing.balance_of(self.settings, client.id),
                      "upload_limit": upload_limit_text(limit), "upload_limit_bytes": limit,
                      "token": {"id": req.context.token_id}}


class UsageResource:
    """``GET /api/me/usage?window=30d``: per-pair requests, outcomes and minutes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        client_id = require_client(req)
        days = parse_window(req.get_param("window"))
        report = billing.usage(self.settings, client_id, days)
        report["balance_minutes"] = billing.balance_of(self.settings, client_id)
        resp.media = report


class TokensResource:
    """``POST /api/tokens``: a new token for the client's email and password."""

    def __init__(self, settings: Settings, limiter: AddressLimit) -> None:
        self.settings, self.limiter = settings, limiter

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.limiter.check(req, resp)
        body = read_body(req)
        missing = {name: [f"The {name} field is required."] for name in ("email", "password")
                   if not isinstance(body.get(name), str) or not body[name]}
        if missing:
            raise ValidationFailed(next(iter(missing.values()))[0], errors=missing)
        plain = accounts.create_token(self.settings, body["email"], body["password"])
        resp.status = falcon.HTTP_201
        resp.media = {"message": "Token created. Use it with /api/convert.",
                      "token": token_json(plain)}


class CurrentTokenResource:
    """``DELETE /api/tokens/current``: revoke the token this request carries."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_client(req)
        accounts.revoke_token(self.settings, req.context.token_id)
        resp.media = {"message": "Token revoked.", "token": {"id": req.context.token_id}}

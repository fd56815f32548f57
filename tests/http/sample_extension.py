"""An extension module as the accounts/rollups helpers will write one (used by tests)."""

from __future__ import annotations

from typing import Any

import falcon

from convertr_core import Limits, Settings

CLIENT_ID = 7
CLIENT_LIMIT_BYTES = 300


class FakeBearer:
    """Sets the caller from ``Authorization: Bearer`` the way the accounts part will."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if req.get_header("Authorization") == "Bearer 7|secret":
            req.context.client_id = CLIENT_ID
            req.context.client_limits = Limits(max_input_bytes=CLIENT_LIMIT_BYTES)


class Boom:
    """A route with a bug in it."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        raise RuntimeError("secret internals /etc/passwd")


def middleware(settings: Settings) -> list[Any]:
    return [FakeBearer()]


def add_routes(app: falcon.App, settings: Settings) -> None:
    app.add_route("/api/boom", Boom())


def openapi_paths(registry: Any, settings: Settings) -> dict[str, Any]:
    return {"/api/boom": {"get": {"responses": {"500": {"description": "always"}}}}}

"""The Falcon app factory: ``create_app()`` for tests and embedding, ``get_app()`` for gunicorn.

Extension point
---------------
Other parts of Convertr (rollups, accounts) add endpoints without editing this module.
``create_app`` imports each module named in ``ROUTE_EXTENSIONS`` when it exists (a
``ModuleNotFoundError`` for exactly that module is skipped; any other import error is a
bug and propagates). An extension module may define:

* ``middleware(settings) -> list`` — Falcon middleware objects, run after the built-in
  ones, in ``ROUTE_EXTENSIONS`` order;
* ``add_routes(app, settings) -> None`` — calls ``app.add_route(...)`` for its endpoints;
* ``openapi_paths(registry, settings) -> dict`` — its entries for ``/openapi.json``'s
  ``paths`` (the schemathesis test then covers them too).

Authentication contract: before any extension middleware runs, every request has
``req.context.client_id = None`` (anonymous) and ``req.context.client_limits = None``.
The accounts extension's middleware replaces them from ``Authorization: Bearer``; the
convert endpoint passes ``client_id`` to the core as ``Caller.client_id`` and uses
``client_limits`` (a ``convertr_core.Limits``) instead of the settings' anonymous limits.
Errors raised anywhere (``ConvertrError`` included) become JSON in ``errors.py``.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import falcon

from convertr_core import Registry, Settings, get_registry, get_settings

from .errors import register_error_handlers
from .logs import RequestLog, configure_json_logging
from .openapi import PathsProvider
from .resources import ConvertResource, FormatsResource, HealthResource, OpenAPIResource

ROUTE_EXTENSIONS: tuple[str, ...] = ("convertr_http.rollups", "convertr_http.accounts")


class AnonymousCaller:
    """Middleware: every request starts anonymous, with the settings' limits."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.client_id = None
        req.context.client_limits = None


def create_app(settings: Settings | None = None, registry: Registry | None = None,
               extensions: tuple[str, ...] | None = None) -> falcon.App:
    """Build the API.

    Args:
        settings: configuration (default: the process-wide settings).
        registry: formats and converters (default: the process-wide registry).
        extensions: modules to load routes and middleware from
            (default ``ROUTE_EXTENSIONS``).

    Returns:
        A WSGI ``falcon.App``.
    """
    settings = settings or get_settings()
    registry = registry or get_registry()
    modules = load_extensions(ROUTE_EXTENSIONS if extensions is None else extensions)
    middleware: list[Any] = [RequestLog(), AnonymousCaller()]
    for module in modules:
        if hasattr(module, "middleware"):
            middleware.extend(module.middleware(settings))
    app = falcon.App(middleware=middleware)
    app.req_options.strip_url_path_trailing_slash = True
    register_error_handlers(app)
    add_core_routes(app, settings, registry,
                    [m.openapi_paths for m in modules if hasattr(m, "openapi_paths")])
    for module in modules:
        if hasattr(module, "add_routes"):
            module.add_routes(app, settings)
    return app


def add_core_routes(app: falcon.App, settings: Settings, registry: Registry,
                    openapi_extra: list[PathsProvider]) -> None:
    """The endpoints this package owns."""
    app.add_route("/api/convert", ConvertResource(settings, registry))
    app.add_route("/api/formats", FormatsResource(registry))
    app.add_route("/api/health", HealthResource(settings, registry))
    app.add_route("/openapi.json", OpenAPIResource(settings, registry, openapi_extra))


def load_extensions(names: tuple[str, ...]) -> list[ModuleType]:
    """Import the extension modules that exist; a missing one is simply not there yet."""
    modules = []
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as ex:
            if ex.name != name:  # the module exists but one of *its* imports is missing
                raise
    return modules


def get_app() -> falcon.App:
    """The gunicorn entry point (``convertr_http.app:get_app()``): settings from the
    environment, JSON logs."""
    configure_json_logging()
    return create_app()

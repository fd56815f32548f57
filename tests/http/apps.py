"""App specs for ``gunicorn_server(app=...)``: the real app over a chosen set of plugins."""

from __future__ import annotations

import falcon

import convertr_image.plugin
from convertr_core.testing import make_registry
from convertr_http.app import create_app
from convertr_http.logs import configure_json_logging


def image_app() -> falcon.App:
    """The API with only the built-in image plugin (settings from the environment)."""
    configure_json_logging()
    return create_app(registry=make_registry(convertr_image.plugin))

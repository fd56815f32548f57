"""Gunicorn app spec: the installed plugins, plus billing while its entry point is new."""

from __future__ import annotations

import falcon

from convertr_core import Registry, billing, get_settings
from convertr_core.registry import PluginInfo
from convertr_http.app import create_app
from convertr_http.logs import configure_json_logging


def full_app() -> falcon.App:
    """``get_app()``'s app; adds the billing plugin if the installed metadata lacks it."""
    configure_json_logging()
    registry = Registry.from_entry_points(get_settings().disabled_plugins)
    if "billing" not in registry.plugins:
        registry.add_plugin(billing, PluginInfo(name="billing", module=billing.__name__))
    return create_app(registry=registry)

"""The OpenAPI 3.1 document served at ``/openapi.json``.

Hand-written so that it reads like documentation; the parts that depend on the installed
plugins (format names, options, response media types) are filled in from the registry.
Extensions may contribute paths (see ``app.py``).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from convertr_core import Registry, Settings

from .uploads import human_bytes

PathsProvider = Callable[[Registry, Settings], dict[str, Any]]

ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def build_openapi(registry: Registry, settings: Settings,
                  extra: Iterable[PathsProvider] = ()) -> dict[str, Any]:
    """The whole document for this registry and these settings."""
    paths = {"/api/convert": {"post": _convert_operation(registry, settings)},
             "/api/formats": {"get": _formats_operation()},
             "/api/health": {"get": _health_operation()},
             "/openapi.json": {"get": _openapi_operation()}}
    for provider in extra:
        paths.update(provider(registry, settings))
    return {
        "openapi": "3.1.0",
        "info": {"title": "Convertr API", "version": "1",
                 "description": "Convert video, audio and images between formats."},
        "servers": [{"url": "http://127.0.0.1:8000"}],
        "paths": paths,
        "components": {"schemas": _schemas()},
    }


def _convert_operation(registry: Registry, settings: Settings) -> dict[str, Any]:
    limit = settings.max_input_bytes
    limit_text = human_bytes(limit) if limit else "no limit"
    return {
        "operationId": "convert",
        "summary": "Convert an uploaded file",
        "description": f"Multipart upload; anonymous uploads are limited to {limit_text}. "
                       "Extra form fields are the pair's options (see /api/formats).",
        "parameters": [{
            "name": "X-Convertr-Client-Label", "in": "header", "required": False,
            "description": "A stable non-PII label (app, workspace, environment). Only its "
                           "keyed hash (the cohort) is kept; the raw value is never stored.",
            "schema": {"type": "string", "maxLength": 200}}],
        "requestBody": {"required": True, "content": {"multipart/form-data": {
            "schema": _convert_form(registry),
            "encoding": {"file": {"contentType": "application/octet-stream"}}}}},
        "responses": {
            "200": {"description": "The converted file.", "headers": _download_headers(),
                    "content": {media: {"schema": {"type": "string",
                                                   "contentMediaType": media}}
                                for media in _target_media_types(registry)}},
            "400": _error("Malformed request or multipart body."),
            "401": _error("Invalid bearer token."),
            "402": _error("The client's balance is empty."),
            "413": _error("The upload is larger than the caller's limit."),
            "415": _error("Unknown format, unsupported pair, or the file is not the "
                          "format it claims to be."),
            "422": _error("Missing field, invalid option, or an input that cannot be "
                          "decoded."),
            "429": _error("Too many requests."),
            "500": _error("A converter failed for a reason that is not the input's fault."),
            "503": _error("A needed service is unavailable."),
            "504": _error("The conversion exceeded its time limit."),
        },
    }


def _convert_form(registry: Registry) -> dict[str, Any]:
    names = sorted(registry.formats)
    properties: dict[str, Any] = {
        "file": {"type": "string", "contentMediaType": "application/octet-stream",
                 "description": "The file to convert."},
        "input_format": {"type": "string", "description": "The file's format (id, alias or "
                         "extension); sniffed from its bytes when absent.",
                         "examples": names[:3]},
        "output_format": {"type": "string", "description": "The format to convert to.",
                          "examples": names[:3]},
    }
    for name, pairs in sorted(_options_by_name(registry).items()):
        properties[name] = {"type": "string",
                            "description": "Option for " + ", ".join(pairs) + "."}
    return {"type": "object", "required": ["file", "output_format"],
            "properties": properties}


def _options_by_name(registry: Registry) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for conv in registry.pairs():
        for option in conv.options:
            found.setdefault(option.name, []).append(f"{conv.source}->{conv.target}")
    return found


def _target_media_types(registry: Registry) -> list[str]:
    media = {registry.formats[c.target].media_type for c in registry.pairs()}
    return sorted(media) or ["application/octet-stream"]


def _download_headers() -> dict[str, Any]:
    string = {"schema": {"type": "string"}}
    return {
        "Content-Disposition": {**string, "description": "attachment; the upload's name "
                                "with the target's extension (RFC 6266)."},
        "X-Convertr-Pair": {**string, "description": "The pair, e.g. `MP4 -> MP3`."},
        "X-Convertr-Runtime-Ms": {"schema": {"type": "string", "pattern": "^[0-9]+$"},
                                  "description": "Conversion runtime in milliseconds."},
        "X-Convertr-Cohort": {**string, "description": "The cohort of the client label "
                              "(only when a label was sent)."},
    }


def _formats_operation() -> dict[str, Any]:
    return {"operationId": "formats", "summary": "Formats and pairs with their options",
            "responses": {"200": _json("What `convertr formats --json` shows.",
                                       {"$ref": "#/components/schemas/Formats"})}}


def _health_operation() -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Health"}
    return {"operationId": "health", "summary": "Liveness, database and plugins",
            "responses": {"200": _json("Everything is usable.", schema),
                          "503": _json("The database or a plugin is not usable.", schema)}}


def _openapi_operation() -> dict[str, Any]:
    return {"operationId": "openapi", "summary": "This document",
            "responses": {"200": _json("OpenAPI 3.1", {"type": "object"})}}


def _schemas() -> dict[str, Any]:
    option = {"type": "object", "required": ["name", "type"],
              "properties": {"name": {"type": "string"}, "type": {"type": "string"},
                             "help": {"type": "string"}, "choices": {"type": "array"}}}
    fmt = {"type": "object", "required": ["id", "media_type", "kind", "extensions"],
           "properties": {"id": {"type": "string"}, "label": {"type": "string"},
                          "kind": {"type": "string"}, "media_type": {"type": "string"},
                          "extensions": {"type": "array", "items": {"type": "string"}},
                          "aliases": {"type": "array", "items": {"type": "string"}},
                          "writable": {"type": "boolean"}}}
    pair = {"type": "object", "required": ["source", "target", "kind", "options"],
            "properties": {"source": {"type": "string"}, "target": {"type": "string"},
                           "kind": {"type": "string"}, "label": {"type": "string"},
                           "plugin": {"type": "string"}, "priority": {"type": "integer"},
                           "help": {"type": "string"},
                           "options": {"type": "array", "items": option}}}
    check = {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}}
    return {
        "Error": {"type": "object", "required": ["message", "error"],
                  "properties": {"message": {"type": "string"}, "error": {"type": "string"},
                                 "errors": {"type": "object", "additionalProperties": {
                                     "type": "array", "items": {"type": "string"}}}}},
        "Formats": {"type": "object", "required": ["formats", "pairs"],
                    "properties": {"formats": {"type": "array", "items": fmt},
                                   "pairs": {"type": "array", "items": pair}}},
        "Health": {"type": "object", "required": ["status", "live", "database", "plugins"],
                   "properties": {"status": {"enum": ["ok", "degraded"]},
                                  "live": {"type": "boolean"}, "database": check,
                                  "plugins": check}},
    }

"""OpenAPI entries for the account endpoints (merged into ``/openapi.json``)."""

from __future__ import annotations

from typing import Any

from convertr_core import Settings

ERROR = {"$ref": "#/components/schemas/Error"}
STRING = {"type": "string"}
BEARER = [{"name": "Authorization", "in": "header", "required": False,
           "description": "`Bearer <id>|<secret>` from registration or POST /api/tokens.",
           "schema": {"type": "string"}}]


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema},
                                          "application/json": {"schema": schema}}}


_USER = {"type": "object", "required": ["id", "name", "email", "anonymous_api_client_cohort"],
         "properties": {"id": {"type": "integer"}, "name": STRING, "email": STRING,
                        "anonymous_api_client_cohort": {"type": ["string", "null"]}}}
_TOKEN = {"type": "object", "required": ["type", "plain_text_token"],
          "properties": {"type": {"const": "Bearer"},
                         "plain_text_token": {"type": "string",
                                              "pattern": "^[0-9]+\\|[A-Za-z0-9]{40,}$"}}}
_REGISTRATION = {"type": "object",
                 "required": ["name", "email", "password", "password_confirmation"],
                 "properties": {"name": {"type": "string", "maxLength": 255},
                                "email": {"type": "string", "format": "email"},
                                "password": {"type": "string", "minLength": 8,
                                             "description": "8 characters to 72 UTF-8 bytes"},
                                "password_confirmation": STRING}}
_AUTH_ERRORS = {"401": _error("Missing, malformed, unknown or revoked bearer token.")}
_BODY_ERRORS = {"400": _error("Malformed body."),
                "415": _error("Neither form-encoded nor JSON."),
                "422": _error("A field is missing or invalid (`errors` says which)."),
                "429": _error("Too many attempts from this address (see Retry-After).")}


def accounts_paths(settings: Settings) -> dict[str, Any]:
    """The paths of ``convertr_http.accounts``."""
    return {
        "/api/client-registrations": {"post": _registration()},
        "/api/me": {"get": _me()},
        "/api/me/usage": {"get": _usage()},
        "/api/tokens": {"post": _new_token()},
        "/api/tokens/current": {"delete": _revoke()},
    }


def _registration() -> dict[str, Any]:
    label = {"name": "X-Convertr-Client-Label", "in": "header", "required": False,
             "description": "Your stable non-PII label; only its cohort is stored.",
             "schema": {"type": "string", "maxLength": 200}}
    shape = {"type": "object", "required": ["message", "user", "token", "anonymous_access"],
             "properties": {"message": STRING, "user": _USER, "token": _TOKEN,
                            "anonymous_access": {"type": "object", "properties": {
                                "available": {"type": "boolean"}, "upload_limit": STRING}}}}
    return {"operationId": "registerClient", "summary": "Register an API client",
            "parameters": [label], "requestBody": _body(_REGISTRATION),
            "responses": {"201": _json("Registered; the token is shown only once.", shape),
                          **_BODY_ERRORS}}


def _me() -> dict[str, Any]:
    shape = {"type": "object", "required": ["user", "balance_minutes", "upload_limit"],
             "properties": {"user": _USER, "balance_minutes": {"type": "integer"},
                            "upload_limit": STRING,
                            "upload_limit_bytes": {"type": ["integer", "null"]}}}
    return {"operationId": "me", "summary": "The client behind the token",
            "parameters": BEARER,
            "responses": {"200": _json("Client, cohort, balance and upload limit.", shape),
                          **_AUTH_ERRORS}}


def _usage() -> dict[str, Any]:
    window = {"name": "window", "in": "query", "required": False,
              "description": "Trailing window in days, like `30d` (1..366).",
              "schema": {"type": "string"}}
    shape = {"type": "object", "required": ["window_days", "pairs", "balance_minutes"],
             "properties": {"window_days": {"type": "integer"}, "pairs": {"type": "array"},
                            "total_billed_minutes": {"type": "integer"},
                            "balance_minutes": {"type": "integer"}}}
    return {"operationId": "myUsage", "summary": "Per-pair use and billed minutes",
            "parameters": [*BEARER, window],
            "responses": {"200": _json("Usage over the window.", shape),
                          "400": _error("Bad window."), **_AUTH_ERRORS}}


def _new_token() -> dict[str, Any]:
    schema = {"type": "object", "required": ["email", "password"],
              "properties": {"email": STRING, "password": STRING}}
    shape = {"type": "object", "required": ["token"], "properties": {"message": STRING,
                                                                      "token": _TOKEN}}
    return {"operationId": "createToken", "summary": "A new token for email + password",
            "requestBody": _body(schema),
            "responses": {"201": _json("The new token (shown only once).", shape),
                          **_BODY_ERRORS, **_AUTH_ERRORS}}


def _revoke() -> dict[str, Any]:
    return {"operationId": "revokeCurrentToken", "summary": "Revoke the token in use",
            "parameters": BEARER,
            "responses": {"200": _json("Revoked.", {"type": "object"}), **_AUTH_ERRORS}}

"""The one place where failures become HTTP responses.

Every error body has the shape the seed's API family uses::

    {"message": "...", "error": "<stable code>", "errors": {"field": ["..."]}}

Domain errors carry their own status (``ConvertrError.status``); Falcon's own errors
(unknown route, wrong method, malformed multipart) get the same shape; anything else is
a bug: a 500 with code ``internal_error``, logged with its traceback, which is never
sent to the client.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import falcon

from convertr_core import ConvertrError

log = logging.getLogger("convertr.http.errors")

# Falcon's errors by status, with the codes clients see.
_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 404: "not_found",
               405: "method_not_allowed", 411: "length_required",
               413: "input_too_large", 415: "unsupported_media_type",
               422: "validation_failed", 429: "rate_limited"}


def register_error_handlers(app: falcon.App) -> None:
    """Install the handlers; Falcon picks the most specific one for each exception."""
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(falcon.HTTPError, handle_http_error)
    app.add_error_handler(ConvertrError, handle_convertr_error)


def handle_convertr_error(req: falcon.Request, resp: falcon.Response, ex: ConvertrError,
                          params: dict[str, Any]) -> None:
    """A domain error: its own status and ``to_dict()`` body."""
    if ex.status >= 500:
        log.error("conversion error %s on %s %s: %s", ex.code, req.method, req.path,
                  ex.message)
    _send(resp, ex.status, ex.to_dict())


def handle_http_error(req: falcon.Request, resp: falcon.Response, ex: falcon.HTTPError,
                      params: dict[str, Any]) -> None:
    """Falcon's own errors (404, 405, malformed form) in the same JSON shape."""
    status = ex.status_code
    body: dict[str, Any] = {"message": _http_message(req, ex),
                            "error": _http_code(status, ex)}
    if ex.description and ex.title and status == 400:
        body["errors"] = {"request": [ex.description]}
    for name, value in (ex.headers or {}).items():  # Allow on 405, for example
        resp.set_header(name, value)
    _send(resp, status, body)


def handle_unexpected(req: falcon.Request, resp: falcon.Response, ex: Exception,
                      params: dict[str, Any]) -> None:
    """A bug: log the traceback, tell the client only that it happened."""
    log.exception("unhandled error on %s %s", req.method, req.path)
    _send(resp, 500, {"message": "internal server error", "error": "internal_error"})


def _send(resp: falcon.Response, status: int, body: dict[str, Any]) -> None:
    resp.status = status
    resp.media = body
    resp.content_type = falcon.MEDIA_JSON
    if resp.stream is not None:  # a prepared download that will not be sent
        close = getattr(resp.stream, "close", None)
        resp.stream = None
        if close is not None:
            close()


def _http_message(req: falcon.Request, ex: falcon.HTTPError) -> str:
    if ex.status_code == 404:
        return "no such endpoint"
    if ex.status_code == 405:
        allowed = (ex.headers or {}).get("Allow", "")
        return f"{req.method} is not allowed here (allowed: {allowed})"
    if ex.description:
        return f"{ex.title}: {ex.description}" if ex.title else ex.description
    return ex.title or "request failed"


def _http_code(status: int, ex: falcon.HTTPError) -> str:
    if status in _HTTP_CODES:
        return _HTTP_CODES[status]
    return re.sub(r"[^a-z0-9]+", "_", (ex.title or "error").lower()).strip("_")

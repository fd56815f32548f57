"""Server logs: structlog JSON lines, one per request, never carrying a client label.

``configure_json_logging()`` is called by ``get_app()`` (the gunicorn entry point), not by
``create_app()``, so tests and embedding applications keep their own logging setup.
The request line carries method, path, status, pair, runtime, bytes and the *cohort*:
the raw ``X-Convertr-Client-Label`` value is never put on a log line.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import falcon
import structlog

REQUEST_LOGGER = "convertr.http"


def configure_json_logging(level: int = logging.INFO) -> None:
    """Route structlog and the standard library (core, plugins) to JSON lines on stderr."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer()])
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    for name in ("convertr", REQUEST_LOGGER):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


def get_logger() -> Any:
    """The request logger (a structlog logger; JSON once configured)."""
    return structlog.get_logger(REQUEST_LOGGER)


class RequestLog:
    """Falcon middleware writing the one line per request."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.started = time.perf_counter()
        req.context.pair = None
        req.context.cohort = None
        req.context.conversion_ms = None

    def process_response(self, req: falcon.Request, resp: falcon.Response,
                         resource: object, req_succeeded: bool) -> None:
        if req.context.get("cohort"):
            resp.set_header("X-Convertr-Cohort", req.context.cohort)
        started = req.context.get("started", time.perf_counter())
        get_logger().info(
            "request", method=req.method, path=req.path, status=resp.status_code,
            pair=req.context.get("pair"), cohort=req.context.get("cohort"),
            runtime_ms=req.context.get("conversion_ms"),
            duration_ms=round((time.perf_counter() - started) * 1000),
            bytes_in=req.content_length, bytes_out=_bytes_out(resp))


def _bytes_out(resp: falcon.Response) -> int | None:
    length = resp.headers.get("content-length")
    return int(length) if length and length.isdigit() else None

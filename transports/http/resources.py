"""The endpoints: thin classes that call the core and shape its answers for HTTP."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable

import falcon
from sqlalchemy import text

from convertr_core import (Caller, ConversionResult, Limits, Registry, Settings,
                           cohort_for_label, convert)
from convertr_core.db import get_engine

from .downloads import SelfDeletingFile, content_disposition, output_name
from .openapi import PathsProvider, build_openapi
from .uploads import read_form

LABEL_HEADER = "X-Convertr-Client-Label"
# Outputs up to this size are answered from memory: one read beats setting up sendfile
# and a self-deleting stream, and the temp folder is gone before the first byte is sent.
SMALL_OUTPUT_BYTES = 256 * 1024


class ConvertResource:
    """``POST /api/convert``: multipart upload in, converted file out."""

    def __init__(self, settings: Settings, registry: Registry) -> None:
        self.settings, self.registry = settings, registry

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        caller = Caller(transport="http", label=req.get_header(LABEL_HEADER),
                        client_id=req.context.client_id)
        req.context.cohort = cohort_for_label(caller.label, self.settings)
        limits = self._limits(req, caller)
        workdir = Path(tempfile.mkdtemp(prefix="convertr-http-", dir=self.settings.temp_dir))
        try:
            self._convert(req, resp, caller, limits, workdir)
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)  # the partial upload included
            raise

    def _limits(self, req: falcon.Request, caller: Caller) -> Limits:
        client_limits = req.context.client_limits
        if client_limits is not None:
            return client_limits
        return self.settings.limits(client=caller.client_id is not None)

    def _convert(self, req: falcon.Request, resp: falcon.Response, caller: Caller,
                 limits: Limits, workdir: Path) -> None:
        upload = read_form(req, workdir, limits.max_input_bytes)
        target = self.registry.resolve(upload.output_format)
        declared = (upload.input_format or "?").upper()  # logged if the conversion fails
        req.context.pair = f"{declared} -> {target.label}"
        # The upload keeps a sanitised name, which never starts with a dot: no clash.
        output = workdir / f".output.{target.extension}"
        result = convert(upload.path, output, target=target.id, source=upload.input_format,
                         options=upload.options, caller=caller, limits=limits,
                         registry=self.registry, settings=self.settings)
        upload.path.unlink(missing_ok=True)  # free the disk before the download starts
        req.context.pair = f"{result.source.label} -> {result.target.label}"
        req.context.conversion_ms = result.runtime_ms
        req.context.conversion_extra = result.record.extra  # billing headers: see auth.py
        self._respond(resp, result, output_name(upload.filename, target.extension), workdir)

    @staticmethod
    def _respond(resp: falcon.Response, result: ConversionResult, download_name: str,
                 workdir: Path) -> None:
        """Headers, then the file: from memory when small, else as a stream that removes
        ``workdir`` when the server closes it (after the last byte or a disconnect)."""
        resp.content_type = result.target.media_type
        resp.set_header("Content-Disposition", content_disposition(download_name))
        resp.set_header("X-Convertr-Pair", f"{result.source.label} -> {result.target.label}")
        resp.set_header("X-Convertr-Runtime-Ms", str(result.runtime_ms))
        resp.content_length = size = result.output_path.stat().st_size
        if size <= SMALL_OUTPUT_BYTES:
            resp.data = result.output_path.read_bytes()
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            resp.stream = SelfDeletingFile(result.output_path, workdir)


class FormatsResource:
    """``GET /api/formats``: formats and pairs with option schemas."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.registry.describe()


class HealthResource:
    """``GET /api/health``: 200 when the database and every plugin are usable, else 503."""

    def __init__(self, settings: Settings, registry: Registry) -> None:
        self.settings, self.registry = settings, registry

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        database = self._database()
        plugins = self._plugins()
        healthy = database["ok"] and plugins["ok"]
        resp.status = falcon.HTTP_200 if healthy else falcon.HTTP_503
        resp.media = {"status": "ok" if healthy else "degraded", "live": True,
                      "database": database, "plugins": plugins}

    def _database(self) -> dict[str, Any]:
        try:
            with get_engine(self.settings).connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as ex:  # any driver error means "not usable"; say which kind
            return {"ok": False, "error": type(ex).__name__}
        return {"ok": True}

    def _plugins(self) -> dict[str, Any]:
        report = self.registry.report()
        failed = [{"name": p["name"], "error": p["error"]} for p in report["plugins"]
                  if p["error"] and not p["disabled"]]
        loaded = [p["name"] for p in report["plugins"] if p["loaded"]]
        return {"ok": not failed, "loaded": loaded, "failed": failed,
                "conflicts": report["conflicts"], "pairs": len(self.registry.converters)}


class OpenAPIResource:
    """``GET /openapi.json``: the API description, options listed from the registry."""

    def __init__(self, settings: Settings, registry: Registry,
                 extra: Iterable[PathsProvider] = ()) -> None:
        self.settings, self.registry, self.extra = settings, registry, tuple(extra)
        self._document: dict[str, Any] | None = None

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self._document is None:  # the registry does not change while the app runs
            self._document = build_openapi(self.registry, self.settings, self.extra)
        resp.media = self._document

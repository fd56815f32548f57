"""Metering under real gunicorn: concurrency on SQLite and PostgreSQL, and crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from convertr_core import Settings
from convertr_core.rollups import rollups
from tests.metering import slow_plugin
from tests.metering.conftest import ROOT, broken_png_bytes, png_bytes, python_path
from tests.metering.helpers import all_rows

REQUESTS = 400
WAIT_S = 120.0  # a guard against hanging forever, never a speed assertion


def _fire(base_url: str) -> Counter:
    """400 requests from 16 threads: every fourth one a PNG that cannot be decoded."""
    good, bad = png_bytes(), broken_png_bytes()

    def one(index: int) -> int:
        data = bad if index % 4 == 3 else good
        with httpx.Client(base_url=base_url, timeout=120) as client:
            return client.post("/api/convert", files={"file": ("in.png", data)},
                               data={"output_format": "jpg"},
                               headers={"X-Convertr-Client-Label": f"team {index % 7}"}
                               ).status_code

    with ThreadPoolExecutor(16) as pool:
        return Counter(pool.map(one, range(REQUESTS)))


def _check_400(settings: Settings, codes: Counter, log: str) -> None:
    assert codes == {200: 300, 422: 100}, codes
    rows = all_rows(settings)
    statuses = Counter(row.status for row in rows)
    assert len(rows) == REQUESTS and len({row.id for row in rows}) == REQUESTS
    assert statuses == {"succeeded": 300, "failed": 100}              # none left running
    assert {row.error_code for row in rows if row.status == "failed"} == {"decode_failed"}
    assert len({row.owner_pid for row in rows}) > 1                   # spread over workers
    assert "database is locked" not in log and "METERING FAILURE" not in log
    report = rollups(settings, view="anonymous", min_volume=20)
    [pair] = report.pairs
    assert (pair.pair_label, pair.requests, pair.succeeded) == ("PNG -> JPG", 400, 300)


def test_four_workers_on_sqlite(settings, gunicorn_server):
    base_url = gunicorn_server(env={"CONVERTR_WORKERS": "4"})
    codes = _fire(base_url)
    _check_400(settings, codes, gunicorn_server.logs[base_url].read_text())


def test_four_workers_on_postgresql(settings, gunicorn_server, postgres_url, monkeypatch):
    base_url = gunicorn_server(env={"CONVERTR_WORKERS": "4",
                                    "CONVERTR_DATABASE_URL": postgres_url})
    codes = _fire(base_url)
    monkeypatch.setenv("CONVERTR_DATABASE_URL", postgres_url)
    _check_400(Settings.from_env(), codes, gunicorn_server.logs[base_url].read_text())
    assert not (settings.home / "convertr.db").exists()               # really on PostgreSQL


def _slow_request(base_url: str, seconds: float, results: list) -> threading.Thread:
    def run() -> None:
        try:
            with httpx.Client(base_url=base_url, timeout=WAIT_S) as client:
                results.append(client.post(
                    "/api/convert", data={"output_format": "slowdone"},
                    files={"file": ("in.slowtest", slow_plugin.payload(seconds))}).status_code)
        except httpx.HTTPError as ex:
            results.append(type(ex).__name__)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _wait_for(settings: Settings, condition, what: str):
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        rows = all_rows(settings)
        if condition(rows):
            return rows
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}: {[(r.id, r.status) for r in rows]}")


def test_killed_worker_leaves_a_row_that_recovery_abandons(settings, gunicorn_server,
                                                           slow_plugin_path):
    base_url = gunicorn_server(env={"CONVERTR_WORKERS": "1",
                                    "PYTHONPATH": python_path(slow_plugin_path)})
    # A live conversion is never closed by a recovery run in another process.
    results: list = []
    thread = _slow_request(base_url, 4.0, results)
    [live] = _wait_for(settings, lambda rows: len(rows) == 1, "the running row")
    recover = subprocess.run([str(ROOT / ".venv/bin/convertr"), "metering", "recover"],
                             capture_output=True, text=True, env={**os.environ})
    assert recover.returncode == 0 and "closed 0" in recover.stdout, recover.stderr
    thread.join()
    assert results == [200] and all_rows(settings)[0].status == "succeeded"

    # SIGKILL the worker in the middle of a conversion.
    thread = _slow_request(base_url, 600.0, results)
    rows = _wait_for(settings, lambda rows: len(rows) == 2, "the second running row")
    victim = next(row for row in rows if row.id != live.id)
    assert victim.status == "running"
    os.kill(victim.owner_pid, signal.SIGKILL)
    thread.join()
    assert results[1] != 200
    # gunicorn starts a new worker; its start-up recovery closes the orphan.
    rows = _wait_for(settings, lambda rows: all(r.status != "running" for r in rows),
                     "recovery to close the orphaned row")
    closed = next(row for row in rows if row.id == victim.id)
    assert (closed.status, closed.error_code) == ("abandoned", "abandoned")
    assert closed.finished_at is not None
    [pair] = rollups(settings, view="all", min_volume=0).pairs
    assert (pair.requests, pair.succeeded, pair.abandoned, pair.error_rate) == (2, 1, 1, 0.5)

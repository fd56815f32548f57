"""A restart or shutdown (SIGTERM) lets conversions already running finish."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import threading
import time
from pathlib import Path

import httpx

from tests.metering.conftest import python_path, slow_plugin_site
from tests.metering.slow_plugin import payload


def _arbiter_pid(log: Path) -> int:
    match = re.search(r"Listening at: \S+ \((\d+)\)", log.read_text())
    assert match, log.read_text()[-2000:]
    return int(match.group(1))


def _wait_for_running_row(database: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if database.exists():
            with sqlite3.connect(database) as connection:
                rows = connection.execute(
                    "SELECT count(*) FROM conversions WHERE status = 'running'").fetchone()
            if rows and rows[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the conversion never started")


def test_sigterm_lets_a_running_conversion_finish(gunicorn_server, settings, tmp_path):
    site = slow_plugin_site(tmp_path / "site")
    base_url = gunicorn_server(env={"PYTHONPATH": python_path(site)})
    arbiter = _arbiter_pid(gunicorn_server.logs[base_url])
    body = payload(3.0)
    answer: dict[str, httpx.Response] = {}

    def upload() -> None:
        answer["response"] = httpx.post(
            f"{base_url}/api/convert", data={"output_format": "slowdone"},
            files={"file": ("job.slowtest", body)}, timeout=60)

    client = threading.Thread(target=upload)
    client.start()
    _wait_for_running_row(settings.home / "convertr.db")
    os.kill(arbiter, signal.SIGTERM)  # what a deploy or `systemctl stop` sends
    client.join(timeout=60)

    response = answer["response"]
    assert response.status_code == 200, response.text
    assert response.content == body  # the slow converter copies its input
    deadline = time.monotonic() + 30
    while _alive(arbiter) and time.monotonic() < deadline:  # then the server stops
        time.sleep(0.1)
    assert not _alive(arbiter), "gunicorn did not exit after its conversions finished"


def _alive(pid: int) -> bool:
    """Running (an exited child stays a zombie until the fixture reaps it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"

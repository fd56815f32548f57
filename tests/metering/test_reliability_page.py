"""The reliability page: seed-like table plus inline SVG charts, rendered by Chromium."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import falcon.testing
import pytest
from PIL import Image

from convertr_core.models import utcnow
from tests.metering.helpers import add_row

PAIRS = {("mp4", "mp3"): (30, 0), ("heic", "jpg"): (24, 6), ("avi", "mp4"): (21, 3)}
GREEN, RED = (0x16, 0xA3, 0x4A), (0xDC, 0x26, 0x26)


@pytest.fixture
def traffic(settings):
    """Three pairs above the floor (with some failures) and one below it."""
    now = utcnow()
    for (source, target), (good, bad) in PAIRS.items():
        for index in range(good + bad):
            add_row(settings, source=source, target=target,
                    status="failed" if index < bad else "succeeded",
                    error_code="decode_failed" if index < bad else None,
                    runtime_ms=1600 + index, started_at=now - timedelta(hours=7 * index + 1))
    for index in range(5):
        add_row(settings, source="gif", target="webp", started_at=now - timedelta(hours=1))


def _chromium(chromium: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'chromium-profile'}",
         "--window-size=1200,900", *args],
        capture_output=True, text=True, timeout=180)


def test_page_is_self_contained(settings, traffic):
    from convertr_http.app import create_app

    page = falcon.testing.TestClient(create_app(settings)).simulate_get("/reliability")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "High-volume API pair reliability" in html
    for header in ("Pair", "Requests", "Success", "Errors", "Avg runtime", "Window"):
        assert f"<th>{header}</th>" in html
    assert html.count("<svg") == 3 and "GIF -&gt; WEBP" not in html      # under the floor
    assert not re.search(r"<script|<link|<img|src=|url\(", html)       # no external assets
    assert "<td>80%</td><td>20%</td>" in html                           # HEIC: 24 of 30


def test_page_renders_in_headless_chromium(settings, traffic, gunicorn_server, chromium,
                                           tmp_path):
    url = gunicorn_server(env={"CONVERTR_WORKERS": "1"}) + "/reliability?view=anonymous"
    dom = _chromium(chromium, tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for label in ("MP4 -&gt; MP3", "HEIC -&gt; JPG", "AVI -&gt; MP4"):
        assert f'<tr data-pair="{label}">' in dom.stdout
    assert dom.stdout.count("<svg") == 3 and "<rect" in dom.stdout

    shot = tmp_path / "reliability.png"
    run = _chromium(chromium, tmp_path, f"--screenshot={shot}", url)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 900)
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50                                    # text and bars, not blank
    counts = {colour: count for count, colour in colours}
    assert counts.get(GREEN, 0) > 100 and counts.get(RED, 0) > 10   # success and failure bars

"""End to end: real gunicorn on a loopback port, real multipart from httpx and curl.

``gunicorn_server()`` starts the product's entry point (``convertr_http.app:get_app()``:
every installed plugin and extension); ``IMAGE_APP`` is the same app over the image
plugin only, for the tests about the transport itself.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import hypothesis
import schemathesis
from PIL import Image

from convertr_http import gunicorn_conf

from ..conftest import leftovers
from ..media import make_heic, make_image, make_video
from .conftest import encode_multipart
from .test_openapi import CHECKS

IMAGE_APP = "tests.http.apps:image_app()"
LABEL = "acme-mobile-production"
TIMEOUT = httpx.Timeout(120.0)


def convert(base_url: str, path: Path, output_format: str, input_format: str | None = None,
            **headers: str) -> httpx.Response:
    data = {"output_format": output_format}
    if input_format:
        data["input_format"] = input_format
    with path.open("rb") as handle:
        return httpx.post(f"{base_url}/api/convert", data=data, headers=headers,
                          files={"file": (path.name, handle)}, timeout=TIMEOUT)


def wait_until_empty(folder: Path, seconds: float = 30) -> list[str]:
    """The folder's leftovers once cleanup had time to run (the server works async)."""
    deadline = time.monotonic() + seconds
    while leftovers(folder) and time.monotonic() < deadline:
        time.sleep(0.1)
    return leftovers(folder)


def wait_for_text(log: Path, text: str, seconds: float = 10) -> str:
    """The log's content once ``text`` is in it (or the deadline passed)."""
    deadline = time.monotonic() + seconds
    while text not in (content := log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return content


def test_heic_to_jpg(gunicorn_server, tmp_path, work_temp):
    base_url = gunicorn_server()
    resp = convert(base_url, make_heic(tmp_path / "IMG_0001.heic", size=(64, 48)), "jpg",
                   "heic")
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "image/jpeg"
    assert resp.headers["x-convertr-pair"] == "HEIC -> JPG"
    assert 'filename="IMG_0001.jpg"' in resp.headers["content-disposition"]
    assert Image.open(io.BytesIO(resp.content)).size == (64, 48)
    assert wait_until_empty(work_temp) == []


def test_mp4_to_mp3(gunicorn_server, tmp_path, work_temp):
    base_url = gunicorn_server()
    video = make_video(tmp_path / "clip.mp4", seconds=1, size="160x120")
    resp = convert(base_url, video, "mp3", "mp4", **{"X-Convertr-Client-Label": LABEL})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "audio/mpeg"
    assert resp.headers["x-convertr-pair"] == "MP4 -> MP3"
    assert resp.headers["x-convertr-cohort"].startswith("cohort_")
    assert resp.content[:3] == b"ID3" or resp.content[0] == 0xFF
    assert int(resp.headers["content-length"]) == len(resp.content)
    assert wait_until_empty(work_temp) == []


def test_avi_to_mp4(gunicorn_server, tmp_path, work_temp):
    base_url = gunicorn_server()
    video = make_video(tmp_path / "old.avi", seconds=1, size="160x120", vcodec="mpeg4",
                       acodec="libmp3lame")
    resp = convert(base_url, video, "mp4")
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-convertr-pair"] == "AVI -> MP4"
    assert resp.content[4:8] == b"ftyp"
    assert wait_until_empty(work_temp) == []


def test_over_limit_upload_is_413_and_leaves_nothing(gunicorn_server, tmp_path, work_temp):
    base_url = gunicorn_server({"CONVERTR_MAX_INPUT_BYTES": "100000"}, app=IMAGE_APP)
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(3_000_000))
    resp = convert(base_url, big, "jpg", "png")
    assert resp.status_code == 413, resp.text
    assert resp.json()["error"] == "input_too_large"
    assert "100 kB" in resp.json()["message"]
    assert wait_until_empty(work_temp) == []


def test_chunked_upload_is_stopped_at_the_limit(gunicorn_server, work_temp):
    base_url = gunicorn_server({"CONVERTR_MAX_INPUT_BYTES": "100000"}, app=IMAGE_APP)
    body, content_type = encode_multipart({"output_format": "jpg"},
                                          {"file": ("x.png", os.urandom(2_000_000))})
    chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))  # no Content-Length
    resp = httpx.post(f"{base_url}/api/convert", content=chunks, timeout=TIMEOUT,
                      headers={"Content-Type": content_type})
    assert resp.request.headers.get("transfer-encoding") == "chunked"
    assert resp.status_code == 413 and resp.json()["error"] == "input_too_large"
    assert wait_until_empty(work_temp) == []


def test_mislabelled_file_is_415(gunicorn_server, tmp_path, work_temp):
    base_url = gunicorn_server(app=IMAGE_APP)
    resp = convert(base_url, make_image(tmp_path / "photo.heic", format="JPEG"), "png", "heic")
    assert resp.status_code == 415, resp.text
    assert resp.json()["error"] == "format_mismatch" and resp.json()["detected"] == "jpg"
    assert wait_until_empty(work_temp) == []


def test_twenty_concurrent_conversions(gunicorn_server, tmp_path, work_temp):
    base_url = gunicorn_server()
    photos = [make_heic(tmp_path / f"p{i}.heic", size=(32 + i, 24)) for i in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda p: convert(base_url, p, "jpg", "heic"), photos))
    assert [r.status_code for r in results] == [200] * 20, [r.text for r in results]
    sizes = [Image.open(io.BytesIO(r.content)).size for r in results]
    assert sizes == [(32 + i, 24) for i in range(20)]
    assert wait_until_empty(work_temp) == []


def test_client_disconnecting_mid_download_leaves_no_files(gunicorn_server, tmp_path,
                                                          work_temp):
    base_url = gunicorn_server(app=IMAGE_APP)
    source = make_image(tmp_path / "wide.png", size=(3000, 2000))  # small PNG, 18 MB BMP
    body, content_type = encode_multipart({"output_format": "bmp"},
                                          {"file": ("wide.png", source.read_bytes())})
    port = int(base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.sendall(f"POST /api/convert HTTP/1.1\r\nHost: test\r\nContent-Type: "
                     f"{content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        head = sock.recv(65536)
        assert head.startswith(b"HTTP/1.1 200"), head[:300]
        assert leftovers(work_temp) != []  # the download is under way
    assert wait_until_empty(work_temp) == []


def test_the_seed_curl_command_works(gunicorn_server, tmp_path, work_temp):
    """The docs page's command, pointed at the local server (the page's ``[email protected]``
    is its e-mail obfuscation of ``file=@input.mp4``)."""
    base_url = gunicorn_server({"CONVERTR_ACCESS_LOG": "-"})
    make_video(tmp_path / "input.mp4", seconds=1, size="160x120")
    command = (f'curl -X POST {base_url}/api/convert \\\n'
               f'-H "X-Convertr-Client-Label: acme-mobile-production" \\\n'
               f'-F "file=@input.mp4" \\\n-F "input_format=mp4" \\\n-F "output_format=mp3"')
    done = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout[:3] == b"ID3" or done.stdout[0] == 0xFF, done.stdout[:300]
    assert wait_until_empty(work_temp) == []
    # gunicorn writes its access line after the last byte went out: curl may be faster.
    log = wait_for_text(gunicorn_server.logs[base_url], '"POST /api/convert" 200')
    request_lines = [json.loads(line) for line in log.splitlines()
                     if line.startswith("{") and '"event": "request"' in line]
    assert any(line["pair"] == "MP4 -> MP3" and line["cohort"] for line in request_lines)
    assert '"POST /api/convert" 200' in log  # gunicorn's access log is on, too
    assert LABEL not in log


def test_access_log_format_carries_no_headers():
    fmt = gunicorn_conf.access_log_format
    assert "}i" not in fmt and "%(a)s" not in fmt and "%(f)s" not in fmt
    assert "%(r)s" not in fmt and "%(q)s" not in fmt


def test_openapi_against_gunicorn(gunicorn_server):
    """schemathesis over real HTTP (its own multipart encoder) against the served app."""
    base_url = gunicorn_server(app=IMAGE_APP)
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(max_examples=10, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(hypothesis.HealthCheck))
        def run(case):  # type: ignore[no-untyped-def]
            case.call_and_validate(base_url=base_url, checks=CHECKS)

        run()

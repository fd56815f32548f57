"""The API in process (falcon's TestClient over the real app and the real image plugin)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import falcon.testing
import pytest
import structlog.testing
from PIL import Image

import convertr_image.plugin
from convertr_core import Settings, cohort_for_label, hookimpl
from convertr_core.testing import make_registry
from convertr_http.app import create_app
from convertr_http.downloads import content_disposition, output_name

from ..conftest import leftovers
from ..media import make_image
from . import sample_extension
from .conftest import encode_multipart

LABEL = "acme-mobile-production"


def png_bytes(tmp_path: Path, size: tuple[int, int] = (64, 48)) -> bytes:
    return make_image(tmp_path / "src.png", size=size).read_bytes()


def noise_png(size: tuple[int, int] = (64, 48)) -> bytes:
    """A PNG that does not compress (random pixels): its size is predictable."""
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, "PNG")
    return out.getvalue()


def jpg_bytes(tmp_path: Path) -> bytes:
    return make_image(tmp_path / "src.jpg").read_bytes()


def post(client: falcon.testing.TestClient, fields: dict[str, str] | None = None,
         files: dict[str, tuple[str, bytes]] | None = None, headers: dict | None = None):
    body, content_type = encode_multipart(fields, files)
    return client.simulate_post("/api/convert", body=body,
                                headers={"Content-Type": content_type, **(headers or {})})


def test_convert_answers_with_the_file_and_its_headers(client, tmp_path, work_temp):
    resp = post(client, {"input_format": "png", "output_format": "jpg"},
                {"file": ("holiday.png", png_bytes(tmp_path))})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "image/jpeg"
    assert int(resp.headers["content-length"]) == len(resp.content)
    assert resp.headers["content-disposition"] == 'attachment; filename="holiday.jpg"'
    assert resp.headers["x-convertr-pair"] == "PNG -> JPG"
    assert resp.headers["x-convertr-runtime-ms"].isdigit()
    assert "x-convertr-cohort" not in resp.headers
    assert Image.open(io.BytesIO(resp.content)).size == (64, 48)
    assert leftovers(work_temp) == []


def test_input_format_is_sniffed_when_absent(client, tmp_path):
    resp = post(client, {"output_format": "PNG"}, {"file": ("x.bin", jpg_bytes(tmp_path))})
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-convertr-pair"] == "JPG -> PNG"
    assert resp.content.startswith(b"\x89PNG")


def test_options_reach_the_converter(client, tmp_path):
    source = make_image(tmp_path / "big.png", size=(400, 300)).read_bytes()
    resp = post(client, {"output_format": "jpg", "max_width": "100"},
                {"file": ("big.png", source)})
    assert resp.status_code == 200, resp.text
    assert Image.open(io.BytesIO(resp.content)).size == (100, 75)


def test_label_becomes_a_cohort_and_is_never_echoed_or_logged(client, tmp_path, settings):
    with structlog.testing.capture_logs() as logs:
        resp = post(client, {"output_format": "jpg"}, {"file": ("a.png", png_bytes(tmp_path))},
                    headers={"X-Convertr-Client-Label": LABEL})
    assert resp.status_code == 200
    cohort = cohort_for_label(LABEL, settings)
    assert resp.headers["x-convertr-cohort"] == cohort
    assert LABEL not in json.dumps(dict(resp.headers)) and LABEL.encode() not in resp.content
    (line,) = [entry for entry in logs if entry["event"] == "request"]
    assert LABEL not in json.dumps(line, default=str)
    assert line["cohort"] == cohort and line["pair"] == "PNG -> JPG"
    assert line["status"] == 200 and line["method"] == "POST" and line["path"] == "/api/convert"
    assert line["bytes_out"] == len(resp.content) and line["runtime_ms"] is not None


def test_label_is_not_echoed_in_errors(client):
    resp = post(client, {"output_format": "nope"}, {"file": ("a.png", b"\x89PNG...")},
                headers={"X-Convertr-Client-Label": LABEL})
    assert resp.status_code == 415
    assert LABEL not in resp.text and LABEL not in json.dumps(dict(resp.headers))


@pytest.mark.parametrize("name, expected", [
    ("photo.png", 'attachment; filename="photo.jpg"'),
    ("фото отпуск.png", "attachment; filename=\"converted.jpg\"; "
                        "filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE%20%D0%BE%D1%82%D0%BF%D1%83"
                        "%D1%81%D0%BA.jpg"),
    ("café.png", "attachment; filename=\"cafe.jpg\"; filename*=UTF-8''caf%C3%A9.jpg"),
    ("C:\\Users\\me\\scan.png", 'attachment; filename="scan.jpg"'),
    ("../../etc/passwd", 'attachment; filename="passwd.jpg"'),
])
def test_content_disposition_is_safely_quoted(client, tmp_path, name, expected):
    resp = post(client, {"output_format": "jpg"}, {"file": (name, png_bytes(tmp_path))})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-disposition"] == expected


@pytest.mark.parametrize("name, expected", [
    ('we"ird;me.png', 'attachment; filename="we_ird_me.jpg"; '
                      "filename*=UTF-8''we%22ird%3Bme.jpg"),
    ("a\r\nX-Injected: 1.png", 'attachment; filename="aX-Injected_ 1.jpg"; '
                              "filename*=UTF-8''aX-Injected%3A%201.jpg"),
    ("", 'attachment; filename="converted.jpg"'),
    ("...", 'attachment; filename="converted.jpg"'),
    ("archive.tar.gz", 'attachment; filename="archive.tar.jpg"'),
])
def test_download_names_cannot_break_the_header(name, expected):
    assert content_disposition(output_name(name, "jpg")) == expected


def test_a_line_break_in_the_file_name_cannot_inject_a_header(client, tmp_path):
    body, content_type = encode_multipart(
        {"output_format": "jpg"}, {"file": ("a.png", png_bytes(tmp_path))})
    evil = "a\r\nX-Injected: yes.png".encode().replace(b"\r\n", b"%0D%0A")
    body = body.replace(b'filename="a.png"', b"filename*=UTF-8''" + evil)
    resp = client.simulate_post("/api/convert", body=body,
                                headers={"Content-Type": content_type})
    assert resp.status_code == 200, resp.text
    assert "x-injected" not in resp.headers
    assert "\r" not in resp.headers["content-disposition"]
    assert "\n" not in resp.headers["content-disposition"]


@pytest.mark.parametrize("fields, files, status, code, field", [
    ({"output_format": "jpg"}, {}, 422, "validation_failed", "file"),
    ({}, {"file": ("a.png", b"\x89PNG\r\n\x1a\n")}, 422, "validation_failed", "output_format"),
    ({"output_format": "docx"}, {"file": ("a.png", b"\x89PNG\r\n\x1a\n")}, 415,
     "unknown_format", "format"),
    ({"output_format": "jpg", "quality": "500"}, "png", 422, "invalid_option", "quality"),
    ({"output_format": "jpg", "speed": "1"}, "png", 422, "invalid_option", "speed"),
])
def test_client_errors_have_one_shape(client, tmp_path, work_temp, fields, files, status,
                                      code, field):
    if files == "png":
        files = {"file": ("a.png", png_bytes(tmp_path))}
    resp = post(client, fields, files)
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/json"
    assert resp.json["error"] == code and resp.json["message"]
    assert field in resp.json["errors"]
    assert leftovers(work_temp) == []


def test_a_mislabelled_file_is_415(client, tmp_path, work_temp):
    resp = post(client, {"input_format": "png", "output_format": "gif"},
                {"file": ("a.png", jpg_bytes(tmp_path))})
    assert resp.status_code == 415
    assert resp.json["error"] == "format_mismatch" and resp.json["detected"] == "jpg"
    assert leftovers(work_temp) == []


def test_an_undecodable_file_is_422(client, work_temp):
    resp = post(client, {"output_format": "jpg"},
                {"file": ("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 100)})
    assert resp.status_code == 422 and resp.json["error"] == "decode_failed"
    assert leftovers(work_temp) == []


def test_malformed_requests_are_400(client):
    bad = client.simulate_post("/api/convert", body=b"--x\r\nnonsense",
                               headers={"Content-Type": "multipart/form-data; boundary=zz"})
    assert bad.status_code == 400 and bad.json["error"] == "bad_request"
    not_form = client.simulate_post("/api/convert", json={"output_format": "jpg"})
    assert not_form.status_code == 400 and not_form.json["error"] == "bad_request"
    no_boundary = client.simulate_post("/api/convert", body=b"x",
                                       headers={"Content-Type": "multipart/form-data"})
    assert no_boundary.status_code == 400 and no_boundary.json["error"] == "bad_request"


def test_unknown_routes_and_methods(client):
    missing = client.simulate_get("/api/nothing-here")
    assert missing.status_code == 404
    assert missing.json == {"message": "no such endpoint", "error": "not_found"}
    wrong = client.simulate_get("/api/convert")
    assert wrong.status_code == 405 and wrong.json["error"] == "method_not_allowed"
    assert "POST" in wrong.headers["allow"]


def test_declared_length_over_the_limit_is_refused_before_reading(settings, image_registry,
                                                                  work_temp):
    class Untouchable(io.RawIOBase):
        def readinto(self, buffer):  # noqa: ANN001
            raise AssertionError("the body was read")

    app = create_app(settings.with_(max_input_bytes=1000), image_registry, extensions=())
    resp = falcon.testing.TestClient(app).simulate_post(
        "/api/convert", headers={"Content-Type": "multipart/form-data; boundary=b"},
        extras={"wsgi.input": Untouchable(), "CONTENT_LENGTH": str(10**12)})
    assert resp.status_code == 413 and resp.json["error"] == "input_too_large"
    assert resp.json["limit_bytes"] == 1000 and "file" in resp.json["errors"]
    assert leftovers(work_temp) == []


def test_an_upload_over_the_limit_is_stopped_and_deleted(settings, image_registry, tmp_path,
                                                         work_temp):
    app = create_app(settings.with_(max_input_bytes=2000), image_registry, extensions=())
    resp = post(falcon.testing.TestClient(app), {"output_format": "jpg"},
                {"file": ("noise.png", noise_png())})
    assert resp.status_code == 413 and resp.json["error"] == "input_too_large"
    assert leftovers(work_temp) == []


class Recorder:
    """An observer plugin keeping every finished record."""

    CONVERTR_PLUGIN_INTERFACE = 1

    def __init__(self) -> None:
        self.records: list = []

    @hookimpl
    def convertr_conversion_finished(self, record) -> None:  # noqa: ANN001
        self.records.append(record)


def test_extensions_add_routes_middleware_and_client_limits(settings, tmp_path):
    recorder = Recorder()
    registry = make_registry(convertr_image.plugin, recorder)
    app = create_app(settings, registry, extensions=("tests.http.sample_extension",))
    client = falcon.testing.TestClient(app)
    small = png_bytes(tmp_path, size=(4, 4))
    assert len(small) < sample_extension.CLIENT_LIMIT_BYTES
    ok = post(client, {"output_format": "gif"}, {"file": ("a.png", small)},
              headers={"Authorization": "Bearer 7|secret"})
    assert ok.status_code == 200, ok.text
    assert recorder.records[-1].client_id == sample_extension.CLIENT_ID
    assert recorder.records[-1].transport == "http"
    over = post(client, {"output_format": "gif"}, {"file": ("a.png", noise_png())},
                headers={"Authorization": "Bearer 7|secret"})
    assert over.status_code == 413  # the client's limit, not the anonymous 1 GB
    anonymous = post(client, {"output_format": "gif"}, {"file": ("a.png", noise_png())})
    assert anonymous.status_code == 200 and recorder.records[-1].client_id is None
    assert "/api/boom" in client.simulate_get("/openapi.json").json["paths"]


def test_a_bug_is_a_500_without_details(settings, image_registry):
    app = create_app(settings, image_registry, extensions=("tests.http.sample_extension",))
    resp = falcon.testing.TestClient(app).simulate_get("/api/boom")
    assert resp.status_code == 500
    assert resp.json == {"message": "internal server error", "error": "internal_error"}
    assert "secret" not in resp.text and "Traceback" not in resp.text


def test_missing_extensions_are_skipped_but_broken_ones_fail(settings, image_registry):
    create_app(settings, image_registry, extensions=("tests.http.not_written_yet",))
    with pytest.raises(ModuleNotFoundError):
        create_app(settings, image_registry, extensions=("tests.http.broken_extension",))


def test_formats_lists_what_the_registry_describes(client, image_registry):
    resp = client.simulate_get("/api/formats")
    assert resp.status_code == 200
    assert resp.json == json.loads(json.dumps(image_registry.describe()))
    assert any(p["source"] == "heic" and p["target"] == "jpg" for p in resp.json["pairs"])


def test_health_is_200_when_database_and_plugins_work(client):
    resp = client.simulate_get("/api/health")
    assert resp.status_code == 200, resp.text
    assert resp.json["database"]["ok"] and resp.json["plugins"]["ok"]


def test_health_is_503_when_a_plugin_failed(settings):
    broken = type("NoInterface", (), {})()  # declares no interface version: refused
    registry = make_registry(convertr_image.plugin, broken)
    app = create_app(settings, registry, extensions=())
    resp = falcon.testing.TestClient(app).simulate_get("/api/health")
    assert resp.status_code == 503
    assert resp.json["plugins"]["failed"][0]["name"] == "NoInterface"


def test_health_is_503_when_the_database_is_unusable(settings, image_registry, tmp_path):
    unusable = settings.with_(database_url=f"sqlite:///{tmp_path}/missing/dir/db.sqlite")
    resp = falcon.testing.TestClient(create_app(unusable, image_registry, extensions=())) \
        .simulate_get("/api/health")
    assert resp.status_code == 503 and resp.json["database"]["ok"] is False


def test_download_stream_removes_the_temp_files_when_closed(settings: Settings,
                                                            image_registry, tmp_path,
                                                            work_temp):
    app = create_app(settings, image_registry, extensions=())
    # 400x300 BMP = 360 kB: over SMALL_OUTPUT_BYTES, so it is streamed from disk.
    body, content_type = encode_multipart(
        {"output_format": "bmp"}, {"file": ("a.png", png_bytes(tmp_path, size=(400, 300)))})
    env = falcon.testing.create_environ(method="POST", path="/api/convert", body=body,
                                        headers={"Content-Type": content_type})
    iterable = app(env, lambda status, headers: None)
    first = next(iter(iterable))  # the client read a little, then went away
    assert first.startswith(b"BM") and leftovers(work_temp) != []
    iterable.close()
    assert leftovers(work_temp) == []


def test_small_outputs_leave_no_temp_files_once_the_response_starts(
        settings: Settings, image_registry, tmp_path, work_temp):
    app = create_app(settings, image_registry, extensions=())
    body, content_type = encode_multipart({"output_format": "jpg"},
                                          {"file": ("a.png", png_bytes(tmp_path))})
    env = falcon.testing.create_environ(method="POST", path="/api/convert", body=body,
                                        headers={"Content-Type": content_type})
    headers: dict[str, str] = {}
    iterable = app(env, lambda status, sent: headers.update(sent))
    first = next(iter(iterable))
    assert leftovers(work_temp) == []  # before the client has read a byte
    assert first.startswith(b"\xff\xd8") and int(headers["content-length"]) == len(first)

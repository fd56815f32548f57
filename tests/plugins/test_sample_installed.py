"""The sample plugin, pip-installed like any third-party package (``make install`` does
``pip install -e docs/examples/convertr-sample-plugin``): its pair shows up in
``convertr formats``, converts through the CLI and ``POST /api/convert``, and is metered
exactly like a built-in pair."""

from __future__ import annotations

import importlib.metadata as md
import json
import uuid
from pathlib import Path

import falcon.testing
import pytest
from sqlmodel import select

from convertr_core import Settings
from convertr_core.db import session_scope
from convertr_core.models import Conversion

from tests.plugins.helpers import SAMPLE, run_cli

CSV = "name,age\nAda,36\nGrace,85\n"


@pytest.fixture(autouse=True, scope="module")
def _sample_installed() -> None:
    try:
        md.distribution("convertr-sample")
    except md.PackageNotFoundError:
        pytest.fail(f"the sample plugin is not installed: pip install -e {SAMPLE} "
                    "(make install does it)", pytrace=False)


def _rows(settings: Settings, **where: str) -> list[Conversion]:
    with session_scope(settings) as session:
        query = select(Conversion)
        for column, value in where.items():
            query = query.where(getattr(Conversion, column) == value)
        return list(session.exec(query).all())


def _multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                 + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


def test_formats_lists_the_sample_pairs_with_their_options() -> None:
    done = run_cli("formats", "--json")
    assert done.returncode == 0, done.stderr
    pairs = {(p["source"], p["target"]): p for p in json.loads(done.stdout)["pairs"]}
    csv_json = pairs[("csv", "json")]
    assert csv_json["plugin"] == "sample" and csv_json["kind"] == "data"
    indent = next(o for o in csv_json["options"] if o["name"] == "indent")
    assert (indent["min"], indent["max"], indent["default"]) == (0, 8, 2)
    assert ("json", "csv") in pairs


def test_plugins_names_the_sample_distribution() -> None:
    done = run_cli("plugins", "--json")
    sample = next(p for p in json.loads(done.stdout)["plugins"] if p["name"] == "sample")
    assert sample["distribution"] == "convertr-sample" and sample["loaded"]
    assert sample["pairs"] == ["csv->json", "json->csv"]


def test_the_cli_converts_and_meters_it_like_a_builtin(tmp_path: Path,
                                                       settings: Settings) -> None:
    (tmp_path / "people.csv").write_text(CSV)
    done = run_cli("convert", "people.csv", "people.json", "-o", "indent=0", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "people.json").read_text()) == [
        {"name": "Ada", "age": "36"}, {"name": "Grace", "age": "85"}]
    [row] = _rows(settings, source="csv", target="json")
    assert (row.plugin, row.kind, row.transport, row.status) == ("sample", "data", "cli",
                                                                 "succeeded")
    assert row.bytes_in == len(CSV) and row.runtime_ms is not None


def test_the_cli_refuses_an_out_of_range_option(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(CSV)
    done = run_cli("convert", "people.csv", "people.json", "-o", "indent=12", cwd=tmp_path)
    assert done.returncode == 4  # InvalidOption's exit code
    assert "indent must be at most 8" in done.stderr
    assert not (tmp_path / "people.json").exists()


def test_the_http_api_converts_and_meters_it(settings: Settings) -> None:
    from convertr_http.app import create_app

    client = falcon.testing.TestClient(create_app(settings))
    body, content_type = _multipart({"output_format": "json", "indent": "0"}, "people.csv",
                                    CSV.encode())
    resp = client.simulate_post("/api/convert", body=body,
                                headers={"Content-Type": content_type,
                                         "X-Convertr-Client-Label": "sample-tests"})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["x-convertr-pair"] == "CSV -> JSON"
    assert json.loads(resp.text)[1] == {"name": "Grace", "age": "85"}
    [row] = _rows(settings, source="csv", target="json", transport="http")
    assert row.status == "succeeded" and row.plugin == "sample"
    assert row.cohort and row.cohort.startswith("cohort_")


def test_a_failed_sample_conversion_is_metered_with_its_error_code(settings: Settings) -> None:
    from convertr_http.app import create_app

    client = falcon.testing.TestClient(create_app(settings))
    body, content_type = _multipart({"input_format": "csv", "output_format": "json"},
                                    "ragged.csv", b"a,b\n1,2\n3,4,5\n")
    resp = client.simulate_post("/api/convert", body=body,
                                headers={"Content-Type": content_type})
    assert resp.status_code == 422
    assert resp.json["error"] == "decode_failed" and "line 3 has 3 fields" in resp.json["message"]
    [row] = _rows(settings, source="csv", target="json")
    assert (row.status, row.error_code) == ("failed", "decode_failed")

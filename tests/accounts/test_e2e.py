"""Done-when, end to end through real gunicorn with the real plugins."""

from __future__ import annotations

import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from convertr_core import billing, cohort_for_label
from convertr_core.accounts import session_scope
from convertr_core.accounts_models import LedgerEntry
from convertr_core.models import Conversion
from tests.media import make_image, make_video

SEED = Path("/work/shared/seed/000_c705b88ee984c1c0.txt")
APP = "tests.accounts.apps:full_app()"
# The published page obfuscates the example address (an email-protection artefact):
# the literal line sends a key with no value, so the runnable example names an address.
OBFUSCATED = '-d "[email protected]"'
EMAIL_LINE = '-d "email=dev@acme.example"'


def seed_registration_curl(base_url: str) -> str:
    """The seed's registration curl, pointed at ``base_url``."""
    text = SEED.read_text()
    start = text.index("curl -X POST https://convertr.org/api/client-registrations")
    lines = []
    for line in text[start:].splitlines():
        lines.append(line)
        if not line.rstrip().endswith("\\"):
            break
    return "\n".join(lines).replace("https://convertr.org", base_url)


def run_curl(command: str) -> tuple[int, dict]:
    done = subprocess.run(["bash", "-c", command + ' -s -w "\\n%{http_code}"'],
                          capture_output=True, text=True, check=True, timeout=60)
    body, _, status = done.stdout.rpartition("\n")
    return int(status), httpx.Response(200, content=body).json()


def post_file(base_url: str, token: str, path: Path, fields: dict) -> httpx.Response:
    with path.open("rb") as handle:
        return httpx.post(f"{base_url}/api/convert", data=fields, timeout=120,
                          files={"file": (path.name, handle)},
                          headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def server(gunicorn_server) -> str:
    return gunicorn_server({"CONVERTR_SIGNUP_GRANT_MINUTES": "1"}, app=APP)


def test_seed_curl_registers_converts_charges_and_refuses(server, settings, tmp_path):
    command = seed_registration_curl(server)
    status, body = run_curl(command)  # literally as published
    assert status == 422 and body["errors"]["email"] == ["The email field is required."]
    assert OBFUSCATED in command
    status, body = run_curl(command.replace(OBFUSCATED, EMAIL_LINE))
    assert status == 201
    assert body["message"] == ("API client registered. Use the returned bearer token with "
                               "/api/convert.")
    assert body["user"]["anonymous_api_client_cohort"] == cohort_for_label(
        "acme-mobile-production", settings)
    assert re.fullmatch(r"\d+\|[A-Za-z0-9]{40,}", body["token"]["plain_text_token"])
    assert body["token"]["type"] == "Bearer"
    assert body["anonymous_access"] == {"available": True, "upload_limit": "1 GB"}
    token, client_id = body["token"]["plain_text_token"], body["user"]["id"]

    video = make_video(tmp_path / "video.mp4", seconds=1)
    mp3 = post_file(server, token, video, {"input_format": "mp4", "output_format": "mp3"})
    assert mp3.status_code == 200 and mp3.content[:3] in (b"ID3", b"\xff\xfb")
    assert (mp3.headers["X-Convertr-Billed-Minutes"],
            mp3.headers["X-Convertr-Balance-Minutes"]) == ("1", "0")
    with session_scope(settings) as session:
        charges = session.exec(select(LedgerEntry).where(LedgerEntry.kind == "charge")).all()
        rows = session.exec(select(Conversion).where(Conversion.client_id == client_id)).all()
    assert [(c.minutes, c.conversion_id) for c in charges] == [(-1, rows[0].id)]

    temp_before = set(os.listdir(settings.temp_dir))
    refused = post_file(server, token, video, {"input_format": "mp4", "output_format": "mp3"})
    assert refused.status_code == 402
    assert (refused.json()["error"], refused.json()["balance_minutes"]) == ("out_of_balance", 0)
    assert set(os.listdir(settings.temp_dir)) <= temp_before  # nothing new was left
    with session_scope(settings) as session:
        assert len(session.exec(select(Conversion).where(
            Conversion.client_id == client_id)).all()) == 1  # no row for the refusal

    png = make_image(tmp_path / "photo.png", format="PNG")
    jpg = post_file(server, token, png, {"output_format": "jpg"})
    assert jpg.status_code == 200 and jpg.content[:3] == b"\xff\xd8\xff"
    assert jpg.headers["X-Convertr-Billed-Minutes"] == "0"
    assert billing.balance_of(settings, client_id) == 0


def test_twenty_parallel_billed_conversions_match_the_ledger(server, settings, tmp_path):
    response = httpx.post(f"{server}/api/client-registrations", headers={
        "X-Convertr-Client-Label": "load"}, json={
        "name": "Load", "email": "load@acme.example", "password": "secret-password",
        "password_confirmation": "secret-password"})
    token, client_id = response.json()["token"]["plain_text_token"], response.json()["user"]["id"]
    billing.grant(settings, client_id, 4, note="fewer minutes than conversions")
    video = make_video(tmp_path / "clip.mp4", seconds=1)
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda _: post_file(
            server, token, video, {"output_format": "mp3"}), range(20)))
    statuses = [r.status_code for r in results]
    assert set(statuses) <= {200, 402} and statuses.count(200) >= 5
    billed = sum(int(r.headers["X-Convertr-Billed-Minutes"]) for r in results
                 if r.status_code == 200)
    with session_scope(settings) as session:
        rows = session.exec(select(Conversion).where(Conversion.client_id == client_id)).all()
    assert all(row.status == "succeeded" for row in rows) and len(rows) == statuses.count(200)
    row_minutes = sum(billing.billable_minutes(r.kind, r.runtime_ms, True) for r in rows)
    assert billed == row_minutes
    assert billing.balance_of(settings, client_id) == 5 - row_minutes

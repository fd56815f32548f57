"""The account endpoints in-process (falcon TestClient) over the toy pairs."""

from __future__ import annotations

import falcon.testing
import pytest
from sqlmodel import select

from convertr_core import accounts, cohort_for_label
from convertr_core.accounts import session_scope
from convertr_core.models import Conversion
from convertr_http.app import create_app
from tests.accounts.conftest import FORM
from tests.conftest import leftovers
from tests.http.conftest import encode_multipart

LABEL = {"X-Convertr-Client-Label": "acme-mobile-production"}
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def api(settings, registry) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(create_app(settings, registry))


def register(api, **changes):
    return api.simulate_post("/api/client-registrations", json={**FORM, **changes},
                             headers=LABEL)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def convert(api, token=None, body=b"TONE hello", target="beep"):
    data, content_type = encode_multipart({"output_format": target}, {"file": ("in.bin", body)})
    headers = {"Content-Type": content_type, **(bearer(token) if token else {})}
    return api.simulate_post("/api/convert", body=data, headers=headers)


def test_form_registration_returns_the_seed_shape(api, settings):
    body = "&".join(f"{k}={v}" for k, v in FORM.items()).replace(" ", "+")
    result = api.simulate_post("/api/client-registrations", body=body,
                               headers={**LABEL, **FORM_TYPE, "Accept": "application/json"})
    assert result.status_code == 201
    data = result.json
    assert set(data) == {"message", "user", "token", "anonymous_access"}
    assert data["message"] == ("API client registered. Use the returned bearer token with "
                               "/api/convert.")
    assert data["user"] == {"id": 1, "name": "Acme Mobile", "email": "dev@acme.example",
                            "anonymous_api_client_cohort": cohort_for_label(
                                "acme-mobile-production", settings)}
    assert data["token"]["type"] == "Bearer"
    assert data["token"]["plain_text_token"].startswith("1|")
    assert data["anonymous_access"] == {"available": True, "upload_limit": "1 GB"}
    # the same cohort as conversions carry, never the label itself
    assert result.headers["X-Convertr-Cohort"] == data["user"]["anonymous_api_client_cohort"]
    assert "acme-mobile" not in str(result.headers).lower()


def test_json_registration_and_validation_errors(api):
    assert register(api).status_code == 201
    taken = register(api, email="Dev@ACME.example")
    assert (taken.status_code, taken.json["errors"]) == (
        422, {"email": ["The email has already been taken."]})
    bad = api.simulate_post("/api/client-registrations", json={"name": "x"})
    assert bad.status_code == 422 and bad.json["error"] == "validation_failed"
    assert set(bad.json["errors"]) == {"email", "password", "password_confirmation"}


@pytest.mark.parametrize("password, status", [
    ("a" * 72, 201), ("a" * 73, 422), ("€" * 24, 201), ("€" * 25, 422)])
def test_password_byte_limit_over_http(api, password, status):
    result = register(api, password=password, password_confirmation=password)
    assert result.status_code == status
    if status == 422:
        assert result.json["errors"] == {"password": [
            "The password must be at most 72 bytes in UTF-8 (bcrypt's limit; a character "
            "such as € counts 3 bytes)."]}


def test_registration_is_rate_limited_per_address(settings, registry, monkeypatch):
    monkeypatch.setenv("CONVERTR_REGISTRATIONS_PER_HOUR", "2")
    api = falcon.testing.TestClient(create_app(settings, registry))
    assert [register(api, name="").status_code for _ in range(2)] == [422, 422]
    limited = register(api)
    assert limited.status_code == 429 and limited.json["error"] == "rate_limited"
    assert 3500 <= int(limited.headers["Retry-After"]) <= 3600
    assert accounts.list_clients(settings) == []


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer 99|" + "a" * 48, "Basic eDp5"])
def test_bad_tokens_are_401_never_anonymous(api, work_temp, header):
    data, content_type = encode_multipart({"output_format": "beep"},
                                          {"file": ("in.bin", b"TONE x")})
    result = api.simulate_post("/api/convert", body=data, headers={
        "Content-Type": content_type, "Authorization": header})
    assert result.status_code == 401 and result.json["error"] == "unauthorized"
    assert result.headers["WWW-Authenticate"].startswith("Bearer")
    assert leftovers(work_temp) == []


def test_billed_conversion_sends_minutes_and_balance(api):
    token = register(api).json["token"]["plain_text_token"]
    result = convert(api, token)
    assert result.status_code == 200 and result.content == b"BEEPTONE hello"
    assert result.headers["X-Convertr-Billed-Minutes"] == "1"
    assert result.headers["X-Convertr-Balance-Minutes"] == "9"
    free = convert(api, token, b"PIC x", "png2")
    assert (free.headers["X-Convertr-Billed-Minutes"],
            free.headers["X-Convertr-Balance-Minutes"]) == ("0", "9")
    anonymous = convert(api)
    assert anonymous.status_code == 200 and "X-Convertr-Billed-Minutes" not in anonymous.headers


def test_out_of_balance_is_402_with_no_work_done(api, settings, work_temp, monkeypatch):
    monkeypatch.setenv("CONVERTR_SIGNUP_GRANT_MINUTES", "0")
    token = register(api).json["token"]["plain_text_token"]
    refused = convert(api, token)
    assert refused.status_code == 402
    assert refused.json == {"error": "out_of_balance", "balance_minutes": 0,
                            "message": refused.json["message"]}
    assert "out of balance" in refused.json["message"]
    assert leftovers(work_temp) == []
    with session_scope(settings) as session:
        assert session.exec(select(Conversion)).all() == []
    assert convert(api, token, b"PIC x", "png2").status_code == 200


def test_me_usage_and_token_lifecycle(api):
    token = register(api).json["token"]["plain_text_token"]
    convert(api, token)
    me = api.simulate_get("/api/me", headers=bearer(token)).json
    assert me["balance_minutes"] == 9 and me["upload_limit"] == "5 GB"
    assert me["user"]["email"] == "dev@acme.example"
    usage = api.simulate_get("/api/me/usage", params={"window": "7d"}, headers=bearer(token))
    assert usage.json["pairs"][0]["pair"] == "TONE -> BEEP"
    assert (usage.json["window_days"], usage.json["total_billed_minutes"]) == (7, 1)
    assert api.simulate_get("/api/me").status_code == 401
    wrong = api.simulate_post("/api/tokens", json={"email": FORM["email"], "password": "nope-nope"})
    assert wrong.status_code == 401
    fresh = api.simulate_post("/api/tokens", body=f"email=DEV%40acme.example&password="
                              f"{FORM['password']}", headers=FORM_TYPE)
    assert fresh.status_code == 201
    new_token = fresh.json["token"]["plain_text_token"]
    assert api.simulate_delete("/api/tokens/current", headers=bearer(token)).status_code == 200
    assert api.simulate_get("/api/me", headers=bearer(token)).status_code == 401
    assert api.simulate_get("/api/me", headers=bearer(new_token)).status_code == 200

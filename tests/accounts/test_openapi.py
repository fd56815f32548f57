"""The account endpoints keep to their OpenAPI entries under fuzzing (schemathesis)."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               negative_data_rejection,
                                               response_headers_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

from convertr_core import accounts
from convertr_http.app import create_app
from tests.accounts.conftest import FORM

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, negative_data_rejection]
OURS = {"POST /api/client-registrations", "GET /api/me", "GET /api/me/usage",
        "POST /api/tokens", "DELETE /api/tokens/current"}


@pytest.fixture
def operations(settings, registry, monkeypatch):
    monkeypatch.setenv("CONVERTR_REGISTRATIONS_PER_HOUR", "0")  # reach validation every time
    app = create_app(settings, registry, extensions=("convertr_http.accounts",))
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    found = {op.label: op for op in (r.ok() for r in schema.get_all_operations())}
    assert OURS <= set(found)
    return [found[label] for label in sorted(OURS)]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_account_endpoints_keep_to_the_document(operations, settings, mode):
    token = accounts.register_client(settings, {**FORM, "email": "fuzz@acme.example"},
                                     None).plain_text_token
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and operation.method.upper() != "POST":
            continue  # an optional string header alone has no invalid form to generate
        _fuzz(operation, mode, None)
        if mode is GenerationMode.POSITIVE and operation.method.upper() == "GET":
            _fuzz(operation, mode, token)  # also the authenticated answers


def _fuzz(operation, mode, token):  # type: ignore[no-untyped-def]
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.settings(max_examples=10, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(hypothesis.HealthCheck))
    def run(case):  # type: ignore[no-untyped-def]
        if token is not None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
        case.call_and_validate(checks=CHECKS)

    run()

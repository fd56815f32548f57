"""``/openapi.json`` describes every endpoint, and the live app keeps to it (schemathesis)."""

from __future__ import annotations

import hypothesis
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               negative_data_rejection,
                                               response_headers_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

from convertr_http.app import create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance,
          negative_data_rejection]


MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def test_the_app_keeps_to_its_openapi_document(settings, image_registry):
    """Every operation, valid and invalid inputs: no 5xx, nothing off the document."""
    app = create_app(settings, image_registry, extensions=())
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # schemathesis leaves out the document's own path; the other three are all there
    assert {op.label for op in operations} == {"POST /api/convert", "GET /api/formats",
                                               "GET /api/health"}
    for operation in operations:
        # a GET without parameters has no invalid input to generate
        for mode in MODES if operation.method.upper() == "POST" else MODES[:1]:
            _fuzz(operation, mode)


def _fuzz(operation, mode):  # type: ignore[no-untyped-def]
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.settings(max_examples=12, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(hypothesis.HealthCheck))
    def run(case):  # type: ignore[no-untyped-def]
        case.call_and_validate(checks=CHECKS)

    run()


def test_every_route_is_documented(client, image_registry):
    document = client.simulate_get("/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {"/api/convert", "/api/formats", "/api/health",
                                      "/openapi.json"}
    form = document["paths"]["/api/convert"]["post"]["requestBody"]["content"][
        "multipart/form-data"]["schema"]
    declared = {opt.name for conv in image_registry.pairs() for opt in conv.options}
    assert declared and declared <= set(form["properties"])
    assert form["required"] == ["file", "output_format"]

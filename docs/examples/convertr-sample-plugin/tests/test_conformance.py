"""The whole conformance suite, on the samples in tests/samples/ (found by extension)."""

from convertr_core.testing import conformance_suite

TestConformance = conformance_suite("convertr_sample.plugin")

"""An extension whose own import fails: create_app must not hide that."""

import convertr_missing_dependency_for_tests  # noqa: F401

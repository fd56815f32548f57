"""``convertr_core.rows`` (what metering writes with) against ``models.Conversion``
(what migrations create and rollups read): the same table, the same column types."""

from __future__ import annotations

from datetime import datetime

import convertr_image.plugin
from convertr_core import convert, metering, rows
from convertr_core.models import Conversion
from convertr_core.testing import make_registry
from tests.metering.conftest import png_bytes
from tests.metering.helpers import all_rows


def test_the_core_table_names_the_models_columns_with_the_same_types():
    light = rows.conversions()
    full = Conversion.__table__
    assert light.name == full.name
    assert [c.name for c in light.columns] == [c.name for c in full.columns]
    for column in light.columns:  # str, int or datetime on both sides
        model_type = full.c[column.name].type
        model_type = getattr(model_type, "impl_instance", model_type)  # SQLModel's AutoString
        assert column.type.python_type is model_type.python_type, column.name


def test_rows_written_through_core_read_back_through_the_orm(settings, tmp_path):
    png = tmp_path / "in.png"
    png.write_bytes(png_bytes())
    registry = make_registry(convertr_image.plugin, metering)
    started = rows.utcnow()
    convert(png, tmp_path / "out.jpg", registry=registry)
    [row] = all_rows(settings)
    assert isinstance(row.started_at, datetime) and isinstance(row.finished_at, datetime)
    assert started <= row.started_at <= row.finished_at <= rows.utcnow()
    assert row.status == rows.SUCCEEDED and row.owner_start is not None

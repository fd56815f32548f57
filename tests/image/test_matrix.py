"""Every source × target pair, through the real pipeline with tiny pictures."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from convertr_core import Registry, convert
from tests.conftest import leftovers
from tests.image.helpers import ALL, BLUE, PIL_NAME, RED, near, pil


@pytest.mark.parametrize(("source", "target"), list(itertools.product(ALL, ALL)))
def test_pair_keeps_size_and_colours(image_registry: Registry, sources: dict[str, Path],
                                     source: str, target: str, tmp_path: Path,
                                     work_temp: Path) -> None:
    output = tmp_path / f"out.{target}"
    result = convert(sources[source], output, registry=image_registry)
    assert (result.source.id, result.target.id) == (source, target)
    with pil().open(output) as written:
        assert written.format == PIL_NAME[target]
        assert written.size == (64, 48)
        rgb = written.convert("RGB")
        assert near(rgb.getpixel((8, 8)), BLUE), rgb.getpixel((8, 8))
        assert near(rgb.getpixel((50, 40)), RED), rgb.getpixel((50, 40))
    assert result.record.outcome == "succeeded" and result.record.kind == "image"
    assert leftovers(work_temp) == []


def test_every_pair_is_registered(image_registry: Registry) -> None:
    pairs = {(conv.source, conv.target) for conv in image_registry.pairs()}
    assert pairs == set(itertools.product(ALL, ALL))


@pytest.mark.parametrize(("alias", "fmt"), [("jpeg", "jpg"), ("heif", "heic"),
                                            ("hif", "heic"), ("tif", "tiff"),
                                            (".JPEG", "jpg"), ("HEIC", "heic")])
def test_aliases_resolve(image_registry: Registry, alias: str, fmt: str) -> None:
    assert image_registry.resolve(alias).id == fmt

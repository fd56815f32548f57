"""What one conformance suite knows: the plugin, its registry, samples and cached runs.

Built once per test class (at collection, so pairs can be parametrized); sample files
and converter runs are made on first use and shared by the checks that need them.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import pytest

from ..converters import Converter
from ..errors import ConvertrError
from ..formats import Format
from ..registry import Registry
from . import checks, runs
from .runs import RunReport

if TYPE_CHECKING:
    from .conformance import PluginConformance

Pair = tuple[str, str]


class ConformanceState:
    """The plugin under test, its registry, samples and cached runs (one per test class)."""

    def __init__(self, suite: "PluginConformance") -> None:
        self.suite = suite
        self.import_error: str | None = None
        self.plugin: Any = None
        self.converters: dict[Pair, Converter] = {}
        self.formats: list[Format] = []
        self.registry = Registry()
        self.folder: Path | None = None
        self.samples: dict[str, Path | None] = {}
        self.runs: dict[tuple[Pair, str], RunReport] = {}
        with environ(suite.environ):
            try:
                self.plugin = checks.load_plugin(suite.plugin)
                self.registry = checks.build_registry(self.plugin, suite.uses)
            except Exception as ex:  # reported by test_plugin_is_well_formed
                self.import_error = f"cannot load the plugin: {type(ex).__name__}: {ex}"
                return
            found = checks.declared(self.plugin)
        self.formats = [f for f in found.formats if isinstance(f, Format)]
        for conv in found.converters:
            if isinstance(conv, Converter):
                self.converters.setdefault(self._ids(conv), conv)

    def _ids(self, conv: Converter) -> Pair:
        try:
            return self.registry.resolve(conv.source).id, self.registry.resolve(conv.target).id
        except ConvertrError:
            return conv.source, conv.target

    def format(self, fmt_id: str) -> Format:
        return next((f for f in self.formats if f.id == fmt_id), None) or \
            self.registry.resolve(fmt_id)

    def workdir(self, factory: pytest.TempPathFactory, name: str) -> Path:
        if self.folder is None:
            self.folder = factory.mktemp("convertr-conformance")
        return self.folder / name.replace("->", "-to-").replace(" ", "_")

    def sample(self, fmt_id: str, factory: pytest.TempPathFactory) -> Path | None:
        """The sample input for ``fmt_id`` (made once), or None when there is none."""
        if fmt_id not in self.samples:
            folder = self.workdir(factory, f"samples-{fmt_id}")
            folder.mkdir(parents=True, exist_ok=True)
            self.samples[fmt_id] = self._find_sample(fmt_id, folder)
        return self.samples[fmt_id]

    def _find_sample(self, fmt_id: str, folder: Path) -> Path | None:
        source = self.suite.samples
        if callable(source):
            made = source(fmt_id, folder)
            return Path(made) if made else None
        if isinstance(source, dict):
            value = source.get(fmt_id)
            return Path(value(folder) if callable(value) else value) if value else None
        for path in sorted(self.suite.samples_folder().glob("*")):
            if path.is_file() and self._format_of(path) == fmt_id:
                return path
        return None

    def _format_of(self, path: Path) -> str | None:
        try:
            return self.registry.resolve(path.suffix).id
        except ConvertrError:
            return None

    def run(self, pair: Pair, factory: pytest.TempPathFactory, variant: str = "sample",
            options: dict[str, Any] | None = None, data: bytes | None = None) -> RunReport:
        """Run ``pair`` once per variant (cached): on the sample, on garbage, ..."""
        key = (pair, variant)
        if key not in self.runs:
            sample = self.require_sample(pair[0], factory)
            base = self.workdir(factory, f"{pair[0]}->{pair[1]} {variant}")
            if data is not None:
                base.mkdir(parents=True)
                sample = base / f"garbage.{self.format(pair[0]).extension}"
                sample.write_bytes(data)
                base = base / "run"
            self.runs[key] = runs.run_converter(
                self.converters[pair], self.format(pair[0]), self.format(pair[1]), sample,
                base, options=options, time_limit=self.suite.time_limit)
        return self.runs[key]

    def format_sample(self, fmt_id: str, factory: pytest.TempPathFactory) -> Path | None:
        """The sample for ``fmt_id``, else a successful output of a pair into it."""
        sample = self.sample(fmt_id, factory)
        if sample is not None:
            return sample
        into = sorted(p for p in self.converters if p[1] == fmt_id)
        into.sort(key=lambda p: (p, "sample") not in self.runs)  # reuse a run made already
        for pair in into:
            if self.sample(pair[0], factory) is None:
                continue
            report = self.run(pair, factory)
            if report.error is None and report.output_path.is_file():
                return report.output_path
        return None

    def require_sample(self, fmt_id: str, factory: pytest.TempPathFactory) -> Path:
        sample = self.sample(fmt_id, factory)
        if sample is None:
            fail(f"no sample input for format {fmt_id!r}: {self.suite.samples_hint(fmt_id)}")
        return sample  # type: ignore[return-value]


@contextmanager
def environ(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of the block (opt-in registrations)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def fail(message: str) -> None:
    """Fail the current test with ``message`` alone (no traceback noise)."""
    pytest.fail(message, pytrace=False)


_states: dict[type, ConformanceState] = {}


def state_for(suite: "PluginConformance") -> ConformanceState:
    """The one ``ConformanceState`` of ``suite``'s class."""
    cls = type(suite)
    if cls not in _states:
        _states[cls] = ConformanceState(suite)
    return _states[cls]



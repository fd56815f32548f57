"""The conformance suite a plugin's own tests run with one line.

    from convertr_core.testing import conformance_suite
    TestConformance = conformance_suite("convertr_sample.plugin")

Samples come from a ``samples/`` folder beside the test file (one file per format, found
by extension), a dict ``{format_id: path}``, or a function ``(format_id, folder) -> path``.
Subclass ``PluginConformance`` to pick pairs (``select_pairs``) or add plugins whose
formats yours uses (``uses``). Every failure names the pair or format, the check, and
what was expected.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from ..errors import ConvertrError
from . import checks, runs
from .state import ConformanceState, Pair, environ, fail, state_for


def _check(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Tag a test with the check name that ``select_pairs`` receives."""
    def tag(func: Callable[..., None]) -> Callable[..., None]:
        func.convertr_check = name  # type: ignore[attr-defined]
        return func
    return tag


class PluginConformance:
    """Subclass (or use ``conformance_suite``) to run every check on a plugin.

    Attributes:
        plugin: the plugin module or its import name (what the entry point names).
        samples: folder beside the test file, ``{format_id: path}``, or a method
            ``samples(self, format_id, folder) -> path | None``.
        uses: plugins (modules or import names) whose formats this plugin's pairs use.
        environ: environment variables set while the plugin registers (opt-in pairs).
        time_limit: seconds one conversion of a sample may take.
        progress_must_reach_1: a converter that reports progress must end with
            ``job.progress(1.0)`` (set False to only check the range and the order).
    """

    plugin: Any = None
    samples: Any = "samples"
    uses: tuple[Any, ...] = ()
    environ: dict[str, str] = {}
    time_limit: float = 120.0
    progress_must_reach_1: bool = True

    def select_pairs(self, check: str, pairs: list[Pair]) -> list[Pair]:
        """The pairs ``check`` runs on (all by default); override to sample big matrices.

        ``check`` is one of ``output``, ``progress``, ``stray`` (these share one run per
        pair), ``garbage``, ``options_invalid`` and ``options_valid``.
        """
        return pairs

    def samples_folder(self) -> Path:
        """``samples`` resolved against the folder of the module defining the suite."""
        module = sys.modules.get(type(self).__module__)
        base = Path(getattr(module, "__file__", None) or ".").parent
        return base / str(self.samples)

    def samples_hint(self, fmt_id: str) -> str:
        if isinstance(self.samples, (str, Path)):
            return f"put a small {fmt_id} file in {self.samples_folder()}"
        return f"make the suite's samples provide one for {fmt_id!r}"

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Parametrize each check over the plugin's pairs or formats."""
        state = state_for(self)
        check = getattr(metafunc.function, "convertr_check", "")
        if "pair" in metafunc.fixturenames:
            pairs = sorted(state.converters)
            if check == "options_invalid":
                pairs = [p for p in pairs if state.converters[p].options]
            if check == "options_valid":
                pairs = [p for p in pairs if any(runs.valid_alternative(o)[0]
                                                 for o in state.converters[p].options)]
            chosen = self.select_pairs(check, pairs) if pairs else []
            metafunc.parametrize("pair", chosen, ids=[f"{s}->{t}" for s, t in chosen])
        if "format_id" in metafunc.fixturenames:
            ids = [f.id for f in state.formats]
            metafunc.parametrize("format_id", ids, ids=ids)

    # -- the checks -------------------------------------------------------------------
    @_check("static")
    def test_plugin_is_well_formed(self, convertr_conformance: ConformanceState) -> None:
        """Interface version, hook names, formats, converters and option declarations."""
        state = convertr_conformance
        with environ(self.environ):
            problems = ([state.import_error] if state.import_error
                        else checks.check_plugin(state.plugin, uses=self.uses))
        if problems:
            fail(f"{self.plugin_label()} is not a well-formed Convertr plugin:\n  - "
                 + "\n  - ".join(problems))

    @_check("output")
    def test_output_sniffs_as_target(self, pair: Pair, convertr_conformance: ConformanceState,
                                     tmp_path_factory: pytest.TempPathFactory) -> None:
        """Converting the source sample writes output the target's sniffer recognises."""
        state = convertr_conformance
        report = state.run(pair, tmp_path_factory)
        problem = runs.output_problem(report, state.format(pair[1]), state.registry)
        _report(pair, f"the output must sniff as {pair[1]}", problem)

    @_check("progress")
    def test_progress_is_monotonic_and_ends_at_1(
            self, pair: Pair, convertr_conformance: ConformanceState,
            tmp_path_factory: pytest.TempPathFactory) -> None:
        """Progress reports (if any) stay in 0..1, never decrease, and end at 1."""
        report = convertr_conformance.run(pair, tmp_path_factory)
        _report(pair, "progress", runs.progress_problem(report, self.progress_must_reach_1))

    @_check("stray")
    def test_writes_nothing_outside_its_workdir(
            self, pair: Pair, convertr_conformance: ConformanceState,
            tmp_path_factory: pytest.TempPathFactory) -> None:
        """No file appears or changes beside the input, in the cwd or the system temp dir."""
        report = convertr_conformance.run(pair, tmp_path_factory)
        _report(pair, "files outside job.workdir", runs.stray_problem(report))

    @_check("garbage")
    def test_garbage_input_raises_convertr_error(
            self, pair: Pair, convertr_conformance: ConformanceState,
            tmp_path_factory: pytest.TempPathFactory) -> None:
        """Noise, and the sample's header followed by noise, end in a ConvertrError."""
        state = convertr_conformance
        data = state.require_sample(pair[0], tmp_path_factory).read_bytes()
        problems = []
        for number, (what, garbage, strict) in enumerate(
                runs.garbage_inputs(data, f"{pair[0]}->{pair[1]}")):
            report = state.run(pair, tmp_path_factory, f"garbage-{number}", data=garbage)
            problems.append(runs.garbage_problem(report, what, strict,
                                                 state.format(pair[1]), state.registry))
        _report(pair, "garbage input must end in a ConvertrError",
                "; ".join(p for p in problems if p) or None)

    @_check("options_invalid")
    def test_options_refuse_invalid_values(self, pair: Pair,
                                           convertr_conformance: ConformanceState) -> None:
        """Each declared option is sound and refuses values outside its type/range/choices."""
        conv = convertr_conformance.converters[pair]
        problems = [p for opt in conv.options for p in checks.option_problems(opt)]
        problems += runs.option_value_problems(conv)
        _report(pair, "declared options", "; ".join(problems) or None)

    @_check("options_valid")
    def test_options_accept_valid_values(self, pair: Pair,
                                         convertr_conformance: ConformanceState,
                                         tmp_path_factory: pytest.TempPathFactory) -> None:
        """A conversion with valid non-default option values still produces the target."""
        state = convertr_conformance
        values = {}
        for opt in state.converters[pair].options:
            usable, value = runs.valid_alternative(opt)
            if usable:
                values[opt.name] = value
        try:
            report = state.run(pair, tmp_path_factory, "options", options=values)
        except ConvertrError as ex:
            return _report(pair, f"options {values}", f"valid values were refused: {ex}")
        problem = (runs.output_problem(report, state.format(pair[1]), state.registry)
                   or runs.stray_problem(report))
        _report(pair, f"with options {values}", problem)

    @_check("sniff_own")
    def test_sniffer_recognises_its_sample(self, format_id: str,
                                           convertr_conformance: ConformanceState,
                                           tmp_path_factory: pytest.TempPathFactory) -> None:
        """The format's sniffer claims its own sample more than any other format does."""
        state = convertr_conformance
        sample = state.format_sample(format_id, tmp_path_factory)
        if sample is None:
            pytest.skip(f"no {format_id} sample and no successful conversion into {format_id}")
        problem = runs.sniff_problem(runs.head(sample), state.format(format_id),
                                     state.registry, f"the {format_id} sample {sample.name}")
        _report(format_id, "sniffer", problem)

    @_check("sniff_others")
    def test_sniffer_rejects_other_samples(self, format_id: str,
                                           convertr_conformance: ConformanceState,
                                           tmp_path_factory: pytest.TempPathFactory) -> None:
        """The format's sniffer claims no other format's sample as much as its owner does."""
        state = convertr_conformance
        fmt, problems, seen = state.format(format_id), [], 0
        for other in state.formats:
            sample = None if other.id == fmt.id else state.sample(other.id, tmp_path_factory)
            if sample is None:
                continue
            seen += 1
            data = runs.head(sample)
            mine, theirs = fmt.confidence(data), other.confidence(data)
            if mine > 0 and mine >= theirs:
                problems.append(f"it claims the {other.id} sample {sample.name} with confidence "
                                f"{mine:g} (the {other.id} sniffer: {theirs:g}), so {other.id} "
                                f"files could be taken for {fmt.id}; return 0 for them")
        if not seen:
            pytest.skip("no samples of other formats to compare with")
        _report(format_id, "sniffer must reject other formats", "; ".join(problems) or None)

    def plugin_label(self) -> str:
        return self.plugin if isinstance(self.plugin, str) else checks.plugin_name(self.plugin)


def _report(subject: Any, check: str, problem: str | None) -> None:
    """Fail with ``<pair or format> — <check>: <problem>`` when there is a problem."""
    if problem:
        label = f"{subject[0]}->{subject[1]}" if isinstance(subject, tuple) else subject
        fail(f"{label} — {check}: {problem}")


def conformance_suite(plugin: Any, *, samples: Any = "samples", uses: tuple[Any, ...] = (),
                      environ: dict[str, str] | None = None, time_limit: float = 120.0,
                      name: str = "TestConformance",
                      ) -> type[PluginConformance]:
    """A ready test class for ``plugin``: assign it to a ``Test*`` name in a test module.

    Args:
        plugin: the plugin module or its import name.
        samples: see ``PluginConformance.samples``; a folder is relative to the calling
            test module.
        uses: plugins whose formats ``plugin``'s pairs refer to.
        environ: environment variables set while the plugin registers its pairs.
        time_limit: seconds one conversion of a sample may take.
        name: the class name pytest shows.
    """
    environ = environ or {}
    caller = sys._getframe(1).f_globals.get("__name__", __name__)
    if callable(samples):  # a plain function must not become a method of the class
        samples = staticmethod(samples)
    return type(name, (PluginConformance,), {
        "plugin": plugin, "samples": samples, "uses": tuple(uses), "environ": dict(environ),
        "time_limit": time_limit, "__module__": caller})

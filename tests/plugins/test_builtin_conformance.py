"""The built-in image, audio and video plugins pass the same conformance suite as anyone.

The audio and video matrices are large (56 and 143 pairs), so the checks that convert
run on a covering subset: every source format and every target format at least once
(twice per source for the shared output/progress/stray run). Checks that convert
nothing (declarations, options, sniffers) run on every pair and format.
"""

from __future__ import annotations

from convertr_core.testing import PluginConformance

from tests.plugins.samples import make_sample

Pair = tuple[str, str]


def covering(pairs: list[Pair], per_source: int) -> list[Pair]:
    """``per_source`` pairs for each source, rotating targets so every target appears."""
    sources = sorted({s for s, _ in pairs})
    targets = sorted({t for _, t in pairs})
    chosen: list[Pair] = []
    turn = 0
    for _round in range(per_source):
        for source in sources:
            offered = [t for t in targets if (source, t) in pairs]
            pick = next(((source, offered[(turn + i) % len(offered)]) for i in range(len(offered))
                         if (source, offered[(turn + i) % len(offered)]) not in chosen), None)
            turn += 1
            if pick:
                chosen.append(pick)
    for target in targets:  # a target no rotation reached
        if all(t != target for _, t in chosen):
            chosen.append(next(p for p in sorted(pairs) if p[1] == target))
    return sorted(chosen)


class BuiltinSuite(PluginConformance):
    """Samples from tests/media.py; a subset of pairs for the checks that convert."""

    per_source = {"output": 2, "progress": 2, "stray": 2, "garbage": 1, "options_valid": 1}

    def samples(self, format_id, folder):  # type: ignore[override]
        return make_sample(format_id, folder)

    def select_pairs(self, check: str, pairs: list[Pair]) -> list[Pair]:
        if check in self.per_source and len(pairs) > 80:
            return covering(pairs, self.per_source[check])
        return pairs


class TestImagePlugin(BuiltinSuite):
    plugin = "convertr_image.plugin"


class TestAudioPlugin(BuiltinSuite):
    plugin = "convertr_audio.plugin"
    per_source = {"output": 3, "progress": 3, "stray": 3, "garbage": 1, "options_valid": 1}

    def select_pairs(self, check: str, pairs: list[Pair]) -> list[Pair]:
        if check in self.per_source:
            return covering(pairs, self.per_source[check])
        return pairs


class TestVideoPlugin(BuiltinSuite):
    plugin = "convertr_video.plugin"
    uses = ("convertr_image.plugin", "convertr_audio.plugin")

"""``convertr formats`` and ``convertr plugins`` against the installed plugins."""

from __future__ import annotations

import json
import re
from pathlib import Path

from convertr_core import get_registry
from tests.cli.conftest import RunCli

BUILT_INS = ("image", "audio", "video")


def test_formats_json_is_the_registry_description(run_cli: RunCli) -> None:
    result = run_cli("formats", "--json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown == json.loads(json.dumps(get_registry().describe()))
    pairs = {(pair["source"], pair["target"]) for pair in shown["pairs"]}
    assert {("heic", "jpg"), ("png", "jpg"), ("jpg", "png")} <= pairs
    assert {"jpg", "heic"} <= {fmt["id"] for fmt in shown["formats"]}


def test_formats_text_groups_pairs_by_kind_with_options(run_cli: RunCli) -> None:
    result = run_cli("formats")
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    image = re.search(r"(?ms)^image \(\d+ pairs\)\n.*?\n\n", text).group(0)
    heic_line = re.search(r"\n  heic +-> (.+)\n", image)
    assert heic_line and "jpg" in heic_line.group(1).split(", ")
    assert re.search(r"\n    to jpg:\n(      .+\n)*      quality: int 1\.\.100", image)
    for kind in ("audio", "video"):
        assert re.search(rf"(^|\n){kind} \(\d+ pairs\)\n", text), kind


def test_plugins_lists_the_built_ins_from_their_entry_points(run_cli: RunCli) -> None:
    result = run_cli("plugins", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == json.loads(json.dumps(get_registry().report()))
    by_name = {info["name"]: info for info in report["plugins"]}
    for name in BUILT_INS:
        info = by_name[name]
        assert info["distribution"] == "convertr"
        assert info["loaded"] and info["error"] is None, info
        assert info["pairs"], name
    assert "heic->jpg" in by_name["image"]["pairs"]
    text = run_cli("plugins").stdout.decode()
    for name in BUILT_INS:
        assert re.search(rf"(^|\n){name}  \[convertr \S+\]  convertr_{name}\.plugin  "
                         rf"\(\d+ pairs\)\n", text), name


def test_plugins_shows_disabled_plugins(run_cli: RunCli) -> None:
    result = run_cli("plugins", env={"CONVERTR_DISABLE_PLUGINS": "video"})
    assert result.returncode == 0
    assert re.search(r"\nvideo  \[convertr \S+\]  convertr_video\.plugin  DISABLED",
                     result.stdout.decode())


def test_plugins_reports_a_broken_plugin_and_a_priority_tie(run_cli: RunCli,
                                                            tmp_path: Path) -> None:
    site = tmp_path / "site"
    priority = get_registry().converter("png", "jpg").priority
    _fake_distribution(site, "convertr-broken", "zz_broken = convertr_missing_xyz.plugin")
    _fake_distribution(site, "convertr-rival", "zz_rival = rival_plugin")
    (site / "rival_plugin.py").write_text(RIVAL_PLUGIN.format(priority=priority))
    result = run_cli("plugins", env={"PYTHONPATH": str(site)})
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert ("zz_broken  [convertr-broken 1.0]  convertr_missing_xyz.plugin\n"
            "  FAILED: import failed: ModuleNotFoundError: No module named "
            "'convertr_missing_xyz'\n") in text
    assert "zz_rival  [convertr-rival 1.0]  rival_plugin  (1 pair)" in text
    assert (f"priority conflicts (the first plugin is used):\n  png -> jpg: image and "
            f"zz_rival both have priority {priority}; using image") in text
    # the other plugins still work
    assert re.search(r"\nimage  \[convertr \S+\]  convertr_image\.plugin  \(\d+ pairs\)", text)


RIVAL_PLUGIN = '''
from convertr_core import Converter, hookimpl

CONVERTR_PLUGIN_INTERFACE = 1


def run(job):
    job.output_path.write_bytes(job.input_path.read_bytes())


@hookimpl
def convertr_converters(register):
    register(Converter("png", "jpg", "image", run, priority={priority}))
'''


def _fake_distribution(site: Path, name: str, entry_point: str) -> None:
    """An installed distribution as importlib.metadata sees it: just its dist-info."""
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[convertr]\n{entry_point}\n")

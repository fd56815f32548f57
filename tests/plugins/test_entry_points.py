"""Plugins found through installed entry points, end to end through ``convertr``.

Each test "installs" small plugins the way pip leaves them (``*.dist-info`` with
``entry_points.txt`` plus the module) into a temp folder put on PYTHONPATH for a
``convertr`` subprocess: the real discovery path, without touching the shared venv.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.media import make_image
from tests.plugins.helpers import install_fake_dist, run_cli

PAIR_PLUGIN = """
    from convertr_core import Converter, Format, hookimpl

    CONVERTR_PLUGIN_INTERFACE = {interface}

    def _sniff(head):
        return 1.0 if head.startswith(b"DUPX") else 0.0

    @hookimpl
    def convertr_formats(register):
        register(Format("dupx", "application/x-dupx", "data", ("dupx",), (), _sniff))

    @hookimpl
    def convertr_converters(register):
        register(Converter("dupx", "{target}", "data", lambda job: None))
"""


def _plugin(target: str, interface: int = 1) -> str:
    return PAIR_PLUGIN.format(interface=interface, target=target)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five third-party distributions: broken, too new, too old, and two rivals."""
    site = tmp_path_factory.mktemp("site")
    install_fake_dist(site, "convertr-broken", {"convertr_broken": "import libdoesnotexist\n"},
                      {"broken": "convertr_broken"})
    install_fake_dist(site, "convertr-future", {"convertr_future": _plugin("png", 2)},
                      {"future": "convertr_future"})
    install_fake_dist(site, "convertr-ancient", {"convertr_ancient": _plugin("jpg", 0)},
                      {"ancient": "convertr_ancient"})
    install_fake_dist(site, "convertr-rival-a", {"convertr_rival_a": _plugin("dupx")},
                      {"rival-a": "convertr_rival_a"})
    install_fake_dist(site, "convertr-rival-b", {"convertr_rival_b": _plugin("dupx")},
                      {"rival-b": "convertr_rival_b"})
    return site


@pytest.fixture(scope="module")
def report(site: Path) -> dict:
    done = run_cli("plugins", "--json", env={"PYTHONPATH": str(site)})
    assert done.returncode == 0, done.stderr
    return {"plugins": {p["name"]: p for p in json.loads(done.stdout)["plugins"]},
            "conflicts": json.loads(done.stdout)["conflicts"]}


def test_a_plugin_that_fails_to_import_is_reported_with_the_reason(report: dict) -> None:
    broken = report["plugins"]["broken"]
    assert broken["loaded"] is False and broken["distribution"] == "convertr-broken"
    assert broken["error"] == ("import failed: ModuleNotFoundError: No module named "
                               "'libdoesnotexist'")


def test_the_other_plugins_still_load_and_convert(report: dict, site: Path,
                                                  tmp_path: Path) -> None:
    assert all(report["plugins"][name]["loaded"] for name in ("image", "audio", "video"))
    make_image(tmp_path / "in.png")
    done = run_cli("convert", "in.png", "out.jpg", cwd=tmp_path, env={"PYTHONPATH": str(site)})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.jpg").read_bytes()[:3] == b"\xff\xd8\xff"


def test_a_plugin_for_a_newer_convertr_says_upgrade_convertr(report: dict) -> None:
    future = report["plugins"]["future"]
    assert future["loaded"] is False and future["pairs"] == []
    assert future["error"] == ("needs plugin interface 2 but this Convertr speaks 1: "
                               "upgrade convertr")


def test_a_plugin_for_an_older_interface_says_upgrade_the_plugin(report: dict) -> None:
    ancient = report["plugins"]["ancient"]
    assert ancient["loaded"] is False
    assert ancient["error"].endswith("this Convertr speaks 1: upgrade the plugin")


def test_incompatible_plugins_add_no_pairs(site: Path) -> None:
    done = run_cli("formats", "--json", env={"PYTHONPATH": str(site)})
    pairs = {(p["source"], p["target"]): p["plugin"] for p in json.loads(done.stdout)["pairs"]}
    assert ("dupx", "png") not in pairs and ("dupx", "jpg") not in pairs
    assert pairs[("dupx", "dupx")] == "rival-a"


def test_two_plugins_with_one_priority_for_a_pair_are_a_reported_conflict(report: dict) -> None:
    assert report["conflicts"] == ["dupx -> dupx: rival-a and rival-b both have priority 0; "
                                   "using rival-a"]


def test_the_text_listing_shows_failures_and_conflicts(site: Path) -> None:
    done = run_cli("plugins", env={"PYTHONPATH": str(site)})
    assert "libdoesnotexist" in done.stdout and "upgrade convertr" in done.stdout
    assert "rival-a and rival-b both have priority 0" in done.stdout


def test_disabled_plugins_are_not_loaded_and_their_pairs_vanish(site: Path) -> None:
    env = {"PYTHONPATH": str(site), "CONVERTR_DISABLE_PLUGINS": "rival-b, sample,broken"}
    plugins = json.loads(run_cli("plugins", "--json", env=env).stdout)
    by_name = {p["name"]: p for p in plugins["plugins"]}
    assert by_name["sample"]["disabled"] and not by_name["sample"]["loaded"]
    assert by_name["broken"]["disabled"] and by_name["broken"]["error"] is None
    assert plugins["conflicts"] == []
    pairs = json.loads(run_cli("formats", "--json", env=env).stdout)["pairs"]
    assert not [p for p in pairs if p["plugin"] in ("sample", "rival-b")]
    assert any(p["source"] == "png" for p in pairs)

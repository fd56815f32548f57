"""Installing the sample adds its pairs; uninstalling it takes them away again.

The shared virtualenv must not be changed by a test, so both states are built beside it:

* "uninstalled": a folder of symlinks to every entry of the venv's site-packages except
  the files pip recorded for ``convertr-sample`` (its RECORD) — exactly what
  ``pip uninstall convertr-sample`` would leave;
* "installed": that folder plus a real ``pip install --no-deps --target`` of the sample.

Each state runs the real ``convertr`` CLI in the base interpreter with ``-S`` and only
those folders added as site dirs, so nothing else can leak the sample in.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.plugins.helpers import SAMPLE

SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
RUN_CLI = ("import site, sys\n"
           "for folder in sys.argv[1].split('|'): site.addsitedir(folder)\n"
           "from convertr_cli.main import main\n"
           "sys.argv = ['convertr', *sys.argv[2:]]\n"
           "main()\n")


def _sample_entries() -> set[str]:
    """Top-level site-packages entries pip installed for convertr-sample."""
    try:
        files = md.distribution("convertr-sample").files or []
    except md.PackageNotFoundError:
        return {p.name for p in SITE_PACKAGES.iterdir() if re.search(r"convertr[_-]sample", p.name)}
    return {Path(str(f)).parts[0] for f in files if not str(f).startswith("..")}


@pytest.fixture(scope="module")
def uninstalled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    farm = tmp_path_factory.mktemp("site-without-sample")
    skip = _sample_entries()
    for entry in SITE_PACKAGES.iterdir():
        if entry.name not in skip:
            (farm / entry.name).symlink_to(entry)
    return farm


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("sample-installed")
    source = tmp_path_factory.mktemp("sample-source") / "convertr-sample-plugin"
    # build from a copy: setuptools writes build/ and *.egg-info into the source tree
    shutil.copytree(SAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                           "--target", str(target), str(source)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return target


def convertr(sites: list[Path], *args: str, cwd: Path | None = None,
             ) -> subprocess.CompletedProcess[str]:
    """``convertr ARGS`` seeing only the stdlib and ``sites``."""
    return subprocess.run([sys._base_executable, "-S", "-c", RUN_CLI,
                           "|".join(map(str, sites)), *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def _pairs(sites: list[Path]) -> dict[str, str]:
    done = convertr(sites, "formats", "--json")
    assert done.returncode == 0, done.stderr
    return {f"{p['source']}->{p['target']}": p["plugin"] for p in json.loads(done.stdout)["pairs"]}


def test_the_installed_sample_adds_its_pairs(uninstalled: Path, installed: Path) -> None:
    pairs = _pairs([uninstalled, installed])
    assert pairs["csv->json"] == "sample" and pairs["json->csv"] == "sample"


def test_uninstalling_the_sample_removes_its_pairs(uninstalled: Path) -> None:
    pairs = _pairs([uninstalled])
    assert "csv->json" not in pairs and "json->csv" not in pairs
    assert pairs["png->jpg"] == "image"  # the built-ins are all still there


def test_after_uninstalling_a_csv_conversion_is_refused(uninstalled: Path,
                                                        tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("a,b\n1,2\n")
    done = convertr([uninstalled], "convert", "people.csv", "people.json", cwd=tmp_path)
    assert done.returncode == 3  # UnknownFormat
    assert "unknown format 'json'" in done.stderr  # the target is resolved first
    assert ", csv," not in done.stderr.split("supported:")[1]
    assert not (tmp_path / "people.json").exists()

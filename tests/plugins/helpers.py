"""Helpers for plugin tests: fake installed distributions and a copy of the sample."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "docs" / "examples" / "convertr-sample-plugin"
BIN = Path(sys.executable).parent


def install_fake_dist(site: Path, name: str, modules: dict[str, str],
                      entry_points: dict[str, str], version: str = "1.0") -> None:
    """What pip leaves behind: modules plus ``<name>.dist-info`` with METADATA and
    ``entry_points.txt`` (group ``convertr``). Put ``site`` on PYTHONPATH to "install"."""
    dist_info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = "".join(f"{ep} = {target}\n" for ep, target in entry_points.items())
    (dist_info / "entry_points.txt").write_text(f"[convertr]\n{lines}")
    for module, source in modules.items():
        (site / f"{module}.py").write_text(dedent(source))


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            ) -> subprocess.CompletedProcess[str]:
    """The installed ``convertr`` command, in a subprocess with ``env`` added."""
    full_env = {**os.environ, **(env or {})}  # CONVERTR_HOME etc. from the test
    return subprocess.run([str(BIN / "convertr"), *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=300)


def copy_sample(destination: Path, new_name: str) -> Path:
    """Copy the sample plugin and rename it, as a newcomer starting a plugin would."""
    target = destination / f"convertr-{new_name}"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns(
        "*.egg-info", "__pycache__", "build", "dist", ".pytest_cache"))
    (target / "convertr_sample").rename(target / f"convertr_{new_name}")
    for path in [*target.rglob("*.py"), target / "pyproject.toml", target / "README.md"]:
        if path.exists():
            text = path.read_text().replace("convertr_sample", f"convertr_{new_name}")
            path.write_text(re.sub(r"convertr-sample\b", f"convertr-{new_name}", text))
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) with ``new`` in ``path``."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def run_pytest(project: Path) -> subprocess.CompletedProcess[str]:
    """Run a plugin project's own tests the way its author would, in a subprocess."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-p", "no:randomly"], cwd=project, capture_output=True, text=True,
                          env=env, timeout=600)

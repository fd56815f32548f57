"""Run every bench script in turn and write docs/benchmarks.md from their output.

Each ``bench/bench_*.py`` prints a markdown section on stdout (and keeps raw figures in
``bench/out/*.json``). Run on a quiet machine: ``make bench``.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["bench_cli_startup", "bench_image", "bench_av", "bench_http"]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def run(name: str) -> str:
    script = ROOT / "bench" / f"{name}.py"
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                          text=True)
    took = time.monotonic() - started
    if done.returncode != 0:
        return f"## {name}\n\nFAILED (exit {done.returncode}):\n\n```\n{done.stderr[-3000:]}\n```\n"
    return done.stdout.strip() + f"\n\n_`python bench/{name}.py` took {took:.0f} s._\n"


def main() -> None:
    selected = sys.argv[1:] or ORDER
    sections = []
    for name in selected:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        sections.append(run(name))
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    header = (f"# Benchmarks\n\nMeasured {stamp} on {machine()}, by `make bench` "
              "(`python bench/run_all.py`); each script compares Convertr with the raw tool "
              "in one run on the same input. Raw figures: `bench/out/*.json`.\n")
    (ROOT / "docs" / "benchmarks.md").write_text(header + "\n" + "\n\n".join(sections) + "\n")
    print("\n\n".join(sections))


if __name__ == "__main__":
    main()

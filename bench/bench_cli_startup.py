"""How long ``convertr --help`` takes to start, against a bare ``python -c pass``.

Run: ``.venv/bin/python bench/bench_cli_startup.py [--runs 15]``. Prints a markdown table
and writes ``bench/out/cli_startup.json``. Target: median ``convertr --help`` <= 0.3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out" / "cli_startup.json"
CONVERTR = Path(sys.executable).with_name("convertr")
TARGET_SECONDS = 0.3

CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "convertr --help": [str(CONVERTR), "--help"],
    "convertr convert --help": [str(CONVERTR), "convert", "--help"],
}


def wall_times(argv: list[str], runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` runs of ``argv`` (after one unmeasured warm-up)."""
    subprocess.run(argv, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    results = {}
    for name, argv in CASES.items():
        times = wall_times(argv, runs)
        results[name] = {"median_s": statistics.median(times), "min_s": min(times),
                         "max_s": max(times), "runs": runs}
    print("## CLI start-up\n\nWall time of a fresh process, median of "
          f"{runs} runs after one warm-up; subcommands are imported lazily, so "
          "`--help` loads no media library.\n")
    print("| command | median (s) | min (s) | max (s) |\n|---|---|---|---|")
    for name, row in results.items():
        print(f"| `{name}` | {row['median_s']:.3f} | {row['min_s']:.3f} | {row['max_s']:.3f} |")
    median = results["convertr --help"]["median_s"]
    print(f"\n`convertr --help` median {median:.3f} s; target <= {TARGET_SECONDS} s: "
          f"{'met' if median <= TARGET_SECONDS else 'MISSED'}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"results": results, "target_s": TARGET_SECONDS,
                               "load_average_1m": load, "cpus": os.cpu_count(),
                               "python": platform.python_version()}, indent=2) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""HEIC→JPG: ``convertr_core.convert()`` against bare pillow-heif + Pillow.

Both sides convert the same generated 4032×3024 HEIC (a phone photo's size, with EXIF
and an ICC profile) to JPEG quality 90 keeping EXIF and ICC. The bare side is the least
work that does the job: open, ``exif_transpose`` in place, save. Runs alternate between
the two sides so machine load hits both alike; the medians and their ratio are printed
as a markdown section and written to ``bench/out/image.json``.

Usage: ``python bench/bench_image.py [--runs N] [--entry-points]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
SIZE = (4032, 3024)
QUALITY = 90


def make_photo(path: Path) -> None:
    """A 12 MP HEIC with photo-like detail: smooth noise over gradients, EXIF, ICC."""
    import pillow_heif
    from PIL import Image, ImageCms

    pillow_heif.register_heif_opener()
    width, height = SIZE
    detail = Image.effect_noise((width // 4, height // 4), 48).resize(SIZE, Image.BICUBIC)
    red = Image.linear_gradient("L").resize(SIZE)
    blue = Image.radial_gradient("L").resize(SIZE)
    photo = Image.merge("RGB", (red, detail, blue))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Bench", "Phone", 1
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    photo.save(path, format="HEIF", quality=90, exif=exif.tobytes(), icc_profile=icc)


def bare(source: Path, output: Path) -> None:
    """What a script would do with pillow-heif and Pillow alone."""
    import pillow_heif
    from PIL import Image, ImageOps

    pillow_heif.register_heif_opener()
    with Image.open(source) as image:
        ImageOps.exif_transpose(image, in_place=True)
        image.save(output, "JPEG", quality=QUALITY, icc_profile=image.info.get("icc_profile"),
                   exif=image.info.get("exif", b""))


def through_convertr(entry_points: bool, workdir: Path) -> Callable[[Path, Path], None]:
    """``convert()`` with the image plugin (explicit registry, or installed entry points)."""
    import convertr_core
    import convertr_image.plugin
    from convertr_core.testing import make_registry

    settings = convertr_core.Settings(home=workdir / "home", temp_dir=workdir,
                                      secret="bench")
    registry = convertr_core.get_registry() if entry_points else make_registry(
        convertr_image.plugin)

    def run(source: Path, output: Path) -> None:
        convertr_core.convert(source, output, options={"quality": QUALITY},
                              registry=registry, settings=settings)
    return run


def timed(func: Callable[[Path, Path], None], source: Path, output: Path) -> float:
    started = time.perf_counter()
    func(source, output)
    return time.perf_counter() - started


def measure(runs: int, entry_points: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-image-") as tmp:
        folder = Path(tmp)
        source = folder / "photo.heic"
        make_photo(source)
        ours = through_convertr(entry_points, folder)
        sides = {"bare": bare, "convertr": ours}
        for name, func in sides.items():  # warm-up: imports, codec start-up
            func(source, folder / f"warm-{name}.jpg")
        times: dict[str, list[float]] = {name: [] for name in sides}
        for _ in range(runs):
            for name, func in sides.items():
                times[name].append(timed(func, source, folder / f"{name}.jpg"))
        sizes = {name: (folder / f"{name}.jpg").stat().st_size for name in sides}
        source_bytes = source.stat().st_size
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {"pair": "heic->jpg", "size": list(SIZE), "quality": QUALITY, "runs": runs,
            "source_bytes": source_bytes, "output_bytes": sizes,
            "median_s": medians, "all_s": times,
            "ratio": medians["convertr"] / medians["bare"],
            "registry": "entry points" if entry_points else "make_registry(convertr_image)",
            "load_average": os.getloadavg(), "cores": os.cpu_count(),
            "python": platform.python_version()}


def report(result: dict) -> str:
    medians = result["median_s"]
    row = (f"| HEIC→JPG {SIZE[0]}×{SIZE[1]} q{QUALITY} | {medians['bare']:.3f} s | "
           f"{medians['convertr']:.3f} s | {result['ratio']:.3f}× |")
    load = ", ".join(f"{value:.1f}" for value in result["load_average"])
    return "\n".join([
        "## Images (bench/bench_image.py)", "",
        f"Median of {result['runs']} alternating runs; load average during the run: {load}.",
        "", "| conversion | bare pillow-heif + Pillow | convertr convert() | ratio |",
        "|---|---|---|---|", row])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--entry-points", action="store_true",
                        help="use the installed plugins (get_registry) instead of the "
                             "image plugin alone")
    args = parser.parse_args()
    result = measure(args.runs, args.entry_points)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "image.json").write_text(json.dumps(result, indent=2) + "\n")
    print(report(result))


if __name__ == "__main__":
    main()

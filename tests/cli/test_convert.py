"""``convertr convert`` through the installed command and the real plugins."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import signal
import subprocess
import time
from pathlib import Path

from PIL import Image

from tests.cli.conftest import CONVERTR, RunCli, error_lines
from tests.conftest import leftovers
from tests.media import make_image, make_video

BLUE, RED = (0, 0, 255), (200, 30, 30)


def assert_picture(data: bytes, expected_format: str) -> None:
    """A 64x48 image, blue top-left quarter, red bottom-right (JPEG: roughly)."""
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == expected_format
        assert image.size == (64, 48)
        rgb = image.convert("RGB")
        for point, colour in (((5, 5), BLUE), ((60, 40), RED)):
            assert all(abs(a - b) < 40 for a, b in zip(rgb.getpixel(point), colour)), point


def test_png_to_jpg_writes_a_jpeg_and_says_so(run_cli: RunCli, png: Path, tmp_path: Path,
                                               work_temp: Path) -> None:
    result = run_cli("convert", "photo.png", "photo.jpg")
    assert result.returncode == 0, result.stderr
    assert_picture((tmp_path / "photo.jpg").read_bytes(), "JPEG")
    assert result.stdout.decode().startswith("photo.png -> photo.jpg (PNG -> JPG")
    assert result.stderr == b""  # no progress bar, no logs when stderr is not a TTY
    assert leftovers(work_temp) == []


def test_heic_to_jpg_keeps_the_picture(run_cli: RunCli, heic: Path, tmp_path: Path,
                                       work_temp: Path) -> None:
    result = run_cli("convert", "photo.heic", "out.JPEG")
    assert result.returncode == 0, result.stderr
    assert_picture((tmp_path / "out.JPEG").read_bytes(), "JPEG")
    assert leftovers(work_temp) == []


def test_stdin_to_stdout_detects_the_input_format(run_cli: RunCli, heic: Path,
                                                  work_temp: Path) -> None:
    result = run_cli("convert", "-", "-", "--to", "png", stdin=heic.read_bytes())
    assert result.returncode == 0, result.stderr
    assert_picture(result.stdout, "PNG")
    assert result.stderr == b""
    assert leftovers(work_temp) == []  # the spooled stdin copy is gone


def test_stdin_to_a_file_and_a_file_to_stdout(run_cli: RunCli, png: Path, tmp_path: Path,
                                              work_temp: Path) -> None:
    to_file = run_cli("convert", "-", "from-stdin.webp", stdin=png.read_bytes())
    assert to_file.returncode == 0, to_file.stderr
    assert_picture((tmp_path / "from-stdin.webp").read_bytes(), "WEBP")
    to_stdout = run_cli("convert", "photo.png", "-", "--to", "jpeg")
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert_picture(to_stdout.stdout, "JPEG")
    assert leftovers(work_temp) == []


def test_stdout_needs_a_target_format(run_cli: RunCli, png: Path) -> None:
    result = run_cli("convert", "photo.png", "-")
    assert result.returncode == 2
    assert b"needs --to FORMAT" in result.stderr
    assert result.stdout == b""


def test_json_result_describes_the_conversion(run_cli: RunCli, png: Path,
                                              tmp_path: Path) -> None:
    result = run_cli("convert", "photo.png", "small.jpg", "--json", "-o", "quality=40")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["pair"] == "png->jpg"
    assert data["bytes_in"] == png.stat().st_size
    assert data["bytes_out"] == (tmp_path / "small.jpg").stat().st_size
    assert data["output"] == str(tmp_path / "small.jpg")
    assert data["options"]["quality"] == 40
    assert isinstance(data["runtime_ms"], int) and data["runtime_ms"] >= 0
    assert data["cohort"] is None  # no label given


def test_label_becomes_a_stable_cohort_and_is_never_printed(run_cli: RunCli, png: Path
                                                            ) -> None:
    first = run_cli("convert", "photo.png", "a.jpg", "--json", "--label",
                    "Acme Mobile Production")
    second = run_cli("convert", "photo.png", "b.jpg", "--json",
                     env={"CONVERTR_LABEL": "  acme   MOBILE production "})
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    cohort = json.loads(first.stdout)["cohort"]
    assert re.fullmatch(r"cohort_[0-9a-f]{16}", cohort)
    assert json.loads(second.stdout)["cohort"] == cohort  # normalised before hashing
    for output in (first.stdout, first.stderr, second.stdout, second.stderr):
        assert b"acme" not in output.lower()


def test_mislabelled_file_is_refused_with_a_hint(run_cli: RunCli, png: Path,
                                                 tmp_path: Path, work_temp: Path) -> None:
    (tmp_path / "holiday.jpg").write_bytes(png.read_bytes())
    result = run_cli("convert", "holiday.jpg", "holiday.webp")
    assert result.returncode == 3
    assert error_lines(result) == [
        "error: holiday.jpg is PNG, not JPG; convert it as png [format_mismatch]",
        "hint: it looks like PNG; re-run with --from png"]
    assert not (tmp_path / "holiday.webp").exists()
    retry = run_cli("convert", "holiday.jpg", "holiday.webp", "--from", "png")
    assert retry.returncode == 0, retry.stderr
    assert_picture((tmp_path / "holiday.webp").read_bytes(), "WEBP")
    assert leftovers(work_temp) == []


def test_from_auto_sniffs_a_file_with_a_meaningless_name(run_cli: RunCli, heic: Path,
                                                         tmp_path: Path) -> None:
    (tmp_path / "download.bin").write_bytes(heic.read_bytes())
    refused = run_cli("convert", "download.bin", "photo.jpg")
    assert refused.returncode == 3
    assert error_lines(refused)[0].endswith("[unknown_format]")
    assert "--from auto" in error_lines(refused)[1]
    result = run_cli("convert", "download.bin", "photo.jpg", "--from", "auto")
    assert result.returncode == 0, result.stderr
    assert_picture((tmp_path / "photo.jpg").read_bytes(), "JPEG")


def test_truncated_file_fails_in_one_line_and_leaves_nothing(run_cli: RunCli, png: Path,
                                                             tmp_path: Path,
                                                             work_temp: Path) -> None:
    made = run_cli("convert", "photo.png", "whole.jpg")
    assert made.returncode == 0, made.stderr
    whole = (tmp_path / "whole.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(whole[: len(whole) // 2])
    result = run_cli("convert", "cut.jpg", "cut.png")
    assert result.returncode == 6
    [line] = error_lines(result)
    assert line.startswith("error: cut.jpg ") and line.endswith("[decode_failed]")
    assert not (tmp_path / "cut.png").exists()
    assert leftovers(work_temp) == []


def test_text_file_is_not_an_image(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello, this is not a picture\n")
    result = run_cli("convert", "notes.txt", "notes.jpg", "--from", "auto")
    assert result.returncode == 3
    assert error_lines(result)[0].endswith("[format_mismatch]")
    assert b"Traceback" not in result.stderr


def test_unknown_output_format(run_cli: RunCli, png: Path) -> None:
    result = run_cli("convert", "photo.png", "photo.xyz")
    assert result.returncode == 3
    [line] = error_lines(result)
    assert line.startswith("error: unknown format 'xyz' (supported: ")
    assert line.endswith("[unknown_format]")


def test_unsupported_pair_lists_what_the_source_converts_to(run_cli: RunCli, png: Path,
                                                            tmp_path: Path) -> None:
    result = run_cli("convert", "photo.png", "photo.mp3")
    assert result.returncode == 3
    lines = error_lines(result)
    assert lines[0].startswith("error: cannot convert PNG to MP3; PNG converts to: ")
    assert "jpg" in lines[0] and lines[0].endswith("[unsupported_pair]")
    assert lines[1] == "hint: 'convertr formats' lists every pair"
    assert not (tmp_path / "photo.mp3").exists()


def test_invalid_options_are_refused_before_any_work(run_cli: RunCli, png: Path,
                                                     tmp_path: Path) -> None:
    too_high = run_cli("convert", "photo.png", "photo.jpg", "-o", "quality=500")
    assert too_high.returncode == 4
    assert error_lines(too_high) == [
        "error: invalid option: quality must be at most 100 [invalid_option]"]
    unknown = run_cli("convert", "photo.png", "photo.jpg", "-o", "colour=blue")
    assert unknown.returncode == 4
    assert b"unknown option colour (this pair accepts: " in unknown.stderr
    malformed = run_cli("convert", "photo.png", "photo.jpg", "-o", "quality")
    assert malformed.returncode == 2
    assert not (tmp_path / "photo.jpg").exists()


def test_existing_output_is_kept_unless_forced(run_cli: RunCli, png: Path,
                                               tmp_path: Path) -> None:
    target = tmp_path / "photo.jpg"
    target.write_bytes(b"precious")
    refused = run_cli("convert", "photo.png", "photo.jpg")
    assert refused.returncode == 2
    assert error_lines(refused) == ["error: output photo.jpg already exists [bad_request]",
                                    "hint: add --force to replace it"]
    assert target.read_bytes() == b"precious"
    forced = run_cli("convert", "photo.png", "photo.jpg", "--force")
    assert forced.returncode == 0, forced.stderr
    assert_picture(target.read_bytes(), "JPEG")


def test_failed_forced_conversion_keeps_the_old_output(run_cli: RunCli, tmp_path: Path
                                                       ) -> None:
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    (tmp_path / "photo.jpg").write_bytes(b"precious")
    result = run_cli("convert", "broken.png", "photo.jpg", "--force")
    assert result.returncode == 6
    assert (tmp_path / "photo.jpg").read_bytes() == b"precious"


def test_input_and_output_must_differ(run_cli: RunCli, png: Path) -> None:
    before = png.read_bytes()
    for output in ("photo.png", "./photo.png", str(png)):
        result = run_cli("convert", "photo.png", output, "--force")
        assert result.returncode == 2
        assert b"input and output are the same file" in result.stderr
    assert png.read_bytes() == before


def test_missing_input(run_cli: RunCli) -> None:
    result = run_cli("convert", "nowhere.png", "out.jpg")
    assert result.returncode == 12
    assert error_lines(result) == ["error: input nowhere.png does not exist [not_found]"]


def test_empty_stdin_is_an_error_not_a_crash(run_cli: RunCli, work_temp: Path) -> None:
    result = run_cli("convert", "-", "out.jpg", stdin=b"")
    assert result.returncode == 6
    assert error_lines(result) == ["error: stdin is empty [decode_failed]"]
    assert leftovers(work_temp) == []


def test_progress_bar_is_drawn_on_a_terminal(png: Path, tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    with subprocess.Popen([str(CONVERTR), "convert", "photo.png", "photo.jpg"], cwd=tmp_path,
                          stdout=subprocess.PIPE, stderr=terminal, env=os.environ) as proc:
        os.close(terminal)
        drawn = _read_all(controller)
        stdout = proc.stdout.read()
    assert proc.returncode == 0
    assert re.search(rb"photo\.png \[#+\] 100%", drawn), drawn
    assert drawn.endswith(b"\r\x1b[K")  # erased before the result line
    assert stdout.startswith(b"photo.png -> photo.jpg")


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed its end of the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def test_reader_closing_stdout_early_stops_quietly(tmp_path: Path, work_temp: Path) -> None:
    make_image(tmp_path / "big.png", size=(1200, 900))  # 3 MB as BMP: more than a pipe holds
    with subprocess.Popen([str(CONVERTR), "convert", "big.png", "-", "--to", "bmp"],
                          cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=os.environ) as proc:
        assert proc.stdout.read(2) == b"BM"
        proc.stdout.close()
        stderr = proc.stderr.read()
    assert proc.returncode == 141
    assert stderr == b""
    assert leftovers(work_temp) == []


def test_stdin_with_a_wrong_from_is_refused_with_a_hint(run_cli: RunCli, heic: Path,
                                                        work_temp: Path) -> None:
    result = run_cli("convert", "-", "out.jpg", "--from", "png", stdin=heic.read_bytes())
    assert result.returncode == 3
    assert error_lines(result) == [
        "error: stdin is HEIC, not PNG; convert it as heic [format_mismatch]",
        "hint: it looks like HEIC; re-run with --from heic"]
    assert leftovers(work_temp) == []


def test_ctrl_c_during_a_conversion_cleans_up(tmp_path: Path, work_temp: Path) -> None:
    make_video(tmp_path / "clip.mp4", seconds=2)
    with subprocess.Popen([str(CONVERTR), "convert", "clip.mp4", "clip.webm"], cwd=tmp_path,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=os.environ) as proc:
        while not leftovers(work_temp) and proc.poll() is None:
            time.sleep(0.01)  # the pipeline's private work folder: the converter starts
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    [line] = stderr.decode().splitlines()
    assert line.startswith("error: ") and line.endswith("interrupted [cancelled]")
    assert stdout == b""
    assert not (tmp_path / "clip.webm").exists()
    assert leftovers(work_temp) == []

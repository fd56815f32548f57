"""A playlist disguised as a video must not make ffmpeg read other files or the network."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

import convertr_core
import convertr_video.plugin
from convertr_core import DecodeFailed, FormatMismatch
from convertr_core.ffmpeg_audio import convert_to_audio
from tests.ffmpeg.support import make_job
from tests.media import FFMPEG, make_video

SECRET = b"convertr-canary-secret-7f3a9c"


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canary() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    _Canary.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Canary.hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def playlist(tmp_path: Path, canary) -> Path:  # type: ignore[no-untyped-def]
    secret_clip = make_video(tmp_path / "private.ts", seconds=1, size="64x48",
                             extra=["-metadata", f"title={SECRET.decode()}"])
    body = (f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:1.0,\n{canary[0]}/seg.ts\n"
            f"#EXTINF:1.0,\n{secret_clip}\n#EXT-X-ENDLIST\n")
    path = tmp_path / "upload.avi"
    path.write_text(body)
    return path


def _outputs_leak(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.name != "private.ts"
            and SECRET in p.read_bytes()]


def test_the_canary_works_when_ffmpeg_is_left_to_guess(tmp_path: Path, canary,
                                                       playlist: Path) -> None:
    """Control: an unguarded ffmpeg on the same playlist does call out."""
    unguarded = tmp_path / "playlist.m3u8"
    unguarded.write_bytes(playlist.read_bytes())
    subprocess.run([FFMPEG, "-v", "quiet", "-protocol_whitelist", "file,http,tcp", "-i",
                    str(unguarded), "-c", "copy", "-y", str(tmp_path / "leak.mkv")],
                   timeout=60)
    assert canary[1], "the canary server must see an unguarded ffmpeg"


@pytest.mark.parametrize("name,declared", [("upload.avi", "avi"), ("upload.mp4", "mp4"),
                                           ("upload.avi", None)])
def test_pipeline_refuses_a_playlist_named_as_video(tmp_path: Path, canary, playlist: Path,
                                                    name: str, declared: str | None) -> None:
    upload = playlist.rename(tmp_path / name)
    with pytest.raises(FormatMismatch):
        convertr_core.convert(upload, tmp_path / "out.mp4", source=declared)
    assert canary[1] == [] and _outputs_leak(tmp_path) == []


@pytest.mark.parametrize("source,target", [("avi", "mp4"), ("mp4", "mkv"), ("ts", "mp4"),
                                           ("avi", "mp3")])
def test_converters_forced_onto_a_playlist_read_nothing_else(
        tmp_path: Path, canary, playlist: Path, registry, source: str,
        target: str) -> None:
    job = make_job(playlist, tmp_path / "work" / f"out.{target}", registry.resolve(source),
                   registry.resolve(target), tmp_path / "work")
    run = convert_to_audio if target == "mp3" else convertr_video.plugin.convert_video
    with pytest.raises(DecodeFailed):
        run(job)
    assert canary[1] == [] and _outputs_leak(tmp_path) == []
    assert not job.output_path.exists()


def test_cli_refuses_a_playlist_named_as_video(tmp_path: Path, canary,
                                               playlist: Path) -> None:
    convertr = Path(sys.executable).with_name("convertr")
    done = subprocess.run([str(convertr), "convert", str(playlist), str(tmp_path / "o.mp4")],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "CONVERTR_HOME": str(tmp_path / "home")})
    assert done.returncode == FormatMismatch.exit_code
    assert "#EXTM3U" not in done.stdout + done.stderr  # no content echoed back
    assert canary[1] == [] and _outputs_leak(tmp_path) == []

"""Convertr's audio plugin: every audio format to every writable audio format.

One ffmpeg process per conversion (the bundled imageio-ffmpeg binary), stream copy when
nothing needs re-encoding; see docs/audio-video.md for why pydub is not on this path.
"""

from __future__ import annotations

from convertr_core import Converter, RegisterConverter, RegisterFormat, hookimpl
from convertr_core.ffmpeg_audio import audio_options, convert_to_audio
from convertr_core.ffmpeg_formats import formats

CONVERTR_PLUGIN_INTERFACE = 1


@hookimpl
def convertr_formats(register: RegisterFormat) -> None:
    """Register mp3, wav, flac, ogg, opus, m4a, aac and (read-only) wma."""
    for fmt in formats("audio"):
        register(fmt)


@hookimpl
def convertr_converters(register: RegisterConverter) -> None:
    """Register every audio → writable audio pair, same format included."""
    audio = formats("audio")
    for source in audio:
        for target in (fmt for fmt in audio if fmt.writable):
            register(Converter(
                source=source.id, target=target.id, kind="audio", run=convert_to_audio,
                options=audio_options(target.id),
                help=f"{source.label} to {target.label} with ffmpeg (stream copy when "
                     "nothing changes)"))

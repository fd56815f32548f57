"""Format descriptions and the byte sniffing that keeps inputs honest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

MediaKind = Literal["image", "audio", "video", "document", "data"]

# Enough for every built-in sniffer (MPEG-TS needs three 188-byte packets, ID3 tags
# may push the first MP3 frame further: those sniffers look inside this window).
SNIFF_BYTES = 16384

Sniffer = Callable[[bytes], float | bool]


@dataclass(frozen=True)
class Format:
    """A file format a plugin can read or write.

    Attributes:
        id: canonical lowercase id (``jpg``), used in pairs and on the command line.
        media_type: the MIME type sent as ``Content-Type``.
        kind: media kind (image / audio / video / ...).
        extensions: file extensions without the dot; the first is used for outputs.
        aliases: other names that resolve to ``id`` (``jpeg``).
        sniff: called with the first ``SNIFF_BYTES`` bytes of a file; returns a
            confidence in 0..1 (or a bool) that the bytes are this format.
        label: how people write it (``HEIC``); defaults to ``id`` upper-cased.
        writable: False for formats that are only read.
    """

    id: str
    media_type: str
    kind: MediaKind
    extensions: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    sniff: Sniffer | None = field(default=None, compare=False, repr=False)
    label: str = ""
    writable: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", self.id.lower())
        object.__setattr__(self, "aliases", tuple(a.lower() for a in self.aliases))
        object.__setattr__(self, "extensions",
                           tuple(e.lower().lstrip(".") for e in self.extensions) or (self.id,))
        if not self.label:
            object.__setattr__(self, "label", self.id.upper())

    def confidence(self, head: bytes) -> float:
        """How sure this format's sniffer is that ``head`` starts a file of this format."""
        if self.sniff is None:
            return 0.0
        try:
            return float(self.sniff(head))
        except Exception:  # a broken sniffer must not break detection of the others
            return 0.0

    @property
    def extension(self) -> str:
        """The extension written on outputs."""
        return self.extensions[0]


def normalise_format_name(name: str) -> str:
    """``.JPEG`` → ``jpeg``: strip, drop a leading dot, lower-case."""
    return name.strip().lstrip(".").lower()

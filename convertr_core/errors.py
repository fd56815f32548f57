"""The one error family every transport translates.

Each error carries a stable machine ``code`` (for clients and exit codes), an HTTP
``status`` and a one-line human ``message``. Transports never inspect anything else.
"""

from __future__ import annotations

from typing import Any


class ConvertrError(Exception):
    """Base of every failure a user can cause or meet (raise a subclass)."""

    code: str = "error"
    status: int = 500
    exit_code: int = 1

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None,
                 **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The JSON body transports send: ``message``, ``error`` and field ``errors``."""
        body: dict[str, Any] = {"message": self.message, "error": self.code}
        if self.errors:
            body["errors"] = self.errors
        body.update(self.details)
        return body


class BadRequest(ConvertrError):
    code, status, exit_code = "bad_request", 400, 2


class UnknownFormat(ConvertrError):
    code, status, exit_code = "unknown_format", 415, 3


class UnsupportedPair(ConvertrError):
    code, status, exit_code = "unsupported_pair", 415, 3


class FormatMismatch(ConvertrError):
    """The input's bytes are not the declared format (``detected`` says what they are)."""

    code, status, exit_code = "format_mismatch", 415, 3


class InvalidOption(ConvertrError):
    code, status, exit_code = "invalid_option", 422, 4


class InputTooLarge(ConvertrError):
    code, status, exit_code = "input_too_large", 413, 5


class DecodeFailed(ConvertrError):
    """The input claims the right format but cannot be decoded (corrupt, truncated)."""

    code, status, exit_code = "decode_failed", 422, 6


class NoAudioStream(ConvertrError):
    code, status, exit_code = "no_audio_stream", 422, 6


class ConversionFailed(ConvertrError):
    """A converter failed for a reason that is not the input's fault."""

    code, status, exit_code = "conversion_failed", 500, 7


class ConversionTimeout(ConvertrError):
    code, status, exit_code = "timeout", 504, 8


class Cancelled(ConvertrError):
    code, status, exit_code = "cancelled", 499, 130


class MissingDependency(ConvertrError):
    """A plugin needs a library that is not installed; the message says what to install."""

    code, status, exit_code = "missing_dependency", 500, 7


class Unauthorized(ConvertrError):
    code, status, exit_code = "unauthorized", 401, 9


class OutOfBalance(ConvertrError):
    code, status, exit_code = "out_of_balance", 402, 10


class ValidationFailed(ConvertrError):
    code, status, exit_code = "validation_failed", 422, 4


class RateLimited(ConvertrError):
    code, status, exit_code = "rate_limited", 429, 11


class NotFound(ConvertrError):
    code, status, exit_code = "not_found", 404, 12


class ServiceUnavailable(ConvertrError):
    code, status, exit_code = "unavailable", 503, 13


def all_error_classes() -> list[type[ConvertrError]]:
    """Every error class, for docs and exit-code tables."""
    found: list[type[ConvertrError]] = []
    pending: list[type[ConvertrError]] = [ConvertrError]
    while pending:
        cls = pending.pop(0)
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found

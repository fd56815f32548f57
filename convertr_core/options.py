"""Declared converter options and their validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .errors import InvalidOption

_TYPES: dict[str, type] = {"int": int, "float": float, "str": str, "bool": bool}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Option:
    """One option a converter accepts.

    Attributes:
        name: the option's key (``quality``).
        type: ``"int"``, ``"float"``, ``"str"`` or ``"bool"``.
        help: one line for ``convertr formats`` and the API schema.
        default: the value used when the caller gives none (None: unset).
        min, max: inclusive range for numbers.
        choices: the allowed values, for ``str`` and ``int`` options.
    """

    name: str
    type: str = "str"
    help: str = ""
    default: Any = None
    min: float | None = None
    max: float | None = None
    choices: tuple[Any, ...] | None = None

    def __post_init__(self) -> None:
        if self.type not in _TYPES:
            raise ValueError(f"option {self.name!r}: unknown type {self.type!r}")

    def parse(self, raw: Any) -> Any:
        """Coerce ``raw`` (a string from a form or command line, or a JSON value)."""
        value = self._coerce(raw)
        if self.min is not None and value < self.min:
            raise self._invalid(f"must be at least {_num(self.min)}")
        if self.max is not None and value > self.max:
            raise self._invalid(f"must be at most {_num(self.max)}")
        if self.choices is not None and value not in self.choices:
            raise self._invalid(f"must be one of {', '.join(map(str, self.choices))}")
        return value

    def _coerce(self, raw: Any) -> Any:
        if self.type == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in _TRUE or text in _FALSE:
                return text in _TRUE
            raise self._invalid("must be true or false")
        if self.type == "int" and isinstance(raw, float) and not raw.is_integer():
            raise self._invalid("must be a whole number")
        if isinstance(raw, bool):
            raise self._invalid(f"must be of type {self.type}")
        try:
            return _TYPES[self.type](raw.strip() if isinstance(raw, str) else raw)
        except (TypeError, ValueError):
            kind = "a whole number" if self.type == "int" else f"of type {self.type}"
            raise self._invalid(f"must be {kind}") from None

    def _invalid(self, why: str) -> InvalidOption:
        return InvalidOption(f"option {self.name} {why}", errors={self.name: [why]})

    def schema(self) -> dict[str, Any]:
        """JSON-schema-like description for ``convertr formats --json`` and the API."""
        out: dict[str, Any] = {"name": self.name, "type": self.type, "help": self.help}
        for key in ("default", "min", "max"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.choices is not None:
            out["choices"] = list(self.choices)
        return out


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def validate_options(declared: Sequence[Option], given: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``given`` parsed against ``declared`` plus defaults; unknown keys are refused."""
    by_name = {opt.name: opt for opt in declared}
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        accepted = ", ".join(sorted(by_name)) or "none"
        raise InvalidOption(
            f"unknown option {', '.join(unknown)} (this pair accepts: {accepted})",
            errors={name: ["unknown option"] for name in unknown})
    parsed = {opt.name: opt.default for opt in declared if opt.default is not None}
    problems: dict[str, list[str]] = {}
    for name, raw in given.items():
        try:
            parsed[name] = by_name[name].parse(raw)
        except InvalidOption as ex:
            problems.update(ex.errors)
    if problems:
        summary = "; ".join(f"{name} {msgs[0]}" for name, msgs in problems.items())
        raise InvalidOption(f"invalid option: {summary}", errors=problems)
    return parsed

"""Diagnostics are values: collected by every pass, printed by the CLI."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Level = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Diagnostic:
    """One message of a build or check: its level, a stable code, the text, and where (file, line, slide)."""

    level: Level
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    slide: int | None = None

    def format(self) -> str:
        """`deck.md:12: slide 3: warning: message` (parts that are unknown are left out)."""
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        slide = f"slide {self.slide}: " if self.slide else ""
        return f"{where}{slide}{self.level}: {self.message}"

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


class Diagnostics(list):
    """A list of Diagnostic with helpers to add them."""

    def error(self, code: str, message: str, **where) -> None:
        self.append(Diagnostic("error", code, message, **where))

    def warning(self, code: str, message: str, **where) -> None:
        self.append(Diagnostic("warning", code, message, **where))

    def info(self, code: str, message: str, **where) -> None:
        self.append(Diagnostic("info", code, message, **where))

    @property
    def has_errors(self) -> bool:
        return any(d.level == "error" for d in self)


class BuildError(Exception):
    """A build that cannot go on; carries the diagnostics that explain why."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.format() for d in diagnostics))
        self.diagnostics = diagnostics

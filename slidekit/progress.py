"""Terminal output of the build: coloured diagnostics and a progress bar, on a terminal only.

On a pipe, in CI or with `-q` nothing but the messages themselves is written, without colour. The bar shows
up only once a build has taken longer than `delay` seconds (quick builds never flicker), is drawn with
`rich` when it is installed and by hand otherwise, and is wiped when the build ends.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Callable, TextIO

COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "info": "\033[1;36m"}
RESET = "\033[0m"


def is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def colour_wanted(stream: TextIO) -> bool:
    """Colour on a terminal, never with NO_COLOR set (https://no-color.org) or TERM=dumb."""
    return is_terminal(stream) and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def paint(diagnostic, colour: bool) -> str:
    """`deck.md:12: slide 3: warning: message`, with the level coloured when `colour`."""
    text = diagnostic.format()
    if not colour:
        return text
    marker = f"{diagnostic.level}:"
    return text.replace(marker, f"{COLOURS.get(diagnostic.level, '')}{marker}{RESET}", 1)


class Progress:
    """`message()` prints a line; `advance()` counts a finished item; `tick()` may be called while waiting.

    The bar starts at the first call made `delay` seconds or more after creation, if `enabled`.
    """

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool | None = None,
                 delay: float = 1.0, label: str = "building", clock: Callable[[], float] = time.monotonic,
                 use_rich: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.current = ""
        self.label = label
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.delay = delay
        self.clock = clock
        self.started_at = clock()
        self.use_rich = use_rich
        self._rich = None          # (rich.progress.Progress, task id) once shown
        self._drawn = False        # the hand-drawn bar is on screen

    # the bar ---------------------------------------------------------------------------------------------
    @property
    def shown(self) -> bool:
        return self._rich is not None or self._drawn

    def _due(self) -> bool:
        return self.enabled and self.total > 1 and self.done < self.total and \
            self.clock() - self.started_at >= self.delay

    def _show(self) -> None:
        if self.shown or not self._due():
            return
        if self.use_rich:
            try:
                from rich.console import Console
                from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn,
                                           TimeElapsedColumn)
            except ImportError:
                self.use_rich = False
            else:
                console = Console(file=self.stream, force_terminal=True, highlight=False)
                bar = RichProgress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                   TimeElapsedColumn(), TextColumn("{task.fields[current]}"),
                                   console=console, transient=True)
                task = bar.add_task(self.label, total=self.total, completed=self.done, current=self.current)
                for shown in bar.tasks:   # the clock counts from the start of the build, not of the bar
                    if shown.id == task and shown.start_time is not None:
                        shown.start_time -= self.clock() - self.started_at
                bar.start()
                self._rich = (bar, task)
                return
        self._draw()

    def _draw(self) -> None:
        width = 24
        filled = width * self.done // max(self.total, 1)
        elapsed = int(self.clock() - self.started_at)
        line = (f"{self.label} [{'#' * filled}{'-' * (width - filled)}] {self.done}/{self.total} "
                f"{elapsed // 60}:{elapsed % 60:02d} {self.current}")
        self.stream.write("\r\033[2K" + line[:200])
        self.stream.flush()
        self._drawn = True

    def _erase(self) -> None:
        if self._drawn:
            self.stream.write("\r\033[2K")
            self.stream.flush()
            self._drawn = False

    # the calls ---------------------------------------------------------------------------------------------
    def tick(self) -> None:
        self._show()
        if self._drawn:
            self._draw()

    def advance(self, current: str = "") -> None:
        self.done += 1
        self.current = current
        if self._rich is not None:
            bar, task = self._rich
            bar.update(task, completed=self.done, current=current)
        self.tick()

    def message(self, line: str) -> None:
        """A line of output, above the bar when the bar is shown."""
        if self._rich is not None:
            from rich.text import Text
            self._rich[0].console.print(Text.from_ansi(line), soft_wrap=True)
            return
        drawn = self._drawn
        self._erase()
        print(line, file=self.stream, flush=True)
        if drawn:
            self._draw()

    def close(self) -> None:
        if self._rich is not None:
            self._rich[0].stop()
            self._rich = None
        self._erase()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

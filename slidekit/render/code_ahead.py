"""Fenced code coloured in a second process while this one renders the slides (HTML builds).

Pygments is the largest single cost of an HTML build with code: importing it and compiling a lexer's
regular expressions take 35 to 50 ms, and colouring takes about half a millisecond a block. None of it
depends on anything but the block's text and info string. So as soon as the deck's blocks are parsed
(`begin`, called by `parse_tokens` before the inline parse), a forked process colours every code block,
while this one goes on with the inline parse, the directives and the slides, writing a placeholder where
each block goes; `fill` then puts the forked process's answers in their place.

The HTML is byte for byte what `highlight_code` gives in one process: the same function makes it. Where a
second process would not help or is not safe (no code, one CPU, no `fork`, other threads running as in
`serve`), or if its answer is lost, the blocks are coloured here.
"""

from __future__ import annotations

import os
import re
import threading

from ..markdown.highlight import highlight_code


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def code_blocks(tokens: list[dict]) -> list[tuple[str, str | None]]:
    """(code, info) of every code block in a token tree, in document order, as the renderer's
    `block_code(code, info)` receives them."""
    found = []
    stack = list(reversed(tokens))
    while stack:
        tok = stack.pop()
        if tok["type"] == "block_code":
            found.append((tok.get("raw", ""), (tok.get("attrs") or {}).get("info")))
        children = tok.get("children")
        if children:
            stack.extend(reversed(children))
    return found


class CodeAhead:
    """A deck's distinct code blocks, coloured in a forked process."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, str | None]] = []
        self.index: dict[tuple[str, str | None], int] = {}
        self.html: list[str] | None = None
        self.started = False
        self._pid: int | None = None
        self._read_end: int | None = None
        # A placeholder no deck can contain by chance. It never reaches the output, which stays deterministic.
        self.mark = f"\x00sk-code-{os.urandom(8).hex()}-"
        self._pattern = re.compile(re.escape(self.mark) + "([0-9]+)\x00")

    def begin(self, tokens: list[dict]) -> None:
        """Start colouring the code blocks of `tokens` in a forked process, where that helps."""
        if self.started:
            return
        self.blocks = list(dict.fromkeys(code_blocks(tokens)))
        if not self.blocks or not hasattr(os, "fork") or usable_cpus() < 2 or threading.active_count() > 1:
            return
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:
            os.close(read_end)
            self._answer(write_end)        # never returns
        os.close(write_end)
        self._pid, self._read_end, self.started = pid, read_end, True
        self.index = {block: i for i, block in enumerate(self.blocks)}

    def _answer(self, write_end: int) -> None:
        """In the forked process: colour, send, leave (no atexit handlers, no flush of inherited buffers)."""
        code = 1
        try:
            import pickle
            data = pickle.dumps([highlight_code(text, info) for text, info in self.blocks],
                                protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)

    def placeholder(self, code: str, info: str | None = None) -> str:
        """What the renderer writes for a code block: a placeholder, or the HTML of a block not known."""
        i = self.index.get((code, info))
        return highlight_code(code, info) if i is None else f"{self.mark}{i}\x00"

    def fill(self, text: str) -> str:
        """`text` with each placeholder replaced by its block's HTML."""
        if self.mark not in text:
            return text
        answers = self._answers()
        return self._pattern.sub(lambda m: answers[int(m.group(1))], text)

    def _answers(self) -> list[str]:
        if self.html is None:
            html = self._receive()
            if html is None or len(html) != len(self.blocks):    # the process died: colour here
                html = [highlight_code(text, info) for text, info in self.blocks]
            self.html = html
        return self.html

    def _receive(self) -> list[str] | None:
        if self._read_end is None:
            return None
        import pickle
        read_end, self._read_end = self._read_end, None
        try:
            with os.fdopen(read_end, "rb") as answer:
                data = answer.read()
            return pickle.loads(data) if data else None
        except (OSError, EOFError, pickle.UnpicklingError):
            return None
        finally:
            self.close()

    def close(self) -> None:
        """Close the pipe and wait for the forked process, so that none is left behind."""
        if self._read_end is not None:
            os.close(self._read_end)
            self._read_end = None
        if self._pid is not None:
            try:
                os.waitpid(self._pid, 0)
            except ChildProcessError:
                pass
            self._pid = None

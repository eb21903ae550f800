"""Fenced code coloured in a second process while this one parses and renders the slides (HTML builds).

Pygments is the largest single cost of an HTML build with code: importing it and compiling a lexer's
regular expressions take 35 to 50 ms, and colouring takes about half a millisecond a block. None of it
depends on anything but the block's text and info string. So:

1. `prepare(body)`, as the build starts: if the Markdown has fences, a forked process loads Pygments and the
   lexers of the languages the fences name, while this one parses the deck (with the on-disk cache on, it
   waits for the blocks instead: they may all be known). A long deck's second half is parsed by that
   process first (markdown/parse_ahead.py);
2. `begin(tokens)`, as soon as the block tokens are parsed: the deck's code blocks are sent to it (or it is
   forked now, if `prepare` did not). It takes those an earlier build coloured from the cache and colours
   (and keeps) the others, while this one goes on with the inline parse, the directives and the slides,
   writing a placeholder where each block goes: this process never loads Pygments nor reads the cache
   for them;
3. `fill(html)` puts its answers in the placeholders' place.

The HTML is byte for byte what `highlight_cached` gives in one process: the same function makes it. Where a
second process would not help or is not safe (no code, one CPU, no `fork`, other threads running as in
`serve`), or if its answer is lost, the blocks are coloured here.
"""

from __future__ import annotations

import os
import re
from typing import Callable

from ..cache import cache_dir
from ..markdown.highlight import code_blocks, highlight_cached, lexer_for
from ..pipes import can_fork, read_message, reap, write_message

_FENCE_LANG = re.compile(r"(?:```|~~~)[ \t]*([A-Za-z0-9_+#.-]+)")
_PLACEHOLDER = re.compile("\x00sk-code-([0-9a-f]{16})-([0-9]+)\x00")   # (one pattern for every build's token)
MAX_WARM_LEXERS = 8


class CodeAhead:
    """A deck's distinct code blocks, coloured in a forked process."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, str | None]] = []
        self.index: dict[tuple[str, str | None], int] = {}
        self.html: list[str] | None = None
        self.started = False            # blocks were handed to a forked process: placeholders are written
        self._pid: int | None = None
        self._to_child: int | None = None
        self._from_child: int | None = None
        # A placeholder no deck can contain by chance. It never reaches the output, which stays deterministic.
        self._token = os.urandom(8).hex()
        self.mark = f"\x00sk-code-{self._token}-"

    def prepare(self, body: str, first: Callable[[], None] | None = None) -> bool:
        """Fork the process that will colour the code now, if the Markdown has fences with a language and
        the on-disk cache is off: it loads those lexers while the deck is parsed here (with the cache, it
        is forked by `begin`, which knows the blocks). With `first`, a job for that process to do before
        (markdown/parse_ahead.py), it is forked in any case. Whether a process was forked."""
        if self._pid is not None or not can_fork():
            return False
        langs = []
        # With the on-disk cache, the blocks may all be known: the process loads only the lexers of those
        # that are not, once it has them. Without it, it loads the fences' lexers now.
        if ("```" in body or "~~~" in body) and cache_dir() is None:
            langs = list(dict.fromkeys(m.group(1) for m in _FENCE_LANG.finditer(body)))[:MAX_WARM_LEXERS]
        if langs or first is not None:
            self._fork(langs, None, first)
        return self._pid is not None

    def begin(self, tokens: list[dict]) -> None:
        """Hand the code blocks of `tokens` to the forked process (forked now if need be)."""
        if self.started:
            return
        self.blocks = list(dict.fromkeys(code_blocks(tokens)))
        if self._pid is None and self.blocks and can_fork():
            self._fork([], self.blocks)
        elif self._pid is not None:
            self._send(self.blocks)
        if self._pid is not None and self.blocks:
            self.started = True
            self.index = {block: i for i, block in enumerate(self.blocks)}

    def _fork(self, langs: list[str], blocks: list | None, first: Callable[[], None] | None = None) -> None:
        try:
            to_child = os.pipe()
            from_child = os.pipe()
        except OSError:
            return
        try:
            pid = os.fork()
        except OSError:
            for fd in (*to_child, *from_child):
                os.close(fd)
            return
        if pid == 0:
            os.close(to_child[1])
            os.close(from_child[0])
            self._serve(langs, to_child[0], from_child[1], first)    # never returns
        os.close(to_child[0])
        os.close(from_child[1])
        self._pid, self._to_child, self._from_child = pid, to_child[1], from_child[0]
        if blocks is not None:
            self._send(blocks)

    def _send(self, blocks: list) -> None:
        """The blocks to colour (none: the forked process just leaves)."""
        fd, self._to_child = self._to_child, None
        if fd is None:
            return
        try:
            write_message(fd, blocks)
        except OSError:
            pass
        finally:
            os.close(fd)

    @staticmethod
    def _serve(langs: list[str], read_end: int, write_end: int, first: Callable[[], None] | None) -> None:
        """In the forked process: do the job given first, load the lexers, read the blocks, take those known
        from the cache and colour (and keep) the others, answer, leave (no atexit handlers, no flush of
        inherited buffers)."""
        code = 1
        try:
            if first is not None:
                first()
            for lang in langs:
                lexer_for(lang)
            blocks = read_message(read_end)
            if blocks:
                write_message(write_end, [highlight_cached(text, info) for text, info in blocks])
            code = 0
        finally:
            os._exit(code)

    def placeholder(self, code: str, info: str | None = None) -> str:
        """What the renderer writes for a code block: a placeholder, or the HTML of a block not known."""
        i = self.index.get((code, info))
        return highlight_cached(code, info) if i is None else f"{self.mark}{i}\x00"

    def fill(self, text: str) -> str:
        """`text` with each placeholder replaced by its block's HTML."""
        if self.mark not in text:
            return text
        answers = self._answers()
        return _PLACEHOLDER.sub(lambda m: answers[int(m.group(2))] if m.group(1) == self._token else m.group(0),
                                text)

    def _answers(self) -> list[str]:
        if self.html is None:
            html = self._receive()
            if html is None or len(html) != len(self.blocks):    # the process died: colour here
                html = [highlight_cached(text, info) for text, info in self.blocks]
            self.html = html
        return self.html

    def _receive(self) -> list[str] | None:
        if self._from_child is None:
            return None
        import pickle
        try:
            return read_message(self._from_child)
        except (OSError, EOFError, pickle.UnpicklingError):
            return None
        finally:
            self.close()

    def close(self) -> None:
        """Close the pipes and wait for the forked process, so that none is left behind."""
        for name in ("_to_child", "_from_child"):
            fd = getattr(self, name)
            if fd is not None:
                setattr(self, name, None)
                os.close(fd)
        if self._pid is not None:
            reap(self._pid, kill=self.html is None)     # an answer not read by now is not wanted
            self._pid = None

"""A long deck parsed in two halves at once: this process parses the first, a forked one the second.

mistune's block and inline parse is most of an HTML build of a long deck (about 0.14 ms a slide). Slides are
independent but for link reference definitions, which reach the whole document. So the body is cut at a
slide separator (`---` after a blank line) near its middle; each process parses its half's blocks; they
exchange their reference definitions (the first definition of a label wins, as in one parse); each parses
its half's inlines; the second half's tokens come back pickled, their offsets moved.

The tokens are those of one parse of the whole body, or the halves are not used: the first half is parsed
with the cut's line, and must end with that thematic break or heading, at that offset, as a top-level token
(a line inside an unclosed fence, comment or maths block would be swallowed by it instead), and the second
half must start with it. Otherwise, or if the forked process fails, the body is parsed in one piece
here. tests/test_halves.py compares both ways on the corpus's decks.
"""

from __future__ import annotations

import os
import pickle
import re

from ..pipes import can_fork, read_message, reap, write_message
from .highlight import code_blocks

MIN_CHARS = 24_000         # a shorter body parses in under ~15 ms: a second process would not pay
# Where a slide starts: a `---` separator, or a heading (`headingDivider` decks), after a blank line.
_SEPARATOR = re.compile(r"\n\n(---[ \t]*\n|#{1,6}[ \t][^\n]*\n)")
_CUT_TOKENS = ("thematic_break", "heading")


def find_cut(text: str) -> tuple[int, int] | None:
    """(offset of a line that starts a slide near the middle, length of that line), or None. A line after
    which fences, comments or maths blocks are open is skipped (the cut would be refused anyway)."""
    for m in _SEPARATOR.finditer(text, len(text) // 2):
        before = text[:m.start(1)]
        if (before.count("```") % 2 or before.count("~~~") % 2 or before.count("$$") % 2
                or before.count("<!--") != before.count("-->")):
            continue
        return m.start(1), len(m.group(1))
    return None


def can_use_halves(text: str) -> bool:
    return len(text) >= MIN_CHARS and can_fork()


def _merged_links(first: dict, second: dict) -> dict:
    """Reference definitions of the whole body: the first half's, then the second's new labels."""
    merged = dict(first)
    for label, link in second.items():
        merged.setdefault(label, link)
    return merged


def parse_in_halves(md, text: str, env: dict, cut: tuple[int, int], block_pass, inline_pass, on_blocks):
    """(tokens, state) as one parse of `text` gives them, or None (then parse it in one piece).

    `block_pass(md, src, env)` -> block state; `inline_pass(md, state)` -> inline-parsed tokens."""
    p, length = cut
    try:
        to_child, from_child = os.pipe(), os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        for fd in (*to_child, *from_child):
            os.close(fd)
        return None
    if pid == 0:
        os.close(to_child[1])
        os.close(from_child[0])
        _second_half(md, text[p:], env, block_pass, inline_pass, to_child[0], from_child[1])   # never returns
    os.close(to_child[0])
    os.close(from_child[1])
    send, receive = to_child[1], from_child[0]
    done = False
    try:
        state = block_pass(md, text[:p + length], env)
        ends_at_cut = (state.tokens and state.tokens[-1]["type"] in _CUT_TOKENS
                       and state.tokens[-1].get("_pos") == p)
        if not ends_at_cut:
            return None
        state.tokens.pop()                                   # the second half starts with it
        second_links, second_code = read_message(receive)
        if second_links is None:                             # the second half does not start at the cut
            return None
        write_message(send, state.env["ref_links"])
        os.close(send)
        send = None
        state.env["ref_links"] = _merged_links(state.env["ref_links"], second_links)
        if on_blocks is not None:
            on_blocks(state.tokens + second_code)
        tokens = inline_pass(md, state)
        second = read_message(receive)
        done = True
    except (OSError, EOFError, pickle.UnpicklingError):
        return None
    finally:
        for fd in (send, receive):
            if fd is not None:
                os.close(fd)
        reap(pid, kill=not done)
    for tok in second:
        if tok.get("_pos") is not None:
            tok["_pos"] += p
    tokens.extend(second)
    state.process(text)       # the state of the whole body (its env holds the merged definitions)
    state.tokens = tokens
    return tokens, state


def _second_half(md, src: str, env: dict, block_pass, inline_pass, read_end: int, write_end: int) -> None:
    """In the forked process: parse the blocks, trade reference definitions, parse the inlines, answer."""
    code = 1
    try:
        state = block_pass(md, src, env)
        if not (state.tokens and state.tokens[0]["type"] in _CUT_TOKENS and state.tokens[0].get("_pos") == 0):
            write_message(write_end, (None, None))
        else:
            code_tokens = [{"type": "block_code", "raw": raw, **({"attrs": {"info": info}} if info else {})}
                           for raw, info in code_blocks(state.tokens)]
            write_message(write_end, (state.env["ref_links"], code_tokens))
            first_links = read_message(read_end)
            state.env["ref_links"] = _merged_links(first_links, state.env["ref_links"])
            write_message(write_end, inline_pass(md, state))
        code = 0
    finally:
        os._exit(code)

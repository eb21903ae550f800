"""GFM tables as markdown-it (marp-core) reads them, on mistune's table tokens and renderers.

markdown-it's rule: a header line with a pipe and a delimiter row of as many cells (`:?-+:?`, outer pipes
optional) open a table; the header fixes the column count. Each following line is a row until a blank
line, a line indented 4+, or a line starting another block (quote, fence, heading, rule, list, HTML); a row
with fewer cells is padded with empty ones, extra cells are dropped, and a line without any pipe is still
a row. `\\|` is a pipe in the cell (in code spans too). mistune dropped a table whose rows had another
length and ended it at a line without pipes."""

from __future__ import annotations

import re

import mistune
from mistune.plugins.table import table as mistune_table

HEADER_LINE = r"^ {0,3}[^\n]*\|[^\n]*(?:\n|$)"
_DELIMITER_CELL = re.compile(r"^:?-+:?$")
_DELIMITER_LINE = re.compile(r"^ {0,3}[|:\-][|:\- \t]*$")
# what ends a table: markdown-it's terminators of a paragraph in a block quote (fence, quote, rule,
# list, HTML block, heading)
_TERMINATOR = re.compile(r"^ {0,3}(?:>|#{1,6}(?:[ \t]|$)|`{3,}|~{3,}|(?:[-*_][ \t]*){3,}$|[-+*][ \t]|"
                         r"\d{1,9}[.)][ \t]|<[a-zA-Z/!?])")


def escaped_split(line: str) -> list[str]:
    """Cells of a row split at unescaped pipes, `\\|` read as `|` (markdown-it's escapedSplit)."""
    cells, current, pos, start = [], [], 0, 0
    while pos < len(line):
        ch = line[pos]
        if ch == "|":
            backslashes, back = 0, pos - 1
            while back >= 0 and line[back] == "\\":
                backslashes += 1
                back -= 1
            if backslashes % 2:
                current.append(line[start:pos - 1] + "|")
            else:
                current.append(line[start:pos])
                cells.append("".join(current))
                current = []
            start = pos + 1
        pos += 1
    current.append(line[start:])
    cells.append("".join(current))
    return cells


def _row_cells(line: str) -> list[str]:
    cells = [c.strip() for c in escaped_split(line.strip())]
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return cells


def _align(cell: str) -> str | None:
    if cell.startswith(":") and cell.endswith(":"):
        return "center"
    if cell.endswith(":"):
        return "right"
    if cell.startswith(":"):
        return "left"
    return None


def parse_table(block, m: re.Match, state) -> int | None:
    header_line = m.group(0)
    pos = m.end()
    delimiter_line = state.get_line(pos).rstrip("\n")
    if not _DELIMITER_LINE.match(delimiter_line) or "-" not in delimiter_line:
        return None
    delimiters = _row_cells(delimiter_line)
    if not delimiters or not all(_DELIMITER_CELL.match(c) for c in delimiters):
        return None
    aligns = [_align(c) for c in delimiters]
    headers = _row_cells(header_line)
    if len(headers) != len(aligns):
        return None
    pos += len(state.get_line(pos))
    head = {"type": "table_head", "children": [
        {"type": "table_cell", "text": text, "attrs": {"align": aligns[i], "head": True}}
        for i, text in enumerate(headers)]}
    rows = []
    while pos < state.cursor_max:
        line = state.get_line(pos)
        text = line.rstrip("\n")
        if not text.strip() or _TERMINATOR.match(text) or re.match(r"^(?: {4}|\t)", text):
            break
        cells = _row_cells(text)
        rows.append({"type": "table_row", "children": [
            {"type": "table_cell", "text": cells[i] if i < len(cells) else "", "attrs": {"align": aligns[i], "head": False}}
            for i in range(len(aligns))]})
        pos += len(line)
    state.append_token({"type": "table", "children": [head, {"type": "table_body", "children": rows}]})
    return pos


def tables_plugin(md: mistune.Markdown) -> None:
    mistune_table(md)                       # its renderers (the HTML renderer's table_* methods)
    md.block.register("table", HEADER_LINE, parse_table, before="paragraph")
    if "nptable" in md.block.rules:
        md.block.rules.remove("nptable")

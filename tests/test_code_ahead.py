"""An HTML build colours its code in a forked process while it renders the slides (render/code_ahead.py):
the same bytes as colouring in one process, whether the forked process answers, dies, or is not started,
and the same bytes again when the colouring comes from the on-disk cache."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from process_helpers import cache_env

from slidekit.api import BuildOptions, build_text
from slidekit.markdown import create_markdown, parse_tokens
from slidekit.markdown import highlight
from slidekit.markdown.highlight import highlight_code
from slidekit import pipes
from slidekit.markdown.highlight import code_blocks
from slidekit.render.code_ahead import CodeAhead

DECK = """---
marp: true
theme: gaia
---

# Code

```python {2}
def f(x):
    return x + 1
```

- a list with code inside

  ```bash
  echo "$HOME" <b>
  ```

---

## Twice, and indented

```python {2}
def f(x):
    return x + 1
```

    indented code

> ```yaml
> key: value
> ```

<!-- a note with code: `x` -->
"""


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch, tmp_path):
    """Each test starts with no colouring kept (the session's cache would hold other tests' blocks)."""
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def two_cpus(monkeypatch):
    """The forked process is used whatever this machine has and whatever threads pytest runs."""
    monkeypatch.setattr(pipes, "usable_cpus", lambda: 2)
    monkeypatch.setattr(threading, "active_count", lambda: 1)


def _started(monkeypatch) -> list[CodeAhead]:
    seen = []
    begin = CodeAhead.begin

    def spy(self, tokens):
        begin(self, tokens)
        seen.append(self)
    monkeypatch.setattr(CodeAhead, "begin", spy)
    return seen


def test_code_blocks_are_found_where_the_renderer_meets_them():
    tokens, _ = parse_tokens(create_markdown(), DECK.split("---\n", 2)[2])
    blocks = code_blocks(tokens)
    assert [info for _, info in blocks] == ["python {2}", "bash", "python {2}", None, "yaml"]
    assert blocks[1][0] == 'echo "$HOME" <b>\n'         # the list item's indent is gone, as rendered


def test_forked_colouring_gives_the_same_html_as_one_process(two_cpus, monkeypatch, tmp_path):
    seen = _started(monkeypatch)
    forked = build_text(DECK, BuildOptions(format="html"), folder=tmp_path).output
    assert seen and seen[0].started and len(seen[0].blocks) == 4       # distinct blocks: the repeat once
    assert seen[0]._pid is None and seen[0]._from_child is None and seen[0]._to_child is None   # waited for
    monkeypatch.setattr(pipes, "usable_cpus", lambda: 1)
    single = build_text(DECK, BuildOptions(format="html"), folder=tmp_path).output
    assert forked == single
    assert '<span class="k">def</span>' in forked and "\x00" not in forked
    assert forked.count('class="sk-line sk-hl"') == 2
    assert "echo" in forked and "&lt;b&gt;" in forked and "indented code" in forked


def test_a_forked_process_that_dies_leaves_the_colouring_here(two_cpus, monkeypatch, tmp_path):
    monkeypatch.setattr(CodeAhead, "_serve", staticmethod(lambda *args: os._exit(3)))
    seen = _started(monkeypatch)
    html = build_text(DECK, BuildOptions(format="html"), folder=tmp_path).output
    assert seen[0].started and seen[0]._pid is None
    monkeypatch.setattr(pipes, "usable_cpus", lambda: 1)
    assert html == build_text(DECK, BuildOptions(format="html"), folder=tmp_path).output
    assert '<span class="k">def</span>' in html and "\x00" not in html


def test_not_started_without_code_with_one_cpu_or_beside_other_threads(monkeypatch, tmp_path):
    seen = _started(monkeypatch)
    monkeypatch.setattr(pipes, "usable_cpus", lambda: 2)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    build_text("# No code\n", BuildOptions(format="html"), folder=tmp_path)
    monkeypatch.setattr(threading, "active_count", lambda: 3)     # as in `serve`
    build_text(DECK, BuildOptions(format="html"), folder=tmp_path)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(pipes, "usable_cpus", lambda: 1)
    build_text(DECK, BuildOptions(format="html"), folder=tmp_path)
    assert [ahead.started for ahead in seen] == [False, False, False]


def test_the_pdf_colours_its_code_itself(two_cpus, monkeypatch, tmp_path):
    seen = _started(monkeypatch)
    result = build_text(DECK, BuildOptions(format="pdf"), folder=tmp_path)
    assert result.ok and seen == []


def test_a_block_not_collected_beforehand_is_coloured_in_place(two_cpus):
    tokens, _ = parse_tokens(create_markdown(), "```python\nx = 1\n```\n")
    ahead = CodeAhead()
    ahead.begin(tokens)
    try:
        assert ahead.started
        assert ahead.placeholder("y = 2\n", "python") == highlight_code("y = 2\n", "python")
        text = "<p>a</p>" + ahead.placeholder("x = 1\n", "python") + "<p>b</p>"
        assert ahead.mark in text
        assert ahead.fill(text) == "<p>a</p>" + highlight_code("x = 1\n", "python") + "<p>b</p>"
    finally:
        ahead.close()


def test_the_process_forked_before_parsing_loads_the_fences_languages_and_gets_the_blocks_later(two_cpus,
                                                                                             monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")        # (with the cache, it waits for the blocks: below)
    body = DECK.split("---\n", 2)[2]
    ahead = CodeAhead()
    ahead.prepare(body)
    try:
        assert ahead._pid is not None and not ahead.started        # forked, waiting for the blocks
        tokens, _ = parse_tokens(create_markdown(), body)
        ahead.begin(tokens)
        assert ahead.started and ahead._to_child is None           # blocks sent, end of input
        text = "".join(ahead.placeholder(code, info) for code, info in code_blocks(tokens))
        assert ahead.fill(text) == "".join(highlight_code(code, info) for code, info in code_blocks(tokens))
        assert ahead._pid is None                                  # answered and waited for
    finally:
        ahead.close()


def test_with_the_cache_on_the_process_is_forked_when_the_blocks_are_known(two_cpus):
    body = DECK.split("---\n", 2)[2]
    ahead = CodeAhead()
    assert ahead.prepare(body) is False and ahead._pid is None
    tokens, _ = parse_tokens(create_markdown(), body)
    ahead.begin(tokens)
    try:
        assert ahead.started and ahead._pid is not None
        text = "".join(ahead.placeholder(code, info) for code, info in code_blocks(tokens))
        assert ahead.fill(text) == "".join(highlight_code(code, info) for code, info in code_blocks(tokens))
    finally:
        ahead.close()


def test_a_process_forked_for_fences_that_are_not_code_leaves_when_told_there_is_none(two_cpus, monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    body = "<!-- ```python -->\n\nNo code here.\n"
    ahead = CodeAhead()
    ahead.prepare(body)
    pid = ahead._pid
    assert pid is not None
    tokens, _ = parse_tokens(create_markdown(), body)
    ahead.begin(tokens)
    assert not ahead.started and ahead.fill("<p>x</p>") == "<p>x</p>"
    ahead.close()
    assert ahead._pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)                                # reaped: no zombie left


def test_code_coloured_by_an_earlier_build_comes_from_the_cache(two_cpus, monkeypatch, tmp_path, empty_cache):
    marks = tmp_path / "coloured"
    marks.mkdir()
    real = highlight.highlight_code

    def counted(code, info):        # (in the forked process too: a file for each block coloured)
        (marks / f"{os.getpid()}-{len(list(marks.iterdir()))}").write_text(str(info), encoding="utf-8")
        return real(code, info)
    monkeypatch.setattr(highlight, "highlight_code", counted)

    def coloured() -> list[str]:
        return sorted(p.read_text(encoding="utf-8") for p in marks.iterdir() if p.read_text(encoding="utf-8") != "None")
    seen = _started(monkeypatch)
    first = build_text(DECK, BuildOptions(format="html"), folder=tmp_path).output
    assert seen[0].started and coloured() == ["bash", "python {2}", "yaml"]      # in the forked process
    again = build_text(DECK, BuildOptions(format="html"), folder=tmp_path).output
    assert again == first and seen[1].started
    assert coloured() == ["bash", "python {2}", "yaml"]                           # nothing coloured again
    monkeypatch.setenv("SLIDEKIT_CACHE", "off")
    assert build_text(DECK, BuildOptions(format="html"), folder=tmp_path).output == first
    assert len(coloured()) == 6


def test_the_cache_tells_languages_apart(two_cpus, tmp_path):
    deck = "```python\nx = 'a'  # b\n```\n\n---\n\n```text\nx = 'a'  # b\n```\n"
    first = build_text(deck, BuildOptions(format="html"), folder=tmp_path).output
    assert build_text(deck, BuildOptions(format="html"), folder=tmp_path).output == first
    assert first.count('<span class="c1"># b</span>') == 1          # a comment in Python only


def test_a_rebuild_with_its_code_known_never_loads_pygments(tmp_path, empty_cache):
    deck = tmp_path / "deck.md"
    deck.write_text(DECK, encoding="utf-8")
    # one CPU: no process is forked, so code not known would be coloured by this one
    probe = ("import sys\nfrom pathlib import Path\nfrom slidekit.api import build_file\n"
             "import slidekit.pipes\nslidekit.pipes.usable_cpus = lambda: 1\n"
             "html = build_file(Path(sys.argv[1])).output\n"
             "print(any(m.startswith('pygments') for m in sys.modules), len(html))\n")
    runs = [subprocess.run([sys.executable, "-c", probe, str(deck)], capture_output=True, text=True,
                           env=cache_env(empty_cache), check=True).stdout.split() for _ in range(2)]
    assert runs[1][1] == runs[0][1]
    assert runs[0][0] == "True" and runs[1][0] == "False"


def _every_code_block(tokens):
    from slidekit.markdown.tokens import walk_tokens
    return [(t.get("raw", ""), (t.get("attrs") or {}).get("info")) for t in walk_tokens(tokens)
            if t["type"] == "block_code"]


NESTED = """
> - a quoted list
>
>   ```python
>   x = 1
>   ```
>
> > ```js
> > deeper()
> > ```

1. one

   - two

         indented in a nested item

| a | `b` |
|---|---|
| ``` | c |

<details>

```sh
in html
```

</details>
"""


def test_code_blocks_are_all_found_without_walking_inline_tokens():
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    texts = [NESTED] + [p.read_text(encoding="utf-8") for folder in ("decks", "examples", "tests/fixtures")
                        for p in sorted((root / folder).rglob("*.md"))]
    found = 0
    for text in texts:
        tokens, _ = parse_tokens(create_markdown(), text)
        assert code_blocks(tokens) == _every_code_block(tokens)
        found += len(code_blocks(tokens))
    nested = code_blocks(parse_tokens(create_markdown(), NESTED)[0])
    assert [info for _, info in nested] == ["python", "js", None, "sh"] and found > 10

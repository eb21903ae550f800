"""The CommonMark spec examples and GFM cases rendered by marp-core and by slidekit, compared slide by slide.

marp-core (and the spec's examples, npm's `commonmark-spec`) come from npm: Marp's reference install in
~/.cache/marp-ref when present, else a folder this module fills with `npm install` on first use.
`python3 tests/markdown_spec/differential.py [--show]` prints the share of documents rendered the same.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import yaml

HERE = Path(__file__).parent
MARP_CORE = "@marp-team/marp-core@4.4.0"     # the marp-core of marp-cli 4.5.1
SPEC = "commonmark-spec@0.31.2"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "slidekit-tests" / "marp-diff"
REFERENCE = Path.home() / ".cache" / "marp-ref" / "node_modules"


def node_modules() -> tuple[Path, Path] | None:
    """(folder holding @marp-team/marp-core, commonmark-spec's folder), installing them once; None offline."""
    if shutil.which("node") is None:
        return None
    ours = CACHE / "node_modules"
    if not (ours / "commonmark-spec" / "spec.txt").exists() or not (ours / "@marp-team" / "marp-core").exists():
        if shutil.which("npm") is None:
            return None
        CACHE.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(["npm", "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", "--silent",
                            MARP_CORE, SPEC], check=True, timeout=300, capture_output=True)
        except (OSError, subprocess.SubprocessError):
            return None
    core = REFERENCE if (REFERENCE / "@marp-team" / "marp-core").exists() else ours
    return core, ours / "commonmark-spec"


def spec_examples(spec_folder: Path) -> list[tuple[str, str]]:
    """(name, Markdown) of each example of spec.txt, split as commonmark-spec's index.js splits it."""
    text = (spec_folder / "spec.txt").read_text(encoding="utf-8").replace("\r\n", "\n")
    text = re.sub(r"^<!-- END TESTS -->(.|\n)*", "", text, flags=re.M)
    found = re.findall(r"^`{32} example\n([\s\S]*?)^\.\n[\s\S]*?^`{32}$", text, flags=re.M)
    return [(f"spec-{n}", md.replace("\u2192", "\t")) for n, md in enumerate(found, 1)]


def gfm_cases() -> list[tuple[str, str]]:
    cases = yaml.safe_load((HERE / "gfm_cases.yaml").read_text(encoding="utf-8"))
    return [(f"gfm-{name}", md) for name, md in cases.items()]


def render_marp(core: Path, documents: list[str]) -> list[list[str]]:
    out = subprocess.run(["node", str(HERE / "render_marp.js")], input=json.dumps(documents),
                         capture_output=True, text=True, check=True, timeout=300,
                         env={**os.environ, "NODE_PATH": str(core)})
    return [normalise("".join(slides)) if isinstance(slides, list) else ["ERROR"] for slides in json.loads(out.stdout)]


def render_slidekit(documents: list[str]) -> list[list[str]]:
    from slidekit.api import BuildOptions, build_text
    results = []
    for markdown in documents:
        result = build_text(markdown, BuildOptions(format="html"))
        results.append(normalise(result.output) if result.output else ["ERROR"])
    return results


# Normalising: what differs by design in the wrapping, not in the Markdown's reading ----------------
_DROP_ATTR = re.compile(r"^(data-marpit|data-sk-|data-auto-scaling$|is$|data-lang$)")
_BLOCK = ("p h1 h2 h3 h4 h5 h6 ul ol li table thead tbody tr th td blockquote pre hr div br section "
          "header footer dl dt dd").split()
_AROUND_BLOCK = re.compile(r"\s*(</?(?:%s)\b[^>]*>)\s*" % "|".join(_BLOCK))


class _Slides(HTMLParser):
    """The inner HTML of each slide (<section id=N> outside any other section), normalised: attributes
    sorted, Marp's and slidekit's own data attributes dropped, code blocks reduced to their text and
    language, emoji reduced to the character, whitespace collapsed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.slides: list[list[str]] = []
        self.depth = 0
        self.pre: list[str] | None = None
        self.pre_lang = ""
        self.skip_end: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth == 0:
            if tag == "section" and (a.get("id") or "").isdigit():
                self.slides.append([])
                self.depth = 1
            return
        if tag not in ("br", "hr", "img", "input", "wbr", "source", "col"):
            self.depth += 1
        if self.pre is not None:
            if tag == "code":
                self.pre_lang = " ".join(c for c in (a.get("class") or "").split() if c.startswith("language-"))
            return
        if tag == "pre":
            self.pre, self.pre_lang = [], ""
            return
        if tag == "span" and "sk-emoji" in (a.get("class") or ""):
            self.skip_end.append(str(self.depth))
            return
        if tag == "img" and "emoji" in (a.get("class") or "").split():
            self.slides[-1].append(html.escape(a.get("alt") or "", quote=False))
            return
        kept = sorted((k, v) for k, v in attrs if not _DROP_ATTR.match(k))
        text = "".join(f' {k}="{html.escape(v)}"' if v is not None else f" {k}" for k, v in kept)
        self.slides[-1].append(f"<{tag}{text}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if self.depth == 0 or tag in ("br", "hr", "img", "input", "wbr", "source", "col"):
            return
        self.depth -= 1
        if self.depth == 0:
            return
        if self.pre is not None:
            if tag == "pre":
                lang = f' class="{self.pre_lang}"' if self.pre_lang else ""
                self.slides[-1].append(f"<pre><code{lang}>{html.escape(''.join(self.pre), quote=False)}</code></pre>")
                self.pre = None
            return
        if self.skip_end and self.skip_end[-1] == str(self.depth + 1):
            self.skip_end.pop()
            return
        self.slides[-1].append(f"</{tag}>")

    def handle_data(self, data):
        if self.depth == 0:
            return
        if self.pre is not None:
            self.pre.append(data)
        else:
            self.slides[-1].append(html.escape(data, quote=False))


def normalise(document: str) -> list[str]:
    parser = _Slides()
    parser.feed(document)
    parser.close()
    out = []
    for parts in parser.slides:
        text = "".join(parts)
        chunks = re.split(r"(<pre><code[^>]*>.*?</code></pre>)", text, flags=re.S)
        text = "".join(c if c.startswith("<pre><code") else re.sub(r"\s+", " ", c) for c in chunks)
        out.append(_AROUND_BLOCK.sub(r"\1", text).strip())
    return out


def compare() -> dict[str, tuple[str, list[str], list[str]]] | None:
    """name -> (Markdown, Marp's slides, slidekit's slides) of every case; None without node/npm."""
    found = node_modules()
    if found is None:
        return None
    core, spec = found
    cases = spec_examples(spec) + gfm_cases()
    documents = [md for _, md in cases]
    marp = render_marp(core, documents)
    ours = render_slidekit(documents)
    return {name: (md, m, s) for (name, md), m, s in zip(cases, marp, ours)}


def expected_differences() -> dict[str, str]:
    """name -> policy, from expected_differences.txt (`NAME POLICY  # why`)."""
    out = {}
    for line in (HERE / "expected_differences.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, policy = line.split(None, 1)
            out[name] = policy.strip()
    return out


if __name__ == "__main__":
    import sys
    results = compare()
    if results is None:
        sys.exit("node/npm or marp-core not available")
    differ = {n: r for n, r in results.items() if r[1] != r[2]}
    same = len(results) - len(differ)
    print(f"{same}/{len(results)} the same ({100 * same / len(results):.1f} %)")
    expected = expected_differences() if (HERE / "expected_differences.txt").exists() else {}
    for name, (md, marp, ours) in differ.items():
        if "--show" in sys.argv and name not in expected:
            print(f"--- {name} {expected.get(name, '')}\n{md!r}\nmarp: {marp}\nours: {ours}")
    if "--list" in sys.argv:
        print("\n".join(n for n in differ if n not in expected))

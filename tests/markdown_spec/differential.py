"""The CommonMark spec examples and GFM cases rendered by marp-core and by slidekit, compared slide by slide.

marp-core (and the spec's examples, npm's `commonmark-spec`) come from npm: Marp's reference install in
~/.cache/marp-ref when present, else a folder this module fills with `npm install` on first use.
`python3 tests/markdown_spec/differential.py [--show] [--list]` prints how many documents render the same,
and how many differ by a listed, deliberate policy (expected_differences.txt).
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
    return [[normalise_fragment(s) for s in marp_slides(slides)] if isinstance(slides, list) else ["ERROR"]
            for slides in json.loads(out.stdout)]


def render_slidekit(documents: list[str], **options) -> list[list[str]]:
    """slidekit's slides of each document, built with the default options but `options`."""
    from slidekit.api import BuildOptions, build_text
    results = []
    for markdown in documents:
        result = build_text(markdown, BuildOptions(format="html", **options))
        results.append([normalise_fragment(s) for s in slidekit_slides(result.output)] if result.output
                       else ["ERROR"])
    return results


# Normalising: what differs by design in the wrapping, not in the Markdown's reading ----------------
_DROP_ATTR = re.compile(r"^(data-marpit|data-sk-|data-auto-scaling$|is$|data-lang$)")
_BLOCK = ("p h1 h2 h3 h4 h5 h6 ul ol li table thead tbody tr th td blockquote pre hr div br section "
          "header footer dl dt dd").split()
_AROUND_BLOCK = re.compile(r"\s*(</?(?:%s)\b[^>]*>)\s*" % "|".join(_BLOCK))
_VOID = frozenset("br hr img input wbr source col meta link area embed param track".split())
_SLIDEKIT_SLIDE = re.compile(r'^<section id="\d+"[^>]*aria-label="[^"]*"[^>]*>\n', re.M)


def marp_slides(slides: list[str]) -> list[str]:
    """The inner HTML of each of marp-core's slides (one <section> per string)."""
    return [re.sub(r"</section>\s*$", "", re.sub(r"^\s*<section[^>]*>", "", s)) for s in slides]


def slidekit_slides(document: str) -> list[str]:
    """The inner HTML of each slide of slidekit's HTML document."""
    deck = document[document.index('<div class="sk-deck"'):document.index('<div class="sk-notes"')]
    parts = _SLIDEKIT_SLIDE.split(deck)[1:]
    return [re.sub(r"</section>\s*(</div>\s*)?$", "", part) for part in parts]


class _Fragment(HTMLParser):
    """A slide's HTML as a browser would balance it (stray end tags dropped, open elements closed at the
    end), attributes sorted, Marp's and slidekit's own data attributes dropped, code blocks reduced to
    their text (one final newline dropped) and language, emoji reduced to the character."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.pre: list[str] | None = None
        self.pre_lang = ""
        self.pre_depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.pre is not None:
            if tag == "code":
                self.pre_lang = " ".join(c for c in (a.get("class") or "").split() if c.startswith("language-"))
            return
        if tag == "pre":
            self.pre, self.pre_lang = [], ""
            return
        if tag == "img" and "emoji" in (a.get("class") or "").split():
            self.out.append(html.escape(a.get("alt") or "", quote=False))
            return
        if tag not in _VOID:
            self.stack.append(tag)
        if tag == "span" and "sk-emoji" in (a.get("class") or ""):
            self.stack[-1] = "-emoji"
            return
        kept = sorted((k, v) for k, v in attrs if not _DROP_ATTR.match(k))
        text = "".join(f' {k}="{html.escape(v)}"' if v is not None else f" {k}" for k, v in kept)
        self.out.append(f"<{tag}{text}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.pre is None and self.stack and self.stack[-1] in (tag, "-emoji"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.pre is not None:
            if tag == "pre":
                code = "".join(self.pre)
                code = code[:-1] if code.endswith("\n") else code
                lang = f' class="{self.pre_lang}"' if self.pre_lang else ""
                self.out.append(f"<pre><code{lang}>{html.escape(code, quote=False)}</code></pre>")
                self.pre = None
            return
        if tag in _VOID or (tag not in self.stack and not (tag == "span" and "-emoji" in self.stack)):
            return
        while self.stack:
            top = self.stack.pop()
            if top != "-emoji":
                self.out.append(f"</{top}>")
            if top == tag or (top == "-emoji" and tag == "span"):
                break

    def handle_data(self, data):
        (self.pre if self.pre is not None else self.out).append(
            data if self.pre is not None else html.escape(data, quote=False))

    def finish(self) -> str:
        self.close()
        if self.pre is not None:
            self.handle_endtag("pre")
        text = "".join(self.out).rstrip()
        return text + "".join(f"</{t}>" for t in reversed(self.stack) if t != "-emoji")


def normalise_fragment(fragment: str) -> str:
    parser = _Fragment()
    parser.feed(fragment)
    text = parser.finish()
    chunks = re.split(r"(<pre><code[^>]*>.*?</code></pre>)", text, flags=re.S)
    text = "".join(c if c.startswith("<pre><code") else re.sub(r"\s+", " ", c) for c in chunks)
    text = _AROUND_BLOCK.sub(r"\1", text).strip()
    return re.sub(r"\s+((?:</[a-z0-9]+>)+)$", r"\1", text)   # (before the end tags that close a slide)


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


# A deliberate policy -> the build options that lift it: with them, a case listed with that policy must
# render as marp-core renders it.
POLICY_LIFTED_BY: dict[str, dict] = {
    "policy:local-image-outside-deck": {"allow_local_files": True},
}


def lifted(results: dict[str, tuple[str, list[str], list[str]]], expected: dict[str, str]) -> dict[str, list[str]]:
    """name -> slidekit's slides with its policy lifted, for each listed policy case."""
    out = {}
    for policy, options in POLICY_LIFTED_BY.items():
        names = [name for name, reason in expected.items() if reason == policy and name in results]
        out.update(zip(names, render_slidekit([results[name][0] for name in names], **options)))
    return out


def summary(results: dict[str, tuple[str, list[str], list[str]]], expected: dict[str, str]) -> str:
    """`X/N identical; Y deliberate policy differences listed; Z other differences`."""
    differ = [name for name, (_, marp, ours) in results.items() if marp != ours]
    policy = [name for name in differ if expected.get(name, "").startswith("policy:")]
    same, n = len(results) - len(differ), len(results)
    return (f"{same}/{n} identical ({100 * same / n:.1f} %); {len(policy)} deliberate policy differences "
            f"listed ({100 * (same + len(policy)) / n:.1f} % identical or policy); "
            f"{len(differ) - len(policy)} other differences")


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
    expected = expected_differences() if (HERE / "expected_differences.txt").exists() else {}
    print(summary(results, expected))
    unlifted = [name for name, slides in lifted(results, expected).items() if slides != results[name][1]]
    print(f"policy differences still different with the policy lifted: {unlifted or 'none'}")
    for name, (md, marp, ours) in differ.items():
        if "--show" in sys.argv and name not in expected:
            print(f"--- {name} {expected.get(name, '')}\n{md!r}\nmarp: {marp}\nours: {ours}")
    if "--list" in sys.argv:
        print("\n".join(n for n in differ if n not in expected))

"""The Python API: build a deck file (or text) into HTML or PDF. The CLI is a thin layer over this."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .deck.compile import CompileOptions, compile_deck
from .deck.model import Deck
from .diagnostics import Diagnostics
from .export.assets import AssetResolver
from .render.html import RenderOptions, render_document, render_slides, slide_stylesheet
from .source import Source, parse_source, read_source, read_theme_set

FORMATS = ("html", "pdf")


@dataclass
class BuildOptions:
    """What a build makes and how: the format, trust in the deck's HTML and files, theme and overrides."""

    format: str = "html"
    allow_html: bool = False
    theme: str | None = None                 # a theme name, or a .css file
    theme_set: list[Path] = field(default_factory=list)
    allow_local_files: bool = False
    offline: bool = False
    heading_divider: Any = None
    overrides: dict[str, Any] = field(default_factory=dict)   # title, description, author, url, image
    jobs: int = 1          # processes that lay out a long deck's PDF (slidekit/export/pdf_chunks.py)
    pdf_cache: bool = True   # PDF chunks kept on disk for the next build (off when the laid-out pages are used)


@dataclass
class BuildResult:
    """A build's output (None when it failed), what it found, and the compiled deck."""

    output: bytes | str | None
    diagnostics: Diagnostics
    deck: Deck | None = None

    @property
    def ok(self) -> bool:
        return self.output is not None and not self.diagnostics.has_errors


def build_file(path: Path, options: BuildOptions | None = None) -> BuildResult:
    diagnostics = Diagnostics()
    source = read_source(Path(path), diagnostics)
    return build_source(source, options or BuildOptions(), diagnostics)


def build_text(text: str, options: BuildOptions | None = None, folder: Path | None = None) -> BuildResult:
    diagnostics = Diagnostics()
    source = parse_source(text, None, diagnostics)
    return build_source(source, options or BuildOptions(), diagnostics, folder=folder)


def build_source(source: Source, options: BuildOptions, diagnostics: Diagnostics,
                 folder: Path | None = None) -> BuildResult:
    processes = code = parse = None
    memo = _parse_memo(source)
    if options.format == "pdf" and options.jobs > 1:
        # The PDF's layout processes start now and load WeasyPrint while the deck compiles here.
        from .export.pdf_chunks import start_processes
        processes = start_processes(options.jobs)
    elif options.format == "html":
        # The HTML's code is coloured in a second process, which loads Pygments while the deck is parsed
        # here and colours the blocks while the slides render. (The PDF measures its slides as they render,
        # and its layout processes have the other CPUs.)
        # A long deck's second half is parsed by that process first (markdown/parse_ahead.py).
        from .markdown import create_markdown
        from .markdown.parse_ahead import ParseAhead
        from .render.code_ahead import CodeAhead
        parse = ParseAhead()
        env = {"front_matter": source.front_matter or {}}
        # (a text the deck's last parse covers is parsed again only around the change: not split)
        job = None if memo is not None and memo.covers(env) else \
            parse.plan(source.body, env, create_markdown)
        code = CodeAhead()
        started = code.prepare(source.body, first=job)
        if job is not None:
            parse.forked(started)
    try:
        return _build_source(source, options, diagnostics, folder, processes, code, parse, memo)
    finally:
        if processes is not None:
            processes.stop()
        for helper in (parse, code):
            if helper is not None:
                helper.close()


def _parse_memo(source: Source):
    """The deck file's last parse (markdown/parse_memo.py), or None: a text without a file, or no cache."""
    if source.path is None:
        return None
    from . import cache
    if cache.cache_dir() is None:
        return None
    import os

    from .markdown.parse_memo import ParseMemo
    return ParseMemo(os.path.abspath(source.path))


def _build_source(source: Source, options: BuildOptions, diagnostics: Diagnostics, folder: Path | None,
                  processes, code, parse=None, memo=None) -> BuildResult:
    folder = folder or source.folder
    theme_paths = list(options.theme_set)
    theme_name = options.theme
    if theme_name and theme_name.endswith(".css"):
        theme_paths.append(Path(theme_name))
    themes = read_theme_set(theme_paths, diagnostics)
    if theme_name and theme_name.endswith(".css"):
        from .render.themes import parse_theme
        theme_name = parse_theme(Path(theme_name).read_text(encoding="utf-8"), Path(theme_name).stem).name

    overrides = dict(options.overrides)
    compile_options = CompileOptions(heading_divider=options.heading_divider, overrides=overrides,
                                     on_blocks=code.begin if code is not None else None, parse_ahead=parse,
                                     parse_memo=memo)
    deck = compile_deck(source, compile_options, diagnostics)

    wanted = theme_name or deck.globals.get("theme") or "default"
    theme = themes.get(str(wanted))
    if theme is None:
        line = next((s.line for s in deck.slides[:1]), None)
        diagnostics.warning("unknown-theme", f"theme '{wanted}' is not known; using the default theme "
                            "(give its CSS with --theme-set)", file=deck.file, line=line)
        theme = themes.get("default")
    size_name = deck.globals.get("size")
    size, known = themes.size_of(theme, str(size_name) if size_name else None)
    if not known:
        diagnostics.warning("unknown-size", f"size '{size_name}' is not defined by theme '{theme.name}'; "
                            f"using {size[0]}x{size[1]}", file=deck.file)

    resolver = AssetResolver(folder, options.format, diagnostics, file=deck.file,
                             allow_local_files=options.allow_local_files, offline=options.offline,
                             slide_size=size, text=source.text)
    render_options = RenderOptions(target=options.format, allow_html=options.allow_html, resolve_image=resolver,
                                   code_ahead=code)
    render_slides(deck, render_options)
    resolver.release()
    stylesheet = slide_stylesheet(deck, themes.css_with_imports(theme), size)
    size_label = str(size_name or ("16:9" if size == (1280, 720) else f"{size[0]}x{size[1]}"))
    roots = None
    if not options.allow_local_files:   # the PDF reads files below the deck's folder and the themes' only
        from .source import builtin_theme_dir
        roots = [folder, builtin_theme_dir(), Path(__file__).parent]
        roots += [p if p.is_dir() else p.parent for p in theme_paths]
    # The PDF's fitting headings, long code blocks and `fit: true` slides are sized from a layout of the
    # slides (slidekit/markdown/fit.py); the HTML fits them in the browser (slidekit/render/assets/fit.js),
    # so an HTML build never loads WeasyPrint.
    if options.format == "html":
        return BuildResult(render_document(deck, stylesheet, size, render_options, theme.name, size_label),
                           diagnostics, deck)
    from .export.pdf_chunks import PdfJob, build_pdf
    metadata = {k: deck.globals.get(k) for k in ("title", "author", "description", "keywords")}
    metadata["title"] = metadata["title"] or next((s.title for s in deck.slides if s.title), None)
    job = PdfJob(stylesheet, size, render_options, theme.name, size_label, folder, metadata,
                 allow_remote=not options.offline, local_roots=roots, disk_cache=options.pdf_cache)
    pdf = build_pdf(deck, job, diagnostics, processes)
    return BuildResult(pdf, diagnostics, deck)

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
    # image pixels the PDF stores a CSS pixel shown (None: twice, export/image_prep.py); an export drawn from
    # the PDF at a lower resolution (pictures, PPTX) asks for its own
    image_density: float | None = None
    # (format, scale): a "pdf" build whose output is the slides' pictures ([bytes], export/images.py) drawn
    # by the processes that lay the slides out, rather than the PDF
    pictures: tuple[str, float] | None = None
    # the PDF is drawn into PNG pictures (--images png, --image png): no image is made a JPEG but a JPEG file's
    lossless_images: bool = False
    # a "pdf" build that also describes each slide's PPTX shapes from its layout (slide.sk_shapes, read by
    # export/pptx.py), in the processes that lay the slides out
    pptx_shapes: bool = False

    @classmethod
    def of(cls, settings, format: str = "html", **more) -> "BuildOptions":
        """The build options of a command's settings (slidekit/settings.py's Options)."""
        overrides = {k: getattr(settings, k) for k in ("title", "description", "author", "url")}
        overrides["image"] = settings.og_image
        return cls(format=format, allow_html=bool(settings.html), theme=settings.theme,
                   theme_set=[Path(p) for p in settings.theme_set or ()],
                   allow_local_files=bool(settings.allow_local_files), offline=bool(settings.offline),
                   heading_divider=settings.heading_divider, overrides=overrides, **more)


@dataclass
class BuildResult:
    """A build's output (None when it failed), what it found, and the compiled deck."""

    output: bytes | str | list[bytes] | None   # list: the pictures asked by BuildOptions.pictures
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
    processes = None
    if options.format == "pdf" and options.jobs > 1:
        # The PDF's layout processes start now and load WeasyPrint while the deck compiles here.
        from .export.pdf_chunks import start_processes
        processes = start_processes(options.jobs)
    try:
        return _build_source(source, options, diagnostics, folder, processes)
    finally:
        if processes is not None:
            processes.stop()


def _image_uses(deck: Deck) -> list:
    """(url, spec) of every Markdown image of the deck, backgrounds included."""
    uses = []

    def walk(tokens: list[dict]) -> None:
        for token in tokens:
            if token["type"] == "image" and token.get("spec") is not None:
                uses.append((token["attrs"]["url"], token["spec"]))
            if token.get("children"):
                walk(token["children"])
    for slide in deck.slides:
        walk(slide.tokens)
        uses += [(bg.url, bg.spec) for bg in slide.backgrounds]
    return uses


def _imported_css(deck: Deck, themes, resolver: AssetResolver) -> list[str]:
    """The CSS files the deck's own CSS imports, read through the resolver (its folder rules)."""
    from .render.css_imports import imported_css

    stylesheets = deck.global_css + [css for slide in deck.slides for css in slide.scoped_css]
    resolver.slide = resolver.line = None
    return imported_css(stylesheets, set(themes.themes), resolver.stylesheet,
                        lambda address, message: resolver.warn("css-import", address, message))


def _build_source(source: Source, options: BuildOptions, diagnostics: Diagnostics, folder: Path | None,
                  processes) -> BuildResult:
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
    compile_options = CompileOptions(heading_divider=options.heading_divider, overrides=overrides)
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
    for line, message in theme.problems:
        diagnostics.warning("slide-size", message + "; give the theme a size of at most 10,000px a side",
                            file=theme.origin or None, line=line)
    if not known:
        diagnostics.warning("unknown-size", f"size '{size_name}' is not defined by theme '{theme.name}'; "
                            f"using {size[0]}x{size[1]}", file=deck.file)

    resolver = AssetResolver(folder, options.format, diagnostics, file=deck.file,
                             allow_local_files=options.allow_local_files, offline=options.offline,
                             slide_size=size, text=source.text, density=options.image_density,
                             lossless=options.lossless_images)
    if any("@import" in css for css in deck.global_css) or any(
            "@import" in css for slide in deck.slides for css in slide.scoped_css):
        deck.imported_css = _imported_css(deck, themes, resolver)
    render_options = RenderOptions(target=options.format, allow_html=options.allow_html, resolve_image=resolver)
    uses = _image_uses(deck)
    if len(uses) > 1:
        from .export.pdf_chunks import usable_cpus
        resolver.prepare_ahead(uses, usable_cpus())
    render_slides(deck, render_options)
    resolver.release()
    stylesheet = slide_stylesheet(deck, themes.css_with_imports(theme), size)
    size_label = str(size_name or ("16:9" if size == (1280, 720) else f"{size[0]}x{size[1]}"))
    roots = None
    if not options.allow_local_files:   # the PDF reads files below the deck's folder and the themes' only
        from .source import builtin_theme_dir
        roots = [folder, builtin_theme_dir(), Path(__file__).parent]
        roots += [p if p.is_dir() else p.parent for p in theme_paths]
        if resolver.prepared_folder is not None:
            roots.append(resolver.prepared_folder)
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
                 allow_remote=not options.offline, local_roots=roots, disk_cache=options.pdf_cache,
                 pictures=options.pictures, picture_threads=max(1, options.jobs), shapes=options.pptx_shapes)
    pdf = build_pdf(deck, job, diagnostics, processes)
    return BuildResult(pdf, diagnostics, deck)

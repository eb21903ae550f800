"""The build's plan: which deck goes where, and for a folder built into `-o DIR`, the site listing them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STDIO = "-"      # as an input: the deck on standard input; as an output: standard output


@dataclass(frozen=True)
class Job:
    """One deck to build, where its output goes, and how a site's index names it."""

    deck: Path
    target: Path
    html: Path | None = None     # a site built with --pdf: the HTML beside the PDF
    source: str = ""             # the deck as the index names it


@dataclass
class Plan:
    """The decks a `build` command makes and, for a folder, the site that lists them."""

    jobs: list[Job]
    site: Path | None = None     # the folder that gets index.html
    site_title: str = ""


def make_plan(options) -> Plan | str:
    """The plan for `options` (slidekit/settings.py's Options), or a usage error message."""
    fmt = "pdf" if options.pdf else None
    from ..export.outputs import EXTENSIONS, default_suffix, output_kind
    try:
        kind = output_kind(options)
    except ValueError as exc:
        return str(exc)
    if not options.inputs:
        return "no input: give decks, a folder, - (standard input) or --input-dir"
    decks: list[tuple[Path, Path | None]] = []
    folders: list[Path] = []
    for item in options.inputs:
        path = Path(item)
        if item == STDIO:
            if len(options.inputs) > 1:
                return "- (standard input) is one deck: give no other input with it"
            decks.append((path, None))
        elif path.is_dir():
            folders.append(path)
            for deck in sorted(path.rglob("*.md")):
                rel = deck.relative_to(path)
                if any(part.startswith(".") or part == "node_modules" for part in rel.parts[:-1]):
                    continue
                decks.append((deck, rel))
        elif path.is_file():
            decks.append((path, None))
        else:
            return f"no such file or folder: {item}"
    if not decks:
        return f"no Markdown decks found in {', '.join(str(f) for f in folders)}"
    out = Path(options.output) if options.output else None
    if out is None and decks[0][0] == Path(STDIO):
        out = Path(STDIO)      # as marp-cli: a deck read from standard input is written to standard output
    several = len(decks) > 1 or any(rel is not None for _, rel in decks)
    if out is not None and str(out) == STDIO:
        if several:
            return "-o - (standard output) takes one deck"
        if kind in ("images",):
            return "--images writes a file a slide: give -o a file name, not -"
        return Plan([Job(decks[0][0], out, None, decks[0][0].name)])
    if several and out is not None and out.suffix.lower() in (".html", ".htm", ".pdf", ".pptx", ".txt", ".png",
                                                              ".jpg", ".jpeg") and not out.is_dir():
        return f"-o {out} names a file, but {len(decks)} decks are built: give -o a folder"
    site = out if (out is not None and several and folders and kind is None) else None
    jobs = []
    for deck, rel in decks:
        if out is not None and not several:
            ext = out.suffix.lower().lstrip(".")
            if kind and ext not in EXTENSIONS[kind]:
                return f"--{kind} writes {' or '.join('.' + e for e in EXTENSIONS[kind])} files, not {out}"
            if not kind and ext not in ("html", "htm", "pdf"):
                return f"cannot tell the format of {out}: use a .html or .pdf name"
            if fmt and ext != "pdf":
                return f"--pdf given but the output {out} is not a .pdf file"
            target = out
        else:
            suffix = default_suffix(kind, options) if kind else "." + (fmt or "html")
            base = (out / (rel or deck.name)) if out is not None else deck
            target = base.with_suffix(suffix)
        if target.resolve() == deck.resolve():
            return f"refusing to write over the input {deck}"
        html = target.with_suffix(".html") if site is not None and fmt == "pdf" else None
        jobs.append(Job(deck, target, html, (rel or Path(deck.name)).as_posix()))
    if site is not None:
        index = (site / "index.html").resolve()
        if any(index in (job.target.resolve(), job.html and job.html.resolve()) for job in jobs):
            site = None   # a deck called index.md owns index.html: no listing
    title = folders[0].resolve().name if folders else ""
    return Plan(jobs, site, title)



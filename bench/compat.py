#!/usr/bin/env python3
"""Measure how closely slidekit's PDFs match Marp's, deck by deck.

    python bench/compat.py [--refs DIR] [--out FILE] [--shared DIR] [-j N] [--keep DIR] [DECK...]
    python bench/compat.py --html-vs-pdf [...] [DECK...]

Default decks: ../shared/corpus/public/*.md, the repo's decks/*/slides.md, bench/corpus/*.md and the seed
../shared/corpus/seeds/mlops-guide-presentation.md. A DECK argument is a path or the name of
a default deck (e.g. 006-a-guide-to-mlops). A deck's name is its file stem, or its folder's
name for decks/NAME/slides.md.

Default mode: builds each deck with `python -m slidekit build DECK -o NAME.pdf`, renders the
Marp reference with ../shared/tools/marp-ref into REFS/NAME/ unless it is cached there (the
cache is keyed by the sha256 of the deck, stored in REFS/NAME/deck.sha256), and compares the
two with ../shared/tools/pdfcompare.py. A deck that fails to build scores 0; one that slidekit
builds with errors (exit 1, file written) is scored and flagged. MARP_REF_SKIP=png speeds up
new references (see marp-ref).

--html-vs-pdf: builds both the HTML and the PDF, prints the HTML with headless Chromium and
compares that print with slidekit's own PDF (the PDF plays the reference).

Writes a Markdown report (default bench/compat-report.md) and prints its summary.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = "corpus/seeds/mlops-guide-presentation.md"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"]
MIN_TEXT, MIN_VISUAL = 0.9, 0.7
BUILD_TIMEOUT, MARP_TIMEOUT, PRINT_TIMEOUT, COMPARE_TIMEOUT = 300, 900, 180, 300


class CompatError(Exception):
    """A step failed for one deck; the message goes into the report."""


@dataclass(frozen=True)
class Deck:
    name: str
    path: Path


@dataclass(frozen=True)
class Setup:
    repo: Path
    shared: Path
    refs: Path
    work: Path  # built PDFs/HTML go here


@dataclass
class Score:
    deck: Deck
    ref_pages: int | None = None
    cand_pages: int | None = None
    text: float = 0.0
    visual: float = 0.0
    colour: float = 0.0
    error: str = ""        # slidekit (or the Chromium print) wrote nothing: scores stay 0
    diagnostics: str = ""  # slidekit exited non-zero (errors in the deck) but wrote its output: scored
    no_reference: str = ""  # the reference failed: the deck is not scored

    def shortfalls(self) -> list[str]:
        if self.no_reference:
            return []
        if self.error:
            return ["failed (see Errors)"]
        reasons = []
        if self.ref_pages != self.cand_pages:
            reasons.append(f"pages {self.ref_pages} vs {self.cand_pages if self.cand_pages is not None else '–'}")
        if self.text < MIN_TEXT:
            reasons.append(f"text {self.text:.3f}")
        if self.visual < MIN_VISUAL:
            reasons.append(f"visual {self.visual:.3f}")
        return reasons


# ---------------------------------------------------------------- decks

def deck_name(path: Path) -> str:
    return path.parent.name if path.name == "slides.md" else path.stem


def default_decks(repo: Path, shared: Path) -> list[Deck]:
    paths = sorted((shared / "corpus/public").glob("*.md"))
    paths += sorted((repo / "decks").glob("*/slides.md"))
    paths += sorted((repo / "bench/corpus").glob("*.md"))
    paths.append(shared / SEED)
    return [Deck(deck_name(p), p.resolve()) for p in paths if p.is_file()]


def select_decks(args: list[str], defaults: list[Deck]) -> list[Deck]:
    if not args:
        return defaults
    by_name = {d.name: d for d in defaults}
    chosen = []
    for arg in args:
        path = Path(arg)
        if path.is_file():
            chosen.append(Deck(deck_name(path), path.resolve()))
        elif arg in by_name:
            chosen.append(by_name[arg])
        else:
            raise SystemExit(f"compat: no such deck: {arg}")
    names = [d.name for d in chosen]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SystemExit(f"compat: several decks are named {', '.join(duplicates)}")
    return chosen


# ---------------------------------------------------------------- steps

def run(cmd: list, timeout: int, what: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                              timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired:
        raise CompatError(f"{what} timed out after {timeout} s") from None
    if check and proc.returncode != 0:
        raise CompatError(failure(what, proc))
    return proc


def failure(what: str, proc: subprocess.CompletedProcess) -> str:
    """One line: the exit status and the first error line of the output (else its last line)."""
    lines = [l.strip() for l in (proc.stderr or proc.stdout or "").splitlines() if l.strip()]
    errors = [l for l in lines if "error" in l.lower()]
    return f"{what} exited {proc.returncode}: {(errors or lines or ['no output'])[0 if errors else -1]}"


def content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ensure_reference(deck: Deck, setup: Setup) -> Path:
    """REFS/NAME/marp.pdf, rendered with marp-ref unless cached for this deck content."""
    outdir = setup.refs / deck.name
    pdf, stamp = outdir / "marp.pdf", outdir / "deck.sha256"
    digest = content_hash(deck.path)
    if pdf.is_file() and stamp.is_file() and stamp.read_text().split()[:1] == [digest]:
        return pdf
    outdir.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    print(f"compat: rendering Marp reference for {deck.name}", file=sys.stderr)
    run([setup.shared / "tools/marp-ref", deck.path, outdir], MARP_TIMEOUT, "marp-ref")
    stamp.write_text(digest + "\n")
    return pdf


def build(deck: Deck, out: Path, setup: Setup) -> str:
    """Build deck into out. Returns '' or, when slidekit reports errors but still writes out, its
    first error; raises CompatError when nothing was written."""
    out.unlink(missing_ok=True)  # never score a stale file from an earlier --keep run
    proc = run([sys.executable, "-m", "slidekit", "build", deck.path, "-o", out], BUILD_TIMEOUT,
               "slidekit build", check=False, cwd=setup.repo)
    message = failure("slidekit build", proc).replace(f"{deck.path}:", "line ")
    if not out.is_file():
        raise CompatError(message if proc.returncode else f"slidekit build wrote no {out.suffix[1:]}")
    return message if proc.returncode else ""


def print_html(html: Path, out: Path) -> Path:
    out.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="compat-chromium-") as profile:  # one per run: -j safe
        run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={out}",
             html.as_uri()], PRINT_TIMEOUT, "chromium print")
    if not out.is_file():
        raise CompatError("chromium printed no PDF")
    return out


def compare(ref: Path, cand: Path, setup: Setup) -> dict:
    proc = run([sys.executable, setup.shared / "tools/pdfcompare.py", ref, cand, "--json"],
               COMPARE_TIMEOUT, "pdfcompare")
    return json.loads(proc.stdout)


def page_count(pdf: Path) -> int | None:
    try:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60).stdout
    except subprocess.TimeoutExpired:
        return None
    return next((int(l.split()[1]) for l in info.splitlines() if l.startswith("Pages:")), None)


# ---------------------------------------------------------------- modes

def score_vs_marp(deck: Deck, ref: Path, setup: Setup) -> Score:
    cand = setup.work / f"{deck.name}.pdf"
    try:
        diagnostics = build(deck, cand, setup)
        return from_comparison(deck, compare(ref, cand, setup), diagnostics)
    except CompatError as e:
        return Score(deck, ref_pages=page_count(ref), error=str(e))


def score_html_vs_pdf(deck: Deck, setup: Setup) -> Score:
    pdf, html = setup.work / f"{deck.name}.pdf", setup.work / f"{deck.name}.html"
    try:
        diagnostics = build(deck, pdf, setup)
    except CompatError as e:
        return Score(deck, no_reference=f"slidekit PDF: {e}")
    try:
        diagnostics = build(deck, html, setup) or diagnostics
        printed = print_html(html, setup.work / f"{deck.name}.print.pdf")
        return from_comparison(deck, compare(pdf, printed, setup), diagnostics)
    except CompatError as e:
        return Score(deck, ref_pages=page_count(pdf), error=str(e))


def from_comparison(deck: Deck, result: dict, diagnostics: str = "") -> Score:
    return Score(deck, result["ref_pages"], result["cand_pages"],
                 result["text"], result["visual"], result["colour"], diagnostics=diagnostics)


def evaluate(decks: list[Deck], setup: Setup, html_vs_pdf: bool, jobs: int) -> list[Score]:
    if html_vs_pdf:
        task = lambda deck: score_html_vs_pdf(deck, setup)
    else:
        # References one at a time (each is a Chromium run), then builds in parallel.
        refs, failures = {}, {}
        for deck in decks:
            try:
                refs[deck.name] = ensure_reference(deck, setup)
            except CompatError as e:
                failures[deck.name] = str(e)

        def task(deck):
            if deck.name in failures:
                return Score(deck, no_reference=f"Marp: {failures[deck.name]}")
            return score_vs_marp(deck, refs[deck.name], setup)

    def task_with_progress(deck):
        score = task(deck)
        print(f"compat: {progress_line(score)}", file=sys.stderr)
        return score

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(task_with_progress, decks))  # map keeps the deck order


def progress_line(s: Score) -> str:
    if s.no_reference or s.error:
        return f"{s.deck.name}: {s.no_reference or s.error}"
    return (f"{s.deck.name}: pages {s.ref_pages}/{s.cand_pages} text {s.text:.3f} "
            f"visual {s.visual:.3f} colour {s.colour:.3f}" + (" (built with errors)" if s.diagnostics else ""))


# ---------------------------------------------------------------- report

def format_pages(n: int | None) -> str:
    return "–" if n is None else str(n)


def render_report(scores: list[Score], html_vs_pdf: bool, commit: str) -> str:
    ref_label, cand_label = ("slidekit PDF", "Chromium print of HTML") if html_vs_pdf else ("Marp", "slidekit")
    title = "slidekit HTML vs PDF" if html_vs_pdf else "slidekit vs Marp"
    lines = [f"# {title}", "",
             f"slidekit {commit}; reference: {ref_label}, candidate: {cand_label}. "
             f"Scores from `pdfcompare.py` (0..1).", "",
             f"| deck | pages ({ref_label} / {cand_label}) | text | visual | colour |",
             "|---|---|---:|---:|---:|"]
    for s in scores:
        if s.no_reference:
            lines.append(f"| {s.deck.name} | – | not scored | | |")
            continue
        mark = " ⚠" if s.error else " *" if s.diagnostics else ""
        lines.append(f"| {s.deck.name}{mark} | {format_pages(s.ref_pages)} / {format_pages(s.cand_pages)} "
                     f"| {s.text:.3f} | {s.visual:.3f} | {s.colour:.3f} |")
    lines += ["", "## Summary", "", *summary_lines(scores)]
    short = [s for s in scores if s.shortfalls()]
    lines += ["", f"## Falling short ({len(short)})", "",
              f"Page count differs, text < {MIN_TEXT} or visual < {MIN_VISUAL}.", ""]
    lines += [f"- {s.deck.name}: {', '.join(s.shortfalls())}" for s in short] or ["- none"]
    errors = [s for s in scores if s.error or s.no_reference]
    if errors:
        lines += ["", "## Errors (⚠: nothing built, scored 0)", ""]
        lines += [f"- {s.deck.name}: {s.error or s.no_reference}" for s in errors]
    flagged = [s for s in scores if s.diagnostics]
    if flagged:
        lines += ["", "## Built with errors (*: slidekit exited non-zero but wrote the file, which is scored)", ""]
        lines += [f"- {s.deck.name}: {s.diagnostics}" for s in flagged]
    return "\n".join(lines) + "\n"


def summary_lines(scores: list[Score]) -> list[str]:
    rated = [s for s in scores if not s.no_reference]
    n = len(rated)
    if not n:
        return ["No deck could be scored."]
    mean = lambda key: sum(getattr(s, key) for s in rated) / n
    same = sum(s.ref_pages == s.cand_pages for s in rated)
    lines = [f"- same page count: {same} / {n}",
             f"- mean text: {mean('text'):.3f}",
             f"- mean visual: {mean('visual'):.3f}",
             f"- mean colour: {mean('colour'):.3f}",
             f"- build failures (scored 0): {sum(bool(s.error) for s in rated)}",
             f"- built with errors (scored): {sum(bool(s.diagnostics) for s in rated)}"]
    skipped = len(scores) - n
    if skipped:
        lines.append(f"- not scored (no reference): {skipped}")
    return lines


def git_commit(repo: Path) -> str:
    proc = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    return proc.stdout.strip() or "(no commit)"


# ---------------------------------------------------------------- main

def default_refs() -> Path:
    work_refs = Path("/work/refs")
    return work_refs if work_refs.is_dir() else Path.home() / ".cache/slidekit-refs"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("decks", nargs="*", metavar="DECK", help="deck paths or names (default: all)")
    p.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                   help="the shared folder (default: ../shared beside the repo)")
    p.add_argument("--refs", type=Path, default=default_refs(),
                   help="Marp reference cache (default: /work/refs if it exists, else ~/.cache/slidekit-refs)")
    p.add_argument("--out", type=Path, default=REPO / "bench/compat-report.md", help="Markdown report")
    p.add_argument("--html-vs-pdf", action="store_true",
                   help="compare the Chromium print of slidekit's HTML with slidekit's PDF")
    p.add_argument("-j", "--jobs", type=int, default=1, help="parallel builds (default 1)")
    p.add_argument("--keep", type=Path, help="keep the built files in this folder")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    shared = args.shared.resolve()
    if not (shared / "tools/pdfcompare.py").is_file():
        raise SystemExit(f"compat: {shared} is not the shared folder (no tools/pdfcompare.py); use --shared")
    decks = select_decks(args.decks, default_decks(REPO, shared))
    with tempfile.TemporaryDirectory(prefix="slidekit-compat-") as tmp:
        work = (args.keep or Path(tmp)).resolve()
        work.mkdir(parents=True, exist_ok=True)
        setup = Setup(REPO, shared, args.refs.resolve(), work)
        scores = evaluate(decks, setup, args.html_vs_pdf, args.jobs)
    report = render_report(scores, args.html_vs_pdf, git_commit(REPO))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report.split("## Summary\n\n", 1)[1], end="")
    print(f"\nreport: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

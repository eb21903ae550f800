"""The index of a folder built into `-o DIR`: DIR/index.html listing each deck (slidekit/export/site.py
renders it) with its HTML, its PDF and a thumbnail, and which decks failed."""

from __future__ import annotations

import sys
from pathlib import Path

from .plan import Job, Plan


def site_entry(plan: Plan, job: Job, outcome):
    """The index's entry for a built job (an app.builder.Outcome): links only to files this build wrote."""
    from ..export.site import SiteEntry
    written = {p.resolve() for p in outcome.written}

    def rel(path: Path | None) -> str | None:
        if path is None or path.resolve() not in written:
            return None
        return path.resolve().relative_to(plan.site.resolve()).as_posix()

    html = rel(job.html) or (rel(job.target) if job.target.suffix.lower() in (".html", ".htm") else None)
    pdf = rel(job.target) if job.target.suffix.lower() == ".pdf" else None
    return SiteEntry(job.source, outcome.title or job.deck.stem, outcome.slides, html, pdf,
                     outcome.thumbnail, outcome.live, failed=not outcome.ok)


def write_index(plan: Plan, entries: dict, quiet: bool) -> tuple[int, Path | None]:
    """Write the plan's index from `entries` (deck -> SiteEntry); (exit status, the index written or None)."""
    from ..export.files import write_atomic
    from ..export.site import render_index

    listed = [entries[job.deck.resolve()] for job in plan.jobs if job.deck.resolve() in entries]
    index = plan.site / "index.html"
    try:
        write_atomic(index, render_index(plan.site_title, listed))
    except OSError as exc:
        print(f"{index}: error: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return 1, None
    if not quiet:
        print(f"index => {index} ({len(listed)} deck{'s' * (len(listed) != 1)})", file=sys.stderr)
    return 0, index

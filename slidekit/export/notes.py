"""Speaker notes as plain text, laid out as marp-cli's `--notes` `.txt`: the notes of one slide joined by
a blank line, slides separated by a `---` line between blank lines (a slide without notes leaves an empty
block), no newline at the end."""

from __future__ import annotations

from ..deck.model import Deck

SLIDE_SEPARATOR = "\n\n---\n\n"


def slide_notes_text(notes: list[str]) -> str:
    return "\n\n".join(n.strip() for n in notes if n.strip())


def notes_text(deck: Deck) -> str:
    return SLIDE_SEPARATOR.join(slide_notes_text(s.notes) for s in deck.slides)

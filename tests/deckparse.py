"""Reading slidekit's HTML back in tests: the sections with their attributes and inner HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Section:
    attrs: dict[str, str]
    html: str = ""
    text: str = ""
    children: list[str] = field(default_factory=list)   # tag names of direct children


class _Sections(HTMLParser):
    VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = []
        self.notes: dict[int, str] = {}
        self.depth = 0
        self.current: Section | None = None
        self.note_slide: int | None = None
        self.note_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs_d = {k: (v if v is not None else "") for k, v in attrs}
        if self.current is None and tag == "section":
            self.current = Section(attrs_d)
            self.depth = 1
            return
        if self.current is not None:
            if self.depth == 1:
                self.current.children.append(tag)
            self.current.html += self.get_starttag_text()
            if tag not in self.VOID:
                self.depth += 1
            return
        if tag == "aside" and "data-slide" in attrs_d:
            self.note_slide = int(attrs_d["data-slide"])
            self.notes[self.note_slide] = ""
            self.note_depth = 1
        elif self.note_slide is not None and tag not in self.VOID:
            self.note_depth += 1

    def handle_endtag(self, tag):
        if self.current is not None:
            if tag in self.VOID:
                return
            self.depth -= 1
            if self.depth == 0:
                self.sections.append(self.current)
                self.current = None
            else:
                self.current.html += f"</{tag}>"
            return
        if self.note_slide is not None and tag not in self.VOID:
            self.note_depth -= 1
            if self.note_depth == 0:
                self.note_slide = None

    def handle_data(self, data):
        if self.current is not None:
            self.current.html += data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            self.current.text += data
        elif self.note_slide is not None:
            self.notes[self.note_slide] += data


def parse_deck(document: str) -> tuple[list[Section], dict[int, str]]:
    parser = _Sections()
    parser.feed(document)
    parser.close()
    return parser.sections, {k: v.strip() for k, v in parser.notes.items()}

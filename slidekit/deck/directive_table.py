"""Marp's directives: one table entry each, with how its value is read (slidekit/deck/directives.py reads
and applies them; source.py reads the front-matter values of these names as Marp does)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Literal

Scope = Literal["global", "local"]


class DirectiveValueError(ValueError):
    """A directive value of the wrong type or form; the message says what is expected."""


# Value readers: each takes the YAML value and returns the normalised one, or raises. --------------
def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise DirectiveValueError("expected a text value")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise DirectiveValueError("expected true or false")


class DirectiveValueReadAs(DirectiveValueError):
    """A value Marp accepts but reads otherwise than it may look: used as `value`, with a warning."""

    def __init__(self, message: str, value: Any):
        super().__init__(message)
        self.value = value


def as_paginate(value: Any) -> bool | str:
    # Marpit (markdown/directives/directives.js) reads every scalar as text: "true" shows the page number,
    # "hold" and "skip" keep it from counting, anything else (an empty value too) hides it.
    if isinstance(value, bool):
        return value
    if isinstance(value, (dict, list)):
        raise DirectiveValueError("expected true, false, hold or skip")
    text = "" if value is None else str(value).strip().lower()
    if text in ("hold", "skip", "true", "false"):
        return text if text in ("hold", "skip") else text == "true"
    if text == "":
        return False
    raise DirectiveValueReadAs("expected true, false, hold or skip; Marp reads it as false", False)


def as_class(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(as_text(v) for v in value if v is not None)
    return as_text(value)


def as_heading_divider(value: Any) -> int | list[int]:
    if isinstance(value, bool):
        raise DirectiveValueError("expected a heading level 1 to 6 or a list of levels")
    if isinstance(value, int) and 1 <= value <= 6:
        return value
    if isinstance(value, list) and value and all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 6 for v in value):
        return sorted(set(value))
    if isinstance(value, str) and value.strip().isdigit():
        return as_heading_divider(int(value.strip()))
    raise DirectiveValueError("expected a heading level 1 to 6 or a list of levels")


def as_css_value(value: Any) -> str:
    """A value that lands in a style attribute: text without characters that could end it."""
    text = as_text(value).strip()
    if re.search(r"[;{}<>\\]|/\*", text):
        raise DirectiveValueError("must be a single CSS value (no ; { } < > or comments)")
    if re.search(r"(?i)(?:java|vb)script\s*:|expression\s*\(", text):
        raise DirectiveValueError("must not contain a script URL or expression()")
    return text


@dataclass(frozen=True)
class Directive:
    """One entry of the directive table: its name, scope, how its value is read, and the CSS it sets."""

    name: str
    scope: Scope
    read: Callable[[Any], Any] = as_text
    css: str | None = None          # CSS property set on the section as well


DIRECTIVES: dict[str, Directive] = {d.name: d for d in [
    # global
    Directive("theme", "global"),
    Directive("style", "global"),
    Directive("headingDivider", "global", as_heading_divider),
    Directive("size", "global"),
    Directive("lang", "global"),
    Directive("math", "global"),
    Directive("title", "global"),
    Directive("description", "global"),
    Directive("author", "global"),
    Directive("url", "global"),
    Directive("image", "global"),
    Directive("keywords", "global", as_class),
    Directive("marp", "global", as_bool),
    Directive("html", "global", as_bool),
    # local
    Directive("paginate", "local", as_paginate),
    Directive("header", "local"),
    Directive("footer", "local"),
    Directive("class", "local", as_class),
    Directive("backgroundColor", "local", as_css_value, "background-color"),
    Directive("backgroundImage", "local", as_text, "background-image"),
    Directive("backgroundPosition", "local", as_css_value, "background-position"),
    Directive("backgroundRepeat", "local", as_css_value, "background-repeat"),
    Directive("backgroundSize", "local", as_css_value, "background-size"),
    Directive("color", "local", as_css_value, "color"),
    Directive("transition", "local", as_css_value),
    Directive("fit", "local", as_bool),          # slidekit: shrink this slide's content to fit
]}
DIRECTIVE_NAMES = frozenset(DIRECTIVES)

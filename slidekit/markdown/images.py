"""Marp's image syntax: layout keywords written in the alt text (`![bg right:40% sepia](x.png)`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Marp's default arguments for the ten filters (from Marp's image syntax documentation).
FILTER_DEFAULTS = {
    "blur": "10px",
    "brightness": "1.5",
    "contrast": "2",
    "drop-shadow": "0,5px,10px,rgba(0,0,0,.4)",
    "grayscale": "1",
    "hue-rotate": "180deg",
    "invert": "1",
    "opacity": ".5",
    "saturate": "2",
    "sepia": "1",
}

BG_SIZES = {"cover": "cover", "contain": "contain", "fit": "contain", "auto": "auto"}

_LENGTH = re.compile(r"^(?:\d+(?:\.\d+)?|\.\d+)(?:px|em|rem|%|pt|cm|mm|in|vw|vh)?$")
_PERCENT = re.compile(r"^\d+(?:\.\d+)?%$")
_SPLIT = re.compile(r"^(left|right)(?::(\d+(?:\.\d+)?%))?$")


@dataclass
class ImageSpec:
    """What the alt text of one image asks for."""

    alt: str = ""
    bg: bool = False
    qr: bool = False
    width: str | None = None
    height: str | None = None
    size: str | None = None          # background-size for bg images
    split: str | None = None         # "left" or "right"
    split_size: str | None = None    # "40%"
    vertical: bool = False
    # a background's share (width, height) of its slide's background area (the slide or its split side):
    # several backgrounds divide it equally, side by side or, `vertical`, one above the other
    share: tuple[float, float] = (1.0, 1.0)
    filters: list[tuple[str, str]] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)   # keywords with values we could not use

    @property
    def opacity(self) -> float:
        """The product of the `opacity` filters: the PDF draws it as the element's CSS opacity, so that a
        photo keeps no alpha channel and stays a JPEG."""
        value = 1.0
        for name, arg in self.filters:
            if name == "opacity":
                arg = arg.strip()
                try:
                    amount = float(arg[:-1]) / 100 if arg.endswith("%") else float(arg)
                except ValueError:
                    amount = 1.0
                value *= max(0.0, min(1.0, amount))
        return value

    @property
    def css_filter(self) -> str:
        parts = []
        for name, arg in self.filters:
            if name == "drop-shadow":
                arg = " ".join(a.strip() for a in arg.split(","))
            parts.append(f"{name}({arg})")
        return " ".join(parts)


def _length(value: str) -> str | None:
    if not _LENGTH.match(value):
        return None
    return value + "px" if re.fullmatch(r"[\d.]+", value) else value


def parse_image_alt(alt: str) -> ImageSpec:
    """Split the alt text into keywords Marp knows and the remaining description."""
    spec = ImageSpec()
    words = []
    for word in alt.split():
        key, _, arg = word.partition(":")
        lower = key.lower()
        if lower == "bg" and not arg:
            spec.bg = True
        elif lower == "qr" and not arg:
            spec.qr = True
        elif lower in ("w", "width", "h", "height") and arg:
            value = _length(arg)
            if value is None:
                spec.invalid.append(word)
            elif lower.startswith("w"):
                spec.width = value
            else:
                spec.height = value
        elif lower in FILTER_DEFAULTS:
            spec.filters.append((lower, arg or FILTER_DEFAULTS[lower]))
        elif lower in BG_SIZES and not arg:
            spec.size = BG_SIZES[lower]
        elif _PERCENT.match(word):
            spec.size = word
        elif lower == "vertical" and not arg:
            spec.vertical = True
        elif (m := _SPLIT.match(word.lower())):
            spec.split = m.group(1)
            spec.split_size = m.group(2) or "50%"
        else:
            words.append(word)
    spec.alt = " ".join(words)
    return spec

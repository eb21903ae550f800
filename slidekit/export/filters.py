"""Marp's image filters applied to pixels with Pillow, for the PDF (WeasyPrint has no CSS `filter`)."""

from __future__ import annotations

import re

from PIL import Image, ImageEnhance, ImageFilter, ImageOps


def _amount(arg: str, default: float = 1.0) -> float:
    arg = arg.strip()
    try:
        return float(arg[:-1]) / 100 if arg.endswith("%") else float(arg)
    except ValueError:
        return default


def _px(arg: str) -> float:
    m = re.match(r"\s*([\d.]+)", arg)
    return float(m.group(1)) if m else 0.0


def _mix(image: Image.Image, other: Image.Image, amount: float) -> Image.Image:
    amount = max(0.0, min(1.0, amount))
    return Image.blend(image, other, amount) if amount < 1 else other


def apply_filters(image: Image.Image, filters: list[tuple[str, str]], scale: float = 1.0) -> Image.Image:
    """Apply CSS-like filters in order. `scale` maps CSS px to image pixels for blur."""
    image = image.convert("RGBA")
    for name, arg in filters:
        rgb, alpha = image.convert("RGB"), image.getchannel("A")
        if name == "blur":
            image = image.filter(ImageFilter.GaussianBlur(_px(arg) * scale / 2))
            continue
        if name == "brightness":
            rgb = ImageEnhance.Brightness(rgb).enhance(_amount(arg))
        elif name == "contrast":
            rgb = ImageEnhance.Contrast(rgb).enhance(_amount(arg))
        elif name == "saturate":
            rgb = ImageEnhance.Color(rgb).enhance(_amount(arg))
        elif name == "grayscale":
            rgb = _mix(rgb, ImageOps.grayscale(rgb).convert("RGB"), _amount(arg))
        elif name == "invert":
            rgb = _mix(rgb, ImageOps.invert(rgb), _amount(arg))
        elif name == "sepia":
            matrix = (0.393, 0.769, 0.189, 0, 0.349, 0.686, 0.168, 0, 0.272, 0.534, 0.131, 0)
            rgb = _mix(rgb, rgb.convert("RGB", matrix), _amount(arg))
        elif name == "hue-rotate":
            rgb = _hue_rotate(rgb, _px(arg))
        elif name == "opacity":
            alpha = alpha.point(lambda a, k=max(0.0, min(1.0, _amount(arg))): int(a * k))
        elif name == "drop-shadow":
            continue  # a shadow outside the image box: left to the browser
        image = rgb.convert("RGBA")
        image.putalpha(alpha)
    return image


def _hue_rotate(rgb: Image.Image, degrees: float) -> Image.Image:
    hsv = rgb.convert("HSV")
    h, s, v = hsv.split()
    shift = int(round((degrees % 360) / 360 * 255))
    h = h.point(lambda x: (x + shift) % 256)
    return Image.merge("HSV", (h, s, v)).convert("RGB")


"""Characters no installed font can draw, for the PDF's layout (export/pdf.py).

Pango draws a character that no font has as a box, and how depends on what its font map has cached
from the slides laid out before: one box for a whole run, or one a character. A PDF's slides are laid
out in chunks by several processes (and some come from the cache), so the same slide came out one way
or the other from build to build. The font map's caches are cleared after each layout of a slide that
holds such a character, so that every layout starts from caches that only slides without one have
filled: its pages no longer depend on what the process laid out before, and they show one box a
character, as Chromium (and so Marp) does. Other slides are laid out as before.

Coverage is read from fontconfig, through the font configuration WeasyPrint lays out with. If that
fails (another fontconfig, no cffi), no slide is treated apart.
"""

from __future__ import annotations

import unicodedata

_NOT_DRAWN = {"Cc", "Cf", "Zs", "Zl", "Zp"}      # controls, joiners, spaces: no glyph of their own

_LIBRARY = None


def _fontconfig():
    """cffi and fontconfig's functions for a font's character set (WeasyPrint declares no such thing)."""
    global _LIBRARY
    if _LIBRARY is None:
        from cffi import FFI
        ffi = FFI()
        ffi.cdef("""
            typedef struct _FcPattern FcPattern;
            typedef struct _FcCharSet FcCharSet;
            typedef int FcBool;
            typedef unsigned int FcChar32;
            typedef enum { FcResultMatch, FcResultNoMatch, FcResultTypeMismatch, FcResultNoId,
                           FcResultOutOfMemory } FcResult;
            FcResult FcPatternGetCharSet (FcPattern *p, const char *object, int n, FcCharSet **c);
            FcBool FcCharSetHasChar (const FcCharSet *fcs, FcChar32 ucs4);
        """)
        lib = None
        for name in ("libfontconfig.so.1", "fontconfig", "libfontconfig.1.dylib", "libfontconfig-1.dll"):
            try:
                lib = ffi.dlopen(name)
                break
            except OSError:
                continue
        _LIBRARY = (ffi, lib)
    return _LIBRARY


class FontCoverage:
    """Which characters the fonts of one WeasyPrint FontConfiguration can draw, looked up as met."""

    def __init__(self, font_config) -> None:
        self.font_config = font_config
        self._charsets: list | None = None
        self._covered: dict[str, bool] = {}

    def lacks_any(self, text: str) -> bool:
        """Whether `text` holds a character (beyond ASCII) that no font has."""
        if text.isascii():
            return False
        for char in set(text):
            covered = self._covered.get(char)
            if covered is None:
                covered = self._covered[char] = self._covers(char)
            if not covered:
                return True
        return False

    def _covers(self, char: str) -> bool:
        if char <= "\x7f" or unicodedata.category(char) in _NOT_DRAWN:
            return True
        charsets = self._load()
        if not charsets:
            return True         # not known: treated as before
        ffi, lib = _fontconfig()
        code = ord(char)
        return any(lib.FcCharSetHasChar(charset, code) for charset in charsets)

    def _load(self) -> list:
        if self._charsets is None:
            try:
                self._charsets = self._read_charsets()
            except Exception:   # noqa: BLE001 - an unexpected fontconfig: no slide is treated apart
                self._charsets = []
        return self._charsets

    def _read_charsets(self) -> list:
        from weasyprint.text.ffi import ffi as weasy_ffi
        from weasyprint.text.ffi import fontconfig as weasy_fontconfig
        ffi, lib = _fontconfig()
        if lib is None:
            return []
        charsets = []
        config = self.font_config._config
        for set_name in (0, 1):         # FcSetSystem, FcSetApplication (the deck's @font-face fonts)
            fonts = weasy_fontconfig.FcConfigGetFonts(config, set_name)
            if fonts == weasy_ffi.NULL:
                continue
            for i in range(fonts.nfont):
                pattern = ffi.cast("FcPattern *", int(weasy_ffi.cast("uintptr_t", fonts.fonts[i])))
                charset = ffi.new("FcCharSet **")
                if lib.FcPatternGetCharSet(pattern, b"charset", 0, charset) == 0:     # FcResultMatch
                    charsets.append(charset[0])
        return charsets

    def reset_font_map(self) -> None:
        """Clear the font map's caches (fontsets, coverage), as after a change of configuration."""
        from weasyprint.text.ffi import ffi as weasy_ffi
        from weasyprint.text.ffi import pangoft2
        pangoft2.pango_fc_font_map_config_changed(weasy_ffi.cast("PangoFcFontMap *", self.font_config.font_map))

"""One font file where the chunks of a long deck's PDF each embedded their own subset of a font.

Each chunk of a deck (slidekit/export/pdf_chunks.py) is written by WeasyPrint with the fonts it uses, subset
to its own glyphs: joined as they are, a PDF of ten chunks carries ten copies of Lato. WeasyPrint subsets a
TrueType font keeping the glyphs it uses at their place in the font (HarfBuzz's "retain GIDs") and writes it
as a CID font whose CIDs are those glyph ids (`CIDToGIDMap /Identity`). So one font file can serve every
chunk: the glyph at a place is that place's glyph in any subset that has it. Each chunk keeps its own font
dictionaries (the widths `/W` it placed its text against, its `/ToUnicode`), which now point to the joined
file, so every page is drawn as before.

The glyphs past the last one a subset uses are the parts of its composite glyphs (an accented letter's
accent), which the subsetter numbers anew in each subset: they go after every subset's glyphs, once each,
and the composite glyphs refer to them there (`join_truetype`).

`join_fonts` finds the fonts that several chunks embed under one name (WeasyPrint names a font after a
digest of its description). A font it cannot join (CFF outlines, vertical metrics, an encoding of its own
for missing glyphs, two fonts of one name in a chunk, a glyph that differs between chunks) stays one copy a
chunk, as before. Everything here works on the bytes of the objects and of the fonts, so the result depends
on the chunks only.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass

_TYPE0 = re.compile(rb"^<</Type /Font/Subtype /Type0/BaseFont (/[^/\s<>\[\]()]+)/ToUnicode (\d+) 0 R"
                    rb"/Encoding /Identity-H/DescendantFonts \[(\d+) 0 R\]>>$")
_CID_FONT = re.compile(rb"^<</Type /Font/Subtype /CIDFontType2/BaseFont (/\S+?)/CIDSystemInfo .*?"
                       rb"/CIDToGIDMap /Identity(/W \[(?:\d+ \[[^\]]*\] ?)*\])/FontDescriptor (\d+) 0 R>>$", re.S)
_DESCRIPTOR = re.compile(rb"^<</Type /FontDescriptor/FontName (/\S+?)/.*/FontFile2 (\d+) 0 R>>$", re.S)
_W_RUN = re.compile(rb"(\d+) \[([^\]]*)\]")
_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})> <([0-9a-fA-F]*)>")
_STREAM = re.compile(rb"^<<(.*?)>>\nstream\n", re.S)
# The tables a joined font keeps: those the joining rebuilds, and those that say nothing about single glyphs.
_KEPT = {b"glyf", b"loca", b"hmtx", b"hhea", b"maxp", b"head", b"post", b"OS/2", b"name", b"cvt ", b"fpgm",
         b"prep", b"gasp"}
# Tables about single glyphs that drawing a CID font does not need: left out of a joined font rather than
# kept from one subset only (they would describe that subset's glyphs). A font with any other table
# (variations, colour or bitmap glyphs, vertical metrics, CFF outlines) is not joined.
_LEFT_OUT = {b"hdmx", b"LTSH", b"VDMX", b"kern", b"GDEF", b"GPOS", b"GSUB", b"cmap", b"MATH", b"BASE", b"JSTF",
             b"DSIG", b"PCLT", b"meta"}


@dataclass
class EmbeddedFont:
    """The objects of one font in one chunk (their numbers in the chunk)."""
    name: bytes
    type0: int
    cid_font: int
    descriptor: int
    file: int
    to_unicode: int


def embedded_fonts(bodies: list) -> dict[bytes, EmbeddedFont]:
    """The chunk's TrueType CID fonts that could be joined, by name."""
    found, twice = {}, set()
    for number, body in enumerate(bodies):
        if body is None or not body.startswith(b"<</Type /Font/Subtype /Type0"):
            continue
        match = _TYPE0.match(body)
        if not match:
            continue
        name, to_unicode, cid_number = match[1], int(match[2]), int(match[3])
        if name in found or name in twice:      # two fonts of one name share a file: not joined
            found.pop(name, None)
            twice.add(name)
            continue
        cid = _CID_FONT.match(bodies[cid_number] or b"")
        if not cid or cid[1] != name:
            continue
        descriptor_number = int(cid[3])
        descriptor = _DESCRIPTOR.match(bodies[descriptor_number] or b"")
        if not descriptor or descriptor[1] != name:
            continue
        found[name] = EmbeddedFont(name, number, cid_number, descriptor_number, int(descriptor[2]), to_unicode)
    return found


def join_fonts(chunks: list) -> tuple[list[dict[int, bytes]], dict[bytes, bytes]]:
    """The fonts embedded by several chunks that can be joined: for each chunk, its font files that are
    joined ({object number: font name}), and for each font the body of its joined file (a stream)."""
    fonts = [embedded_fonts(chunk.bodies) for chunk in chunks]
    names = []
    for found in fonts:
        names += [name for name in found if name not in names]
    joined = {}
    for name in names:
        parts = [(chunk, found[name]) for chunk, found in zip(chunks, fonts) if name in found]
        if len(parts) < 2:
            continue
        try:
            font_file = join_truetype([_stream_data(chunk.bodies[font.file]) for chunk, font in parts],
                                      [_glyph_set(chunk, font) for chunk, font in parts])
        except (ValueError, struct.error, zlib.error, IndexError):
            font_file = None
        if font_file is not None:       # else kept one copy a chunk
            joined[name] = _stream(font_file, b"/Length1 %d" % len(font_file))
    files = [{font.file: name for name, font in found.items() if name in joined} for found in fonts]
    return files, joined


def _glyph_set(chunk, font: EmbeddedFont) -> set[int]:
    """The glyphs the chunk draws with the font: those it gives widths and text to."""
    return {*_widths(_CID_FONT.match(chunk.bodies[font.cid_font])[2]), *_to_unicode(chunk.bodies[font.to_unicode])}


def _widths(array: bytes) -> list[int]:
    """The glyph ids a `/W` array gives widths to."""
    return [int(start) + offset for start, run in _W_RUN.findall(array[3:]) for offset in range(len(run.split()))]


def _stream_data(body: bytes) -> bytes:
    head = _STREAM.match(body)
    if head is None:
        raise ValueError("not a stream")
    data = body[head.end():body.rindex(b"\nendstream")]
    return zlib.decompress(data) if b"/FlateDecode" in head[1] else data


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(data)
    return b"<<%s/Filter /FlateDecode/Length %d>>\nstream\n%s\nendstream" % (extra, len(packed), packed)


def _to_unicode(body: bytes) -> list[int]:
    """The glyph ids a ToUnicode CMap gives text to."""
    cmap = _stream_data(body)
    if b"bfrange" in cmap:
        raise ValueError("a ToUnicode range")
    return [int(gid, 16) for gid, _ in _BFCHAR.findall(cmap)]


# TrueType -------------------------------------------------------------------------------------------------
def _tables(font: bytes) -> dict[bytes, bytes]:
    version, count = struct.unpack(">IH", font[:6])
    if version != 0x00010000:
        raise ValueError("not TrueType outlines")
    tables = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack(">4sIII", font[12 + 16 * i:28 + 16 * i])
        tables[tag] = font[offset:offset + length]
    return tables


def _glyphs(tables: dict[bytes, bytes]) -> list[bytes]:
    count = struct.unpack(">H", tables[b"maxp"][4:6])[0]
    long_offsets = struct.unpack(">h", tables[b"head"][50:52])[0] == 1
    loca = tables[b"loca"]
    if long_offsets:
        offsets = struct.unpack(">%dI" % (count + 1), loca[:4 * (count + 1)])
    else:
        offsets = [2 * o for o in struct.unpack(">%dH" % (count + 1), loca[:2 * (count + 1)])]
    glyf = tables[b"glyf"]
    return [glyf[offsets[i]:offsets[i + 1]] for i in range(count)]


def _metrics(tables: dict[bytes, bytes], count: int) -> list[tuple[int, int]]:
    long_count = struct.unpack(">H", tables[b"hhea"][34:36])[0]
    hmtx = tables[b"hmtx"]
    pairs = [struct.unpack(">Hh", hmtx[4 * i:4 * i + 4]) for i in range(long_count)]
    last = pairs[-1][0] if pairs else 0
    rest = count - long_count
    bearings = struct.unpack(">%dh" % rest, hmtx[4 * long_count:4 * long_count + 2 * rest]) if rest > 0 else ()
    return pairs + [(last, b) for b in bearings]


def join_truetype(fonts: list[bytes], glyph_sets: list[set[int]]) -> bytes | None:
    """One TrueType font holding every glyph of `fonts`, subsets of one font, where font i was subset to
    `glyph_sets[i]`: the glyphs up to the largest of those kept their ids, and the glyphs past it are parts
    of composite glyphs, numbered anew by the subsetter. Those parts are put after every font's kept glyphs,
    once each, and the composite glyphs refer to them there. None if the fonts cannot be joined (CFF
    outlines, variations, colour glyphs, a glyph that differs between them: see _KEPT)."""
    tables = [_tables(font) for font in fonts]
    for found in tables:
        if not {b"glyf", b"loca", b"hmtx", b"hhea", b"maxp", b"head"} <= set(found) or set(found) - _KEPT - _LEFT_OUT:
            return None
    glyphs = [_glyphs(found) for found in tables]
    metrics = [_metrics(found, len(g)) for found, g in zip(tables, glyphs)]
    used = [max(glyph_set, default=0) for glyph_set in glyph_sets]
    kept = max(used) + 1
    widest = max(range(len(fonts)), key=lambda i: used[i])
    joined_glyphs: list[bytes] = [b""] * kept
    # a glyph's advance and bearing from a font that uses it (a space has no outline, but these)
    joined_metrics = [next((metrics[i][g] for i in range(len(fonts)) if g in glyph_sets[i] and g < len(metrics[i])),
                           (0, 0)) for g in range(kept)]
    chosen: list[int | None] = [None] * kept
    # Each font's parts (glyphs past used[i]) get the id of an equal glyph already placed, or a new one.
    placed: dict[bytes, int] = {}
    parts: list[dict[int, int]] = []
    for index, font_glyphs in enumerate(glyphs):
        for gid in range(min(used[index] + 1, len(font_glyphs))):
            glyph = font_glyphs[gid]
            if glyph and not _is_composite(glyph):
                if chosen[gid] is None:
                    chosen[gid], joined_glyphs[gid], joined_metrics[gid] = index, glyph, metrics[index][gid]
                    placed.setdefault(glyph, gid)
                elif joined_glyphs[gid] != glyph:
                    return None
    for index, font_glyphs in enumerate(glyphs):
        mapping = {}
        for gid in range(used[index] + 1, len(font_glyphs)):
            glyph = font_glyphs[gid]
            if _is_composite(glyph):
                return None             # a part made of parts: not joined
            if glyph not in placed:
                placed[glyph] = len(joined_glyphs)
                joined_glyphs.append(glyph)
                joined_metrics.append(metrics[index][gid])
            mapping[gid] = placed[glyph]
        parts.append(mapping)
    for index, font_glyphs in enumerate(glyphs):
        for gid in range(min(used[index] + 1, len(font_glyphs))):
            glyph = font_glyphs[gid]
            if not glyph or not _is_composite(glyph):
                continue
            glyph = _refer_to(glyph, parts[index])
            if chosen[gid] is None:
                chosen[gid], joined_glyphs[gid], joined_metrics[gid] = index, glyph, metrics[index][gid]
            elif joined_glyphs[gid] != glyph:
                return None
    count = len(joined_glyphs)

    out = dict(tables[widest])
    for tag in _LEFT_OUT:
        out.pop(tag, None)
    padded = [glyph + b"\0" * (-len(glyph) % 4) for glyph in joined_glyphs]
    glyf, offsets = b"".join(padded), [0]
    for glyph in padded:
        offsets.append(offsets[-1] + len(glyph))
    short = offsets[-1] // 2 <= 0xFFFF
    out[b"glyf"] = glyf
    out[b"loca"] = struct.pack(">%dH" % len(offsets), *[o // 2 for o in offsets]) if short \
        else struct.pack(">%dI" % len(offsets), *offsets)
    out[b"hmtx"] = b"".join(struct.pack(">Hh", advance, bearing) for advance, bearing in joined_metrics)

    hhea = bytearray(tables[widest][b"hhea"])
    struct.pack_into(">H", hhea, 10, max((a for a, _ in joined_metrics), default=0))
    struct.pack_into(">H", hhea, 34, count)
    out[b"hhea"] = bytes(hhea)

    maxp = bytearray(tables[widest][b"maxp"])
    struct.pack_into(">H", maxp, 4, count)
    if len(maxp) >= 32:                 # version 1.0: each maximum over the subsets
        for offset in range(6, 32, 2):
            struct.pack_into(">H", maxp, offset, max(struct.unpack(">H", t[b"maxp"][offset:offset + 2])[0]
                                                     for t in tables))
    out[b"maxp"] = bytes(maxp)

    head = bytearray(tables[widest][b"head"])
    boxes = [struct.unpack(">4h", t[b"head"][36:44]) for t in tables]
    struct.pack_into(">4h", head, 36, min(b[0] for b in boxes), min(b[1] for b in boxes),
                     max(b[2] for b in boxes), max(b[3] for b in boxes))
    struct.pack_into(">h", head, 50, 0 if short else 1)
    struct.pack_into(">I", head, 8, 0)
    out[b"head"] = bytes(head)
    if b"post" in out:                  # version 3: no glyph names (they would be one subset's)
        out[b"post"] = struct.pack(">I", 0x00030000) + out[b"post"][4:32]
    return _sfnt(out)


def _is_composite(glyph: bytes) -> bool:
    return len(glyph) >= 2 and struct.unpack(">h", glyph[:2])[0] < 0


def _refer_to(glyph: bytes, mapping: dict[int, int]) -> bytes:
    """A composite glyph whose parts' ids are mapped through `mapping` (ids not in it stay)."""
    data = bytearray(glyph)
    at = 10
    while True:
        flags, part = struct.unpack(">HH", data[at:at + 4])
        struct.pack_into(">H", data, at + 2, mapping.get(part, part))
        at += 4 + (4 if flags & 0x0001 else 2)           # ARG_1_AND_2_ARE_WORDS
        if flags & 0x0008:                               # WE_HAVE_A_SCALE
            at += 2
        elif flags & 0x0040:                             # WE_HAVE_AN_X_AND_Y_SCALE
            at += 4
        elif flags & 0x0080:                             # WE_HAVE_A_TWO_BY_TWO
            at += 8
        if not flags & 0x0020:                           # MORE_COMPONENTS
            return bytes(data)


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(">%dI" % (len(data) // 4), data)) & 0xFFFFFFFF


def _sfnt(tables: dict[bytes, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, count * 16 - power * 16)
    offset = 12 + 16 * count
    records, data = b"", b""
    for tag in tags:
        table = tables[tag]
        records += struct.pack(">4sIII", tag, _checksum(table), offset + len(data), len(table))
        data += table + b"\0" * (-len(table) % 4)
    font = bytearray(header + records + data)
    head_offset = offset + sum(len(tables[t]) + (-len(tables[t]) % 4) for t in tags[:tags.index(b"head")])
    struct.pack_into(">I", font, head_offset + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)

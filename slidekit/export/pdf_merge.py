"""Joining PDFs that WeasyPrint wrote for consecutive runs of slides into one PDF.

A long deck is laid out in chunks of slides, in parallel processes (slidekit/export/pdf_chunks.py); a short
one is one chunk, written through here too, for what its pages draw alike to be stored once. Each
chunk's PDF is captured just before WeasyPrint writes it (`capture`, a `write_pdf` finisher): its objects,
already serialised, with the few objects that must be joined (pages, catalog, structure tree, outlines,
named destinations) described apart. `merge` renumbers the objects of every chunk into one PDF and joins:

- the page tree, in chunk order;
- the structure tree (tagged PDF): one Document element whose kids are every chunk's, and one parent tree
  whose keys (the pages' `StructParents`, the annotations' `StructParent`) are shifted chunk by chunk;
- the outlines (bookmarks): made again from every chunk's items and their heading levels, nested as
  WeasyPrint nests them, so that an `h2` at the start of a chunk stays under the `h1` of the chunk before;
- the named destinations, sorted again as a name tree must be.

A font that several chunks subset is embedded once, its subsets joined (slidekit/export/pdf_fonts.py); an
image drawn by several chunks is stored once (with its alpha mask, if it has one); what several pages of a
chunk draw with alike (a theme's gradient background: patterns, forms, shadings, their resources) is stored
once for the chunk. Object numbers are only ever rewritten in the dictionaries, never inside strings or
stream data. The result depends on the chunks only, not on how many processes made them, so a deck's PDF is
the same on any machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .pdf_fonts import join_fonts

# A literal string (pydyf escapes every parenthesis and backslash in it), a hex string, a structure key
# whose number is shifted, or an object reference.
_TOKEN = re.compile(rb"\((?:\\.|[^\\()])*\)|<[0-9A-Fa-f]*>|/(StructParents?) (\d+)|(?<![\d.])(\d+) 0 R(?![A-Za-z])",
                    re.S)


class Captured(Exception):
    """Raised by the finisher to stop WeasyPrint once the chunk is captured (nothing is written)."""

    def __init__(self, chunk: "ChunkPDF"):
        super().__init__("captured")
        self.chunk = chunk


@dataclass
class ChunkPDF:
    """One chunk's PDF objects: `bodies[n]` is object n serialised (None for the free object 0)."""
    bodies: list[bytes | None]
    streams: set[int]                    # objects that are streams (written outside object streams)
    pages: int                           # the page tree object
    catalog: int
    kids: list[int]                      # page objects, in order
    catalog_entries: dict[str, bytes]    # the catalog's other keys, serialised
    info: bytes | None
    struct_root: int | None = None
    struct_document: int | None = None
    parent_tree: int | None = None
    document_entries: dict[str, bytes] = field(default_factory=dict)   # the Document element's keys but K
    document_kids: list[bytes] = field(default_factory=list)
    parent_nums: list[tuple[int, bytes]] = field(default_factory=list)
    outline_root: int | None = None
    outline_numbers: list[int] = field(default_factory=list)           # the outline items' objects
    # the outline items in order: (heading level, title and destination serialised, closed)
    outline_items: list[tuple[int, bytes, bytes, bool]] = field(default_factory=list)
    dests: list[tuple[bytes, bytes]] = field(default_factory=list)     # (name as serialised, destination)
    names_other: dict[str, bytes] = field(default_factory=dict)        # the Names keys but Dests
    # _same_drawings and _image_keys of the chunk, set where it is captured (in the layout processes, in
    # parallel, rather than by the join while they wait)
    same_drawings: dict[int, int] = field(default_factory=dict)
    image_keys: dict[int, bytes] = field(default_factory=dict)


def _number(reference) -> int | None:
    match = re.fullmatch(rb"(\d+) 0 R", reference) if isinstance(reference, bytes) else None
    return int(match.group(1)) if match else None


def capture(document, pdf) -> None:
    """A `write_pdf` finisher: serialise the chunk's objects and raise `Captured` with them."""
    from pydyf import _to_bytes

    catalog = pdf.catalog
    chunk = ChunkPDF(bodies=[None] * len(pdf.objects), streams=set(), pages=pdf.pages.number,
                     catalog=catalog.number, kids=[int(n) for n in pdf.pages["Kids"][::3]],
                     catalog_entries={}, info=pdf.info.data if pdf.info else None)
    for key, value in catalog.items():
        if key in ("Type", "Pages", "StructTreeRoot", "Outlines"):
            continue
        if key == "Names":
            for name, entry in value.items():
                if name == "Dests":
                    array = list(entry["Names"])
                    chunk.dests = [(_to_bytes(array[i]), _to_bytes(array[i + 1])) for i in range(0, len(array), 2)]
                else:
                    chunk.names_other[name] = _to_bytes(entry)
            continue
        chunk.catalog_entries[key] = _to_bytes(value)
    objects = pdf.objects
    root_number = _number(catalog.get("StructTreeRoot"))
    if root_number is not None:
        root = objects[root_number]
        chunk.struct_root = root_number
        chunk.parent_tree = _number(root["ParentTree"])
        kids = list(root["K"])
        if len(kids) == 1 and _number(kids[0]) is not None:
            document_element = objects[_number(kids[0])]
            chunk.struct_document = document_element.number
            chunk.document_entries = {k: _to_bytes(v) for k, v in document_element.items() if k != "K"}
            chunk.document_kids = [_to_bytes(k) for k in document_element["K"]]
        nums = list(objects[chunk.parent_tree]["Nums"])
        chunk.parent_nums = [(int(nums[i]), _to_bytes(nums[i + 1])) for i in range(0, len(nums), 2)]
    outline_number = _number(catalog.get("Outlines"))
    if outline_number is not None:
        chunk.outline_root = outline_number
        _capture_outline(chunk, objects, _number(objects[outline_number].get("First")),
                         [level for page in document.pages for level, *_ in page.bookmarks])
    skipped = {0, chunk.pages, chunk.catalog}
    for obj in objects:
        if obj.number in skipped or obj.free == "f":
            continue
        chunk.bodies[obj.number] = obj.data
        if not obj.compressible:
            chunk.streams.add(obj.number)
    chunk.same_drawings, chunk.image_keys = _same_drawings(chunk), _image_keys(chunk)
    raise Captured(chunk)


def _capture_outline(chunk: ChunkPDF, objects, first: int | None, levels: list[int]) -> None:
    """The chunk's outline items in order, with the levels of the headings they come from (the pages'
    bookmarks, in the same order); their own depth if the two lists do not match."""
    from pydyf import _to_bytes

    found: list[tuple[int, int]] = []                   # (number, depth)
    todo = [(first, 1)]
    while todo:
        number, depth = todo.pop()
        if number is None:
            continue
        item = objects[number]
        found.append((number, depth))
        todo.append((_number(item.get("Next")), depth))
        todo.append((_number(item.get("First")), depth + 1))
    if len(levels) != len(found):
        levels = [depth for _, depth in found]
    for (number, _), level in zip(found, levels):
        item = objects[number]
        chunk.outline_numbers.append(number)
        chunk.outline_items.append((level, _to_bytes(item["Title"]), _to_bytes(item["Dest"]),
                                    int(item.get("Count", 0)) < 0))


def _outline_objects(items: list[tuple[int, bytes, bytes, bool]], first_number: int) -> list[bytes]:
    """The bodies of an outline root (object `first_number`) and its items (the next numbers, in order):
    each item nested under the nearest item before it of a lower level, as WeasyPrint nests bookmarks."""
    root = first_number
    parents, children = [], {root: []}
    stack: list[tuple[int, int]] = []                   # (level, number) of the open items
    for offset, (level, *_rest) in enumerate(items):
        number = first_number + 1 + offset
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1] if stack else root
        parents.append(parent)
        children[parent].append(number)
        children[number] = []
        stack.append((level, number))
    closed = {first_number + 1 + i for i, item in enumerate(items) if item[3]}

    counts: dict[int, int] = {}
    for number in reversed(range(first_number, first_number + 1 + len(items))):
        # the items shown below an open item (a closed one counts them negatively and shows none)
        counts[number] = sum(1 + (counts[kid] if kid not in closed else 0) for kid in children[number])

    def links(number: int, siblings: list[int]) -> bytes:
        at = siblings.index(number)
        out = b""
        if at:
            out += b"/Prev %d 0 R" % siblings[at - 1]
        if at + 1 < len(siblings):
            out += b"/Next %d 0 R" % siblings[at + 1]
        kids = children[number]
        if kids:
            out += b"/First %d 0 R/Last %d 0 R" % (kids[0], kids[-1])
        return out

    bodies = [b"<</Count %d%s>>" % (counts[root], b"/First %d 0 R/Last %d 0 R" % (
        children[root][0], children[root][-1]) if children[root] else b"")]
    for offset, (_, title, destination, _) in enumerate(items):
        number = first_number + 1 + offset
        count = -counts[number] if number in closed else counts[number]
        bodies.append(b"<</Title %s/Dest %s/Count %d/Parent %d 0 R%s>>" % (
            title, destination, count, parents[offset], links(number, children[parents[offset]])))
    return bodies


def _renumber(body: bytes, mapping: list[int], shift: int, stream: bool = False) -> bytes:
    """`body` with every reference n mapped to mapping[n] and StructParent(s) keys shifted by `shift`.
    Strings are copied as they are; so is a stream's data (only its dictionary is rewritten)."""
    def replace(match: re.Match) -> bytes:
        found = match.lastindex                 # 3: a reference; 2: a structure key; None: a string
        if found == 3:
            return b"%d 0 R" % mapping[int(match[3])]
        if found is None:
            return match[0]
        return b"/%s %d" % (match[1], int(match[2]) + shift)

    if stream:
        end = _dictionary_end(body)
        return _TOKEN.sub(replace, body[:end]) + body[end:]
    return _TOKEN.sub(replace, body)


_DICTIONARY_PARTS = re.compile(rb"\((?:\\.|[^\\()])*\)|<[0-9A-Fa-f]*>|<<|>>", re.S)


def _dictionary_end(body: bytes) -> int:
    """The index just past the dictionary `body` starts with (a stream's data follows it)."""
    depth = 0
    for match in _DICTIONARY_PARTS.finditer(body):
        token = match.group(0)
        if token == b"<<":
            depth += 1
        elif token == b">>":
            depth -= 1
            if depth == 0:
                return match.end()
    return len(body)


def _is_image(head: bytes) -> bool:
    return b"/Subtype /Image" in head.replace(b"/Subtype/Image", b"/Subtype /Image")


_REFERENCE = re.compile(rb"(?<![\d.])(\d+) 0 R(?![A-Za-z])")


def _image_keys(chunk: "ChunkPDF") -> dict[int, bytes]:
    """A key for each image of the chunk that is the same image as in another chunk when the keys are equal:
    a plain image's bytes; an image whose dictionary refers only to plain images (a PNG with transparency:
    its alpha mask) its bytes with each reference replaced by the referred image's digest."""
    import hashlib
    keys: dict[int, bytes] = {}
    masked: list[int] = []
    for number in chunk.streams:
        body = chunk.bodies[number]
        if body is None:
            continue
        head = body[:_dictionary_end(body)]
        if not _is_image(head):
            continue
        if b" 0 R" not in head:
            keys[number] = body
        else:
            masked.append(number)
    for number in masked:
        body = chunk.bodies[number]
        end = _dictionary_end(body)
        head = body[:end]
        referred = [int(n) for n in _REFERENCE.findall(head)]
        if not referred or len(referred) != head.count(b" 0 R") or any(n not in keys for n in referred):
            continue
        digests = {n: hashlib.sha256(keys[n]).hexdigest().encode() for n in referred}
        keys[number] = _REFERENCE.sub(lambda m: b"<" + digests[int(m[1])] + b">", head) + body[end:]
    return keys


# What a page draws with and nothing refers back to: WeasyPrint writes these afresh for every page that
# draws the same thing (a theme's gradient background is a pattern, two forms, their resources, a shading
# and a soft mask, on every page).
_DRAWING = re.compile(rb"\A<</(?:Type /Pattern|Type /XObject/Subtype /Form|ShadingType|FunctionType|Type /ExtGState"
                      rb"|ExtGState <<)")


def _same_drawings(chunk: "ChunkPDF") -> dict[int, int]:
    """number -> the first number of the chunk with the same drawing object: the same dictionary and stream,
    and references to the same objects (or to the same drawing objects). An object whose stream has marked
    content of the structure tree (an MCID) stays apart: its content belongs to one page."""
    import hashlib
    import zlib
    keys: dict[int, bytes | None] = {}

    def key(number: int) -> bytes | None:
        if number in keys:
            return keys[number]
        keys[number] = None                     # (a cycle: not a drawing object)
        body = chunk.bodies[number] if number < len(chunk.bodies) else None
        if body is None or not _DRAWING.match(body):
            return None
        stream = number in chunk.streams
        end = _dictionary_end(body) if stream else len(body)
        head, data = body[:end], body[end:]
        if b"/MCID" in head or b"/StructParent" in head:
            return None
        if stream and b"/Subtype /Form" in head:
            try:
                content = zlib.decompressobj().decompress(data[data.index(b"stream") + 6:].lstrip(b"\r\n")) \
                    if b"/FlateDecode" in head else data
            except (ValueError, zlib.error):
                return None
            if b"/MCID" in content:
                return None

        def referred(match: re.Match) -> bytes:
            found = key(int(match[1]))
            return b"<" + found + b">" if found is not None else match[0]
        keys[number] = hashlib.sha256(_REFERENCE.sub(referred, head) + data).hexdigest().encode()
        return keys[number]

    first: dict[bytes, int] = {}
    same: dict[int, int] = {}
    for number, body in enumerate(chunk.bodies):
        if body is not None and _DRAWING.match(body):
            found = key(number)
            if found is not None:
                same[number] = first.setdefault(found, number)
    return {number: kept for number, kept in same.items() if kept != number}


def _dictionary(entries: dict[str, bytes]) -> bytes:
    return b"<<" + b"".join(b"/" + key.encode("ascii") + b" " + value for key, value in entries.items()) + b">>"


def merge(chunks: list[ChunkPDF], version: bytes = b"1.7") -> bytes:
    """One PDF of the chunks' pages, in order (see the module's docstring)."""
    import io

    import pydyf

    class Raw(pydyf.Object):
        def __init__(self, body: bytes, compressible: bool = True):
            super().__init__()
            self.body, self.can_compress = body, compressible

        @property
        def data(self):
            return self.body

        @property
        def compressible(self):
            return self.can_compress

    first = chunks[0]
    pdf = pydyf.PDF()
    pages_number, catalog_number = pdf.pages.number, pdf.catalog.number
    pdf.objects = pdf.objects[:1]           # the free object 0; pages and catalog are added back, rewritten
    placeholders = {"pages": Raw(b""), "catalog": Raw(b"")}
    for name in ("pages", "catalog"):
        pdf.add_object(placeholders[name])
    assert (placeholders["pages"].number, placeholders["catalog"].number) == (pages_number, catalog_number)

    # New numbers: every chunk's objects in order, with the joined objects mapped onto the first chunk's.
    mappings: list[list[int]] = []
    kept: list[list[int]] = []
    outlined = [set(chunk.outline_numbers) for chunk in chunks]
    next_number = len(pdf.objects)
    images: dict[bytes, int] = {}           # an image's key (_image_keys) -> its new number
    font_files, joined_fonts = join_fonts(chunks)
    fonts: dict[bytes, int] = {}            # a joined font's name -> the new number of its file
    replaced: dict[tuple[int, int], bytes] = {}   # (chunk, number) -> the body written instead (a joined file)
    for index, chunk in enumerate(chunks):
        mapping = [0] * len(chunk.bodies)
        mapping[chunk.pages], mapping[chunk.catalog] = pages_number, catalog_number
        numbers = []
        image_keys, same = chunk.image_keys, chunk.same_drawings
        for number, body in enumerate(chunk.bodies):
            if body is None:
                continue
            if number in same:                # drawn on another page of the chunk too: stored once
                mapping[number] = mapping[same[number]]
                continue
            font = font_files[index].get(number)
            if font is not None:
                if font in fonts:             # the font file of an earlier chunk, joined with this one's
                    mapping[number] = fonts[font]
                    continue
                fonts[font] = next_number
                replaced[(index, number)] = joined_fonts[font]
            key = image_keys.get(number)
            if key is not None:
                if key in images:             # drawn in an earlier chunk too: stored once
                    mapping[number] = images[key]
                    continue
                images[key] = next_number
            if index and number == chunk.struct_root and first.struct_root is not None:
                continue
            if index and number == chunk.parent_tree and first.parent_tree is not None:
                continue
            if index and number == chunk.struct_document and first.struct_document is not None:
                continue
            if number == chunk.outline_root or number in outlined[index]:
                continue                      # the outlines are made again, after every chunk's objects
            mapping[number] = next_number
            next_number += 1
            numbers.append(number)
        mappings.append(mapping)
        kept.append(numbers)
    # Joined objects of later chunks point to the first chunk's (the first that has them).
    roots = {"struct_root": None, "parent_tree": None, "struct_document": None}
    for index, chunk in enumerate(chunks):
        for name in roots:
            number = getattr(chunk, name)
            if number is None:
                continue
            if roots[name] is None:
                roots[name] = mappings[index][number]
            else:
                mappings[index][number] = roots[name]

    # Struct parent keys: each chunk's shifted past the previous chunks' keys.
    shifts, shift = [], 0
    for chunk in chunks:
        shifts.append(shift)
        if chunk.parent_nums:
            shift += max(key for key, _ in chunk.parent_nums) + 1

    skip_rewrite = {roots["struct_document"], roots["parent_tree"]}
    for index, chunk in enumerate(chunks):
        mapping = mappings[index]
        for number in kept[index]:
            new_number = mapping[number]
            if new_number in skip_rewrite:
                body = b""                    # rewritten below, from every chunk
            else:
                body = _renumber(replaced.get((index, number), chunk.bodies[number]), mapping, shifts[index],
                                 number in chunk.streams)
            pdf.add_object(Raw(body, number not in chunk.streams))
            assert pdf.objects[-1].number == new_number

    def rewrite(number: int | None, body: bytes) -> None:
        if number is not None:
            pdf.objects[number].body = body

    if roots["struct_document"] is not None:
        source = next(c for c in chunks if c.struct_document is not None)
        index = chunks.index(source)
        entries = {k: _renumber(v, mappings[index], 0) for k, v in source.document_entries.items()}
        kids = [_renumber(kid, mappings[i], shifts[i]) for i, c in enumerate(chunks) for kid in c.document_kids]
        entries["K"] = b"[" + b" ".join(kids) + b"]"
        rewrite(roots["struct_document"], _dictionary(entries))
    if roots["parent_tree"] is not None:
        nums = [b"%d %s" % (key + shifts[i], _renumber(value, mappings[i], shifts[i]))
                for i, c in enumerate(chunks) for key, value in c.parent_nums]
        rewrite(roots["parent_tree"], b"<</Nums [" + b" ".join(nums) + b"]>>")
    items = [(level, title, _renumber(destination, mappings[i], 0), closed)
             for i, c in enumerate(chunks) for level, title, destination, closed in c.outline_items]
    outline_root = None
    if items:
        outline_root = len(pdf.objects)
        for body in _outline_objects(items, outline_root):
            pdf.add_object(Raw(body))

    kids = [mappings[i][n] for i, c in enumerate(chunks) for n in c.kids]
    placeholders["pages"].body = b"<</Type /Pages/Kids [%s]/Count %d>>" % (
        b" ".join(b"%d 0 R" % n for n in kids), len(kids))
    catalog = {"Type": b"/Catalog", "Pages": b"%d 0 R" % pages_number}
    for key, value in first.catalog_entries.items():
        catalog[key] = _renumber(value, mappings[0], 0)
    names = {k: _renumber(v, mappings[0], 0) for k, v in first.names_other.items()}
    dests: dict[bytes, bytes] = {}
    for i, chunk in enumerate(chunks):
        for name, destination in chunk.dests:
            dests.setdefault(name, _renumber(destination, mappings[i], 0))
    if dests:
        names["Dests"] = b"<</Names [" + b" ".join(n + b" " + d for n, d in sorted(
            dests.items(), key=lambda item: _name_key(item[0]))) + b"]>>"
    if names:
        catalog["Names"] = _dictionary(names)
    if outline_root is not None:
        catalog["Outlines"] = b"%d 0 R" % outline_root
    if roots["struct_root"] is not None:
        catalog["StructTreeRoot"] = b"%d 0 R" % roots["struct_root"]
    placeholders["catalog"].body = _dictionary(catalog)
    pdf.catalog = placeholders["catalog"]
    pdf.info = Raw(first.info) if first.info else pydyf.Dictionary()

    from .patches import install
    install()       # (pydyf's streams deflated as in a chunk written whole)
    output = io.BytesIO()
    pdf.write(output, version, False, True)
    return output.getvalue()


def _name_key(serialised: bytes) -> bytes:
    """A name tree is sorted by the names' bytes: a literal string's unescaped, a hex string's decoded."""
    if serialised.startswith(b"<"):
        try:
            return bytes.fromhex(serialised[1:-1].decode("ascii"))
        except ValueError:
            return serialised
    return re.sub(rb"\\(.)", rb"\1", serialised[1:-1])

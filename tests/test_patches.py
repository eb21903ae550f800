"""slidekit/export/patches.py: every library patch in one place, each library's only where its installed
version is one the patches were written for; another version gets a note, never a failed build."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from slidekit.export import patches

SLIDEKIT = Path(__file__).resolve().parents[1] / "slidekit"


def test_the_installed_libraries_are_the_versions_assumed():
    # (CI installs what pyproject.toml pins: a failure here means ASSUMED or the pins need a look)
    for library in patches.ASSUMED:
        assert patches.version_ok(library), library


def test_another_version_is_left_unpatched_with_a_note_and_the_pdf_is_still_made(tmp_path):
    code = (
        "import pydyf, weasyprint\n"
        "pydyf.__version__ = '0.99.0'\n"
        "original = pydyf.PDF.page_references\n"
        "from slidekit.api import BuildOptions, build_text\n"
        "result = build_text('# Hi\\n', BuildOptions(format='pdf', jobs=1, pdf_cache=False))\n"
        "assert result.ok and result.output.startswith(b'%PDF')\n"
        "assert pydyf.PDF.page_references is original\n"
        "notes = [d.message for d in result.diagnostics if d.code == 'library-version']\n"
        "assert len(notes) == 1 and 'pydyf 0.99.0' in notes[0], notes\n"
        "from weasyprint import layout\n"
        "assert layout.make_margin_boxes.__module__ == 'slidekit.export.patches'\n"
        "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env={"SLIDEKIT_CACHE": "off", "PATH": "/usr/bin:/bin",
                               "PYTHONPATH": str(SLIDEKIT.parent)})
    assert done.stdout.strip() == "ok", done.stderr


def test_no_other_module_assigns_to_a_librarys_attributes():
    # a patch elsewhere would escape the version check: `weasyprint.x.y = ...`, `pydyf.PDF.z = ...`
    libraries = {"weasyprint", "pydyf", "cffi", "fontTools", "pypdf", "ctypes", "re", "dataclasses",
                 "inspect", "gc", "sys"}
    found = []
    for path in SLIDEKIT.rglob("*.py"):
        if path.name == "patches.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    imported[alias.asname or alias.name.split(".")[0]] = alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                root = target
                while isinstance(root, (ast.Attribute, ast.Subscript)):
                    root = root.value
                if root is not target and isinstance(root, ast.Name) and \
                        imported.get(root.id, "").split(".")[0] in libraries:
                    found.append(f"{path.relative_to(SLIDEKIT)}:{node.lineno}")
    assert found == []



def test_a_selector_given_as_text_is_compiled_once(monkeypatch):
    """WeasyPrint queries every slide's document for `style`, `link`, `title`...: compiled once a process."""
    from xml.etree import ElementTree

    import cssselect2.tree
    from cssselect2 import ElementWrapper

    from slidekit.export.weasy import load
    load()
    patches.install()
    calls = []
    original = cssselect2.tree.compile_selector_list
    monkeypatch.setattr(cssselect2.tree, "compile_selector_list",
                        lambda *args, **kwargs: calls.append(args) or original(*args, **kwargs))
    for title in ("a", "b"):
        root = ElementWrapper.from_html_root(ElementTree.fromstring(f"<html><head><title>{title}</title></head></html>"))
        assert [e.etree_element.text for e in root.query_all("title", "sk-once-only")] == [title]
    assert len(calls) <= 2          # the first query's two selectors; none for the second document


@pytest.mark.parametrize("direction", ["row", "column"])
def test_a_flex_items_minimum_is_its_content_at_the_size_it_is_given(tmp_path, direction):
    """A paragraph holding an image with `max-width: 100%`, in a 1124x564 flex box: its automatic minimum
    height is the image at its used width (632px and a line's strut), not its natural 1080px, along the main
    axis of a column and along the cross axis of a row alike (where `auto` is 0)."""
    from PIL import Image

    from slidekit.export.weasy import load
    weasyprint = load()
    patches.install()
    Image.new("RGB", (1920, 1080), (30, 60, 90)).save(tmp_path / "shot.png")
    html = ("<style>@page { size: 1280px 720px; margin: 0 } body { margin: 0 } section { display: flex; "
            f"flex-direction: {direction}; width: 1280px; height: 720px; padding: 78px; box-sizing: border-box; "
            "align-items: center; justify-content: center } p { margin: 0 } "
            "img { max-width: 100%; max-height: 100% }</style><section><p><img src='shot.png'></p></section>")
    page = weasyprint.HTML(string=html, base_url=str(tmp_path) + "/").render().pages[0]

    def find(box, tag):
        if getattr(box, "element_tag", None) == tag:
            return box
        for child in getattr(box, "children", ()):
            found = find(child, tag)
            if found is not None:
                return found
    paragraph = find(page._page_box, "p")
    assert paragraph.width == pytest.approx(1124) and paragraph.height < 650
    assert paragraph.position_y == pytest.approx(78 + (564 - paragraph.height) / 2)     # centred, overflowing


PPTX_SCRIPT = """
import io, sys, zipfile
from pptx import Presentation
from pptx.util import Inches
if sys.argv[1] == "patched":
    from slidekit.export.patches import install_pptx
    assert install_pptx()
presentation = Presentation()
for number in range(1, 7):
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1))
    for text in ("a link", "the same link"):
        run = box.text_frame.paragraphs[0].add_run()
        run.text, run.hyperlink.address = text, "https://example.com/" + str(number % 2)
    slide.shapes.add_picture(sys.argv[2], Inches(5), Inches(1))        # the same image on every slide
    if number % 3:
        slide.notes_slide.notes_text_frame.text = "notes " + str(number)
out = io.BytesIO()
presentation.save(out)
archive = zipfile.ZipFile(out)
for info in archive.infolist():     # every part's name, and every XML part (ids, names, rIds)
    print(info.filename, archive.read(info).decode("utf-8") if info.filename.endswith((".rels", ".xml")) else "")
"""


def test_python_pptx_names_ids_and_relationships_are_its_own_with_the_patches(tmp_path):
    """The python-pptx patches (slide ids, relationship lookups, part names kept) give the parts, ids and
    rIds python-pptx gives without them: slides with notes and without, a link used twice, an image on
    every slide."""
    from image_helpers import solid_png
    (tmp_path / "dot.png").write_bytes(solid_png((200, 30, 30)))
    runs = [subprocess.run([sys.executable, "-c", PPTX_SCRIPT, mode, str(tmp_path / "dot.png")],
                           capture_output=True, text=True, check=True).stdout for mode in ("plain", "patched")]
    assert runs[0] == runs[1]
    assert "ppt/notesSlides/notesSlide4.xml" in runs[1] and "notesSlide5" not in runs[1]
    assert runs[1].count("ppt/media/image") == 1

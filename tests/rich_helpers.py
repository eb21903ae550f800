"""Helpers shared by the rich-content tests (tests/test_rich_*.py): build an example deck, read a PDF."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from slidekit.api import BuildOptions, build_file, build_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def build_example(name: str, fmt: str, **options):
    result = build_file(EXAMPLES / name / "slides.md", BuildOptions(format=fmt, offline=True, **options))
    assert result.output is not None, [str(d) for d in result.diagnostics]
    return result


def build_md(text: str, fmt: str = "html", **options):
    return build_text(text, BuildOptions(format=fmt, offline=True, **options), folder=ROOT)


def pdf_pages_text(pdf: bytes) -> list[str]:
    import pypdf
    return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def pdf_page_png(pdf: bytes, page: int, dpi: int = 96):
    """One page as a PIL image, through poppler's pdftoppm (None when it is not installed)."""
    from PIL import Image
    if shutil.which("pdftoppm") is None:
        return None
    import tempfile
    with tempfile.TemporaryDirectory() as tmpdir:
        src = Path(tmpdir) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-singlefile", "-r", str(dpi), "-f", str(page), "-l", str(page),
                        str(src), str(Path(tmpdir) / "page")], capture_output=True, check=True)
        image = Image.open(Path(tmpdir) / "page.png")
        image.load()
        return image

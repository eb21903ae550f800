"""QR codes drawn locally (slidekit/markdown/qr.py): the `qr` image keyword and QR services' URLs."""

import base64
import re

import pytest

from rich_helpers import build_example, build_md, pdf_page_png, pdf_pages_text
from slidekit.markdown.images import ImageSpec
from slidekit.markdown.qr import qr_matrix, service_request

SEED_URL = "https://quickchart.io/qr?format=png&ecLevel=Q&size=400&margin=1&text=https://mlops.swiss-ai-center.ch"


@pytest.mark.parametrize("url, text, ec, border, size", [
    (SEED_URL, "https://mlops.swiss-ai-center.ch", "Q", 1, 400),
    ("https://quickchart.io/qr?text=hello%20world", "hello world", "M", 4, 150),
    ("https://api.qrserver.com/v1/create-qr-code/?size=150x150&data=abc&ecc=H", "abc", "H", 1, 150),
    ("https://chart.googleapis.com/chart?cht=qr&chs=200x200&chl=xyz&chld=Q|2", "xyz", "Q", 2, 200),
])
def test_services_are_recognised(url, text, ec, border, size):
    req = service_request(url)
    assert (req.text, req.ec, req.border, req.size) == (text, ec, border, size)


@pytest.mark.parametrize("url", [
    "https://quickchart.io/chart?c={type:'bar'}", "https://example.com/qr?text=x",
    "https://chart.googleapis.com/chart?cht=p3&chl=x", "./qr.png", "https://quickchart.io/qr",
])
def test_other_urls_are_left_alone(url):
    assert service_request(url) is None


def svg_matrix(svg: str) -> list[list[bool]]:
    """Read the module matrix back from the SVG we drew (viewBox size, then the dark runs)."""
    n = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    grid = [[False] * n for _ in range(n)]
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        for i in range(int(w)):
            grid[int(y)][int(x) + i] = True
    return grid


def data_uris(html: str) -> list[str]:
    return [base64.b64decode(b).decode() for b in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)]


def test_html_holds_the_codes_drawn_locally():
    html = build_example("qr", "html").output
    assert "quickchart.io" not in html and "qrserver.com" not in html and "googleapis" not in html
    matrices = [svg_matrix(svg) for svg in data_uris(html)]
    assert qr_matrix("https://example.com", "M", 4) in matrices
    assert qr_matrix("https://mlops.swiss-ai-center.ch", "Q", 1) in matrices
    assert qr_matrix("https://github.com/swiss-ai-center", "M", 4) in matrices
    # a `qr` background is contained, never cropped
    assert re.search(r"background-image:url\(&quot;data:image/svg\+xml;base64,[^)]*\);background-size:contain",
                     html)


def test_pdf_codes_decode_back_to_their_text():
    zxingcpp = pytest.importorskip("zxingcpp")
    pdf = build_example("qr", "pdf").output
    assert "Access the guide" in pdf_pages_text(pdf)[1]
    found = []
    for page in (1, 2, 3):
        image = pdf_page_png(pdf, page, dpi=96)
        if image is None:
            pytest.skip("pdftoppm is not installed")
        found.append(sorted(r.text for r in zxingcpp.read_barcodes(image)))
    assert found == [["https://example.com"], ["https://mlops.swiss-ai-center.ch"],
                     ["hello world", "https://github.com/swiss-ai-center", "slidekit"]]


def test_qr_keyword_inline_image():
    html = build_md("![qr w:200px](https://example.org/a?b=1)").output
    img = re.search(r'<img src="(data:image/svg\+xml;base64,[^"]+)" alt="QR code: https://example.org/a\?b=1" style="width:200px" />', html)
    assert img, html
    svg = base64.b64decode(img.group(1).split(",", 1)[1]).decode()
    assert svg_matrix(svg) == qr_matrix("https://example.org/a?b=1")


def test_too_long_for_a_qr_code_falls_back_to_the_url():
    from slidekit.markdown.qr import qr_source
    assert qr_source("https://x.invalid/" + "a" * 8000, ImageSpec(qr=True)) is None

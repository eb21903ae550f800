"""A background image repeated on several slides is embedded once in the HTML (slidekit/render/html.py
`share_repeated_images`); the PDF is not concerned (it reads the files)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from slidekit.api import BuildOptions, build_file


def _png(path: Path, seed: int) -> None:
    """A noisy PNG: large enough (over 1 KB once encoded) to be worth sharing."""
    from PIL import Image
    Image.effect_noise((64, 64), 40 + seed).convert("RGB").save(path)


DECK = """---
marp: true
---

![bg](same.png)

# One

---

![bg left](same.png)

# Two

---

![bg](other.png)

# Three

---

![bg](same.png)
![](same.png)

# Four
"""


def _build(tmp_path: Path) -> str:
    _png(tmp_path / "same.png", 1)
    _png(tmp_path / "other.png", 2)
    (tmp_path / "deck.md").write_text(DECK, encoding="utf-8")
    result = build_file(tmp_path / "deck.md", BuildOptions(format="html"))
    assert result.ok, result.diagnostics
    return result.output


def test_a_repeated_background_is_embedded_once(tmp_path):
    html = _build(tmp_path)
    same = base64.b64encode((tmp_path / "same.png").read_bytes()).decode()
    other = base64.b64encode((tmp_path / "other.png").read_bytes()).decode()
    assert len(same) > 1024
    # once for the three backgrounds, once for the inline <img> (an <img> keeps its own src)
    assert html.count(same) == 2
    assert html.count("background-image:var(--sk-bg-1)") == 3
    assert re.search(r':root \{\s*--sk-bg-1: url\("data:image/png;base64,' + re.escape(same[:40]), html)
    assert html.count(other) == 1                      # used once: left where it is
    assert "--sk-bg-2" not in html


def test_the_pdf_is_not_concerned(tmp_path):
    import io

    from pypdf import PdfReader

    _build(tmp_path)
    result = build_file(tmp_path / "deck.md", BuildOptions(format="pdf"))
    assert result.ok and result.output.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(result.output)).pages
    assert len(pages) == 4
    assert all(b" Do" in page.get_contents().get_data() for page in pages)   # every slide draws its picture


def test_share_repeated_images_scans_as_the_url_rule_says():
    from slidekit.render.html import share_repeated_images
    big = "data:image/png;base64," + "QUJD" * 300                  # 1,200 base64 characters
    other = "data:image/png;base64," + "REVG" * 300
    short = "data:image/png;base64,QUJD"                           # under 1,024: never shared
    broken = "data:image/png;base64," + "QUJD" * 300 + "%"         # not base64: never shared
    fig = 'figure style="background-image:url(&quot;{}&quot;)"'.format
    sections = [fig(big) + fig(short) + fig(broken), fig(short) + fig(big) + fig(broken), fig(other) + fig(big)]
    shared, css = share_repeated_images(sections)
    assert css == f'\n:root {{\n  --sk-bg-1: url("{big}");\n}}\n'
    assert shared == [fig(big).replace(f"url(&quot;{big}&quot;)", "var(--sk-bg-1)") + fig(short) + fig(broken),
                      fig(short) + "figure style=\"background-image:var(--sk-bg-1)\"" + fig(broken),
                      fig(other) + "figure style=\"background-image:var(--sk-bg-1)\""]
    assert share_repeated_images(sections[:1]) == (sections[:1], "")


def _two_ways(tmp_path: Path, monkeypatch, deck: str) -> tuple[str, str, list]:
    """The HTML with the backgrounds shared from the slides (shared_backgrounds) and by scanning the sections."""
    from slidekit.render import html as html_render
    _png(tmp_path / "same.png", 1)
    _png(tmp_path / "other.png", 2)
    (tmp_path / "deck.md").write_text(deck, encoding="utf-8")
    calls = []
    real = html_render.shared_backgrounds
    monkeypatch.setattr(html_render, "shared_backgrounds", lambda d: calls.append(real(d)) or calls[-1])
    upstream = build_file(tmp_path / "deck.md", BuildOptions(format="html")).output
    monkeypatch.setattr(html_render, "shared_backgrounds", lambda d: None)
    scanned = build_file(tmp_path / "deck.md", BuildOptions(format="html")).output
    return upstream, scanned, calls


def test_sharing_from_the_slides_gives_the_bytes_of_the_scan(tmp_path, monkeypatch):
    deck = DECK.replace("![](same.png)\n", "") + "\n---\n\n![bg](other.png)\n![bg](same.png)\n"
    upstream, scanned, calls = _two_ways(tmp_path, monkeypatch, deck)
    assert calls[0] is not None and len(calls[0]) == 2          # both pictures repeat: worked out upstream
    assert upstream == scanned and "var(--sk-bg-2)" in upstream


def test_an_image_embedded_elsewhere_falls_back_to_the_scan(tmp_path, monkeypatch):
    deck = DECK.replace("![](same.png)\n", "") + "\n---\n\n<!-- _backgroundImage: url(same.png) -->\n\n# Five\n"
    upstream, scanned, calls = _two_ways(tmp_path, monkeypatch, deck)
    assert calls == [None] and upstream == scanned
    # the directive's local picture is embedded in the section's style (a data: URL), and shared too
    assert upstream.count("var(--sk-bg-1)") == 4 and 'style="--background-image:url(same.png);background-image:var(--sk-bg-1)"' in upstream

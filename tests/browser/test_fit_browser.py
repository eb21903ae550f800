"""Fitting in the browser (slidekit/render/assets/fit.js): the HTML build writes no measured sizes, the page
sizes `# <!-- fit -->` headings, long code lines and `fit: true` slides itself, as Marp's HTML does.

Each deck is built with `python -m slidekit build`; every check is also made against the same page with
fit.js taken out, so that a check which the theme alone would pass proves nothing."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
LINES = "\n".join(f"{i}. Point {i} of a long slide, which would not fit on it at the theme's size"
                  for i in range(1, 16))
LONG_CODE = ("def a_function_with_a_long_signature(first_argument, second_argument, third_argument, "
             "fourth_argument, fifth):\n    return first_argument\n")
DECK = f"""---
marp: true
---

# Plain slide

Text, and a short block:

```python
print("hi")
```

---

<!-- _fit: true -->

## A full slide with a long line

```python
{LONG_CODE}```

{LINES}
"""

# Slide-coordinate measures (the viewer scales the slide on screen: rectangles are divided by that scale).
JS = """
window.skScale = (s) => s.getBoundingClientRect().width / s.offsetWidth;
window.skText = (el) => {
  let l = Infinity, r = -Infinity;
  const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), range = document.createRange();
  for (let n = w.nextNode(); n; n = w.nextNode()) {
    if (!n.data.trim()) continue;
    range.selectNodeContents(n);
    for (const b of range.getClientRects()) if (b.width > 0) { l = Math.min(l, b.left); r = Math.max(r, b.right); }
  }
  return r > l ? (r - l) / skScale(el.closest('section')) : 0;
};
window.skRoom = (el) => {
  const p = getComputedStyle(el.parentElement), c = getComputedStyle(el);
  const f = (v) => parseFloat(v) || 0;
  return el.parentElement.clientWidth - f(p.paddingLeft) - f(p.paddingRight) - f(c.marginLeft) - f(c.marginRight)
    - f(c.paddingLeft) - f(c.paddingRight) - f(c.borderLeftWidth) - f(c.borderRightWidth);
};
window.skEnds = (sec) => {   // [lowest bottom of the content in flow, bottom of the content box], slide px
  const top = sec.getBoundingClientRect().top, k = skScale(sec), cs = getComputedStyle(sec);
  let low = 0;
  const walk = (el) => { for (const c of el.children) {
    const s = getComputedStyle(c);
    if (s.display === 'none' || (/absolute|fixed/.test(s.position) && !c.classList.contains('sk-split'))) continue;
    low = Math.max(low, (c.getBoundingClientRect().bottom - top) / k);
    if (s.overflowY === 'visible') walk(c);
  } };
  walk(sec);
  return [low, parseFloat(cs.borderTopWidth) + sec.clientHeight - parseFloat(cs.paddingBottom)];
};
0;   // (a string whose value is a function would be called by page.evaluate)
"""


def _build(source: Path, out: Path) -> Path:
    run = subprocess.run([sys.executable, "-m", "slidekit", "build", str(source), "-o", str(out)],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, f"slidekit build failed:\n{run.stdout}\n{run.stderr}"
    return out


def _without_fit_js(path: Path) -> Path:
    html = path.read_text(encoding="utf-8")
    stripped, count = re.subn(r'(<script id="sk-fit-js">).*?(</script>)', r"\1\2", html, flags=re.S)
    assert count == 1, "fit.js is not inlined in its own <script id=\"sk-fit-js\">"
    other = path.with_name(path.stem + "-nofit.html")
    other.write_text(stripped, encoding="utf-8")
    return other


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    out = tmp_path_factory.mktemp("fit")
    (out / "deck.md").write_text(DECK, encoding="utf-8")
    built = {"example": _build(ROOT / "examples" / "fit" / "slides.md", out / "example.html"),
             "deck": _build(out / "deck.md", out / "deck.html"),
             "tall": _build(ROOT / "tests" / "fixtures" / "marp_rules" / "tall_code" / "deck.md", out / "tall.html")}
    built.update({name + "-nofit": _without_fit_js(path) for name, path in list(built.items())})
    return built


@pytest.fixture
def page_of(browser, decks):
    """page_of(name, suffix='') -> a page showing that deck, its fonts loaded and fitted."""
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    errors: list[str] = []

    def _open(name: str, suffix: str = "", media: str | None = None):
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: r.url.startswith(("file:", "data:", "about:"))
                or errors.append("network request: " + r.url))
        if media:
            page.emulate_media(media=media)
        page.goto(decks[name].as_uri() + suffix)
        page.wait_for_selector("html.sk-viewer")
        page.evaluate("document.fonts.ready.then(() => new Promise((r) => setTimeout(r, 50)))")
        page.evaluate(JS)
        return page

    yield _open
    context.close()
    assert not errors, errors


def _heading(page) -> dict:
    return page.evaluate("""() => { const h = document.querySelector('.sk-deck > section[id="1"] h1[data-sk-fit]');
        return {text: skText(h), room: skRoom(h), font: parseFloat(getComputedStyle(h).fontSize)}; }""")


def _pre(page, slide: int, index: int = 0) -> dict:
    return page.evaluate(f"""() => {{
        const p = document.querySelectorAll('.sk-deck > section[id="{slide}"] pre')[{index}];
        return {{scroll: p.scrollWidth, client: p.clientWidth, font: parseFloat(getComputedStyle(p).fontSize)}}; }}""")


def _ends(page, slide: int, within: str = ".sk-deck") -> list[float]:
    return page.evaluate(f"() => skEnds(document.querySelector('{within} > section[id=\"{slide}\"], "
                         f"{within} > section[data-sk-id=\"{slide}\"]'))")


def test_fitting_heading_fills_its_container(page_of):
    fitted, plain = _heading(page_of("example")), _heading(page_of("example-nofit"))
    assert fitted["text"] == pytest.approx(fitted["room"], rel=0.02)
    assert plain["text"] < 0.9 * plain["room"]                  # the theme's size leaves room
    assert fitted["font"] > 1.3 * plain["font"]


def test_long_code_line_no_longer_overflows_its_block(page_of):
    # opened on slide 1: slide 2 was hidden by the viewer when the fonts' refit ran
    page = page_of("example", "#1")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.sk-deck > section[id=\"2\"]').classList.contains('sk-on')")
    long, short = _pre(page, 2, 0), _pre(page, 2, 1)
    assert long["scroll"] <= long["client"] + 1
    plain = page_of("example-nofit", "#2")
    assert _pre(plain, 2, 0)["scroll"] > _pre(plain, 2, 0)["client"] + 1
    assert short["font"] == _pre(plain, 2, 1)["font"]           # a block that fits keeps the theme's size


def test_tall_code_block_is_scaled_down_to_the_themes_bound(page_of):
    # marp-core scales a pre within pre::part(auto-scaling)'s max-height: 529px in the default theme
    def content_height(page):
        return page.evaluate("""() => { const p = document.querySelector('.sk-deck > section[id="2"] pre');
            const c = getComputedStyle(p);
            return p.scrollHeight - parseFloat(c.paddingTop) - parseFloat(c.paddingBottom); }""")
    fitted, plain = content_height(page_of("tall", "#2")), content_height(page_of("tall-nofit", "#2"))
    assert plain > 800
    assert 500 < fitted <= 530


def test_fit_slide_ends_inside_its_content_box(page_of):
    for name, slide in (("example", 3), ("deck", 2)):
        page = page_of(name, f"#{slide}")
        low, bottom = _ends(page, slide)
        assert low <= bottom + 1, name
        plain = page_of(name + "-nofit", f"#{slide}")
        low, bottom = _ends(plain, slide)
        assert low > bottom + 1, name                           # without fit.js it runs past
        scale = float(page.get_attribute(f'.sk-deck > section[id="{slide}"]', "data-sk-fit-scale"))
        assert 0.2 <= scale < 0.95
    # the long code line of the fit slide fits too
    page = page_of("deck", "#2")
    pre = _pre(page, 2)
    assert pre["scroll"] <= pre["client"] + 1


def test_slide_without_fit_is_left_alone(page_of):
    sizes = """() => [...document.querySelectorAll('.sk-deck > section')].map((s) =>
        [s, ...s.querySelectorAll('*')].map((e) => getComputedStyle(e).fontSize + ' ' + e.getAttribute('style')))"""
    fitted, plain = page_of("deck").evaluate(sizes), page_of("deck-nofit").evaluate(sizes)
    assert fitted[0] == plain[0]               # the plain slide: same sizes, no style written
    assert fitted[1] != plain[1]               # while its fit neighbour changed


def test_presenter_view_and_overview_copies_are_fitted(page_of):
    page = page_of("deck", "?view=presenter#2")
    original = page.get_attribute('.sk-deck.sk-main > section[id="2"]', "style")
    copy = page.get_attribute('.sk-pv-cur .sk-deck > section[data-sk-id="2"]', "style")
    assert "font-size" in (original or "") and copy == original
    low, bottom = _ends(page, 2, ".sk-pv-cur .sk-deck")
    assert low <= bottom + 1
    page = page_of("example", "#1")
    page.keyboard.press("o")
    page.wait_for_selector(".sk-overview:not([hidden])")
    for slide in (1, 2, 3):
        fitted = page.evaluate(f"""() => [document.querySelector('.sk-deck.sk-main > section[id="{slide}"]'),
            document.querySelector('.sk-overview section[data-sk-id="{slide}"]')].map((s) =>
            [s, ...s.querySelectorAll('h1, h2, pre')].map((e) => e.style.fontSize))""")
        assert fitted[0] == fitted[1] and any(fitted[0]), slide
    low, bottom = _ends(page, 3, ".sk-overview .sk-deck")
    assert low <= bottom + 1


def test_printing_from_the_browser_keeps_the_fit(page_of):
    page = page_of("example", "", media="print")
    heading = _heading(page)
    assert heading["text"] == pytest.approx(heading["room"], rel=0.02)
    long = _pre(page, 2)
    assert long["scroll"] <= long["client"] + 1
    low, bottom = _ends(page, 3)
    assert low <= bottom + 1

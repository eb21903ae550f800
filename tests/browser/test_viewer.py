"""The viewer in a real browser: audience view, overview, fragments, blackout, presenter, sync, print."""
from __future__ import annotations

import io
import re
import time

import pytest

CUR = """() => { const s = [...document.querySelector('.sk-deck').children];
                 return s.indexOf(s.find(e => e.classList.contains('sk-on'))) + 1; }"""
SHOWN = """() => [...document.querySelector('.sk-deck > section.sk-on').querySelectorAll('[data-marpit-fragment]')]
                 .filter(e => getComputedStyle(e).visibility === 'visible').length"""
VISIBLE = """() => [...document.querySelector('.sk-deck').children]
                   .filter(e => getComputedStyle(e).display !== 'none').length"""


def cur(page) -> int:
    return page.evaluate(CUR)


def wait_slide(page, n: int):
    page.wait_for_function(f"({CUR})() === {n}", timeout=3000)


def test_first_slide_fits_window_with_letterboxing(open_deck):
    page = open_deck()
    assert cur(page) == 1
    page.wait_for_timeout(100)
    assert page.evaluate(VISIBLE) == 1
    box = page.locator(".sk-deck > section").first.bounding_box()
    # 1000x700 window, 1280x720 slide: full width, letterboxed top and bottom
    assert box["width"] == pytest.approx(1000, abs=1)
    assert box["height"] == pytest.approx(562.5, abs=1)
    assert box["x"] == pytest.approx(0, abs=1)
    assert box["y"] == pytest.approx((700 - 562.5) / 2, abs=1)
    page.set_viewport_size({"width": 600, "height": 700})
    page.wait_for_timeout(150)
    box = page.locator(".sk-deck > section").first.bounding_box()
    assert box["width"] == pytest.approx(600, abs=1)
    assert box["y"] == pytest.approx((700 - 337.5) / 2, abs=1)


def test_keys_navigate(open_deck):
    page = open_deck()
    kb = page.keyboard
    kb.press("ArrowRight"); assert cur(page) == 2
    kb.press("End"); assert cur(page) == 5
    kb.press("Home"); assert cur(page) == 1
    kb.press("3"); kb.press("Enter"); assert cur(page) == 3
    kb.press("PageDown"); assert cur(page) == 4
    kb.press("Space"); assert cur(page) == 5
    kb.press("Shift+Space"); assert cur(page) == 4
    kb.press("PageUp"); assert cur(page) == 3
    kb.press("ArrowUp"); assert cur(page) == 2  # back onto a fragmented slide: all shown
    assert page.evaluate(SHOWN) == 3
    kb.press("Home"); kb.press("ArrowDown"); kb.press("Enter")
    assert cur(page) == 2 and page.evaluate(SHOWN) == 1
    assert page.evaluate(VISIBLE) <= 2  # the slide and, during a transition, the one leaving


def test_keys_in_form_fields_are_left_alone(open_deck):
    page = open_deck()
    page.evaluate("""() => { const i = document.createElement('input'); i.id = 'probe';
                            document.querySelector('.sk-deck > section').append(i); }""")
    page.focus("#probe")
    page.keyboard.type("b 1")
    page.keyboard.press("ArrowRight")
    assert cur(page) == 1
    assert page.input_value("#probe") == "b 1"
    assert page.evaluate("document.documentElement.dataset.skBlank") is None


def test_wheel_navigates_once_per_burst(open_deck):
    page = open_deck("#3")
    page.mouse.move(500, 350)
    page.mouse.wheel(0, 120)
    wait_slide(page, 4)
    for _ in range(5):  # a burst right after: debounced away
        page.mouse.wheel(0, 120)
    page.wait_for_timeout(100)
    assert cur(page) == 4
    page.wait_for_timeout(600)
    page.mouse.wheel(0, -120)
    wait_slide(page, 3)


SWIPE = """([x0, x1]) => {
  const t = document.querySelector('.sk-deck > section.sk-on');
  const at = (x) => [new Touch({identifier: 1, target: t, clientX: x, clientY: 300})];
  t.dispatchEvent(new TouchEvent('touchstart', {touches: at(x0), changedTouches: at(x0), bubbles: true}));
  t.dispatchEvent(new TouchEvent('touchmove', {touches: at(x1), changedTouches: at(x1), bubbles: true}));
  t.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: at(x1), bubbles: true}));
}"""


def test_swipe_navigates(open_deck):
    page = open_deck("#3")
    page.evaluate(SWIPE, [800, 300])  # swipe left: next
    assert cur(page) == 4
    page.evaluate(SWIPE, [300, 800])  # swipe right: previous
    assert cur(page) == 3
    page.evaluate(SWIPE, [500, 490])  # a tap is no swipe
    assert cur(page) == 3


def test_url_hash(open_deck):
    page = open_deck("#3")
    assert cur(page) == 3
    page.keyboard.press("ArrowRight")
    assert page.evaluate("location.hash") == "#4"
    page.go_back()
    wait_slide(page, 3)
    page.go_forward()
    wait_slide(page, 4)
    page2 = open_deck("#deep-dive")
    assert cur(page2) == 3
    assert page2.evaluate("location.hash") == "#3"
    page2.evaluate("location.hash = '#5'")
    wait_slide(page2, 5)


def test_overview(open_deck):
    page = open_deck()
    page.keyboard.press("o")
    ov = page.locator(".sk-overview")
    assert ov.is_visible()
    thumbs = page.locator(".sk-thumb")
    assert thumbs.count() == 5
    # each copy sits in a .sk-deck (theme CSS is scoped to .sk-deck > section) and ids stay unique
    assert page.locator(".sk-thumb .sk-deck > section").count() == 5
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids))
    assert page.locator(".sk-thumb.sk-current").count() == 1
    assert thumbs.nth(2).bounding_box()["width"] > 100
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    assert not ov.is_visible()
    assert cur(page) == 2
    page.keyboard.press("Escape")
    assert ov.is_visible()
    thumbs.nth(3).click()
    assert not ov.is_visible()
    assert cur(page) == 4


def test_fragments(open_deck):
    page = open_deck("#2")
    assert page.evaluate(SHOWN) == 0
    for n in (1, 2, 3):
        page.keyboard.press("ArrowRight")
        assert cur(page) == 2 and page.evaluate(SHOWN) == n
    page.keyboard.press("ArrowRight")
    assert cur(page) == 3
    page.keyboard.press("ArrowLeft")
    assert cur(page) == 2 and page.evaluate(SHOWN) == 3
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(SHOWN) == 2
    page.keyboard.press("Shift+ArrowLeft")  # skip the remaining fragments
    assert cur(page) == 1
    page.keyboard.press("Shift+ArrowRight")
    assert cur(page) == 2 and page.evaluate(SHOWN) == 3


BLANK_AT_CENTRE = """() => { const e = document.elementFromPoint(innerWidth / 2, innerHeight / 2);
                             return e.classList.contains('sk-blank') ? getComputedStyle(e).backgroundColor : null; }"""


def test_blackout_and_whiteout(open_deck):
    page = open_deck()
    assert page.evaluate(BLANK_AT_CENTRE) is None
    page.keyboard.press("b")
    assert page.evaluate(BLANK_AT_CENTRE) == "rgb(0, 0, 0)"
    page.keyboard.press("b")
    assert page.evaluate(BLANK_AT_CENTRE) is None
    page.keyboard.press("w")
    assert page.evaluate(BLANK_AT_CENTRE) == "rgb(255, 255, 255)"
    page.keyboard.press(".")
    assert page.evaluate(BLANK_AT_CENTRE) == "rgb(0, 0, 0)"


def timer(page) -> int:
    m = re.fullmatch(r"(\d+):(\d\d)", page.inner_text(".sk-timer"))
    assert m, page.inner_text(".sk-timer")
    return int(m[1]) * 60 + int(m[2])


def test_presenter_view(open_deck):
    page = open_deck("?view=presenter#2")
    cur_slide = page.locator(".sk-pv-cur .sk-deck > section")
    next_slide = page.locator(".sk-pv-next .sk-deck > section")
    assert cur_slide.count() == 1 and cur_slide.is_visible()
    assert "Fragments" in cur_slide.inner_text()
    assert not page.locator("body > .sk-deck").is_visible()  # the audience deck is hidden here
    # next: the next fragment of this slide
    assert "Fragments" in next_slide.inner_text() and "fragment" in page.inner_text(".sk-pv-next h2").lower()
    notes = page.locator(".sk-pv-notes")
    assert notes.locator("em", has_text="one by one").count() == 1  # notes rendered as Markdown
    assert notes.locator("a[href='https://example.org/']").count() == 1
    assert page.inner_text(".sk-count") == "2 / 5"
    assert re.fullmatch(r"\d\d:\d\d( [AP]M)?", page.inner_text(".sk-clock"))
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids))

    t0 = timer(page)
    page.wait_for_timeout(2100)
    assert timer(page) >= t0 + 2  # running
    page.get_by_role("button", name="Pause").click()
    t1 = timer(page)
    page.wait_for_timeout(1200)
    assert timer(page) == t1  # paused
    page.get_by_role("button", name="Reset").click()
    assert timer(page) == 0

    for _ in range(4):  # three fragments, then the next slide
        page.keyboard.press("ArrowRight")
    assert page.inner_text(".sk-count") == "3 / 5"
    assert "Deep dive" in cur_slide.inner_text() and "Dark slide" in next_slide.inner_text()
    assert "Deep dive notes" in notes.inner_text()
    size = notes.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    page.keyboard.press("+")
    assert notes.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") > size
    page.get_by_role("button", name="Smaller notes").click()
    page.get_by_role("button", name="Smaller notes").click()
    assert notes.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") < size
    page.keyboard.press("End")
    assert "End of the deck" in page.inner_text(".sk-pv-next")
    assert "No notes" in notes.inner_text()


def test_p_opens_presenter_window(open_deck, context):
    page = open_deck("#3")
    with context.expect_page() as info:
        page.keyboard.press("p")
    pv = info.value
    pv.wait_for_selector(".sk-pv")
    assert "view=presenter" in pv.url
    assert pv.inner_text(".sk-count") == "3 / 5"


def test_windows_stay_in_sync(open_deck):
    a = open_deck()
    b = open_deck()
    pv = open_deck("?view=presenter")
    a.keyboard.press("ArrowRight")
    wait_slide(b, 2)
    pv.wait_for_function("document.querySelector('.sk-count').textContent === '2 / 5'", timeout=3000)
    b.keyboard.press("ArrowRight")  # a fragment: followed too
    a.wait_for_function(f"({SHOWN})() === 1", timeout=3000)
    pv.keyboard.press("End")
    wait_slide(a, 5)
    wait_slide(b, 5)
    pv.keyboard.press("b")  # the presenter blacks out the audience
    a.wait_for_function("document.documentElement.dataset.skBlank === 'black'", timeout=3000)
    assert "black" in pv.inner_text(".sk-pv-bar")
    # a presenter opened later catches up with the talk
    late = open_deck("?view=presenter")
    late.wait_for_function("document.querySelector('.sk-count').textContent === '5 / 5'", timeout=3000)


def test_transitions_and_reduced_motion(open_deck):
    page = open_deck("#3")  # slide 3 carries `push`
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.getAnimations().length") > 0
    page.emulate_media(reduced_motion="reduce")
    page.wait_for_timeout(700)
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.getAnimations().filter(a => a.playState === 'running').length") == 0
    assert page.evaluate(VISIBLE) == 1


def test_accessibility(open_deck):
    page = open_deck()
    regions = page.get_by_role("region", name=re.compile(r"^Slide \d of 5"))
    assert regions.count() == 1  # only the shown slide is in the accessibility tree
    page.keyboard.press("ArrowRight")
    assert page.inner_text("[aria-live]") == page.locator(".sk-deck > section").nth(1).get_attribute("aria-label")
    assert page.inner_text("[aria-live]").startswith("Slide 2 of 5")
    names = page.evaluate("""() => [...document.querySelectorAll('button, [role=button]')]
                                   .map(b => (b.getAttribute('aria-label') || b.textContent).trim())""")
    assert names and all(names)
    for name in ("Previous slide", "Next slide", "Fullscreen", "Overview", "Presenter view"):
        assert page.get_by_role("button", name=name).count() == 1
    page.keyboard.press("?")
    assert page.get_by_role("dialog", name="Keyboard shortcuts").is_visible()
    page.keyboard.press("Escape")
    assert not page.get_by_role("dialog", name="Keyboard shortcuts").is_visible()
    # the control bar is reachable by keyboard
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.sk-bar') !== null")


def test_controls_fade_when_idle(open_deck):
    page = open_deck()
    page.mouse.move(100, 100)
    bar = page.locator(".sk-bar")
    assert bar.evaluate("e => getComputedStyle(e).opacity") == "1"
    page.wait_for_function("getComputedStyle(document.querySelector('.sk-bar')).opacity === '0'", timeout=5000)
    page.mouse.move(120, 120)
    page.wait_for_function("getComputedStyle(document.querySelector('.sk-bar')).opacity === '1'", timeout=2000)
    page.get_by_role("button", name="Next slide").click()
    assert cur(page) == 2


def test_print_gives_one_page_a_slide(open_deck):
    pypdf = pytest.importorskip("pypdf")
    page = open_deck("#2")
    page.keyboard.press("b")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 5
    for p in reader.pages:  # 1280x720 px = 960x540 pt
        assert float(p.mediabox.width) == pytest.approx(960, abs=1)
        assert float(p.mediabox.height) == pytest.approx(540, abs=1)
    text = [p.extract_text() for p in reader.pages]
    assert "Welcome" in text[0] and "Third point" in text[1] and "The end" in text[4]


@pytest.mark.parametrize("block", ["window.BroadcastChannel", "window.localStorage"])
def test_sync_through_either_channel_alone(browser, open_deck, block):
    """BroadcastChannel alone, and the localStorage fallback alone, each keep windows in step."""
    ctx = browser.new_context(viewport={"width": 800, "height": 600})
    ctx.add_init_script(f"Object.defineProperty(window, '{block.split('.')[1]}', {{value: undefined}})")
    try:
        a = open_deck("", ctx)
        b = open_deck("", ctx)
        assert a.evaluate(f"typeof {block}") == "undefined"
        a.keyboard.press("End")
        wait_slide(b, 5)
        b.keyboard.press("Home")
        wait_slide(a, 1)
    finally:
        ctx.close()


def test_progress_bar_is_optional(open_deck):
    page = open_deck()
    assert not page.locator(".sk-progress").is_visible()
    page = open_deck("?progress=1#2")
    bar = page.locator(".sk-progress > div")
    assert page.locator(".sk-progress").is_visible()
    w2 = bar.evaluate("e => e.getBoundingClientRect().width")
    page.keyboard.press("End")
    page.wait_for_timeout(400)
    w5 = bar.evaluate("e => e.getBoundingClientRect().width")
    assert 0 < w2 < w5 == pytest.approx(1000, abs=1)


STUBS = """
window.__calls = [];
Object.defineProperty(navigator, 'wakeLock', {value: {request: async (type) => {
  window.__calls.push('wake:' + type); return {addEventListener() {}}; }}});
Element.prototype.requestFullscreen = async () => { window.__calls.push('fullscreen'); };
"""


def test_wake_lock_and_fullscreen(browser, open_deck):
    ctx = browser.new_context(viewport={"width": 800, "height": 600})
    ctx.add_init_script(STUBS)
    try:
        page = open_deck("", ctx)
        page.wait_for_function("window.__calls.includes('wake:screen')", timeout=2000)
        page.keyboard.press("f")
        assert "fullscreen" in page.evaluate("window.__calls")
    finally:
        ctx.close()


def test_presenter_pane_titles_do_not_style_the_slides_headings(open_deck):
    page = open_deck("?view=presenter#1")
    title = page.evaluate("getComputedStyle(document.querySelector('.sk-pv-cur > h2')).textTransform")
    assert title == "uppercase"                       # the pane's own title
    styles = page.evaluate("""() => {
        const h = document.createElement('h2');
        h.textContent = 'A slide heading';
        document.querySelector('.sk-pv-cur .sk-deck > section').append(h);
        const s = getComputedStyle(h);
        return [s.textTransform, s.color, s.fontSize];
    }""")
    assert styles[0] != "uppercase" and styles[1] != "rgb(154, 154, 163)" and styles[2] != "13px", styles

"""What a person sees when the slide changes, when a presenter window joins, and where the controls sit
(issue 22, items 1 and 10)."""
from __future__ import annotations

OPACITY = """() => { const s = document.querySelector('.sk-deck > section.sk-on');
                     return [s.id, +getComputedStyle(s).opacity, getComputedStyle(s).visibility,
                             document.getAnimations().length]; }"""
COUNT = "() => document.querySelector('.sk-count').textContent"
# The page number (the slide's ::after) and the footer, in window pixels.
BOXES = """() => {
  const s = document.querySelector('.sk-deck > section.sk-on');
  const r = s.getBoundingClientRect(), k = r.width / s.offsetWidth;
  const a = getComputedStyle(s, '::after');
  const w = parseFloat(a.width) * k, h = parseFloat(a.height) * k;
  const right = r.right - parseFloat(a.right) * k, bottom = r.bottom - parseFloat(a.bottom) * k;
  const boxes = [[right - w, bottom - h, right, bottom]];
  const f = s.querySelector('footer');
  if (f) { const b = f.getBoundingClientRect(); boxes.push([b.left, b.top, b.right, b.bottom]); }
  const bar = document.querySelector('.sk-bar').getBoundingClientRect();
  return { boxes, bar: [bar.left, bar.top, bar.right, bar.bottom], shown: +getComputedStyle(document.querySelector('.sk-bar')).opacity };
}"""


def test_a_slide_without_transition_changes_at_once(open_deck):
    page = open_deck("#1")                      # slide 1 sets no transition
    page.keyboard.press("ArrowRight")
    slide, opacity, visibility, animations = page.evaluate(OPACITY)
    assert (slide, opacity, visibility, animations) == ("2", 1, "visible", 0)
    assert page.evaluate("document.querySelectorAll('.sk-deck > section.sk-leaving').length") == 0


def test_a_fade_transition_fades(open_deck):
    page = open_deck("#2")                      # slide 2 sets `transition: fade`
    page.keyboard.press("3")
    page.keyboard.press("Enter")
    slide, opacity, _, animations = page.evaluate(OPACITY)
    assert slide == "3" and opacity < 1 and animations > 0
    page.wait_for_function(f"({OPACITY})()[1] === 1", timeout=3000)


def test_a_presenter_opened_first_joins_the_audience(open_deck):
    presenter = open_deck("?view=presenter")
    assert presenter.evaluate(COUNT) == "1 / 5"
    open_deck("#4")                             # the audience window opens on slide 4, nobody moves
    presenter.wait_for_function(f"({COUNT})() === '4 / 5'", timeout=2000)


def test_a_presenter_opened_later_starts_on_the_audience_slide(open_deck):
    audience = open_deck("#3")
    audience.keyboard.press("ArrowRight")       # slide 4
    presenter = open_deck("?view=presenter")
    assert presenter.evaluate(COUNT) == "4 / 5"   # at once, not after a move


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_the_controls_never_cover_the_page_number_or_footer(open_deck):
    page = open_deck("#2")
    for size in ({"width": 1000, "height": 700}, {"width": 1280, "height": 720}, {"width": 800, "height": 450}):
        page.set_viewport_size(size)
        page.mouse.move(size["width"] - 40, size["height"] - 40)   # a mouse move shows the controls
        found = page.evaluate(BOXES)
        assert found["shown"] == 1
        assert len(found["boxes"]) == 2
        for box in found["boxes"]:
            assert all(isinstance(v, (int, float)) and v == v for v in box) and box[2] > box[0], found
            assert not _overlap(found["bar"], box), (size, found)

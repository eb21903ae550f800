"""The page around the slides comes from a cached frame (render/page.py): the same bytes as Jinja's own
rendering of the template, for any values, and never a stale or forged frame."""

from __future__ import annotations

import pytest

from slidekit.render import page

PARTS = dict(stylesheet="section { color: red; }", sections_html='<section id="1">\n<h1>A &amp; B</h1>\n</section>\n',
             notes_html='<aside class="sk-note" data-slide="1"><p>note</p></aside>\n', viewer_css="body{}",
             fit_js="/* fit */", viewer_js="/* viewer */")


def _values(target="html", **over):
    values = dict(target=target, lang="en", title="Title", description=None, author=None, url=None, image=None,
                  keywords=None, width=1280, height=720, theme="gaia", size_name="16:9")
    values.update(over)
    return values


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SLIDEKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SLIDEKIT_CACHE", raising=False)
    monkeypatch.setattr(page, "_frames", {})
    return tmp_path / "cache"


@pytest.mark.parametrize("values", [
    _values(),
    _values("pdf"),
    _values(title='<script>"quoted" & \'single\'</script>', description="d < e", author="A & B",
            keywords=["a", "b"], url="https://example.org/?a=1&b=2", image="https://example.org/i.png"),
    _values(title="with a \x00 mark\x00sections_html\x00 in it", lang="fr"),
    _values(title="Ünïcødé — ✓", theme='x" onload="y'),
])
def test_frame_gives_the_bytes_jinja_renders(cache_dir, values):
    parts = dict(PARTS) if values["target"] == "html" else dict(PARTS, notes_html="", viewer_css="", fit_js="",
                                                                viewer_js="")
    expected = page._render({**values, **parts})
    assert page.render_page(values, parts) == expected                 # rendered, frame stored
    page._frames.clear()
    assert page.render_page(values, parts) == expected                 # from the on-disk frame
    assert page.render_page(values, parts) == expected                 # from memory
    assert "\x00" not in expected or "\x00" in values["title"]


def test_a_part_holding_a_mark_is_put_in_as_it_is(cache_dir):
    parts = dict(PARTS, sections_html="<p>\x00stylesheet\x00</p>\n")
    out = page.render_page(_values(), parts)
    assert "<p>\x00stylesheet\x00</p>" in out and out == page._render({**_values(), **parts})


def test_frames_differ_by_value_and_the_template_is_part_of_the_key(cache_dir, tmp_path, monkeypatch):
    assert "<title>One</title>" in page.render_page(_values(title="One"), PARTS)
    assert "<title>Two</title>" in page.render_page(_values(title="Two"), PARTS)
    edited = tmp_path / "templates" / page.TEMPLATE.name
    edited.parent.mkdir()
    edited.write_text(page.TEMPLATE.read_text(encoding="utf-8").replace("<title>", "<title>Edited: "),
                      encoding="utf-8")
    monkeypatch.setattr(page, "TEMPLATE", edited)
    monkeypatch.setattr(page, "_render", lambda context: _render_from(edited, context))
    page._frames.clear()
    assert "<title>Edited: One</title>" in page.render_page(_values(title="One"), PARTS)


def _render_from(template, context):
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template.parent), autoescape=True, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    return env.get_template(template.name).render(**context)


@pytest.mark.parametrize("stored", ["no marks at all", "a\x00not-a-part\x00b", "a\x00stylesheet"])
def test_a_frame_entry_of_the_wrong_shape_is_rendered_again(cache_dir, stored):
    from slidekit import cache
    values = _values()
    expected = page._render({**values, **PARTS})
    page.render_page(values, PARTS)
    (entry,) = [p for p in (cache_dir / "page").rglob("*") if p.is_file()]
    key = entry.parent.name + entry.name
    cache.put_text("page", key, stored)
    page._frames.clear()
    assert page.render_page(values, PARTS) == expected
    assert cache.get_text("page", key) != stored

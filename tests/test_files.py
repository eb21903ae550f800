"""Files: a deck reads below its own folder only, bombs are not decoded, a failed build loses nothing."""

from __future__ import annotations

import os
import stat
import struct
import zlib
from pathlib import Path

import pytest

from slidekit.api import BuildOptions, build_file
from slidekit.cli import main
from slidekit.export import files


def _png(path: Path, width: int, height: int) -> None:
    """A tiny PNG whose header claims width x height pixels (a decompression bomb's shape)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))


@pytest.fixture()
def tree(tmp_path):
    (tmp_path / "deck").mkdir()
    (tmp_path / "secret").mkdir()
    _png(tmp_path / "secret" / "s.png", 2, 2)
    _png(tmp_path / "deck" / "ok.png", 2, 2)
    (tmp_path / "deck" / "link.png").symlink_to(tmp_path / "secret" / "s.png")
    return tmp_path


@pytest.mark.parametrize("ref", ["../secret/s.png", "{root}/secret/s.png", "link.png", "../../../../etc/passwd",
                                 "/etc/passwd", "file:///etc/passwd", "file://{root}/secret/s.png"])
def test_images_outside_the_folder_are_refused(tree, ref):
    deck = tree / "deck" / "d.md"
    deck.write_text(f"# t\n\n![]({ref.format(root=tree)})\n\n![bg]({ref.format(root=tree)})\n", encoding="utf-8")
    result = build_file(deck, BuildOptions(offline=True))
    assert "data:image/png" not in result.output.split("<style")[0] + result.output.split("</head>")[1]
    assert "root:" not in result.output
    if not ref.startswith("file:"):
        assert any(d.code == "outside-folder" for d in result.diagnostics)


def test_allow_local_files_reads_them(tree):
    deck = tree / "deck" / "d.md"
    deck.write_text("# t\n\n![](../secret/s.png)\n", encoding="utf-8")
    assert "data:image/png" not in build_file(deck, BuildOptions()).output.split("</head>")[1]
    assert "data:image/png" in build_file(deck, BuildOptions(allow_local_files=True)).output.split("</head>")[1]


def test_images_inside_the_folder_are_read(tree):
    deck = tree / "deck" / "d.md"
    deck.write_text("# t\n\n![](ok.png)\n", encoding="utf-8")
    result = build_file(deck, BuildOptions())
    assert "data:image/png" in result.output.split("</head>")[1]
    assert not any(d.code == "outside-folder" for d in result.diagnostics)


@pytest.mark.slow
def test_pdf_does_not_fetch_css_urls_outside_the_folder(tree):
    pypdf = pytest.importorskip("pypdf")
    import io
    secret = tree / "secret" / "real.png"
    from PIL import Image
    Image.new("RGB", (20, 20), "red").save(secret)
    deck = tree / "deck" / "d.md"
    deck.write_text(f"<style>h1 {{ background-image: url({secret}); min-height: 100px }}</style>\n\n# t\n",
                    encoding="utf-8")

    def patterns(options):
        result = build_file(deck, options)
        page = pypdf.PdfReader(io.BytesIO(result.output)).pages[0]
        return result, len(page["/Resources"].get("/Pattern", {})) + len(page["/Resources"].get("/XObject", {}))

    refused, count = patterns(BuildOptions(format="pdf", offline=True))
    assert count == 0
    assert any(d.code == "outside-folder" for d in refused.diagnostics)
    _, count = patterns(BuildOptions(format="pdf", offline=True, allow_local_files=True))
    assert count == 1   # the same deck, trusted: the image is drawn, so the check above can fail


def test_decompression_bomb_is_refused_not_decoded(tree):
    _png(tree / "deck" / "bomb.png", 100_000, 100_000)
    deck = tree / "deck" / "d.md"
    deck.write_text("# t\n\n![](bomb.png)\n\n![bg sepia](bomb.png)\n", encoding="utf-8")
    for fmt in ("html", "pdf"):
        result = build_file(deck, BuildOptions(format=fmt, offline=True))
        assert result.output is not None
        assert any(d.code == "image-too-large" for d in result.diagnostics)


def test_failed_write_keeps_the_previous_output(tmp_path, monkeypatch):
    target = tmp_path / "out.html"
    target.write_text("previous", encoding="utf-8")

    class Boom(OSError):
        pass

    def failing_replace(src, dst):
        raise Boom("disk full")
    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(Boom):
        files.write_atomic(target, "new " * 1000)
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"]   # no temporary file left behind


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_an_output_is_as_readable_as_any_new_file(tmp_path, umask, mode):
    target = tmp_path / "out.html"
    old = os.umask(umask)
    try:
        files.write_atomic(target, "x")
        files.write_atomic(target, "y")         # over an existing file too
    finally:
        os.umask(old)
    assert target.read_text(encoding="utf-8") == "y"
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"]


def test_the_temporary_file_never_follows_a_planted_link(tmp_path, monkeypatch):
    # The name taken first is a link someone made (to a file of theirs): the write goes elsewhere.
    victim = tmp_path / "victim"
    victim.write_text("keep", encoding="utf-8")
    names = iter(["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    monkeypatch.setattr(files.os, "urandom", lambda n: bytes.fromhex(next(names)))
    (tmp_path / ".out.html.aaaaaaaaaaaa.tmp").symlink_to(victim)
    files.write_atomic(tmp_path / "out.html", "new")
    assert victim.read_text(encoding="utf-8") == "keep"
    assert (tmp_path / "out.html").read_text(encoding="utf-8") == "new"


def test_failed_pdf_build_keeps_the_previous_pdf(tmp_path, monkeypatch, capsys):
    deck = tmp_path / "d.md"
    deck.write_text("# t\n", encoding="utf-8")
    target = tmp_path / "d.pdf"
    target.write_bytes(b"%PDF-previous")
    import slidekit.export.pdf as pdf

    def broken(*args, **kwargs):
        raise RuntimeError("writer failed")
    monkeypatch.setattr(pdf, "write_pdf", broken)
    assert main(["build", str(deck), "-o", str(target)]) == 1
    assert target.read_bytes() == b"%PDF-previous"
    assert "internal error" in capsys.readouterr().err


@pytest.mark.parametrize("output", ["d.md", "./d.md", "sub/../d.md"])
def test_never_writes_over_its_input(tmp_path, output, monkeypatch):
    monkeypatch.chdir(tmp_path)
    deck = tmp_path / "d.md"
    deck.write_text("# t\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    main(["build", str(deck), "-o", output])
    assert deck.read_text(encoding="utf-8") == "# t\n"


def test_offline_pdf_does_not_touch_the_network(tmp_path, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("network used with --offline")
    monkeypatch.setattr(socket.socket, "connect", no_network)
    deck = tmp_path / "d.md"
    deck.write_text("<style>@import url('http://127.0.0.1:9/x.css'); h1{background:url(http://127.0.0.1:9/a.png)}"
                    "</style>\n\n# t\n\n![](https://127.0.0.1:9/x.png)\n", encoding="utf-8")
    result = build_file(deck, BuildOptions(format="pdf", offline=True))
    assert result.output.startswith(b"%PDF")

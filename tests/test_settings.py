"""The settings' schema and a Marp user's habits: config keys, marp-cli's flags, standard input and output,
config files that cannot be used, where the config search stops, messages. Through the real command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from slidekit import settings
from slidekit.cli import main

REPO = Path(__file__).resolve().parents[1]
DECK = "# One\n\nText\n\n---\n\n# Two\n\n<!-- a note -->\n"


def run(*args, cwd=None, stdin: bytes | None = None, home=None):
    env = dict(os.environ, HOME=str(home or cwd or REPO))
    return subprocess.run([sys.executable, "-m", "slidekit", *args], cwd=cwd, input=stdin, capture_output=True,
                          env=env, timeout=300)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder (its own root: it holds .git) with a deck; home is the temporary folder."""
    monkeypatch.setenv("HOME", str(tmp_path))
    folder = tmp_path / "talk"
    folder.mkdir()
    (folder / ".git").mkdir()
    (folder / "deck.md").write_text(DECK, encoding="utf-8")
    return folder


# The schema and the table -----------------------------------------------------------------------------------
def test_the_marp_cli_table_in_the_docs_is_the_schemas():
    table = (REPO / "docs" / "marp-cli-flags.md").read_text(encoding="utf-8")
    assert settings.marp_table() in table


# Every key of marp-cli's configuration (its README's table): slidekit has it, or says what to use instead.
MARP_KEYS = ["allowLocalFiles", "author", "bespoke", "browser", "browserPath", "browserProtocol", "browserTimeout",
             "description", "engine", "html", "image", "images", "imageScale", "inputDir", "jpegQuality",
             "keywords", "lang", "notes", "ogImage", "options", "output", "parallel", "pdf", "pdfNotes",
             "pdfOutlines", "pptx", "pptxEditable", "preview", "server", "template", "theme", "themeSet", "title",
             "url", "watch"]


@pytest.mark.parametrize("key", MARP_KEYS)
def test_every_marp_cli_config_key_is_read_or_answered(key):
    from slidekit.config import parse_config
    config = parse_config({key: True}, None)
    known = key in {settings.config_key(s) for s in settings.SETTINGS if s.config} | {"parallel"}
    if known:
        assert not any("unknown setting" in d.message for d in config.diagnostics)
    else:
        assert [d.level for d in config.diagnostics] == ["info"]
        assert "slidekit does not have" in config.diagnostics[0].message


def test_marp_cli_config_keys_that_were_ignored_are_honoured(project, capsys):
    from slidekit.config import parse_config
    values = parse_config({"pdfNotes": True, "pdfOutlines": {"pages": True}, "images": "png", "image": "jpeg",
                           "pptx": True, "notes": True, "watch": True, "parallel": 3}, None).values
    assert values == {"pdf_notes": True, "pdf_outlines": True, "images": "png", "image": "jpeg", "pptx": True,
                      "notes": True, "watch": True, "jobs": 3}
    (project / ".marprc.yml").write_text("notes: true\n", encoding="utf-8")
    assert main(["build", str(project / "deck.md")]) == 0
    assert (project / "deck.txt").read_text(encoding="utf-8").strip().endswith("a note")
    (project / ".marprc.yml").write_text("pdfOutlines: true\n", encoding="utf-8")
    assert main(["build", str(project / "deck.md")]) == 0            # a PDF option: a PDF, as marp-cli
    from pypdf import PdfReader
    assert [o.title for o in PdfReader(project / "deck.pdf").outline][:2] == ["One", "Two"]


def test_pdf_notes_and_outlines_imply_a_pdf(project, capsys):
    assert main(["build", str(project / "deck.md"), "--pdf-notes"]) == 0
    assert (project / "deck.pdf").read_bytes().startswith(b"%PDF") and not (project / "deck.html").exists()


@pytest.mark.parametrize("config", ["nosuch.yml", "bad.yml", "list.yml"])
def test_a_config_file_that_cannot_be_used_is_a_usage_error_and_nothing_is_written(project, config):
    (project / "bad.yml").write_text("title: [oops\n", encoding="utf-8")
    (project / "list.yml").write_text("- html\n", encoding="utf-8")
    done = run("build", "deck.md", "-c", config, cwd=project)
    assert done.returncode == 2, done.stderr
    assert config.encode() in done.stderr and not (project / "deck.html").exists()


# marp-cli's habits --------------------------------------------------------------------------------------------
def test_a_deck_without_a_command_is_built(project):
    done = run("deck.md", "--pdf", cwd=project)
    assert done.returncode == 0, done.stderr
    assert (project / "deck.pdf").is_file()
    assert run("nosuch", cwd=project).returncode == 2           # not a deck: still "invalid choice"


@pytest.mark.parametrize("flag, says", [
    ("--server", "slidekit serve"), ("-s", "slidekit serve"), ("--preview", "serve --open"),
    ("-p", "serve --open"), ("--template=bare", "one HTML template"), ("--bespoke.progress", "on-screen"),
    ("--bespoke.osc=false", "on-screen"), ("--engine", "built in"), ("--browser", "no browser"),
    ("--browser-path", "no browser"), ("--pptx-editable", "always editable"), ("--keywords", "front-matter"),
    ("--pdf-outlines.pages", "--pdf-outlines")])
def test_each_marp_cli_flag_without_an_equivalent_is_answered_in_one_line(project, flag, says):
    done = run("deck.md", flag, cwd=project)
    assert done.returncode == 2
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and says in lines[0] and flag.split("=")[0] in lines[0], lines
    assert not (project / "deck.html").exists()


def test_marp_cli_spellings_that_slidekit_has(project):
    done = run("build", "deck.md", "-P", "2", "--no-config-file", "--config", "nosuch.yml", cwd=project)
    assert done.returncode == 0, done.stderr       # --no-config wins over -c (nothing read)


def test_standard_input_and_output(project):
    from PIL import Image
    Image.new("RGB", (8, 8), "red").save(project / "pic.png")
    deck = b"# From stdin\n\n![w:100](pic.png)\n"
    done = run("build", "-", cwd=project, stdin=deck)          # as marp-cli: stdin to stdout
    assert done.returncode == 0, done.stderr
    assert b"From stdin</h1>" in done.stdout and b"data:image/png" in done.stdout   # image from the cwd
    assert b"standard input => standard output" in done.stderr
    done = run("build", "-", "--pdf", "-o", "-", cwd=project, stdin=deck)
    assert done.returncode == 0 and done.stdout.startswith(b"%PDF")
    done = run("build", "-", "-o", "out.html", cwd=project, stdin=deck)
    assert done.returncode == 0 and b"From stdin" in (project / "out.html").read_bytes()
    done = run("build", "deck.md", "-o", "-", cwd=project)
    assert done.stdout.startswith(b"<!DOCTYPE html>") and not (project / "deck.html").exists()


# Messages -----------------------------------------------------------------------------------------------------
def test_several_decks_into_one_file_is_a_usage_error(project):
    (project / "two.md").write_text("# Two\n", encoding="utf-8")
    done = run("build", "deck.md", "two.md", "-o", "one.html", cwd=project)
    assert done.returncode == 2 and b"give -o a folder" in done.stderr
    assert not (project / "one.html").exists()


def test_messages_count_and_name_what_they_mean(project):
    (project / "one.md").write_text("# Only\n", encoding="utf-8")
    assert b"(1 slide)" in run("build", "one.md", cwd=project).stderr
    (project / "three.md").write_text("# 1\n\n---\n\n# 2\n\n---\n\n# 3\n", encoding="utf-8")
    done = run("build", "three.md", "--images", "png", "-o", "x.png", cwd=project)
    assert b"=> x.001.png ... x.003.png (3 files) (3 slides)" in done.stderr, done.stderr
    assert (project / "x.003.png").is_file()
    (project / "empty").mkdir()
    done = run("build", "empty", cwd=project)
    assert done.returncode == 2 and b"no Markdown decks found in empty" in done.stderr


def test_a_legacy_8_bit_deck_is_decoded_and_the_warning_says_how_to_fix_it(project):
    (project / "latin.md").write_bytes("# Title\n\n---\n\n# Café crème\n".encode("latin-1"))
    done = run("build", "latin.md", cwd=project)
    assert done.returncode == 0
    assert "Café crème" in (project / "latin.html").read_text(encoding="utf-8")
    warning = done.stderr.decode()
    assert "latin.md:5: warning:" in warning and "cp1252" in warning and "Save it as UTF-8" in warning


def test_library_log_lines_never_reach_the_user(project):
    """WeasyPrint logs an image without alt text in a tagged PDF at ERROR ("has no required alt description"):
    loaded by slidekit, its log lines are not printed, also when something in the process has given the root
    logger a handler (a library's `logging.warning(...)` does: then they came out as `ERROR:weasyprint:...`)."""
    from PIL import Image
    Image.new("RGB", (8, 8), "red").save(project / "p.png")
    code = ("import logging\nlogging.basicConfig()\nfrom slidekit.export.weasy import load\nweasyprint = load()\n"
            "pdf = weasyprint.HTML(string='<img src=\"p.png\">', base_url='.').write_pdf(pdf_tags=True)\n"
            "assert pdf.startswith(b'%PDF')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, timeout=120)
    assert done.returncode == 0 and done.stderr == b"", done.stderr


# Config files: where the search stops, whose files are read ----------------------------------------------------
def test_the_config_search_stops_at_the_projects_root_and_at_home(tmp_path, monkeypatch):
    from slidekit.config import find_config
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    outside = tmp_path / "a" / "b" / "c"
    outside.mkdir(parents=True)
    (tmp_path / "a" / ".marprc.yml").write_text("html: true\n", encoding="utf-8")   # planted above the project
    assert find_config(outside) == tmp_path / "a" / ".marprc.yml"       # no root marker: found (as marp-cli)
    (tmp_path / "a" / "b" / ".git").mkdir()
    assert find_config(outside) is None                                  # the project's root stops the search
    home = tmp_path / "home" / "talks"
    home.mkdir(parents=True)
    (tmp_path / ".marprc.yml").write_text("html: true\n", encoding="utf-8")
    assert find_config(home) is None                                     # and home does


def test_a_config_others_may_write_or_owned_by_another_user_is_not_read(project, monkeypatch, capsys):
    config = project / ".marprc.yml"
    config.write_text("html: true\ntitle: Planted\n", encoding="utf-8")
    config.chmod(0o666)
    deck = project / "deck.md"
    (project / "deck.md").write_text("# T\n\n<b>bold</b>\n", encoding="utf-8")
    assert main(["build", str(deck)]) == 0
    err = capsys.readouterr().err
    assert "other users may write it" in err and "warning" in err
    assert "<title>Planted" not in (project / "deck.html").read_text(encoding="utf-8")
    config.chmod(0o644)
    if os.getuid() == 0:
        os.chown(config, 4242, -1)                          # another user's file
    else:
        monkeypatch.setattr(os, "getuid", lambda: os.stat(config).st_uid + 1)     # this process: another user
    assert main(["build", str(deck)]) == 0
    assert "belongs to another user" in capsys.readouterr().err


def test_a_config_that_turns_html_or_local_files_on_says_so_once(project, capsys):
    (project / "slidekit.yaml").write_text("html: true\nallowLocalFiles: true\n", encoding="utf-8")
    assert main(["build", str(project / "deck.md")]) == 0
    err = capsys.readouterr().err
    assert err.count("`html: true` turns on raw HTML") == 1
    assert err.count("`allowLocalFiles: true` turns on reading files") == 1
    assert main(["build", str(project / "deck.md")]) == 0           # (the same run of a process: once)
    assert "turns on" not in capsys.readouterr().err


# A failed build ------------------------------------------------------------------------------------------------
def failing_builds(monkeypatch) -> None:
    """Every build reports an error. (No deck's text causes one now: a front-matter Marp cannot read is
    ignored with a warning, as Marp ignores it.)"""
    import slidekit.api as api
    real = api.build_file

    def build_file(*args, **kwargs):
        result = real(*args, **kwargs)
        result.diagnostics.error("test", "an error made by the test")
        return result
    monkeypatch.setattr(api, "build_file", build_file)


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_a_failed_build_never_replaces_a_good_file(project, fmt, monkeypatch, capsys):
    deck = project / "deck.md"
    monkeypatch.chdir(project)
    monkeypatch.setenv("HOME", str(project))
    assert main(["build", "deck.md", "--pdf" if fmt == "pdf" else "-q"]) == 0
    good = (project / f"deck.{fmt}").read_bytes()
    deck.write_text("# Changed\n", encoding="utf-8")
    failing_builds(monkeypatch)
    capsys.readouterr()
    assert main(["build", "deck.md", *(["--pdf"] if fmt == "pdf" else [])]) == 1
    err = capsys.readouterr().err
    assert "an error made by the test" in err
    assert "nothing written" in err and "kept as it was" in err
    assert (project / f"deck.{fmt}").read_bytes() == good


@pytest.mark.parametrize("command", ["check", "serve"])
def test_check_and_serve_refuse_a_config_that_cannot_be_read(project, command):
    done = run(command, "deck.md", "-c", "nosuch.yml", cwd=project)
    assert done.returncode == 2 and b"nosuch.yml: error: config file not found" in done.stderr

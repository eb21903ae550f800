"""The command line: formats from extensions, folders, exit codes, messages instead of tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "slidekit", *args], capture_output=True, text=True, cwd=cwd)


def test_version_and_help():
    assert run("--version").stdout.startswith("slidekit ")
    help_text = run("build", "--help").stdout
    assert "--pdf" in help_text and "--theme-set" in help_text


def test_no_command_is_a_usage_error():
    assert run().returncode == 2
    assert run("build").returncode == 2


def test_default_output_sits_beside_the_deck(tmp_path):
    deck = tmp_path / "talk.md"
    deck.write_text("# Hi\n", encoding="utf-8")
    proc = run("build", str(deck))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "talk.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert run("build", str(deck), "--pdf").returncode == 0
    assert (tmp_path / "talk.pdf").read_bytes().startswith(b"%PDF")


def test_format_from_extension_and_unknown_extension(tmp_path):
    deck = tmp_path / "talk.md"
    deck.write_text("# Hi\n", encoding="utf-8")
    assert run("build", str(deck), "-o", str(tmp_path / "out" / "x.pdf")).returncode == 0
    assert (tmp_path / "out" / "x.pdf").read_bytes().startswith(b"%PDF")
    proc = run("build", str(deck), "-o", str(tmp_path / "x.docx"))
    assert proc.returncode == 2 and "format" in proc.stderr


def test_folder_build_keeps_the_layout(tmp_path):
    (tmp_path / "decks" / "a").mkdir(parents=True)
    (tmp_path / "decks" / "a" / "one.md").write_text("# One\n", encoding="utf-8")
    (tmp_path / "decks" / "two.md").write_text("# Two\n---\n# Three\n", encoding="utf-8")
    proc = run("build", str(tmp_path / "decks"), "-o", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / "a" / "one.html").exists()
    assert (tmp_path / "site" / "two.html").exists()


def test_missing_input_and_broken_yaml(tmp_path):
    proc = run("build", str(tmp_path / "nope.md"))
    assert proc.returncode == 2 and "no such file" in proc.stderr
    deck = tmp_path / "bad.md"
    deck.write_text("---\ntheme: [gaia\n---\n# Hi\n", encoding="utf-8")
    proc = run("build", str(deck))
    # Marp ignores a front-matter it cannot read and builds the slides: so does slidekit, saying so
    assert proc.returncode == 0
    assert f"{deck}:2: slide 1: warning: front-matter is not valid YAML" in proc.stderr
    assert "its settings are ignored" in proc.stderr and "Traceback" not in proc.stderr
    html = (tmp_path / "bad.html").read_text(encoding="utf-8")
    assert "<h1" in html and "Hi</h1>" in html and 'data-theme="default"' in html


def test_messages_name_file_line_and_slide(tmp_path):
    deck = tmp_path / "d.md"
    deck.write_text("# A\n\n---\n\n<!-- _pagnate: true -->\n\n![](gone.png)\n", encoding="utf-8")
    proc = run("build", str(deck))
    assert proc.returncode == 0
    assert f"{deck}:5: slide 2: warning: unknown directive '_pagnate' (did you mean '_paginate'?)" in proc.stderr
    assert f"slide 2: warning: image not found: gone.png" in proc.stderr


def test_outputs_are_readable_like_any_new_file(tmp_path):
    import os
    import stat
    deck = tmp_path / "talk.md"
    deck.write_text("# Hi\n", encoding="utf-8")
    assert run("build", str(deck)).returncode == 0
    mode = stat.S_IMODE((tmp_path / "talk.html").stat().st_mode)
    mask = os.umask(0)
    os.umask(mask)
    assert mode == 0o666 & ~mask


def test_only_the_named_commands_parser_is_built_and_help_still_lists_every_command(capsys):
    from slidekit.cli import _parser
    names = lambda parser: sorted(parser._subparsers._group_actions[0].choices)   # noqa: E731
    assert names(_parser(["build", "deck.md"])) == ["build"]
    assert names(_parser(["--help"])) == names(_parser([])) == ["build", "check", "init", "serve"]
    assert names(_parser(["nosuch"])) == ["build", "check", "init", "serve"]       # its error lists them all

"""Configuration: slidekit.yaml, [tool.slidekit], marp-cli's .marprc*; command line over file over defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slidekit.cli import main
from slidekit.config import canonical, find_config, load_config, parse_config

DECK = "---\nmarp: true\n---\n\n# Hello\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))      # the search stops at home
    (tmp_path / "talks" / "one").mkdir(parents=True)
    (tmp_path / "talks" / "one" / "deck.md").write_text(DECK, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("key", ["themeSet", "theme-set", "theme_set"])
def test_spellings(key):
    assert canonical(key) == "theme_set"


def test_found_upward_first_folder_wins(project):
    (project / ".marprc.yml").write_text("html: true\n", encoding="utf-8")
    deck_folder = project / "talks" / "one"
    assert find_config(deck_folder) == project / ".marprc.yml"
    (project / "talks" / "slidekit.yaml").write_text("title: T\n", encoding="utf-8")
    assert find_config(deck_folder) == project / "talks" / "slidekit.yaml"


def test_pyproject_counts_only_with_tool_slidekit(project):
    (project / "talks" / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (project / ".marprc.json").write_text('{"theme": "gaia"}', encoding="utf-8")
    assert find_config(project / "talks") is None       # a project's root without config: not read above it
    (project / "talks" / "pyproject.toml").unlink()
    assert find_config(project / "talks" / "one") == project / ".marprc.json"
    (project / "talks" / "pyproject.toml").write_text("[tool.slidekit]\ntheme = 'uncover'\n", encoding="utf-8")
    config = load_config(project / "talks" / "one" / "deck.md")
    assert config.path == project / "talks" / "pyproject.toml"
    assert find_config(project / "talks" / "one") == project / "talks" / "pyproject.toml"
    assert config.values == {"theme": "uncover"}


def test_marp_names_and_paths_relative_to_the_file(project):
    marprc = project / ".marprc.json"
    marprc.write_text(json.dumps({"html": True, "allowLocalFiles": True, "themeSet": "themes", "ogImage": "x.png",
                                  "inputDir": "talks", "output": "site/", "engine": "./engine.js"}))
    config = load_config(project)
    assert config.values == {"html": True, "allow_local_files": True, "theme_set": (str(project / "themes"),),
                             "og_image": "x.png", "input_dir": str(project / "talks"),
                             "output": str(project / "site")}
    assert [d.level for d in config.diagnostics] == ["info"]      # engine: marp-cli only


def test_bad_settings_are_warnings_with_a_suggestion():
    config = parse_config({"alowLocalFiles": True, "html": "yes", "theme": ["a"]}, None)
    messages = [d.message for d in config.diagnostics]
    assert messages[0] == "unknown setting 'alowLocalFiles' (did you mean 'allowLocalFiles'?); it is ignored"
    assert "expected true or false" in messages[1] and "expected a text value" in messages[2]
    assert config.values == {}


def test_broken_file_is_an_error(project):
    (project / "slidekit.yaml").write_text("theme: [oops\n", encoding="utf-8")
    config = load_config(project)
    assert config.values == {} and config.diagnostics[0].level == "error"
    assert "not valid YAML" in config.diagnostics[0].message


def _title(html_file: Path) -> str:
    text = html_file.read_text(encoding="utf-8")
    return text.split("<title>", 1)[1].split("</title>", 1)[0]


def test_precedence_command_line_over_file_over_defaults(project, capsys):
    deck = project / "talks" / "one" / "deck.md"
    out = project / "out.html"
    assert main(["build", str(deck), "-o", str(out)]) == 0
    assert _title(out) == "Hello"                                   # default: the first heading
    (project / "talks" / ".marprc.yml").write_text("title: From marprc\n", encoding="utf-8")
    assert main(["build", str(deck), "-o", str(out)]) == 0
    assert _title(out) == "From marprc"                             # config file over default
    assert main(["build", str(deck), "-o", str(out), "--title", "From CLI"]) == 0
    assert _title(out) == "From CLI"                                # command line over config file
    assert main(["build", str(deck), "-o", str(out), "--no-config"]) == 0
    assert _title(out) == "Hello"


def test_config_output_and_input_dir(project, capsys, monkeypatch):
    (project / "slidekit.yaml").write_text("inputDir: talks\noutput: site\n", encoding="utf-8")
    monkeypatch.chdir(project)
    assert main(["build"]) == 0
    assert (project / "site" / "one" / "deck.html").is_file()


def test_init_writes_a_deck_that_builds_clean(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    folder = tmp_path / "talk"
    assert main(["init", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["deck.md", "slidekit.yaml", "theme.css"]
    assert main(["init", str(folder)]) == 1                        # never overwrites without --force
    capsys.readouterr()
    assert main(["check", "--strict", str(folder / "deck.md")]) == 0, capsys.readouterr()
    out = tmp_path / "deck.html"
    assert main(["build", str(folder / "deck.md"), "-o", str(out)]) == 0
    assert 'data-theme="custom"' in out.read_text(encoding="utf-8")

"""Every command, every setting and the two set-up commands are documented (a test, as in datasette)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jaga.conf import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(
    path.stem for path in (ROOT / "jaga").glob("*/management/commands/*.py") if not path.stem.startswith("_")
)


def _headings(path: Path, level: str) -> set[str]:
    return {m.group(1).strip() for m in re.finditer(rf"^{level} (.+)$", path.read_text(), re.MULTILINE)}


def _section(text: str, heading_pattern: str) -> str:
    """The body of the first ``## `` section whose heading matches, up to the next ``## `` heading."""
    match = re.search(
        rf"^## [^\n]*(?:{heading_pattern})[^\n]*\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL | re.I
    )
    return match.group(1) if match else ""


def test_it_finds_the_commands_it_checks() -> None:
    assert {"up", "web", "worker", "scheduler", "bootstrap"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_it_documents_every_jaga_command(command: str) -> None:
    assert f"jaga {command}" in _headings(ROOT / "docs" / "commands.md", "##"), (
        f"docs/commands.md has no '## jaga {command}' section"
    )


@pytest.mark.parametrize("name", [setting.name for setting in SETTINGS])
def test_it_documents_every_setting(name: str) -> None:
    assert name in _headings(ROOT / "docs" / "settings.md", "###"), f"docs/settings.md has no '### {name}' section"


def test_it_shows_make_run_and_make_test_in_the_readme_set_up_section() -> None:
    setup = _section((ROOT / "README.md").read_text(), r"set-up|setup|memasang")
    assert setup, "README.md has no set-up section ('## ... Set-up')"
    assert re.search(r"^\s*make run\s*$", setup, re.MULTILINE), "the set-up section does not show `make run`"
    assert re.search(r"^\s*make test\s*$", setup, re.MULTILINE), "the set-up section does not show `make test`"

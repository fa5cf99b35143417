"""The user agents' descriptions kept beside the store: a later process reads them instead of loading the parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jaga.traffic.ingest import enrich

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture
def new_process(monkeypatch):  # type: ignore[no-untyped-def]
    """What a new process starts with: no agent described yet, the store's file not read yet."""

    def start() -> None:
        monkeypatch.setattr(enrich, "_AGENT_CACHE", {})
        monkeypatch.setattr(enrich, "_agents_read", set())

    start()
    return start


def _described(agents: list[str]) -> list[tuple[str, str, str]]:
    table = enrich.agents_table(agents)
    return list(zip(*(table.column(name).to_pylist() for name in ("browser", "os", "crawler")), strict=True))


def _kept(tmp_path: Path) -> tuple[Path, dict[str, list[str]]]:
    files = list((tmp_path / "traffic-store" / ".cache").glob("agents-*.json"))
    assert len(files) == 1
    return files[0], json.loads(files[0].read_text(encoding="utf-8"))


def test_the_descriptions_are_kept_beside_the_store_under_the_parsers_versions(new_process, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from importlib.metadata import version

    described = _described([BROWSER, GOOGLEBOT, ""])
    assert described == [("Chrome", "Windows", ""), ("Googlebot", "", "Googlebot"), ("", "", "")]
    path, kept = _kept(tmp_path)
    assert version("ua-parser-builtins") in path.name
    assert version("crawlerdetect") in path.name
    assert kept == {agent: list(d) for agent, d in zip([BROWSER, GOOGLEBOT, ""], described, strict=True)}


def test_a_new_process_reads_them_instead_of_describing_them_again(new_process, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _described([BROWSER])
    path, kept = _kept(tmp_path)
    # What the file says wins over the parser: proof that the next process read it.
    kept[BROWSER] = ["Kept browser", "Kept OS", ""]
    path.write_text(json.dumps(kept), encoding="utf-8")
    new_process()
    assert _described([BROWSER, GOOGLEBOT]) == [("Kept browser", "Kept OS", ""), enrich.agent_describe(GOOGLEBOT)]
    assert set(_kept(tmp_path)[1]) == {BROWSER, GOOGLEBOT}  # the new agent added, the kept one still there


def test_a_damaged_file_is_described_again_and_written_whole(new_process, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _described([BROWSER])
    path, _kept_agents = _kept(tmp_path)
    path.write_text('{"half', encoding="utf-8")
    new_process()
    assert _described([BROWSER]) == [("Chrome", "Windows", "")]
    assert _kept(tmp_path)[1] == {BROWSER: ["Chrome", "Windows", ""]}
    assert not list(path.parent.glob("*.tmp"))


def test_the_file_keeps_the_agents_described_last(new_process, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(enrich, "AGENTS_KEPT_MAX", 3)
    agents = [f"curl/8.{n}.0" for n in range(5)]
    for agent in agents:
        _described([agent])
    assert list(_kept(tmp_path)[1]) == agents[-3:]

"""Language: Indonesian by default, English complete and switchable, catalogues that compile."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "jaga" / "locale"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
ID_PO = LOCALE / "id" / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    obsolete: bool = False


def po_entries(path: Path) -> list[Entry]:
    """A small .po reader (no extra dependency): enough to see which entries are empty or fuzzy."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: str | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            current, target = None, None
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#~"):
            current.obsolete = True
        elif line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            current.msgid_plural, target = ast.literal_eval(line[13:]), "msgid_plural"
        elif line.startswith("msgid "):
            current.msgid, target = ast.literal_eval(line[6:]), "msgid"
        elif line.startswith("msgstr"):
            current.msgstrs.append(ast.literal_eval(line.split(" ", 1)[1]))
            target = "msgstr"
        elif line.startswith('"') and target is not None:
            text = ast.literal_eval(line)
            if target == "msgid":
                current.msgid += text
            elif target == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + text
            else:
                current.msgstrs[-1] += text
    return [entry for entry in entries if not entry.obsolete and entry.msgstrs]


def test_it_reads_the_po_format_it_checks(tmp_path: Path) -> None:
    sample = tmp_path / "sample.po"
    sample.write_text(
        'msgid ""\nmsgstr "Language: en\\n"\n\n#: a.py\nmsgid "Satu"\nmsgstr "One"\n\n#, fuzzy\nmsgid "Dua"\n'
        'msgstr "Two"\n\nmsgid "Tiga"\nmsgstr ""\n\nmsgid "%(n)d hari"\nmsgid_plural "%(n)d hari"\n'
        'msgstr[0] "%(n)d day"\nmsgstr[1] ""\n\nmsgid ""\n"Panjang "\n"sekali"\nmsgstr ""\n"Very "\n"long"\n',
        encoding="utf-8",
    )
    entries = {entry.msgid: entry for entry in po_entries(sample)}
    assert entries["Satu"].msgstrs == ["One"]
    assert "fuzzy" in entries["Dua"].flags
    assert entries["Tiga"].msgstrs == [""]
    assert entries["%(n)d hari"].msgstrs == ["%(n)d day", ""]
    assert entries["Panjang sekali"].msgstrs == ["Very long"]


def test_it_translates_every_message_into_english() -> None:
    entries = [entry for entry in po_entries(EN_PO) if entry.msgid]
    assert len(entries) > 100, "the English catalogue looks empty: run scripts/update-messages.sh"
    untranslated = [f"line {e.line}: {e.msgid!r}" for e in entries if not all(e.msgstrs)]
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{EN_PO} has untranslated messages:\n" + "\n".join(untranslated)
    assert not fuzzy, f"{EN_PO} has fuzzy messages:\n" + "\n".join(fuzzy)


def test_it_keeps_both_catalogues_on_the_same_messages() -> None:
    english = {e.msgid for e in po_entries(EN_PO)}
    indonesian = {e.msgid for e in po_entries(ID_PO)}
    assert english == indonesian, "run scripts/update-messages.sh: the catalogues differ"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext (msgfmt) is not installed")
@pytest.mark.parametrize("po", [EN_PO, ID_PO], ids=["en", "id"])
def test_it_compiles_catalogues_with_matching_placeholders(po: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def compiled_messages() -> None:
    """The build compiles the catalogues (`make messages`); compile here too when they are missing or stale."""
    for po in (EN_PO, ID_PO):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            partial = mo.with_name(f"django.mo.{os.getpid()}")  # parallel workers: write aside, then swap in
            subprocess.run(["msgfmt", "--check", "-o", str(partial), str(po)], check=True)
            partial.replace(mo)
    translation.trans_real._translations.clear()  # type: ignore[attr-defined]  # load what was just compiled


def test_it_speaks_indonesian_by_default(client: Client, compiled_messages: None) -> None:
    page = client.get("/login/")
    assert page.status_code == 200
    assert '<html lang="id">' in page.content.decode()
    assert "Masuk ke Jaga" in page.content.decode()


@pytest.mark.django_db
def test_it_switches_to_english_and_back(client: Client, compiled_messages: None) -> None:
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert switched.status_code == 302
    assert switched["Location"] == "/login/"
    english = client.get("/login/").content.decode()
    assert '<html lang="en">' in english
    assert "Log in to Jaga" in english
    assert "Masuk ke Jaga" not in english
    client.post("/i18n/setlang/", {"language": "id", "next": "/login/"})
    assert "Masuk ke Jaga" in client.get("/login/").content.decode()


def test_it_translates_formats_and_durations_in_english(compiled_messages: None) -> None:
    import datetime as dt

    from jaga.core.templatetags.jaga_format import durasi

    with translation.override("en"):
        assert durasi(dt.timedelta(hours=1, minutes=2)) == "1 hour 2 minutes"
    with translation.override("id"):
        assert durasi(dt.timedelta(hours=1, minutes=2)) == "1 jam 2 menit"

#!/usr/bin/env python3
"""Fill English translations in jaga/locale/en/LC_MESSAGES/django.po from a small JSON file.

    scripts/po-translate.py --list                # the entries still empty or fuzzy, as JSON to fill in
    scripts/po-translate.py translations.json     # {"Indonesian msgid": "English", ...}; plural: [one, other]

Run scripts/update-messages.sh first (it collects new strings); a filled entry loses its fuzzy flag.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "jaga" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def pending(po: polib.POFile) -> dict[str, str | list[str]]:
    todo: dict[str, str | list[str]] = {}
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            if "fuzzy" in entry.flags or not all(entry.msgstr_plural.values()):
                todo[entry.msgid] = ["", ""]
        elif "fuzzy" in entry.flags or not entry.msgstr:
            todo[entry.msgid] = ""
    return todo


def main(argv: list[str]) -> int:
    po = polib.pofile(str(PO), wrapwidth=79)
    if not argv or argv[0] == "--list":
        json.dump(pending(po), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    given: dict[str, str | list[str]] = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    missing = set(given)
    for entry in po:
        if entry.msgid not in given or entry.obsolete:
            continue
        value = given[entry.msgid]
        if entry.msgid_plural:
            one, other = value if isinstance(value, list) else (value, value)
            entry.msgstr_plural = {0: one, 1: other}
        else:
            entry.msgstr = value if isinstance(value, str) else value[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        missing.discard(entry.msgid)
    po.save(str(PO))
    for msgid in sorted(missing):
        print(f"not in the catalogue (run scripts/update-messages.sh?): {msgid!r}", file=sys.stderr)
    left = len(pending(po))
    print(f"{len(given) - len(missing)} filled; {left} still empty or fuzzy")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Sentences stored as data and read in each reader's language.

A check's reason, a finding, a network failure: written once (by a probe, a task) and read later by people
of either language. So they are kept as their Indonesian msgid (marked with ``gettext_noop`` so that the
catalogue has it) and their values, and put into words when a page or a message is drawn, not when the
check ran.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext

Text = dict[str, Any]  # {"id": Indonesian msgid, "args": {name: value or Text}}: see say()


def say(msgid: str, **args: Any) -> Text:
    """A sentence each reader reads in his language: its Indonesian source and its values, a value being itself
    a ``say()`` when it is Jaga's own words. Rendered by :func:`said`."""
    return {"id": msgid, "args": args}


def say_label(label: Any) -> Text:
    """A catalogued label (a lazy translation: a choice's, a kind's) as a sentence: its Indonesian msgid, read
    later in each reader's language. The Indonesian catalogue leaves every msgstr empty, so the label's words
    under Indonesian are its msgid."""
    with translation.override("id"):
        return say(str(label))


def _value(value: Any, translate: bool) -> Any:
    if isinstance(value, float):  # "1,6" for an Indonesian reader, "1.6" for an English one, "120" for both
        if value.is_integer():
            return int(value)
        return formats.number_format(value) if translate else f"{value:g}"
    if isinstance(value, dict) and "id" in value:
        return said(value, translate=translate)
    if isinstance(value, list):  # several sentences: "; " between them
        return "; ".join(str(_value(item, translate)) for item in value)
    return value


def said(text: Text, *, translate: bool = True) -> str:
    """``text`` in the active language (``translate=False``: the Indonesian source)."""
    values = {name: _value(value, translate) for name, value in (text.get("args") or {}).items()}
    template = gettext(text["id"]) if translate else text["id"]
    return template % values if values else template


def said_both(text: Text) -> str:
    """ "Indonesian / English", for the logs and messages of code that has no reader's language (a command's
    output, an exception's text); the same words when there is no translation."""
    indonesian = said(text, translate=False)
    with translation.override("en"):
        english = said(text)
    return indonesian if english == indonesian else f"{indonesian} / {english}"


_BOOKS: dict[str, Reasons] = {}


class Reasons:
    """One module's sentences by short code, so that a stored one is ``["http.up",{"status":200,"ms":12}]``
    (a raw check result is written 1,440 times a day per monitor: its reason must stay small) and still reads
    in each reader's language. Codes are kept when a sentence's words change; a new meaning is a new code."""

    def __init__(self, prefix: str, msgids: dict[str, str]) -> None:
        self.prefix = prefix
        self.msgids = msgids
        _BOOKS[prefix] = self

    def __call__(self, code: str, /, **args: Any) -> Text:
        return {"id": self.msgids[code], "args": args, "code": f"{self.prefix}.{code}"}


_FINDERS: list[Callable[[str], None]] = []


def finder_register(finder: Callable[[str], None]) -> None:
    """From an app's ``ready()``: ``finder(prefix)`` imports the module that opens the book of ``prefix`` (the
    monitoring kinds' books are opened when their kind is imported), for a reader that names no finder."""
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def _find_registered(prefix: str) -> None:
    for finder in _FINDERS:
        finder(prefix)
        if prefix in _BOOKS:
            return


def books() -> dict[str, Reasons]:
    """Every book loaded so far, by prefix (the i18n test reads their sentences)."""
    return dict(_BOOKS)


def _pack(value: Any) -> Any:
    if isinstance(value, dict) and "id" in value:
        args = {name: _pack(item) for name, item in (value.get("args") or {}).items()}
        code = value.get("code")
        if code:
            return [code, args] if args else [code]
        return {"id": value["id"], "args": args}
    if isinstance(value, list):
        return {"list": [_pack(item) for item in value]}
    return value


def sentence_dump(text: Text | str) -> str:
    """``text`` as stored (compact JSON); a plain string (an older version's sentence) as it is."""
    if isinstance(text, str):
        return text
    return json.dumps(_pack(text), ensure_ascii=False, separators=(",", ":"))


def _unpack(value: Any, finder: Callable[[str], None] | None) -> Any:
    if isinstance(value, list) and value and isinstance(value[0], str):
        if len(value) > 2 or (len(value) == 2 and not isinstance(value[1], dict)):
            raise ValueError("not a coded sentence")
        prefix, _dot, key = value[0].partition(".")
        if prefix not in _BOOKS and finder is not None:
            finder(prefix)
        msgid = _BOOKS[prefix].msgids[key]
        args = value[1] if len(value) == 2 else {}
        return {"id": msgid, "args": {k: _unpack(v, finder) for k, v in args.items()}, "code": value[0]}
    if isinstance(value, dict) and "list" in value:
        return [_unpack(item, finder) for item in value["list"]]
    if isinstance(value, dict) and "id" in value:
        return {"id": value["id"], "args": {k: _unpack(v, finder) for k, v in (value.get("args") or {}).items()}}
    return value


def sentence_load(stored: str, *, finder: Callable[[str], None] | None = None) -> Text | None:
    """The sentence of a stored value, or None for a plain string (or a code no book knows any more).

    ``finder(prefix)`` is asked to load the book of a prefix not loaded yet (it imports the module); without
    one, the finders the apps registered (:func:`finder_register`) are."""
    if not stored.startswith(("[", "{")):
        return None
    try:
        text = _unpack(json.loads(stored), finder or _find_registered)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return text if isinstance(text, dict) and "id" in text else None


def sentence_read(stored: str, *, translate: bool = True, finder: Callable[[str], None] | None = None) -> str:
    """A stored sentence in the active language; an older version's plain sentence as it was stored."""
    text = sentence_load(stored, finder=finder)
    if text is None:
        return stored
    try:
        return said(text, translate=translate)
    except (KeyError, TypeError, ValueError):  # a translation whose placeholders do not fit: the source
        return said(text, translate=False)

"""Activity keys: the stable names Jaga's work is recorded under, whatever number a court's SOP gives it.

The ledger is written by key (``ledger_record(activity_key="backup", ...)``); each SOP maps a key to one of
its activities (``Activity.key``). The PN Bangil SOP numbers them 1 to 7; another court's revision may put
the backup third, or add activities of its own: the key finds the right row either way.

When an SOP is read from its text, each activity gets the key whose wording its description matches
(one key, and only one, or none: an administrator then sets it). A new app that performs an SOP activity
not listed here registers its key in its ``AppConfig.ready()``::

    activity_key_register("accessibility", label=_("Aksesibilitas"), matches=(r"aksesibilitas",))
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class ActivityKey:
    key: str
    label: StrOrPromise
    matches: tuple[str, ...] = ()  # regular expressions (case-insensitive) on an activity's description
    recurring: bool = False  # the time standard is also how often it is due (monitoring every 2 h, backup 6 h)


_KEYS: dict[str, ActivityKey] = {}


def activity_key_register(
    key: str, *, label: StrOrPromise, matches: Iterable[str] = (), recurring: bool = False
) -> ActivityKey:
    """Add a key (idempotent for the same key)."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", key):
        raise ValueError(f"kunci aktivitas {key!r} tidak sah (huruf kecil, angka, _) / bad activity key")
    existing = _KEYS.get(key)
    if existing is not None:
        return existing
    for pattern in matches:
        re.compile(pattern)
    _KEYS[key] = ActivityKey(key=key, label=label, matches=tuple(matches), recurring=recurring)
    return _KEYS[key]


def activity_keys() -> list[ActivityKey]:
    return list(_KEYS.values())


def activity_key_choices() -> list[tuple[str, StrOrPromise]]:
    return [("", _("— tanpa kunci —")), *((entry.key, entry.label) for entry in _KEYS.values())]


def activity_key_is_known(key: str) -> bool:
    return key in _KEYS


def activity_key_recurring(key: str) -> bool:
    entry = _KEYS.get(key)
    return entry is not None and entry.recurring


def validate_activity_key(value: str) -> None:
    if value and value not in _KEYS:
        raise ValidationError(
            _("Kunci aktivitas tidak dikenal: %(key)s. Pilihan: %(known)s."),
            params={"key": value, "known": ", ".join(_KEYS)},
        )


def activity_key_guess(description: str) -> list[str]:
    """The keys whose wording ``description`` matches (the caller uses it only when there is exactly one)."""
    return [
        entry.key
        for entry in _KEYS.values()
        if any(re.search(pattern, description, re.IGNORECASE) for pattern in entry.matches)
    ]


def activity_keys_assign(descriptions: dict[int, str]) -> dict[int, str]:
    """``{activity number: key}`` for the activities whose description matches one key no other matches."""
    guesses = {number: activity_key_guess(text) for number, text in descriptions.items()}
    claimed: dict[str, list[int]] = {}
    for number, keys in guesses.items():
        if len(keys) == 1:
            claimed.setdefault(keys[0], []).append(number)
    return {numbers[0]: key for key, numbers in claimed.items() if len(numbers) == 1}


def register_standard_keys() -> None:
    """The seven activities of the SOP PENGELOLAAN WEBSITE template (PN Bangil, W14.U21/10/SOP/09/2016)."""
    activity_key_register(
        "monitoring",
        label=_("Pemantauan pembaruan konten dan akses online"),
        matches=(r"\bonline\b", r"pembaruan konten", r"\bupdating\b", r"ketersediaan akses"),
        recurring=True,
    )
    activity_key_register(
        "backup", label=_("Pencadangan (backup)"), matches=(r"\bback ?up\b", r"\bcadang"), recurring=True
    )
    activity_key_register("traffic", label=_("Pemantauan aktivitas pengunjung"), matches=(r"pengunjung",))
    activity_key_register(
        "renewal", label=_("Perpanjangan koneksi, hosting dan domain"), matches=(r"hosting", r"domain", r"perpanjang")
    )
    activity_key_register(
        "report", label=_("Laporan situasi kepada Sekretaris"), matches=(r"^\s*melaporkan", r"laporan situasi")
    )
    activity_key_register("incident_action", label=_("Tindakan pemecahan masalah"), matches=(r"\btindakan",))
    activity_key_register("troubleshooting", label=_("Troubleshooting"), matches=(r"troubleshoot",))

"""The notes Jaga itself writes on a case's steps (opened automatically, a reminder, an escalation, a renewal
seen at the registry), kept as a message key with its values so that each reader sees them in their language.

``note`` keeps the Indonesian text as well (the audit trail, the API, the SOP ledger); the page shows
:func:`note_text`. A person's own note has no key and is shown as written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

MESSAGES: dict[str, StrOrPromise] = {
    "opened_auto": _("dibuka otomatis: berakhir dalam %(days)s hari"),
    "opened_by_hand": _("dibuka oleh petugas"),
    "opened_api": _("dibuka lewat API"),
    "reminder": _("%(days)s hari lagi (pengingat %(mark)s hari)"),
    "escalated": _("tenggat %(deadline)s lewat %(late)s hari"),
    "renewal_seen": _("tanggal berakhir sudah maju ke %(expires)s (%(source)s); kasus belum dibayar"),
    "renewed_auto": _("diverifikasi otomatis (%(source)s): %(before)s → %(after)s"),
}
DATE_PARAMS = ("deadline", "expires", "before", "after")


def _shown(key: str, value: Any) -> Any:
    if key in DATE_PARAMS and isinstance(value, str) and value:
        return formats.date_format(dt.date.fromisoformat(value), "j F Y")
    if key == "source" and value:
        from jaga.renewals.models import ExpirySource

        return ExpirySource(value).label if value in ExpirySource.values else value
    return "-" if value in (None, "") else value


def note_render(message: str, params: dict[str, Any]) -> str:
    """The note in the active language."""
    return str(MESSAGES[message]) % {key: _shown(key, value) for key, value in params.items()}


def step_note(message: str, **params: Any) -> dict[str, Any]:
    """``CaseStep`` fields for a system note: ``note`` (Indonesian) and ``data`` (the key and its values)."""
    values = {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in params.items()}
    with translation.override("id"):
        note = note_render(message, values)
    return {"note": note, "data": {"message": message, **values}}


def note_text(*, note: str, data: dict[str, Any] | None) -> str:
    data = data or {}
    message = data.get("message")
    if message not in MESSAGES:
        return note
    try:
        return note_render(message, {key: value for key, value in data.items() if key != "message"})
    except (KeyError, TypeError, ValueError):  # a note written by an older version: the stored text
        return note

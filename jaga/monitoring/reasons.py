"""What a check found, kept as data (``jaga.core.sentences``) and read in each reader's language.

A check result's, a status change's and a monitor's reason are stored as a coded sentence
(``["http.up",{"status":200,"ms":12}]``): each kind keeps its sentences in a :class:`Reasons` book named by
the kind, found here through the kinds' registry. A reason stored by an older version (a plain Indonesian
sentence) is shown as it was stored; migration 0007 turned the common ones of status changes into data.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from django.utils.translation import gettext_noop as _

from jaga.core.sentences import Reasons, Text, sentence_dump, sentence_load, sentence_read

# The books that are not a kind's, by the module that opens them: imported only when a reason of theirs is read,
# so that a command which never reads one does not import the HTTP client (aiohttp) at start-up.
BOOK_MODULES = {"net": "jaga.core.http", "dns_lookup": "jaga.core.resolver", "pages": "jaga.monitoring.content.fetch"}

# The probe's and the services' own reasons.
ENGINE = Reasons(
    "engine",
    {
        "not_checked": _("Belum diperiksa"),
        "timeout": _("Batas waktu %(seconds)s detik terlampaui"),
        "crashed": _("Galat internal pemeriksaan: %(error)s"),
        "bad_config": _("Konfigurasi tidak sah: %(error)s"),
        "probe_offline": _("Probe %(probe)s luring: target kontrol tidak terjangkau; hasil diabaikan (%(reason)s)"),
        "paused": _("Dijeda"),
        "resumed": _("Dilanjutkan"),
    },
)


def _find(prefix: str) -> None:
    from jaga.monitoring.kinds import REGISTRY

    if prefix in BOOK_MODULES:
        importlib.import_module(BOOK_MODULES[prefix])
        return
    if prefix in REGISTRY:
        REGISTRY.get(prefix)  # importing the kind's module opens its book


def reason_dump(reason: Text | str) -> str:
    """A reason as stored in ``CheckResult.reason``, ``StatusChange.reason`` and ``Monitor.status_reason``."""
    return sentence_dump(reason)[:2000]


def reason_text(stored: str) -> Text | None:
    return sentence_load(stored, finder=_find)


def reason_read(stored: str, *, translate: bool = True) -> str:
    """A stored reason in the active language (``translate=False``: Indonesian)."""
    return sentence_read(stored or "", translate=translate, finder=_find)


class Worded:
    """A notification's value put into words in each recipient's language (``str()`` is called once the
    recipient's language is active): a stored reason, a list of findings."""

    def __init__(self, render: Callable[[], str]) -> None:
        self.render = render

    def __str__(self) -> str:
        return self.render()


def reason_param(stored: str) -> Worded:
    return Worded(lambda: reason_read(stored))

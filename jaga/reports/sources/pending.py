"""Sections whose app is not in this Jaga yet: they say so plainly, and are filled in when the app lands."""

from __future__ import annotations

from importlib.util import find_spec

from django.utils.translation import gettext as _

from jaga.reports.document import Section, SectionState


def app_ready(module: str) -> bool:
    """Whether the selectors ``module`` of another app exists (``jaga.backups.selectors``)."""
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def unavailable(*, key: str, title: str) -> Section:
    return Section(
        key=key,
        title=title,
        state=SectionState.UNAVAILABLE,
        paragraphs=[_("Data bagian ini belum tersedia: fitur tersebut belum terpasang di Jaga ini.")],
    )

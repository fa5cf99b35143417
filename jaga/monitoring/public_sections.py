"""Sections other apps add to a site's public status page (the incidents app: open incidents and their public
updates). The monitoring app draws the page; it names no app above it.

An app registers, in its ``ready()``::

    from jaga.monitoring.public_sections import public_section_register

    public_section_register("incidents", template="incidents/_public_status.html",
                            context="jaga.incidents.selectors.public_status_section")

The context function is called as ``fn(*, site, now)`` and returns a dict for its template (``section`` in
it), or None to draw nothing. Whatever it shows is public: never internal details. A function that fails is
logged and its section left out. A section that presents maintenance windows itself (with their public
updates) names them in ``windows``, pairs ``(window pk, start of the occurrence)``: the page's own list of
scheduled maintenance leaves those out, so that each one is announced once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublicSection:
    template: str
    context: dict[str, Any]
    windows: frozenset[tuple[int, datetime]] = frozenset()  # the maintenance occurrences it presents


_SECTIONS: dict[str, tuple[str, str]] = {}


def public_section_register(key: str, *, template: str, context: str) -> None:
    """Register (or register again, changing nothing) the section ``key``."""
    _SECTIONS[key] = (template, context)


def public_sections_for(*, site: Any, now: Any) -> list[PublicSection]:
    sections = []
    for key, (template, dotted_path) in _SECTIONS.items():
        module, _dot, name = dotted_path.rpartition(".")
        try:
            context = getattr(import_module(module), name)(site=site, now=now)
        except Exception:
            logger.exception("public status section %s failed", key)
            continue
        if context is not None:
            windows = frozenset((pk, start) for pk, start in context.get("windows", ()))
            sections.append(PublicSection(template=template, context=context, windows=windows))
    return sections

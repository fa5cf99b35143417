"""The shared page furniture: the main menu, built from the pages that exist for the user's institutions.

Each app owns its URLs; the menu only links a page when its path resolves, so the menu grows as apps land
and never shows a dead link. A page may still replace the menu with ``{% block nav %}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jaga.core.permissions import institutions_for

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    href: str
    active: bool = False


# (label, path templates tried in order; "{slug}" is the institution's slug). The first that resolves wins.
NAV_SECTIONS: list[tuple[Promise, tuple[str, ...]]] = [
    (_("Dasbor"), ("/sop/{slug}/",)),
    (_("SOP"), ("/sop/{slug}/sop/",)),
    (_("Pemantauan"), ("/monitoring/{slug}/", "/monitoring/")),
    (_("Cadangan"), ("/backups/{slug}/", "/backups/")),
    (_("Pengunjung"), ("/traffic/{slug}/", "/traffic/")),
    (_("Perpanjangan"), ("/renewals/{slug}/", "/renewals/")),
    (_("Insiden"), ("/incidents/{slug}/", "/incidents/")),
    (_("Laporan"), ("/reports/{slug}/", "/reports/")),
    (_("Instansi"), ("/instansi/{slug}/",)),
]


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def nav_items(*, request: HttpRequest, user: Any) -> list[NavItem]:
    """The menu for ``user``: home, then each section that exists for the first of the user's institutions."""
    items = [NavItem(_("Beranda"), "/")]
    if not getattr(user, "is_authenticated", False):
        return items
    institution = institutions_for(user).first()
    if institution is not None:
        for label, candidates in NAV_SECTIONS:
            for candidate in candidates:
                href = candidate.format(slug=institution.slug)
                if _resolves(href):
                    items.append(NavItem(label, href))
                    break
    if getattr(user, "is_staff", False):
        items.append(NavItem(_("Admin"), "/admin/"))
    current = request.path
    # The longest matching prefix is the active one, so "/sop/x/sop/" does not also light up "/sop/x/".
    best = max(
        (i for i in items if current == i.href or (i.href != "/" and current.startswith(i.href))),
        key=lambda i: len(i.href),
        default=None,
    )
    return [NavItem(i.label, i.href, i is best) for i in items]


@register.inclusion_tag("jaga/nav.html", takes_context=True)
def jaga_nav(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {"items": []}
    return {"items": nav_items(request=request, user=context.get("user"))}


@register.simple_tag
def live_seconds() -> int:
    """How often a live page polls itself (``hx-trigger="every {% live_seconds %}s"``): JAGA_LIVE_SECONDS."""
    return int(settings.JAGA_LIVE_SECONDS)


@register.simple_tag
def live_note() -> SafeString:
    """The line that tells a reader the page draws itself again, with the interval it really uses; the
    page's script writes a failed poll into it (``data-live-note``)."""
    seconds = live_seconds()
    text = ngettext(
        "Diperbarui otomatis setiap %(seconds)d detik.", "Diperbarui otomatis setiap %(seconds)d detik.", seconds
    ) % {"seconds": seconds}
    return format_html('<p class="live-note" data-live-note>{}</p>', text)

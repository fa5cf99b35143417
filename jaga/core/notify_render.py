"""How a notification reads: its title and body in one language, its values in the institution's formats.

Callers of ``notify()`` pass lazy gettext strings and ``params``; :func:`message_render` turns them into the
text one recipient reads, under ``translation.override(language)``: "%(monitor)s TURUN" becomes
"Beranda TURUN" for an Indonesian reader and "Beranda DOWN" for an English one, and a datetime in ``params``
reads "2 Desember 2026, 06.55 WIB" (or "2 December 2026, 06:55 WIB") in the institution's time zone.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django_stubs_ext import StrOrPromise

from jaga.core.templatetags.jaga_format import durasi, tanggal, tanggal_jam

logger = logging.getLogger(__name__)


def param_format(value: Any, *, time_zone: str) -> str:
    """One value of ``params`` as the reader reads it, in the active language."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return gettext("ya") if value else gettext("tidak")
    if isinstance(value, dt.datetime):
        return tanggal_jam(value, time_zone)
    if isinstance(value, dt.date):
        return tanggal(value)
    if isinstance(value, dt.timedelta):
        return durasi(value)
    if isinstance(value, float | decimal.Decimal):
        return str(formats.number_format(value))  # "0,5" in Indonesian, "0.5" in English
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(param_format(item, time_zone=time_zone) for item in value) or "-"
    return str(value)  # str, int, a lazy string (translated now), a model instance (its name)


def message_render(text: StrOrPromise, params: Mapping[str, Any] | None, *, language: str, time_zone: str) -> str:
    """``text`` translated into ``language`` and formatted with ``params``. Never raises for a bad template:
    the caller's message is then sent unformatted rather than not at all (and the mistake is logged)."""
    with translation.override(language):
        template = str(text)
        if not params:
            return template
        values = {key: param_format(value, time_zone=time_zone) for key, value in params.items()}
        try:
            return template % values
        except (KeyError, ValueError, TypeError) as exc:
            logger.error("notification text %r does not fit its params %s: %r", template, sorted(values), exc)
            return template


def link_path(link: Any) -> str:
    """A path (or URL) given as is, or the object's ``get_absolute_url()``; "" for nothing."""
    if link is None or link == "":
        return ""
    if isinstance(link, str | Promise):
        return str(link)
    get_url = getattr(link, "get_absolute_url", None)
    if not callable(get_url):
        logger.warning("notification link %r has no get_absolute_url()", link)
        return ""
    try:
        return str(get_url())
    except Exception:
        logger.exception("notification link %r: get_absolute_url() failed", link)
        return ""


def link_absolute(path: str) -> str:
    """The address a recipient can open: ``JAGA_BASE_URL`` + path; "" without the setting."""
    if not path:
        return ""
    if path.startswith(("http://", "https://")):
        return path
    base: str = settings.JAGA_BASE_URL
    if not base:
        return ""
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def link_subject(link: Any) -> models.Model | None:
    """The object a link points at, kept on the delivery as what the message is about."""
    return link if isinstance(link, models.Model) and link.pk is not None else None


def body_compose(*, body: str, site_line: str, url: str, language: str) -> str:
    """The body a recipient reads: the site it is about, the message, and where to look in Jaga."""
    parts = [site_line, body] if site_line else [body]
    if url:
        with translation.override(language):
            parts.append(gettext("Buka di Jaga: %(url)s") % {"url": url})
    return "\n\n".join(part for part in parts if part)


def language_default() -> str:
    """The language of a message when nothing says otherwise: Jaga's default language (JAGA_LANGUAGE)."""
    return str(settings.LANGUAGE_CODE)


def user_language(user: Any) -> str:
    """The language ``user`` reads Jaga in: their own preference when they have one, else the default.

    The preference is ``user.language`` when the accounts part of Jaga gives people one; any value that is
    not one of Jaga's languages falls back to the default.
    """
    preference = getattr(user, "language", "") or ""
    known = {code for code, _name in settings.LANGUAGES}
    return preference if preference in known else language_default()

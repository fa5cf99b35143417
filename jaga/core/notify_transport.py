"""The one place that talks to apprise. Tests substitute :func:`send` or point it at a loopback server."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from urllib.parse import quote, unquote, unquote_plus


class NotificationError(Exception):
    """Sending failed; the message says why, for the channel's page."""


def url_is_valid(url: str) -> bool:
    import apprise

    return apprise.Apprise.instantiate(url.strip()) is not None


def send(*, url: str, title: str, body: str) -> None:
    """Send one notification through the apprise URL, or raise NotificationError."""
    import apprise

    apobj = apprise.Apprise()
    if not apobj.add(url.strip()):
        scheme = url.split("://", 1)[0] if "://" in url else "?"
        raise NotificationError(f"URL apprise tidak dikenali atau tidak lengkap (skema '{scheme}')")
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:  # type: ignore[no-untyped-call]
        ok = apobj.notify(title=title, body=body)
        log_text = captured.getvalue().strip()
    if not ok:
        lines = [line for line in log_text.splitlines() if line.strip()]
        detail = "; ".join(lines[-3:]) if lines else "tidak ada keterangan dari apprise"
        raise NotificationError(f"pengiriman gagal: {detail}")


# Schemes whose URL addresses people (each message goes to listed mailboxes), as opposed to group channels
# (a Telegram chat, an ntfy topic, a webhook) where the channel itself is the audience.
PERSONAL_SCHEMES = frozenset({"mailto", "mailtos"})


def url_scheme(url: str) -> str:
    return url.strip().split("://", 1)[0].lower() if "://" in url else ""


def url_addresses_people(url: str) -> bool:
    return url_scheme(url) in PERSONAL_SCHEMES


def url_with_recipients(url: str, recipients: Sequence[str]) -> str:
    """The e-mail URL with ``recipients`` added to its ``to=`` (kept: everything else, verbatim).

    Only the query's ``to`` parameter is rewritten; the user, password and host part is never parsed or
    re-encoded, so a percent-encoded password stays exactly as the administrator typed it.
    """
    url = url.strip()
    base, _, fragment = url.partition("#")
    head, has_query, query = base.partition("?")
    kept: list[str] = []
    addresses: list[str] = []
    for part in query.split("&") if has_query else []:
        key, _, value = part.partition("=")
        if unquote_plus(key).lower() == "to":
            addresses += [a for a in re.split(r"[\s,;]+", unquote(value)) if a]
        elif part:
            kept.append(part)
    seen: set[str] = set()
    merged: list[str] = []
    for address in [*addresses, *recipients]:
        if address.lower() not in seen:
            seen.add(address.lower())
            merged.append(address)
    if merged:
        kept.append("to=" + quote(",".join(merged), safe="@,"))
    result = head + ("?" + "&".join(kept) if kept else "")
    return result + ("#" + fragment if fragment else "")

"""The one place that talks to apprise. Tests point channels at a loopback server (or substitute :func:`send`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote, unquote, unquote_plus

# Jaga's severities, which are apprise's notification types (a failure shows red, a success green...).
SEVERITIES = ("info", "success", "warning", "failure")


class NotificationError(Exception):
    """Sending failed; the message says why, for the channel's page.

    ``permanent``: trying again cannot help (an attachment that is gone), so the delivery is not retried.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def url_is_valid(url: str) -> bool:
    import apprise

    return apprise.Apprise.instantiate(url.strip()) is not None


def send(
    *,
    url: str,
    title: str,
    body: str,
    severity: str = "info",
    attachments: Sequence[str | Path] = (),
    timeout: float = 30,
) -> None:
    """Send one notification through the apprise URL, or raise NotificationError.

    ``severity`` is apprise's notification type (info, success, warning, failure); ``attachments`` are
    local files, sent where the service takes attachments (e-mail, Telegram, ntfy, JSON webhooks...).
    """
    import apprise

    missing = [str(path) for path in attachments if not Path(path).is_file()]
    if missing:
        raise NotificationError(f"lampiran tidak ditemukan: {', '.join(missing)}", permanent=True)
    apobj = apprise.Apprise()
    if not apobj.add(url.strip()):
        raise NotificationError(f"URL apprise tidak dikenali atau tidak lengkap (skema '{url_scheme(url) or '?'}')")
    notify_type = apprise.NotifyType(severity if severity in SEVERITIES else "info")
    attach = apprise.AppriseAttachment([str(path) for path in attachments]) if attachments else None
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:  # type: ignore[no-untyped-call]
        ok = apobj.notify(title=title, body=body, notify_type=notify_type, attach=attach, timeout=timeout)
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


def _url_split(url: str) -> tuple[str, list[str], list[str], str]:
    """``(head, other query parts verbatim, addresses of to=, fragment)``."""
    base, _, fragment = url.strip().partition("#")
    head, has_query, query = base.partition("?")
    kept: list[str] = []
    addresses: list[str] = []
    for part in query.split("&") if has_query else []:
        key, _, value = part.partition("=")
        if unquote_plus(key).lower() == "to":
            addresses += [a for a in re.split(r"[\s,;]+", unquote(value)) if a]
        elif part:
            kept.append(part)
    return head, kept, addresses, fragment


def url_recipients(url: str) -> list[str]:
    """The addresses an e-mail URL names in its own ``to=``."""
    return _url_split(url)[2]


def url_with_recipients(url: str, recipients: Sequence[str], *, replace: bool = False) -> str:
    """The e-mail URL with ``recipients`` added to its ``to=`` (or instead of them, with ``replace``).

    Only the query's ``to`` parameter is rewritten; the user, password and host part is never parsed or
    re-encoded, so a percent-encoded password stays exactly as the administrator typed it.
    """
    head, kept, addresses, fragment = _url_split(url)
    seen: set[str] = set()
    merged: list[str] = []
    for address in [*([] if replace else addresses), *recipients]:
        if address.lower() not in seen:
            seen.add(address.lower())
            merged.append(address)
    if merged:
        kept.append("to=" + quote(",".join(merged), safe="@,"))
    result = head + ("?" + "&".join(kept) if kept else "")
    return result + ("#" + fragment if fragment else "")

"""The one place that talks to apprise. Tests substitute :func:`send` or point it at a loopback server."""

from __future__ import annotations

import logging


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

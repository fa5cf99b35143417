"""Jaga's own User-Agent: what its HTTP requests send, and what the visitor log knows Jaga's probe by.

Apart from :mod:`jaga.core.http` so that reading it (a detection round leaves the probe's lines out) does not
import the HTTP client.
"""

from __future__ import annotations

from django.conf import settings


def user_agent() -> str:
    return str(getattr(settings, "JAGA_USER_AGENT", "") or "Jaga/0.1 (+monitoring)")

"""Demo steps: each app fills its own part of ``jaga demo`` (its monitors, its backups, its ledger history).

An app writes ``jaga/<app>/demo.py`` with ``demo_fill(*, ctx: DemoContext) -> None`` and registers it in
its ``AppConfig.ready()``::

    from jaga.core.demo import demo_step_register

    demo_step_register("<app>", "jaga.<app>.demo", label=_("..."))

``jaga demo`` makes the demo institution, its site and its people, then runs every registered step in
the order the apps were registered (the order of INSTALLED_APPS). A step is idempotent: run again, it keeps
what exists and fills what is missing. It says what it did with ``ctx.done.append(...)`` and what it left
out, and why, with ``ctx.skipped.append(...)``; a step that raises is reported as skipped and the
others still run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from jaga.core.registry import Registry

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from jaga.core.models import Institution, Site


@dataclass
class DemoContext:
    """What every demo step gets: the demo institution, its site and people, and where to say what it did."""

    institution: Institution
    site: Site
    users: dict[str, User]  # role code (jaga.core.models.Role) -> the demo user with that role
    base_url: str  # the demo court site, served by Jaga itself on loopback
    now: dt.datetime
    days: int  # how many days of history to make
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


DemoStep = Callable[..., Any]

DEMO_STEPS: Registry[DemoStep] = Registry("demo step", attribute="demo_fill", noun=_("langkah demo"))


def demo_step_register(key: str, path: str, *, label: StrOrPromise) -> None:
    """Add the app's demo step: ``path`` is its module (with ``demo_fill``) or ``module:function``."""
    DEMO_STEPS.register(key, path, label=label)

"""``jaga demo``: a demo institution with its site and people, then every app's demo step.

This module makes what all steps share (the institution, the demo court site, one user per role) and runs
each step registered with :func:`jaga.core.demo.demo_step_register` (the SOP and its ledger history, the
monitors and theirs, ...) in order. Idempotent: running it again keeps what exists, resets the demo
passwords and fills only what is missing. A step that fails is said in the summary and the others still
run. Everything is local: the demo site is served by Jaga itself, nothing needs the internet.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from jaga.core import clock
from jaga.core.demo import DEMO_STEPS, DemoContext
from jaga.core.models import Institution, Membership, Role, Site
from jaga.demo.content import DEMO_COURT, DEMO_SLUG

logger = logging.getLogger("jaga.demo")

DEMO_PASSWORD = "demo-jaga-2026"  # printed at the end; the demo is for trying Jaga, never for production
DEMO_SITE_NAME = "Situs Web PN Contoh (demo)"
HISTORY_DAYS = 30

# role -> (username, first name, last name)
DEMO_USERS: dict[str, tuple[str, str, str]] = {
    Role.STAFF_P2TI: ("demo-staff", "Dimas", "Pratama"),
    Role.KASUBBAG_PTIP: ("demo-kasubbag-ptip", "Rudi", "Hartono"),
    Role.KASUBBAG_UMUM: ("demo-kasubbag-umum", "Wulan", "Sari"),
    Role.SEKRETARIS: ("demo-sekretaris", "Endang", "Lestari"),
    Role.ADMINISTRATOR: ("demo-admin", "Admin", "Demo"),
    Role.AUDITOR: ("demo-auditor", "Auditor", "Demo"),
}


@dataclass
class DemoSummary:
    institution: Institution | None = None
    site: Site | None = None
    users: list[tuple[str, str, str]] = field(default_factory=list)  # (username, password, role label)
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def demo_base_url() -> str:
    """The demo site's address on this Jaga: its own listen address, on loopback."""
    host, port = settings.JAGA_LISTEN
    if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 (a comparison: wildcard → loopback)
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/demo-situs/"


def demo_create(*, now: dt.datetime | None = None, reset: bool = False, days: int = HISTORY_DAYS) -> DemoSummary:
    """Create (or complete) the demo with ``days`` of history. ``reset`` first deletes the old demo."""
    now = now or clock.now()
    summary = DemoSummary()
    if reset:
        Institution.objects.filter(slug=DEMO_SLUG).delete()
        get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS.values()]).delete()
        summary.done.append("data demo lama dihapus")
    institution = _institution_ensure()
    site = _site_ensure(institution)
    summary.institution, summary.site = institution, site
    users = _users_ensure(institution, summary)
    ctx = DemoContext(institution=institution, site=site, users=users, base_url=demo_base_url(), now=now, days=days)
    for step in DEMO_STEPS:
        said = len(ctx.done)
        try:
            with transaction.atomic():  # a step that fails leaves nothing half-made
                DEMO_STEPS.get(step.key)(ctx=ctx)
        except Exception as error:  # one step that fails must not stop the rest of the demo
            logger.exception("demo step %s failed", step.key)
            del ctx.done[said:]
            ctx.skipped.append(f"{step.label}: {error}")
    summary.done += ctx.done
    summary.skipped += ctx.skipped
    return summary


def _institution_ensure() -> Institution:
    institution, _created = Institution.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={
            "name": DEMO_COURT,
            "address": "Jl. Contoh Raya No. 1, Kota Contoh, Jawa Timur 67100",
            "city": "Kota Contoh",
            "phone": "(0343) 000000",
            "email": "info@pn-contoh.go.id",
            "website": demo_base_url(),
            "time_zone": "Asia/Jakarta",
            "letter_prefix": "W14.U99",
            "secretary_name": "Dra. Endang Lestari, M.M.",
            "secretary_nip": "197205121998032001",
            "head_name": "Dr. Andi Wibowo, S.H., M.H.",
            "head_nip": "196808171994031002",
        },
    )
    return institution


def _site_ensure(institution: Institution) -> Site:
    site, created = Site.objects.get_or_create(
        institution=institution,
        name=DEMO_SITE_NAME,
        defaults={"base_url": demo_base_url(), "cms": Site.Cms.STATIC, "hosting": "Jaga (demo, loopback)"},
    )
    if not created and site.base_url != demo_base_url():
        site.base_url = demo_base_url()  # JAGA_LISTEN changed since the last run
        site.save(update_fields=["base_url"])
    return site


def _users_ensure(institution: Institution, summary: DemoSummary) -> dict[str, User]:
    users: dict[str, User] = {}
    labels = dict(Role.choices)
    for role, (username, first, last) in DEMO_USERS.items():
        user, _created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@pn-contoh.go.id"
        user.is_active = True
        user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.get_or_create(user=user, institution=institution, role=role)
        users[role] = user
        summary.users.append((username, DEMO_PASSWORD, str(labels[role])))
    return users

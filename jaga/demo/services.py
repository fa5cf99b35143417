"""``jaga demo``: a demo institution with people, an SOP history and monitors over the demo court site.

Idempotent: running it again keeps what exists, resets the demo passwords and fills only what is missing.
Each part that depends on another app checks that the app's code is there, so the demo runs at every stage
of the project; what it skipped is said in the summary. Everything is local: the demo site is served by
Jaga itself, nothing needs the internet.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from jaga.core import clock
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


def _available(module: str, *names: str) -> bool:
    """Whether another app's code is there yet (the demo runs at every stage of the project)."""
    try:
        if importlib.util.find_spec(module) is None:
            return False
        loaded = importlib.import_module(module)
    except ImportError:
        return False
    return all(hasattr(loaded, name) for name in names)


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
    summary.institution = institution
    summary.site = _site_ensure(institution)
    users = _users_ensure(institution, summary)
    parts: list[tuple[str, str, Callable[[], str]]] = [
        ("SOP", "jaga.sop.services", lambda: _sop_ensure()),
        ("buku log SOP", "jaga.sop.services", lambda: _ledger_ensure(institution, summary.site, users, now, days)),
        ("monitor", "jaga.monitoring.services", lambda: _monitors_ensure(summary.site, now, days)),
        ("notifikasi", "jaga.monitoring.announce", lambda: _notifications_ensure(institution, summary.site)),
    ]
    for label, module, action in parts:
        if not _available(module):
            summary.skipped.append(f"{label}: modul {module} belum ada")
            continue
        try:
            summary.done.append(action())
        except Exception as error:  # a part that is not ready yet must not stop the rest of the demo
            logger.exception("demo part %s failed", label)
            summary.skipped.append(f"{label}: {error}")
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


def _sop_ensure() -> str:
    from jaga.sop.services import sop_seed_default

    sop = sop_seed_default()
    return f"SOP {sop.number}"


# --- the ledger: 30 days of history, some on time, some late, one overdue -------------------------------


def _ledger_ensure(
    institution: Institution, site: Site | None, users: dict[str, User], now: dt.datetime, days: int
) -> str:
    from jaga.sop.models import LedgerEntry
    from jaga.sop.services import ledger_record

    if LedgerEntry.objects.filter(institution=institution).exists():
        return "buku log SOP sudah berisi (dibiarkan)"
    rng = random.Random(20261124)  # noqa: S311 (the same demo every time; not security)
    staff, ptip, umum = users[Role.STAFF_P2TI], users[Role.KASUBBAG_PTIP], users[Role.KASUBBAG_UMUM]
    plan: list[dict[str, Any]] = []

    def add(
        number: int, end: dt.datetime, minutes: float, by: User | None, outcome: str = "success", notes: str = ""
    ) -> None:
        start = end - dt.timedelta(minutes=minutes)
        plan.append(
            {
                "activity_number": number,
                "started_at": start,
                "ended_at": end,
                "performed_by": by,
                "outcome": outcome,
                "notes": notes,
            }
        )

    start = now - dt.timedelta(days=days)
    # 1. Monitoring, every 2 hours by Jaga; three checks that ran past the 2-hour standard during an outage.
    moment, late_checks = start, {40, 41, 200}
    for index in range(days * 12):
        moment = start + dt.timedelta(hours=2 * index)
        if moment > now - dt.timedelta(minutes=30):
            break
        minutes = 150 if index in late_checks else rng.uniform(1, 6)
        notes = "Pemeriksaan berkepanjangan: situs lambat merespons" if index in late_checks else ""
        add(1, moment, minutes, None, notes=notes)
    add(1, now - dt.timedelta(minutes=25), 2, None)
    # 2. Backups every 6 hours by Jaga; one failed, two ran long; the last one is 9 hours old: overdue.
    for index in range(days * 4):
        moment = start + dt.timedelta(hours=6 * index)
        if moment > now - dt.timedelta(hours=9):
            break
        if index == 57:
            add(2, moment, 12, None, outcome="failure", notes="Dump basis data gagal: koneksi ditolak")
        else:
            add(2, moment, 400 if index in {20, 90} else rng.uniform(12, 35), None)
    add(2, now - dt.timedelta(hours=9), 24, None, notes="Cadangan terakhir sebelum server cadangan penuh")
    # 3. Visitor activity log, weekly by the staff.
    for week in range(4):
        add(3, now - dt.timedelta(days=7 * week + 1, hours=3), 45, staff, notes="Log aktivitas pengunjung diperiksa")
    # 4. Renewals: hosting renewed with Finance.
    add(4, now - dt.timedelta(days=20, hours=5), 90, umum, notes="Perpanjangan hosting 1 tahun disetujui Sekretaris")
    # 5. Situation reports to the Secretary: 15 minutes standard, one took 25.
    for week, minutes in enumerate((12, 25, 10, 14)):
        add(5, now - dt.timedelta(days=7 * week + 2, hours=6), minutes, ptip, notes="Laporan situasi mingguan")
    # 6. and 7. Problems solved and a troubleshoot with the hosting provider.
    add(6, now - dt.timedelta(days=12, hours=4), 55, staff, notes="Tautan rusak pada halaman jadwal sidang diperbaiki")
    add(6, now - dt.timedelta(days=4, hours=2), 30, staff, notes="Berita ganda dihapus")
    add(
        7,
        now - dt.timedelta(days=5, hours=1),
        80,
        ptip,
        outcome="partial",
        notes="Situs lambat: dilaporkan ke penyedia hosting",
    )
    add(7, now - dt.timedelta(days=5, hours=-3), 40, ptip, notes="Penyedia hosting menambah memori; situs normal")
    with transaction.atomic():
        for values in plan:
            ledger_record(institution=institution, site=site, **values)
    return f"buku log SOP: {len(plan)} catatan selama {days} hari"


# --- monitors and their history ------------------------------------------------------------------------


def _monitor_specs(base: str) -> list[tuple[str, str, dict[str, Any]]]:
    sitemap = f"{base}sitemap.xml"
    return [
        ("Beranda (HTTP)", "http", {"url": base, "keyword": "Pengadilan Negeri Contoh"}),
        (
            "Kesegaran konten",
            "freshness",
            {"url": base, "max_age_days": 7, "feed_url": f"{base}feed/", "sitemap_url": sitemap},
        ),
        ("Halaman wajib", "required_pages", {"base_url": base}),  # the SK KMA 2-144/2022 checklist
        ("Integritas konten", "integrity", {"url": base, "use_sitemap": True, "sitemap_url": sitemap, "max_pages": 10}),
    ]


def _monitors_ensure(site: Site | None, now: dt.datetime, days: int) -> str:
    from jaga.monitoring.models import Monitor
    from jaga.monitoring.services import monitor_create

    assert site is not None
    made, skipped = [], []
    for name, kind, config in _monitor_specs(site.base_url):
        monitor = Monitor.objects.filter(site=site, kind=kind).first()
        if monitor is None:
            try:
                monitor = monitor_create(
                    site=site, name=name, kind=kind, config=_config_fit(kind, config), interval_seconds=60
                )
            except Exception as error:  # the kind may not exist yet, or want other settings
                skipped.append(f"{kind} ({error})")
                continue
            _history_create(monitor, now, days)
        made.append(kind)
    from jaga.monitoring import rollups

    if hasattr(rollups, "uptime_summaries_refresh"):  # dashboards of many monitors read these summaries
        rollups.uptime_summaries_refresh(now=now)
    text = f"monitor: {', '.join(made) or '-'}; TLS dilewati (situs demo memakai http di loopback)"
    if skipped:
        text += f"; belum bisa dibuat: {'; '.join(skipped)}"
    return text


def _notifications_ensure(institution: Institution, site: Site | None) -> str:
    from jaga.demo.notifications import notifications_ensure

    return notifications_ensure(institution=institution, site=site, base_url=demo_base_url())


def _config_fit(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    """Keep only the settings the kind declares, so the demo follows the kinds as they evolve."""
    from jaga.monitoring.kinds import REGISTRY

    fields = REGISTRY.get(kind).Config.model_fields
    if not fields:
        return config
    return {key: value for key, value in config.items() if key in fields}


def _history_create(monitor: Any, now: dt.datetime, days: int) -> None:
    """Thirty days of synthetic checks as rollups (day, hour, minute), one short outage, recent raw results."""
    from jaga.monitoring.models import CheckResult, MonitorStatus, Rollup, StatusChange

    rng = random.Random(monitor.pk)  # noqa: S311
    hour_now = now.replace(minute=0, second=0, microsecond=0)
    day_now = hour_now.replace(hour=0)
    start = day_now - dt.timedelta(days=days)
    outage_start = day_now - dt.timedelta(days=5) + dt.timedelta(hours=2, minutes=10)  # 09.10 WIB
    outage = (outage_start, outage_start + dt.timedelta(minutes=25)) if monitor.kind == "http" else None

    def down_minutes(low: dt.datetime, high: dt.datetime) -> int:
        if outage is None:
            return 0
        overlap = min(high, outage[1]) - max(low, outage[0])
        return max(0, int(overlap.total_seconds() // 60))

    def rollup(period: str, bucket: dt.datetime, length: dt.timedelta) -> Rollup:
        checks = int(length.total_seconds() // 60)
        down = down_minutes(bucket, bucket + length)
        mean = rng.uniform(140, 420)
        return Rollup(
            monitor=monitor, period=period, bucket=bucket, checks=checks, up=checks - down, down=down,
            response_ms_sum=mean * (checks - down), response_ms_count=checks - down,
            response_ms_min=mean * 0.6, response_ms_max=mean * 2.2,
        )  # fmt: skip

    rows = [rollup(Rollup.Period.DAY, start + dt.timedelta(days=d), dt.timedelta(days=1)) for d in range(days)]
    hour = start
    while hour < hour_now:
        rows.append(rollup(Rollup.Period.HOUR, hour, dt.timedelta(hours=1)))
        hour += dt.timedelta(hours=1)
    minute, results = hour_now, []
    while minute < now - dt.timedelta(minutes=1):
        rows.append(rollup(Rollup.Period.MINUTE, minute, dt.timedelta(minutes=1)))
        results.append(
            CheckResult(monitor=monitor, probe="demo", checked_at=minute + dt.timedelta(seconds=5),
                        status=MonitorStatus.UP, response_ms=rng.uniform(120, 380), reason="HTTP 200")
        )  # fmt: skip
        minute += dt.timedelta(minutes=1)
    Rollup.objects.bulk_create(rows, ignore_conflicts=True)
    CheckResult.objects.bulk_create(results)
    changes = [
        StatusChange(
            monitor=monitor,
            at=start,
            from_status=MonitorStatus.UNKNOWN,
            to_status=MonitorStatus.UP,
            reason="Pemeriksaan pertama berhasil",
        )
    ]
    if outage is not None:
        changes += [
            StatusChange(monitor=monitor, at=outage[0], from_status=MonitorStatus.UP, to_status=MonitorStatus.DOWN,
                         reason="HTTP 503 dari situs (demo)", probes=["demo"]),
            StatusChange(monitor=monitor, at=outage[1], from_status=MonitorStatus.DOWN, to_status=MonitorStatus.UP,
                         reason="HTTP 200 kembali", probes=["demo"]),
        ]  # fmt: skip
    StatusChange.objects.bulk_create(changes)
    monitor.status = MonitorStatus.UP
    monitor.status_since = changes[-1].at
    monitor.status_reason = "HTTP 200"
    monitor.last_checked_at = results[-1].checked_at if results else now
    monitor.last_response_ms = results[-1].response_ms if results else None
    monitor.save(update_fields=["status", "status_since", "status_reason", "last_checked_at", "last_response_ms"])

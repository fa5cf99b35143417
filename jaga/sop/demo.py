"""The sop app's part of ``jaga demo``: the SOP, and 30 days of ledger history, some on time, some late.

The history is recorded through the real ``ledger_record``, by activity key, as Jaga's own work would be.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from jaga.core.demo import DemoContext
from jaga.core.models import Institution, ProcessBeat, Role, Site
from jaga.sop.models import LedgerEntry
from jaga.sop.services import ledger_open, ledger_record, ledger_sweep_interrupted, sop_seed_default

# The PN Bangil numbering the history below is written in.
KEYS = {
    1: "monitoring",
    2: "backup",
    3: "traffic",
    4: "renewal",
    5: "report",
    6: "incident_action",
    7: "troubleshooting",
}


def demo_fill(*, ctx: DemoContext) -> None:
    sop = sop_seed_default()
    ctx.done.append(f"SOP {sop.number}")
    ctx.done.append(_ledger_ensure(ctx.institution, ctx.site, ctx.users, ctx.now, ctx.days))


def _ledger_ensure(
    institution: Institution, site: Site | None, users: dict[str, User], now: dt.datetime, days: int
) -> str:
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
                "activity_key": KEYS[number],
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
        _interrupted_backup(institution, site, now)
    return f"buku log SOP: {len(plan) + 1} catatan selama {days} hari, satu pencadangan terputus"


def _interrupted_backup(institution: Institution, site: Site | None, now: dt.datetime) -> None:
    """A backup that was running 8 hours ago when its worker was stopped by a server restart.

    Opened by the real ``ledger_open`` and closed by the real sweep, once the worker's own record says it
    stopped: the dashboard shows it as interrupted, and the backup stays overdue.
    """
    started = now - dt.timedelta(hours=8)
    entry = ledger_open(activity_key="backup", institution=institution, site=site, started_at=started,
                        notes="Pencadangan terjadwal 06.00")  # fmt: skip
    worker = ProcessBeat.objects.create(
        process_id=f"worker:demo:{entry.pk}", role="worker", host="demo", pid=1, queues=["long"],
        started_at=started - dt.timedelta(days=2), beat_at=started + dt.timedelta(minutes=7),
        stopped_at=started + dt.timedelta(minutes=7),
    )  # fmt: skip
    LedgerEntry.objects.filter(pk=entry.pk).update(owner_process=worker.process_id, owner_host="demo", owner_pid=1)
    ledger_sweep_interrupted(now=now)

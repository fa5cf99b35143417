"""The incidents part of ``jaga demo``, made by the real services so that every incident page is filled.

A vendor in the register and three incidents on the demo site: one a person has taken on (a visitor-activity
detection), one escalated through the tiers to the CMS vendor with its ticket, and one outage resolved with
its post-incident review (so the SOP ledger has real executions of activities 6 and 7), and a maintenance
window two days ahead with a public update. Each has its own cause key (the window its title): run again,
the step keeps what exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from jaga.core.demo import DemoContext
from jaga.core.http import NET
from jaga.core.models import Role
from jaga.core.sentences import said
from jaga.incidents.models import EntryKind, Incident, State, Tier, Vendor
from jaga.incidents.services import incident_open_or_update
from jaga.incidents.services.escalation import incident_escalate
from jaga.incidents.services.vendors import incident_review_save, vendor_save
from jaga.incidents.services.workflow import incident_acknowledge, incident_entry_add, incident_state_change
from jaga.monitoring.reasons import reason_dump

VENDOR_NAME = "CV Mitra Web Nusantara"
CAUSES = {
    "acknowledged": "demo:login-admin-berulang",
    "escalated": "demo:formulir-pengaduan-500",
    "resolved": "demo:hosting-mati",
}


def _vendor(ctx: DemoContext, admin: Any) -> Vendor:
    existing = Vendor.objects.filter(institution=ctx.institution, name=VENDOR_NAME).first()
    if existing is not None:
        return existing
    return vendor_save(
        institution=ctx.institution, user=admin, name=VENDOR_NAME,
        services="Pengembangan dan pemeliharaan CMS situs; hosting VPS",
        contacts="Helpdesk: 0341-555-0101\nsupport@mitraweb.example\nPortal tiket: https://tiket.mitraweb.example",
        contract_reference="W14.U99/123/KPA/PL.01/I/2026", contract_ends_on=ctx.now.date() + dt.timedelta(days=120),
        support_hours="Senin–Jumat 08.00–16.00 WIB; darurat 24 jam lewat telepon",
    )  # fmt: skip


def _acknowledged(ctx: DemoContext, staff: Any) -> None:
    at = ctx.now - dt.timedelta(hours=2)
    incident = incident_open_or_update(
        site=ctx.site, kind="traffic_detection", cause_key=CAUSES["acknowledged"], at=at, source="traffic",
        summary="Percobaan masuk berulang ke halaman admin CMS (312 kali dari 4 alamat dalam 10 menit)",
        details={"rule": "login_bruteforce", "count": 312},
    )  # fmt: skip
    incident = incident_acknowledge(incident=incident, user=staff, at=at + dt.timedelta(minutes=9))
    incident_entry_add(
        incident=incident, user=staff, kind=EntryKind.ACTION, at=at + dt.timedelta(minutes=20),
        text="Empat alamat diblokir di firewall hosting; kata sandi akun admin diganti.",
    )  # fmt: skip


def _escalated(ctx: DemoContext, staff: Any, ptip: Any, vendor: Vendor) -> None:
    at = ctx.now - dt.timedelta(hours=6)
    incident = incident_open_or_update(
        site=ctx.site, kind="manual", cause_key=CAUSES["escalated"], at=at, source="person", severity="tinggi",
        summary="Formulir pengaduan online menampilkan galat 500 setelah pembaruan CMS",
    )  # fmt: skip
    Incident.objects.filter(pk=incident.pk).update(opened_by=staff)
    incident = incident_acknowledge(incident=incident, user=staff, at=at + dt.timedelta(minutes=5))
    incident_entry_add(
        incident=incident, user=staff, kind=EntryKind.ACTION, at=at + dt.timedelta(minutes=25),
        text="Plugin formulir dikembalikan ke versi sebelumnya; galat tetap muncul.",
        is_alternative=True, worked=False,
    )  # fmt: skip
    incident = incident_escalate(
        incident=incident, user=staff, to_tier=Tier.UMUM, at=at + dt.timedelta(minutes=40),
        reason="Perlu persetujuan biaya dukungan vendor di luar kontrak.",
    )  # fmt: skip
    incident_escalate(
        incident=incident, user=ptip, to_tier=Tier.VENDOR, vendor=vendor, vendor_ticket="MWN-2026-0412",
        at=at + dt.timedelta(hours=1, minutes=10),
        reason="Galat berasal dari modul CMS buatan vendor; vendor diminta memperbaikinya.",
    )  # fmt: skip
    incident_entry_add(
        incident=incident, user=ptip, kind=EntryKind.NOTE, at=at + dt.timedelta(hours=2),
        text="Vendor mengonfirmasi tiket; perbaikan dijadwalkan hari ini.", is_public=True,
        public_text="Formulir pengaduan online sedang diperbaiki; pengaduan dapat disampaikan lewat surel.",
    )  # fmt: skip


def _resolved(ctx: DemoContext, staff: Any) -> None:
    at = ctx.now - dt.timedelta(days=3, hours=4)
    refused = NET("refused", host=urlsplit(ctx.site.base_url).hostname or ctx.site.base_url, port=443)
    incident = incident_open_or_update(
        site=ctx.site, kind="outage", cause_key=CAUSES["resolved"], at=at, source="monitoring",
        summary=f"Beranda: {said(refused, translate=False)}",
        # as a monitor reports it (jaga/incidents/receivers.py): the title reads in each reader's language
        details={"monitor": "Beranda", "monitor_kind": "http", "status": "down", "reason": reason_dump(refused)},
    )  # fmt: skip
    incident = incident_acknowledge(incident=incident, user=staff, at=at + dt.timedelta(minutes=6))
    incident_entry_add(
        incident=incident, user=staff, kind=EntryKind.ACTION, at=at + dt.timedelta(minutes=15),
        text="Layanan web di panel hosting dijalankan ulang; situs kembali menjawab.", is_alternative=True, worked=True,
    )  # fmt: skip
    for to_state, minutes in ((State.IDENTIFIED, 18), (State.MONITORING, 20)):
        incident = incident_state_change(incident=incident, user=staff, to_state=to_state,
                                         at=at + dt.timedelta(minutes=minutes))  # fmt: skip
    incident = incident_state_change(
        incident=incident, user=staff, to_state=State.RESOLVED, at=at + dt.timedelta(minutes=50),
        note="Beranda, berita dan SIPP dapat dibuka dari dua jaringan selama 30 menit.",
    )  # fmt: skip
    incident_review_save(
        incident=incident, user=staff,
        what="Situs tidak dapat diakses selama 50 menit pada jam kerja.",
        cause="Layanan web di server hosting berhenti setelah memori penuh oleh proses cadangan.",
        done="Layanan web dijalankan ulang; proses cadangan dipindah ke malam hari.",
        prevention="Batas memori proses cadangan dipasang; monitor memberi tahu Staff P2TI lewat Telegram.",
    )  # fmt: skip


MAINTENANCE_TITLE = "Pembaruan CMS dan PHP"


def _maintenance(ctx: DemoContext, staff: Any) -> bool:
    """A maintenance window the day after tomorrow at 22.00 (the court's time) with a public update."""
    from zoneinfo import ZoneInfo

    from jaga.incidents.services.maintenance import maintenance_update_add
    from jaga.monitoring.models import MaintenanceWindow

    if MaintenanceWindow.objects.filter(site=ctx.site, title=MAINTENANCE_TITLE).exists():
        return False
    local = (ctx.now + dt.timedelta(days=2)).astimezone(ZoneInfo(ctx.institution.time_zone))
    starts = local.replace(hour=22, minute=0, second=0, microsecond=0)
    window = MaintenanceWindow.objects.create(
        site=ctx.site, title=MAINTENANCE_TITLE, starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    maintenance_update_add(
        window=window, user=staff, stage="scheduled", is_public=True,
        text="Pembaruan WordPress 6.7 dan PHP 8.3 di server hosting; cadangan penuh dibuat sore harinya.",
        public_text="Situs dapat tidak terjangkau sebentar selama pemeliharaan server pukul 22.00–24.00.",
    )  # fmt: skip
    return True


def demo_fill(*, ctx: DemoContext) -> None:
    staff, ptip = ctx.users[Role.STAFF_P2TI], ctx.users[Role.KASUBBAG_PTIP]
    admin = ctx.users.get(Role.ADMINISTRATOR, ptip)
    vendor = _vendor(ctx, admin)
    made: list[str] = []
    steps: dict[str, Callable[[], None]] = {
        "acknowledged": lambda: _acknowledged(ctx, staff),
        "escalated": lambda: _escalated(ctx, staff, ptip, vendor),
        "resolved": lambda: _resolved(ctx, staff),
    }
    for name, step in steps.items():
        if not Incident.objects.filter(site=ctx.site, cause_key=CAUSES[name]).exists():
            step()
            made.append(name)
    maintenance = _maintenance(ctx, staff)
    ctx.done.append(
        f"Insiden: vendor {VENDOR_NAME}; {len(made)} insiden dibuat (ditangani, dieskalasi ke vendor, selesai "
        "dengan tinjauan pasca-insiden)"
        + (f"; pemeliharaan terjadwal {MAINTENANCE_TITLE} dengan kabar publik" if maintenance else "")
        if made or maintenance
        else "Insiden: sudah ada"
    )

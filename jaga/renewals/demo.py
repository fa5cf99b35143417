"""The renewals part of ``jaga demo``: a filled register, a case waiting for the Sekretaris, an overdue case
escalated with its incident, a closed case.

Everything goes through the real services: the demo court's domain is looked up through the RDAP client,
over loopback, from a registry that answers like PANDI (the same documents ``/renewals/demo-rdap/`` serves
under ``jaga up``); the invoices and proofs of payment are real PDFs made with WeasyPrint; every step is
taken by the demo user of its role, and the closed case is in the SOP ledger with its evidence.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.core.files.base import ContentFile

from jaga.core import clock
from jaga.core.demo import DemoContext
from jaga.core.models import Institution, Role
from jaga.renewals.demo_rdap import DEMO_DOMAIN, demo_domain_document
from jaga.renewals.models import CaseState, RenewalCase, Service, StepAction
from jaga.renewals.services.escalation import case_escalate_if_overdue
from jaga.renewals.services.register import service_create, service_expiry_check
from jaga.renewals.services.workflow import case_open, case_step_take, history_unannounced
from jaga.renewals.step_notes import step_note


def _pdf(title: str, lines: list[str]) -> ContentFile[bytes]:
    from weasyprint import HTML

    rows = "".join(f"<p>{line}</p>" for line in lines)
    html = f"<html><body><h1>{title}</h1>{rows}<p><small>Dokumen contoh Jaga</small></p></body></html>"
    return ContentFile(HTML(string=html).write_pdf() or b"", name=f"{title.lower().replace(' ', '-')}.pdf")


class _DemoRegistry:
    """The demo's registry for the time of ``jaga demo`` (Jaga's own web process is not running yet)."""

    def __init__(self, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = self.path.rstrip("/").endswith(f"/domain/{DEMO_DOMAIN}")
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/rdap+json")
                self.end_headers()
                self.wfile.write(body if found else b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/rdap/"

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def _take(case: RenewalCase, action: str, user: Any, at: dt.datetime, **extra: Any) -> RenewalCase:
    with clock.frozen(at):
        case.refresh_from_db()
        return case_step_take(case=case, action=action, user=user, version=case.version, **extra)


def demo_fill(*, ctx: DemoContext) -> None:
    with history_unannounced():  # the demo's past steps were never news to anyone
        _fill(ctx)


def _fill(ctx: DemoContext) -> None:
    institution, site, users, now = ctx.institution, ctx.site, ctx.users, ctx.now
    staff, umum = users[Role.STAFF_P2TI], users[Role.KASUBBAG_UMUM]
    sekretaris = users[Role.SEKRETARIS]
    today = now.date()
    # The demo court site and its registry are on loopback, on Jaga's own address.
    Institution.objects.filter(pk=institution.pk).update(allow_internal_addresses=True)
    institution.refresh_from_db()
    existing = set(Service.objects.filter(institution=institution).values_list("name", flat=True))

    jaga_root = ctx.base_url.split("/demo-situs/", 1)[0].rstrip("/")
    name = f"Domain {DEMO_DOMAIN}"
    if name not in existing:
        domain = service_create(
            institution=institution, sites=[site], kind="domain", name=name, identifier=DEMO_DOMAIN,
            provider="PANDI (registri .go.id)", account="PNCONTOH-GOID", cost=Decimal("50000"),
            billing_period="yearly", contacts="Layanan registri .go.id — layanan@pandi.id",
        )  # fmt: skip
        with _DemoRegistry(demo_domain_document(made=institution.created_at)) as server:
            domain.rdap_url = server
            domain.save(update_fields=["rdap_url"])
            service_expiry_check(service=domain, force=True)
        domain.rdap_url = f"{jaga_root}/renewals/demo-rdap/"  # under `jaga up`, Jaga's own demo registry
        domain.save(update_fields=["rdap_url"])
        domain.refresh_from_db()
        opened = now - dt.timedelta(days=6)
        with clock.frozen(opened):
            case = case_open(service=domain, **step_note("opened_auto", days=51))
        case = _take(case, StepAction.REQUEST_INVOICE, staff, opened + dt.timedelta(hours=2),
                     note="Diminta melalui e-mail ke registrar")  # fmt: skip
        case = _take(
            case, StepAction.RECEIVE_INVOICE, staff, now - dt.timedelta(days=3),
            upload=_pdf("Tagihan INV-GOID-2026-0412", [f"Perpanjangan {DEMO_DOMAIN} 1 tahun", "Rp 50.000"]),
            invoice_number="INV/GOID/2026/0412", invoice_amount=Decimal("50000"),
            invoice_due_on=today + dt.timedelta(days=21),
        )  # fmt: skip
        _take(case, StepAction.VERIFY, umum, now - dt.timedelta(days=2), note="Sesuai DIPA, kode akun 522141")
        ctx.done.append(f"register: {name} dibaca lewat RDAP loopback; kasusnya menunggu persetujuan Sekretaris")

    if "Hosting situs PN Contoh" not in existing:
        renewed_on = today - dt.timedelta(days=19)
        hosting = service_create(
            institution=institution, sites=[site], kind="hosting", name="Hosting situs PN Contoh",
            provider="PT Awan Nusantara", account="AN-7781", contract_number="KTR/PN-CONTOH/2025/07",
            cost=Decimal("3600000"), billing_period="yearly", started_on=renewed_on - dt.timedelta(days=365),
            expires_on=renewed_on, contacts="Dukungan: 021-5550199, support@awan-nusantara.example",
        )  # fmt: skip
        opened = now - dt.timedelta(days=40)
        with clock.frozen(opened):
            case = case_open(service=hosting, **step_note("opened_auto", days=21))
        steps: list[tuple[str, Any, dt.datetime, dict[str, Any]]] = [
            (StepAction.REQUEST_INVOICE, staff, opened + dt.timedelta(hours=3), {}),
            (StepAction.RECEIVE_INVOICE, staff, opened + dt.timedelta(days=2), {
                "upload": _pdf("Tagihan AN-2025-1187", ["Hosting 1 tahun", "Rp 3.600.000"]),
                "invoice_number": "AN/2025/1187", "invoice_amount": Decimal("3600000"),
                "invoice_due_on": renewed_on - dt.timedelta(days=3)}),
            (StepAction.VERIFY, umum, opened + dt.timedelta(days=3), {}),
            (StepAction.APPROVE, sekretaris, opened + dt.timedelta(days=4), {"note": "Disetujui"}),
            (StepAction.PAY, umum, opened + dt.timedelta(days=6), {
                "upload": _pdf("Bukti transfer AN-2025-1187", ["Transfer SP2D", "Rp 3.600.000"])}),
            (StepAction.RENEW, staff, opened + dt.timedelta(days=8), {
                "upload": _pdf("Konfirmasi perpanjangan hosting", ["Aktif sampai tahun depan"]),
                "expires_on": renewed_on + dt.timedelta(days=365)}),
            (StepAction.CLOSE, staff, opened + dt.timedelta(days=8, hours=1), {}),
        ]  # fmt: skip
        for action, user, at, extra in steps:
            case = _take(case, action, user, at, **extra)
        assert case.state == CaseState.CLOSED
        ctx.done.append("register: hosting diperpanjang, kasus selesai dan tercatat di buku catatan SOP")

    if "Koneksi cadangan (ISP kedua)" not in existing:
        backup_line = service_create(
            institution=institution, sites=[site], kind="connection", name="Koneksi cadangan (ISP kedua)",
            provider="PT Jaringan Contoh", account="JC-55120", cost=Decimal("750000"), billing_period="monthly",
            expires_on=today + dt.timedelta(days=6),
            contacts="Penagihan: 0343-555-0123, tagihan@jaringan.example",
        )  # fmt: skip
        opened = now - dt.timedelta(days=24)
        with clock.frozen(opened):
            case = case_open(service=backup_line, **step_note("opened_auto", days=30))
        case = _take(case, StepAction.REQUEST_INVOICE, staff, opened + dt.timedelta(days=1))
        case = _take(
            case, StepAction.RECEIVE_INVOICE, staff, opened + dt.timedelta(days=9),
            upload=_pdf("Tagihan JC-2026-0931", ["Koneksi cadangan, 1 bulan", "Rp 750.000"]),
            invoice_number="JC/2026/0931", invoice_amount=Decimal("750000"),
            invoice_due_on=today - dt.timedelta(days=2),
        )  # fmt: skip
        # Finance has not verified it and the invoice fell due two days ago: the real escalation, as the
        # daily run does it (the Sekretaris told, an incident opened on the court's site).
        case_escalate_if_overdue(case=case, today=today)
        ctx.done.append("register: tagihan koneksi cadangan lewat jatuh tempo, dieskalasi ke Sekretaris dan insiden")

    if "Koneksi internet kantor" not in existing:
        service_create(
            institution=institution, sites=[site], kind="connection", name="Koneksi internet kantor",
            provider="PT Telekomunikasi Contoh", account="1234567890", cost=Decimal("1200000"),
            billing_period="monthly", expires_on=today + dt.timedelta(days=200), auto_renew=True,
        )  # fmt: skip
        service_create(
            institution=institution, kind="other", name="Lisensi e-mail dinas", provider="Penyedia e-mail",
            cost=Decimal("900000"), billing_period="yearly", expires_on=today + dt.timedelta(days=75),
        )  # fmt: skip
        ctx.done.append("register: koneksi internet dan lisensi e-mail (diisi petugas, dengan pengingat)")

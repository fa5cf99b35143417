"""One renewal in Chromium, from due to closed, each step taken by the demo user of its role; the register and
the case page on a desktop and on a phone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from jaga.core import clock
from jaga.demo.services import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, has_horizontal_scroll, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\n"
    b"endobj\nxref\n0 3\n0000000000 65535 f \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n110\n%%EOF\n"
)


def _as(open_page: Any, username: str, **kwargs: Any) -> Any:
    """A page logged in as ``username``, through the 2FA step when the role requires it."""
    from django.contrib.auth import get_user_model
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="uji", confirmed=True
    )
    page = open_page(**kwargs)
    log_in(page, username, DEMO_PASSWORD)
    page.goto("/")
    if "/akun/2fa/" in page.url:
        page.goto("/akun/2fa/verifikasi/")
        page.fill("input[name=code]", f"{totp(device.bin_key):06d}")
        page.click("form.stacked button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
    return page


def _step(page: Any, case_url: str, *, fields: dict[str, str] | None = None, upload: Path | None = None) -> None:
    page.goto(case_url)
    form = page.locator("#act form").first
    for name, value in (fields or {}).items():
        form.locator(f"[name={name}]").fill(value)
    if upload is not None:
        form.locator("input[name=upload]").set_input_files(str(upload))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Langkah disimpan" in page.locator(".messages").inner_text()


def test_one_renewal_from_due_to_closed_each_step_by_its_role(demo: Any, open_page: Any, tmp_path: Path) -> None:
    from jaga.renewals.models import CaseState, RenewalCase, Service

    invoice, proof, evidence = (tmp_path / "tagihan.pdf", tmp_path / "bukti-bayar.pdf", tmp_path / "bukti.pdf")
    for path in (invoice, proof, evidence):
        path.write_bytes(PDF)
    service = Service.objects.get(name="Lisensi e-mail dinas")
    assert service.expires_on is not None
    slug = demo.institution.slug

    staff = _as(open_page, "demo-staff")
    staff.goto(f"/renewals/{slug}/")
    assert staff.locator("svg.timeline .bar").count() >= 3
    assert not has_horizontal_scroll(staff)
    screenshot(staff, "renewals-register-desktop")
    # Due: 75 days before its end, the daily run opens the case and Staff finds it waiting.
    from jaga.renewals.services.daily import renewals_daily_run

    assert not RenewalCase.objects.filter(service=service).exists()
    renewals_daily_run(institution=demo.institution)
    case = RenewalCase.objects.get(service=service)
    assert case.state == CaseState.DUE
    staff.goto(f"/renewals/{slug}/menunggu-saya/")
    staff.locator(f"tr[data-case='{case.pk}'] a").first.click()
    staff.wait_for_load_state("domcontentloaded")
    case_url = urlsplit(staff.url).path
    assert case_url == case.get_absolute_url()
    assert staff.locator("#case-state").get_attribute("data-state") == CaseState.DUE
    _step(staff, case_url)
    _step(
        staff,
        case_url,
        fields={
            "invoice_number": "INV/EML/2026/77",
            "invoice_amount": "900000",
            "invoice_due_on": (clock.now().date() + dt.timedelta(days=20)).isoformat(),
        },
        upload=invoice,
    )
    assert staff.locator("#case-state").get_attribute("data-state") == CaseState.INVOICE_RECEIVED
    assert "oleh Kasubbag Umum dan Keuangan" in staff.locator("#act").inner_text()

    umum = _as(open_page, "demo-kasubbag-umum")
    umum.goto(f"/renewals/{slug}/menunggu-saya/")
    assert umum.locator(f"tr[data-case='{case.pk}']").count() == 1
    _step(umum, case_url)

    sekretaris = _as(open_page, "demo-sekretaris", viewport=PHONE)
    sekretaris.goto(case_url)
    assert not has_horizontal_scroll(sekretaris)
    screenshot(sekretaris, "renewals-case-approval-phone")
    _step(sekretaris, case_url)

    _step(umum, case_url, upload=proof)
    new_expiry = service.expires_on + dt.timedelta(days=365)
    _step(staff, case_url, fields={"expires_on": new_expiry.isoformat()}, upload=evidence)
    _step(staff, case_url)
    assert staff.locator("#case-state").get_attribute("data-state") == CaseState.CLOSED
    timeline = staff.locator("#steps li[data-action]")
    assert timeline.count() == 9  # opened by the daily run with its 90-day reminder, then the seven steps
    assert [timeline.nth(i).get_attribute("data-action") for i in range(9)] == [
        "open", "reminder", "request_invoice", "receive_invoice", "verify", "approve", "pay", "renew", "close",
    ]  # fmt: skip
    assert "disetujui Sekretaris" in timeline.nth(5).inner_text()
    from django.contrib.auth import get_user_model

    finance = get_user_model().objects.get(username="demo-kasubbag-umum")
    assert (finance.get_full_name() or finance.get_username()) in timeline.nth(6).inner_text()  # who paid
    screenshot(staff, "renewals-case-closed-desktop")

    case.refresh_from_db()
    service.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert service.expires_on == new_expiry
    assert case.ledger_entry is not None
    assert case.ledger_entry.evidence.count() == 3
    actors = {step.action: step.actor.username for step in case.steps.exclude(actor=None)}
    assert actors["verify"] == "demo-kasubbag-umum"
    assert actors["approve"] == "demo-sekretaris"
    assert actors["pay"] == "demo-kasubbag-umum"
    assert actors["close"] == "demo-staff"


def test_the_register_fits_a_phone(demo: Any, open_page: Any) -> None:
    page = _as(open_page, "demo-kasubbag-umum", viewport=PHONE)
    page.goto(f"/renewals/{demo.institution.slug}/")
    assert page.locator("svg.timeline").is_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, "renewals-register-phone")


def _reject(page: Any, case_url: str, reason: str) -> None:
    page.goto(case_url)
    page.locator("#act details summary").click()
    form = page.locator("#act details form")
    form.locator("textarea[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Ditolak; kasus dikembalikan dengan alasannya." in page.locator(".messages").inner_text()


def test_finance_and_the_secretary_reject_and_the_case_goes_back_with_the_reason(
    demo: Any, open_page: Any, tmp_path: Path
) -> None:
    from jaga.renewals.models import CaseState, RenewalCase, Service

    wrong, right = tmp_path / "tagihan-salah.pdf", tmp_path / "tagihan-benar.pdf"
    for path in (wrong, right):
        path.write_bytes(PDF)
    service = Service.objects.get(name="Lisensi e-mail dinas")
    from jaga.renewals.services.daily import renewals_daily_run

    renewals_daily_run(institution=demo.institution)
    case = RenewalCase.objects.get(service=service)
    case_url = case.get_absolute_url()
    due = (clock.now().date() + dt.timedelta(days=20)).isoformat()

    staff = _as(open_page, "demo-staff")
    _step(staff, case_url)  # invoice requested
    _step(staff, case_url, upload=wrong,
          fields={"invoice_number": "INV/EML/2026/77", "invoice_amount": "9000000", "invoice_due_on": due})  # fmt: skip

    # Finance: the amount is wrong. The case goes back to Staff, who reads why.
    umum = _as(open_page, "demo-kasubbag-umum")
    umum.goto(case_url)
    assert umum.locator("#act details summary").inner_text() == "Tolak tagihan (minta tagihan yang benar)"
    umum.locator("#act details summary").click()
    umum.locator("#act details form button[type=submit]").click()  # no reason: refused, next to its field
    umum.wait_for_load_state("domcontentloaded")
    assert umum.locator("#act details[open] .errorlist").count() == 1
    assert RenewalCase.objects.get(pk=case.pk).state == CaseState.INVOICE_RECEIVED
    _reject(umum, case_url, "Nominal salah: kontrak Rp 900.000, bukan Rp 9.000.000")
    assert umum.locator("#case-state").get_attribute("data-state") == CaseState.INVOICE_REQUESTED
    assert umum.locator("#act details").count() == 0  # nothing of Finance's to reject any more

    staff.goto(f"/renewals/{demo.institution.slug}/menunggu-saya/")
    assert staff.locator(f"tr[data-case='{case.pk}']").count() == 1  # back in Staff's list
    staff.goto(case_url)
    rejection = staff.locator("#steps li[data-action=reject]")
    assert rejection.count() == 1
    assert "Nominal salah: kontrak Rp 900.000, bukan Rp 9.000.000" in rejection.inner_text()
    assert "tagihan diterima → tagihan diminta" in rejection.inner_text()
    _step(staff, case_url, upload=right,
          fields={"invoice_number": "INV/EML/2026/78", "invoice_amount": "900000", "invoice_due_on": due})  # fmt: skip
    assert staff.locator("#documents li[data-document=invoice]").count() == 2
    assert staff.locator("#documents li[data-document=invoice] .badge", has_text="diganti").count() == 1
    assert "INV/EML/2026/78" in staff.locator("#summary").inner_text()

    _step(umum, case_url)  # verified

    # The Secretary sends it back to Finance, on a phone.
    sekretaris = _as(open_page, "demo-sekretaris", viewport=PHONE)
    _reject(sekretaris, case_url, "Mohon lampirkan rincian anggaran DIPA")
    assert sekretaris.locator("#case-state").get_attribute("data-state") == CaseState.INVOICE_RECEIVED
    assert not has_horizontal_scroll(sekretaris)
    screenshot(sekretaris, "renewals-case-rejected-phone")
    umum.goto(case_url)
    assert "Mohon lampirkan rincian anggaran DIPA" in umum.locator("#steps li[data-action=reject]").nth(1).inner_text()
    _step(umum, case_url)  # verified again
    _step(sekretaris, case_url)  # approved

    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    assert case.invoice_number == "INV/EML/2026/78"
    rejections = [(s.actor.username, s.from_state, s.to_state, s.note) for s in case.steps.filter(action="reject")]
    assert rejections == [
        ("demo-kasubbag-umum", CaseState.INVOICE_RECEIVED, CaseState.INVOICE_REQUESTED,
         "Nominal salah: kontrak Rp 900.000, bukan Rp 9.000.000"),
        ("demo-sekretaris", CaseState.VERIFIED, CaseState.INVOICE_RECEIVED, "Mohon lampirkan rincian anggaran DIPA"),
    ]  # fmt: skip

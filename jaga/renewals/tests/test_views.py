"""The pages: who sees and does what, bad uploads, the loser of a race, the calendar feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from jaga.renewals.models import CalendarFeed, CaseState, Document, RenewalCase, StepAction
from jaga.renewals.services.workflow import case_open
from jaga.renewals.tests.conftest import PDF, pdf
from jaga.renewals.tests.test_workflow import take
from tests.test_i18n import compiled_messages  # noqa: F401  (the fixture: catalogues compiled)

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"renewals:{name}", kwargs=kwargs)


def test_every_member_sees_the_register_with_its_timeline(client: Any, hosting: Any, people: dict[str, Any]) -> None:
    client.force_login(people["auditor"])
    response = client.get(url("register", slug="pn-bangil"))
    assert response.status_code == 200
    body = response.content.decode()
    assert ("Hosting situs" in body and "<svg" in body and 'class="bar critical"' not in body) or "bar due" in body
    assert "Tambah layanan" not in body  # the auditor only reads


def test_strangers_get_a_404_and_visitors_the_login(client: Any, hosting: Any, outsider: Any) -> None:
    assert client.get(url("register", slug="pn-bangil")).status_code == 302
    client.force_login(outsider)
    assert client.get(url("register", slug="pn-bangil")).status_code == 404
    assert client.get(url("service_detail", slug="pn-bangil", service_id=hosting.pk)).status_code == 404


def test_staff_adds_a_service_and_the_auditor_may_not(
    client: Any, institution: Any, site: Any, people: dict[str, Any]
) -> None:
    data = {"kind": "hosting", "name": "VPS", "billing_period": "yearly", "expires_on": "2027-05-01",
            "sites": [site.pk], "is_active": "on"}  # fmt: skip
    client.force_login(people["auditor"])
    assert client.post(url("service_create", slug="pn-bangil"), data).status_code == 403
    client.force_login(people["staff"])
    response = client.post(url("service_create", slug="pn-bangil"), data)
    assert response.status_code == 302
    assert institution.renewal_services.get().name == "VPS"


def test_a_bad_domain_name_is_refused_next_to_its_field(client: Any, people: dict[str, Any]) -> None:
    client.force_login(people["staff"])
    response = client.post(url("service_create", slug="pn-bangil"),
                           {"kind": "domain", "name": "D", "identifier": "bukan domain!",
                            "billing_period": "yearly"})  # fmt: skip
    assert response.status_code == 200
    assert "tidak sah" in response.content.decode()


def _case_at_invoice_requested(hosting: Any, people: dict[str, Any]) -> RenewalCase:
    case = case_open(service=hosting)
    return take(case, StepAction.REQUEST_INVOICE, people["staff"])


def _post_invoice(client: Any, case: RenewalCase, upload: Any, **extra: Any) -> Any:
    data = {"version": case.version, "action": StepAction.RECEIVE_INVOICE, "invoice_number": "INV-1",
            "invoice_amount": "1500000", "invoice_due_on": "2026-12-20", "upload": upload, **extra}  # fmt: skip
    return client.post(url("case_step", slug="pn-bangil", case_id=case.pk), data)


def test_staff_uploads_the_invoice_and_finance_is_next(client: Any, hosting: Any, people: dict[str, Any]) -> None:
    case = _case_at_invoice_requested(hosting, people)
    client.force_login(people["sekretaris"])
    assert _post_invoice(client, case, pdf()).status_code == 403
    client.force_login(people["staff"])
    assert _post_invoice(client, case, pdf()).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.INVOICE_RECEIVED
    assert case.invoice_number == "INV-1"
    client.force_login(people["umum"])
    page = client.get(url("case_detail", slug="pn-bangil", case_id=case.pk)).content.decode()
    assert "Tagihan benar: verifikasi" in page
    assert "Tolak tagihan" in page


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("tagihan.docx", b"PK\x03\x04 word document", "bukan PDF"),
        ("tagihan.pdf", b"MZ\x90\x00\x03 this program cannot be run in DOS mode", "program Windows"),
        ("tagihan.pdf", b"\x7fELF\x02\x01\x01", "program Linux"),
        ("tagihan.pdf", b"hello, not a pdf at all", "bukan PDF"),
        ("tagihan.pdf", PDF[:60], "tidak utuh".replace("tidak utuh", "bukan PDF yang utuh")),
        ("tagihan.pdf", PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (x) >>"),
         "JavaScript"),
        ("tagihan.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 10) + b"\n%%EOF", "terlalu besar"),
    ],
)  # fmt: skip
def test_a_bad_upload_gets_a_clear_message_and_the_stored_invoice_stays(
    client: Any, hosting: Any, people: dict[str, Any], name: str, body: bytes, message: str
) -> None:
    case = _case_at_invoice_requested(hosting, people)
    case = take(case, StepAction.RECEIVE_INVOICE, people["staff"])  # a first, good invoice
    from jaga.renewals.services.workflow import case_reject

    case = case_reject(case=case, user=people["umum"], version=case.version, reason="salah nominal")
    stored = list(Document.objects.values_list("pk", "file", "superseded"))
    client.force_login(people["staff"])
    response = _post_invoice(client, case, pdf(name, body))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(Document.objects.values_list("pk", "file", "superseded")) == stored
    case.refresh_from_db()
    assert case.state == CaseState.INVOICE_REQUESTED


def test_the_loser_of_a_race_is_told_on_the_page(client: Any, hosting: Any, people: dict[str, Any]) -> None:
    case = _case_at_invoice_requested(hosting, people)
    case = take(case, StepAction.RECEIVE_INVOICE, people["staff"])
    stale = case.version
    take(case, StepAction.VERIFY, people["umum"])
    client.force_login(people["admin"])
    response = client.post(url("case_step", slug="pn-bangil", case_id=case.pk),
                           {"version": stale, "action": StepAction.VERIFY}, follow=True)  # fmt: skip
    text = response.content.decode()
    assert "sudah pindah ke tahap" in text or "baru saja diubah" in text


def test_a_rejection_needs_its_reason(client: Any, hosting: Any, people: dict[str, Any]) -> None:
    case = _case_at_invoice_requested(hosting, people)
    case = take(case, StepAction.RECEIVE_INVOICE, people["staff"])
    client.force_login(people["umum"])
    response = client.post(
        url("case_reject", slug="pn-bangil", case_id=case.pk), {"version": case.version, "reason": ""}
    )
    assert response.status_code == 400
    client.force_login(people["staff"])
    assert client.post(url("case_reject", slug="pn-bangil", case_id=case.pk),
                       {"version": case.version, "reason": "x"}).status_code == 403  # fmt: skip


def test_each_role_sees_what_waits_for_it(client: Any, hosting: Any, people: dict[str, Any]) -> None:
    case = _case_at_invoice_requested(hosting, people)
    take(case, StepAction.RECEIVE_INVOICE, people["staff"])
    client.force_login(people["umum"])
    assert "Hosting situs" in client.get(url("waiting", slug="pn-bangil")).content.decode()
    client.force_login(people["sekretaris"])
    assert "Tidak ada yang menunggu Anda" in client.get(url("waiting", slug="pn-bangil")).content.decode()


def test_a_calendar_feed_is_secret_per_person_and_can_be_revoked(
    client: Any, hosting: Any, people: dict[str, Any]
) -> None:
    case = _case_at_invoice_requested(hosting, people)
    take(case, StepAction.RECEIVE_INVOICE, people["staff"])
    client.force_login(people["umum"])
    page = client.post(url("feeds", slug="pn-bangil")).content.decode()
    import re

    found = re.search(r'id="feed-url"[^>]*value="http://testserver([^"]+)"', page)
    assert found is not None
    path = found.group(1)
    client.logout()
    response = client.get(path)  # a calendar program, not logged in
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    from icalendar import Calendar

    calendar = Calendar.from_ical(response.content)
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert any("verifikasi" in s and "Hosting situs" in s for s in summaries)
    assert any(s.startswith("Berakhir: Hosting situs") for s in summaries)
    assert calendar.walk("VALARM")
    feed = CalendarFeed.objects.get()
    client.force_login(people["staff"])
    assert client.post(url("feed_revoke", slug="pn-bangil", pk=feed.pk)).status_code == 404  # not theirs
    client.force_login(people["umum"])
    client.post(url("feed_revoke", slug="pn-bangil", pk=feed.pk), {"confirm": "yes"})
    client.logout()
    assert client.get(path).status_code == 404
    assert client.get(url("feed", token="not-a-token")).status_code == 404


def test_documents_are_downloaded_by_members_only(
    client: Any, hosting: Any, people: dict[str, Any], outsider: Any
) -> None:
    case = _case_at_invoice_requested(hosting, people)
    take(case, StepAction.RECEIVE_INVOICE, people["staff"])
    document = Document.objects.get()
    client.force_login(people["auditor"])
    response = client.get(url("document_download", slug="pn-bangil", document_id=document.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(outsider)
    assert client.get(url("document_download", slug="pn-bangil", document_id=document.pk)).status_code == 404


def test_the_service_page_shows_what_the_registry_says(
    client: Any, institution: Any, registry: Any, people: dict[str, Any]
) -> None:
    from jaga.renewals.services.register import service_create, service_expiry_check
    from jaga.renewals.tests.rdap_server import pandi_domain

    registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires="2027-03-21T23:59:59Z"))
    service = service_create(institution=institution, kind="domain", name="Domain", identifier="pn-bangil.go.id",
                             rdap_url=registry.url)  # fmt: skip
    service_expiry_check(service=service)
    client.force_login(people["staff"])
    page = client.get(service.get_absolute_url()).content.decode()
    assert "21 Maret 2027" in page
    assert "PT Digital Registra Indonesia" in page
    assert "ns1.pn-bangil.go.id" in page
    assert "pindah registrar dikunci oleh registrar" in page  # the registry's "client transfer prohibited", in words
    client.force_login(people["auditor"])
    assert client.post(url("service_check", slug="pn-bangil", service_id=service.pk)).status_code == 403


@pytest.mark.usefixtures("compiled_messages")
def test_an_english_reader_is_told_in_english_what_the_upload_really_is(
    client: Any, hosting: Any, people: dict[str, Any]
) -> None:
    case = _case_at_invoice_requested(hosting, people)
    client.force_login(people["staff"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = _post_invoice(client, case, pdf("invoice.pdf", b"MZ\x90\x00\x03 this program cannot be run in DOS mode"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "invoice.pdf is not a PDF: it holds a Windows program (EXE/DLL)" in text
    assert "program Windows" not in text


@pytest.mark.usefixtures("compiled_messages")
def test_the_notes_jaga_writes_on_a_case_read_in_each_readers_language(
    client: Any, hosting: Any, people: dict[str, Any]
) -> None:
    from jaga.core import clock
    from jaga.renewals.services.daily import renewals_daily_run

    with clock.travel(dt.timedelta(days=7)):  # 13 days left: opened, and the 14-day reminder
        renewals_daily_run(institution=hosting.institution)
    case = RenewalCase.objects.get(service=hosting)
    reminder = case.steps.get(action=StepAction.REMINDER)
    assert reminder.note == "13 hari lagi (pengingat 14 hari)"  # the stored text, for the trail and the API
    client.force_login(people["umum"])
    indonesian = client.get(case.get_absolute_url()).content.decode()
    assert "dibuka otomatis: berakhir dalam 13 hari" in indonesian
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(case.get_absolute_url()).content.decode()
    assert "opened automatically: ends in 13 days" in english
    assert "13 days left (the 14-day reminder)" in english
    assert "hari lagi" not in english


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("kontrak.docx", b"PK\x03\x04 word document", "bukan PDF"),
        ("kontrak.pdf", b"MZ\x90\x00\x03 this program cannot be run in DOS mode", "program Windows"),
        ("kontrak.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 10) + b"\n%%EOF", "terlalu besar"),
    ],
)  # fmt: skip
def test_a_bad_service_document_is_refused_with_its_reason_and_the_stored_contract_stays(
    client: Any, hosting: Any, people: dict[str, Any], name: str, body: bytes, message: str
) -> None:
    client.force_login(people["staff"])
    add = url("service_document_add", slug="pn-bangil", service_id=hosting.pk)
    client.post(add, {"kind": "contract", "title": "Kontrak 2026", "upload": pdf("kontrak.pdf")})
    stored = list(Document.objects.filter(service=hosting).values_list("pk", "file", "title"))
    assert len(stored) == 1
    response = client.post(add, {"kind": "contract", "title": "Kontrak baru", "upload": pdf(name, body)}, follow=True)
    text = response.content.decode()
    assert "Dokumen tidak disimpan" in text
    assert message in text
    assert list(Document.objects.filter(service=hosting).values_list("pk", "file", "title")) == stored
    assert client.get(url("document_download", slug="pn-bangil", document_id=stored[0][0])).status_code == 200

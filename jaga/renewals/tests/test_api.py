"""The renewals' endpoints of the one API: the register and its cases scoped to the token's institution, an
RDAP look-up on demand against a real registry on loopback, 403 for a role that may not operate."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from jaga.core import clock
from jaga.core.services import api_token_create
from jaga.renewals.services.register import service_create
from jaga.renewals.tests.conftest import pdf
from jaga.renewals.tests.rdap_server import Registry, pandi_domain

pytestmark = pytest.mark.django_db


def bearer(user: Any, institution: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user, institution=institution, name='uji')[1]}"}


@pytest.fixture
def domain(institution: Any, site: Any, registry: Registry) -> Any:
    expires = clock.today("Asia/Jakarta") + dt.timedelta(days=200)
    registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires=f"{expires.isoformat()}T23:59:59Z"))
    return service_create(
        institution=institution, sites=[site], kind="domain", name="Domain pn-bangil.go.id",
        identifier="pn-bangil.go.id", rdap_url=registry.url,
    )  # fmt: skip


def test_the_register_lists_and_shows_its_services(
    client: Client, people: dict[str, Any], institution: Any, domain: Any, hosting: Any
) -> None:
    headers = bearer(people["auditor"], institution)
    listing = client.get("/api/renewals/services", headers=headers).json()
    assert listing["count"] == 2
    assert {item["name"] for item in listing["items"]} == {"Domain pn-bangil.go.id", "Hosting situs"}
    one = client.get(f"/api/renewals/services/{domain.pk}", headers=headers).json()
    assert one["kind"] == "domain"
    assert one["identifier"] == "pn-bangil.go.id"


def test_a_look_up_reads_the_registry(
    client: Client, people: dict[str, Any], institution: Any, domain: Any, hosting: Any
) -> None:
    response = client.post(f"/api/renewals/services/{domain.pk}/check", headers=bearer(people["staff"], institution))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "found"
    expected = (clock.today("Asia/Jakarta") + dt.timedelta(days=200)).isoformat()
    assert response.json()["expires_at"].startswith(expected)
    assert (
        client.get(f"/api/renewals/services/{domain.pk}", headers=bearer(people["staff"], institution)).json()[
            "expires_on"
        ]
        == expected
    )
    lookups = client.get(f"/api/renewals/services/{domain.pk}/lookups", headers=bearer(people["staff"], institution))
    assert lookups.json()["count"] == 1
    hand = client.post(f"/api/renewals/services/{hosting.pk}/check", headers=bearer(people["staff"], institution))
    assert hand.status_code == 204  # a date entered by hand is not looked up


def test_an_auditor_may_not_trigger_a_look_up(
    client: Client, people: dict[str, Any], institution: Any, domain: Any
) -> None:
    response = client.post(f"/api/renewals/services/{domain.pk}/check", headers=bearer(people["auditor"], institution))
    assert response.status_code == 403


def test_another_institution_sees_nothing(client: Client, outsider: Any, other_institution: Any, domain: Any) -> None:
    headers = bearer(outsider, other_institution)
    assert client.get("/api/renewals/services", headers=headers).json()["count"] == 0
    assert client.get(f"/api/renewals/services/{domain.pk}", headers=headers).status_code == 404
    assert client.post(f"/api/renewals/services/{domain.pk}/check", headers=headers).status_code == 404
    assert client.get("/api/renewals/cases", headers=headers).json()["count"] == 0


# --- the register's writes and the case workflow through the API -------------------------------------


def _step(client: Client, user: Any, institution: Any, case_id: int, action: str, **data: Any) -> Any:
    version = client.get(f"/api/renewals/cases/{case_id}", headers=bearer(user, institution)).json()["version"]
    return client.post(f"/api/renewals/cases/{case_id}/steps", {"action": action, "version": version, **data},
                       headers=bearer(user, institution))  # fmt: skip


def test_a_whole_case_runs_through_the_api_each_step_by_its_role(
    client: Client, people: dict[str, Any], institution: Any, hosting: Any
) -> None:
    from jaga.renewals.models import RenewalCase

    staff, umum, sekretaris = people["staff"], people["umum"], people["sekretaris"]
    opened = client.post(f"/api/renewals/services/{hosting.pk}/cases", headers=bearer(staff, institution))
    assert opened.status_code == 201, opened.content
    case_id = opened.json()["id"]
    assert opened.json()["next_action"] == "request_invoice"
    again = client.post(f"/api/renewals/services/{hosting.pk}/cases", headers=bearer(staff, institution))
    assert (again.status_code, again.json()["id"]) == (200, case_id)  # one open case per service
    due = (clock.today("Asia/Jakarta") + dt.timedelta(days=10)).isoformat()
    new_expiry = (hosting.expires_on + dt.timedelta(days=365)).isoformat()
    chain = [
        (staff, "request_invoice", {}),
        (staff, "receive_invoice", {"invoice_number": "INV/API/1", "invoice_amount": "1500000", "invoice_due_on": due,
                                    "upload": pdf("tagihan.pdf")}),
        (umum, "verify", {"note": "sesuai DIPA"}),
        (sekretaris, "approve", {}),
        (umum, "pay", {"upload": pdf("bukti-bayar.pdf")}),
        (staff, "renew", {"expires_on": new_expiry, "upload": pdf("bukti-perpanjangan.pdf")}),
        (staff, "close", {}),
    ]  # fmt: skip
    for user, action, data in chain:
        response = _step(client, user, institution, case_id, action, **data)
        assert response.status_code == 200, (action, response.content)
    body = response.json()
    assert body["state"] == "closed"
    assert body["next_action"] is None
    assert [s["action"] for s in body["steps"]] == ["open", *[action for _user, action, _data in chain]]
    assert {s["actor"] for s in body["steps"] if s["action"] in ("verify", "pay")} == {"umum"}
    assert body["invoice_number"] == "INV/API/1"
    assert {d["kind"] for d in body["documents"]} == {"invoice", "payment_proof", "renewal_evidence"}
    case = RenewalCase.objects.get(pk=case_id)
    assert case.ledger_entry is not None
    assert case.ledger_entry.evidence.count() == 3
    hosting.refresh_from_db()
    assert hosting.expires_on.isoformat() == new_expiry
    invoice = next(d for d in body["documents"] if d["kind"] == "invoice")
    download = client.get(f"/api/renewals/documents/{invoice['id']}", headers=bearer(people["auditor"], institution))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_step_by_a_role_that_may_not_take_it_is_refused_and_nothing_moves(
    client: Client, people: dict[str, Any], institution: Any, hosting: Any
) -> None:
    case_id = client.post(f"/api/renewals/services/{hosting.pk}/cases",
                          headers=bearer(people["staff"], institution)).json()["id"]  # fmt: skip
    for role in ("umum", "sekretaris", "auditor"):
        assert _step(client, people[role], institution, case_id, "request_invoice").status_code == 403
    assert client.post(f"/api/renewals/services/{hosting.pk}/cases",
                       headers=bearer(people["auditor"], institution)).status_code == 403  # fmt: skip
    assert (
        client.get(f"/api/renewals/cases/{case_id}", headers=bearer(people["staff"], institution)).json()["state"]
        == "due"
    )


def test_of_two_clients_acting_at_once_the_second_gets_409_and_stores_nothing(
    client: Client, people: dict[str, Any], institution: Any, hosting: Any
) -> None:
    from jaga.renewals.models import Document

    case_id = client.post(f"/api/renewals/services/{hosting.pk}/cases",
                          headers=bearer(people["staff"], institution)).json()["id"]  # fmt: skip
    assert _step(client, people["staff"], institution, case_id, "request_invoice").status_code == 200
    read = client.get(f"/api/renewals/cases/{case_id}", headers=bearer(people["staff"], institution)).json()
    invoice = {"action": "receive_invoice", "version": read["version"], "invoice_number": "INV-1",
               "invoice_amount": "100000", "invoice_due_on": "2027-01-10"}  # fmt: skip
    first = client.post(f"/api/renewals/cases/{case_id}/steps", {**invoice, "upload": pdf("a.pdf")},
                        headers=bearer(people["staff"], institution))  # fmt: skip
    assert first.status_code == 200
    stored = list(Document.objects.values_list("pk", "file"))
    second = client.post(f"/api/renewals/cases/{case_id}/steps", {**invoice, "upload": pdf("b.pdf")},
                         headers=bearer(people["admin"], institution))  # fmt: skip
    assert second.status_code == 409
    assert "tahap tagihan diterima" in second.json()["detail"]
    assert list(Document.objects.values_list("pk", "file")) == stored


def test_a_bad_upload_through_the_api_is_named_on_its_field_and_nothing_is_stored(
    client: Client, people: dict[str, Any], institution: Any, hosting: Any
) -> None:
    from jaga.renewals.models import Document

    case_id = client.post(f"/api/renewals/services/{hosting.pk}/cases",
                          headers=bearer(people["staff"], institution)).json()["id"]  # fmt: skip
    _step(client, people["staff"], institution, case_id, "request_invoice")
    response = _step(client, people["staff"], institution, case_id, "receive_invoice", invoice_number="INV-1",
                     invoice_amount="100000", invoice_due_on="2027-01-10",
                     upload=pdf("tagihan.pdf", b"MZ\x90\x00 this program cannot be run in DOS mode"))  # fmt: skip
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "upload"]
    assert "program Windows" in detail[0]["msg"]
    missing = _step(client, people["staff"], institution, case_id, "receive_invoice", invoice_number="INV-1")
    assert missing.status_code == 422
    assert {tuple(e["loc"]) for e in missing.json()["detail"]} >= {("body", "upload"), ("body", "invoice_amount")}
    assert not Document.objects.exists()
    state = client.get(f"/api/renewals/cases/{case_id}", headers=bearer(people["staff"], institution)).json()
    assert state["state"] == "invoice_requested"


def test_a_rejection_through_the_api_needs_its_reason_and_sends_the_case_back(
    client: Client, people: dict[str, Any], institution: Any, hosting: Any
) -> None:
    case_id = client.post(f"/api/renewals/services/{hosting.pk}/cases",
                          headers=bearer(people["staff"], institution)).json()["id"]  # fmt: skip
    _step(client, people["staff"], institution, case_id, "request_invoice")
    _step(client, people["staff"], institution, case_id, "receive_invoice", invoice_number="INV-1",
          invoice_amount="100000", invoice_due_on="2027-01-10", upload=pdf())  # fmt: skip
    version = client.get(f"/api/renewals/cases/{case_id}", headers=bearer(people["umum"], institution)).json()[
        "version"
    ]
    url = f"/api/renewals/cases/{case_id}/reject"
    blank = client.post(url, {"version": version, "reason": " "}, headers=bearer(people["umum"], institution))
    assert blank.status_code == 422
    assert (
        client.post(url, {"version": version, "reason": "x"}, headers=bearer(people["staff"], institution)).status_code
        == 403
    )
    sent_back = client.post(
        url, {"version": version, "reason": "nominal salah"}, headers=bearer(people["umum"], institution)
    )
    assert sent_back.status_code == 200
    assert sent_back.json()["state"] == "invoice_requested"
    assert sent_back.json()["steps"][-1]["note"] == "nominal salah"
    assert sent_back.json()["documents"][0]["superseded"] is False  # replaced only when a new one comes


def test_the_register_is_written_through_the_api_by_those_who_operate(
    client: Client, people: dict[str, Any], institution: Any, site: Any, other_institution: Any
) -> None:
    from jaga.core.models import Site

    foreign = Site.objects.create(institution=other_institution, name="Lain", base_url="http://127.0.0.1:9/")
    new = {"kind": "connection", "name": "Koneksi kantor", "provider": "PT Telekomunikasi", "cost": "1200000",
           "billing_period": "monthly", "expires_on": "2027-02-01", "site_ids": [site.pk]}  # fmt: skip
    assert client.post("/api/renewals/services", new, content_type="application/json",
                       headers=bearer(people["auditor"], institution)).status_code == 403  # fmt: skip
    refused = client.post("/api/renewals/services", {**new, "site_ids": [foreign.pk]},
                          content_type="application/json", headers=bearer(people["staff"], institution))  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "site_ids"]
    bad_kind = client.post("/api/renewals/services", {**new, "kind": "satelit"}, content_type="application/json",
                           headers=bearer(people["staff"], institution))  # fmt: skip
    assert bad_kind.status_code == 422
    assert bad_kind.json()["detail"][0]["loc"] == ["body", "kind"]
    made = client.post("/api/renewals/services", new, content_type="application/json",
                       headers=bearer(people["staff"], institution))  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["expires_on"], body["expiry_source"], body["site_ids"]) == ("2027-02-01", "manual", [site.pk])
    changed = client.patch(f"/api/renewals/services/{body['id']}", {"expires_on": "2028-02-01", "notes": "diperbarui"},
                           content_type="application/json", headers=bearer(people["staff"], institution))  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert (changed.json()["expires_on"], changed.json()["notes"], changed.json()["name"]) == (
        "2028-02-01", "diperbarui", "Koneksi kantor",
    )  # fmt: skip


def test_each_person_lists_what_waits_for_them(
    client: Client, people: dict[str, Any], institution: Any, hosting: Any
) -> None:
    case_id = client.post(f"/api/renewals/services/{hosting.pk}/cases",
                          headers=bearer(people["staff"], institution)).json()["id"]  # fmt: skip

    def waiting(role: str) -> list[int]:
        answer = client.get("/api/renewals/cases?waiting_for_me=true", headers=bearer(people[role], institution))
        return [item["id"] for item in answer.json()["items"]]

    assert (waiting("staff"), waiting("umum"), waiting("sekretaris")) == ([case_id], [], [])
    _step(client, people["staff"], institution, case_id, "request_invoice")
    _step(client, people["staff"], institution, case_id, "receive_invoice", invoice_number="INV-1",
          invoice_amount="100000", invoice_due_on="2027-01-10", upload=pdf())  # fmt: skip
    assert (waiting("staff"), waiting("umum"), waiting("auditor")) == ([], [case_id], [])


def test_service_documents_are_kept_and_listed_through_the_api_and_a_bad_one_stores_nothing(
    client: Client, people: dict[str, Any], institution: Any, hosting: Any, outsider: Any, other_institution: Any
) -> None:
    from jaga.renewals.models import Document

    staff = bearer(people["staff"], institution)
    base = f"/api/renewals/services/{hosting.pk}/documents"
    added = client.post(base, {"kind": "contract", "title": "Kontrak 2026", "upload": pdf("kontrak.pdf")},
                        headers=staff)  # fmt: skip
    assert added.status_code == 201
    body = added.json()
    assert (body["kind"], body["title"], body["original_name"], body["case_id"]) == (
        "contract", "Kontrak 2026", "kontrak.pdf", None)  # fmt: skip
    stored = Document.objects.get(pk=body["id"])
    assert stored.service == hosting
    assert stored.uploaded_by == people["staff"]
    assert body["sha256"] == stored.sha256
    assert len(body["sha256"]) == 64
    download = client.get(f"/api/renewals/documents/{body['id']}", headers=staff)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]

    for upload, message in ((pdf("kontrak.pdf", b"\x7fELF\x02\x01\x01"), "program Linux"),
                            (pdf("kontrak.docx", b"PK\x03\x04 word"), "bukan PDF"),
                            (pdf("kontrak.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 10) + b"\n%%EOF"),
                             "terlalu besar")):  # fmt: skip
        refused = client.post(base, {"kind": "contract", "upload": upload}, headers=staff)
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "upload"]
        assert message in refused.json()["detail"][0]["msg"]
    wrong_kind = client.post(base, {"kind": "payment_proof", "upload": pdf()}, headers=staff)
    assert wrong_kind.status_code == 422
    assert wrong_kind.json()["detail"][0]["loc"] == ["body", "kind"]
    assert list(Document.objects.values_list("pk", flat=True)) == [body["id"]]  # nothing more, nothing lost

    auditor = bearer(people["auditor"], institution)
    assert client.post(base, {"kind": "contract", "upload": pdf()}, headers=auditor).status_code == 403
    listed = client.get(base, headers=auditor).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    stranger = bearer(outsider, other_institution)
    assert client.get(base, headers=stranger).status_code == 404
    assert client.get(f"/api/renewals/documents/{body['id']}", headers=stranger).status_code == 404


def test_a_text_cleared_with_null_is_emptied_and_a_flag_set_to_null_is_refused(
    client: Client, people: dict[str, Any], institution: Any, hosting: Any
) -> None:
    """Found by a long fuzz run (JAGA_FUZZ_BUDGET=100): a PATCH of ``"rdap_url": null`` was a 500."""
    headers = bearer(people["staff"], institution)
    texts = ["rdap_url", "provider", "account", "contract_number", "contacts", "notes"]
    path = f"/api/renewals/services/{hosting.pk}"
    response = client.patch(path, dict.fromkeys(texts), content_type="application/json", headers=headers)
    assert response.status_code == 200, response.content
    hosting.refresh_from_db()
    assert [getattr(hosting, name) for name in texts] == [""] * len(texts)
    refused = client.patch(path, {"is_active": None, "billing_period": None}, content_type="application/json",
                           headers=headers)  # fmt: skip
    assert refused.status_code == 422, refused.content
    hosting.refresh_from_db()
    assert hosting.is_active is True

"""The reports' endpoints of the one API: scoped to the token's institution, drafts, sending, the PDF as sent,
and "Mengetahui" for a Sekretaris's token only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from jaga.core.services import api_token_create
from jaga.reports.models import Report

pytestmark = pytest.mark.django_db


def bearer(user: Any, institution: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user, institution=institution, name='uji')[1]}"}


def test_a_draft_is_built_sent_downloaded_and_acknowledged(
    client: Client, institution: Any, month_data: Any, people: dict
) -> None:
    payload = {"kind": "situation", "period_start": "2026-11-01", "period_end": "2026-11-30"}
    refused = client.post("/api/reports", payload, content_type="application/json",
                          headers=bearer(people["auditor"], institution))  # fmt: skip
    assert refused.status_code == 403
    staff = bearer(people["staff"], institution)
    created = client.post("/api/reports", payload, content_type="application/json", headers=staff)
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["state"] == "draft"
    assert draft["number"] == ""
    assert "LAPORAN TENTANG SITUASI" in draft["title"]
    assert any("Jadwal Sidang" in item for item in draft["conclusions"])
    sent = client.post(f"/api/reports/{draft['id']}/send", headers=staff).json()
    assert sent["state"] == "sent"
    assert sent["number"] == "W14.U21/1/OT.01/XII/2026" or sent["number"].startswith("W14.U21/1/OT.01/")
    pdf = client.get(f"/api/reports/{draft['id']}/pdf", headers=bearer(people["auditor"], institution))
    assert pdf.content == Path(Report.objects.get().pdf.path).read_bytes()
    for who in ("admin", "ptip"):
        response = client.post(f"/api/reports/{draft['id']}/acknowledge", {"disposition": "x"},
                               headers=bearer(people[who], institution))  # fmt: skip
        assert response.status_code == 403
    done = client.post(f"/api/reports/{draft['id']}/acknowledge", {"disposition": "Lanjutkan."},
                       headers=bearer(people["sekretaris"], institution))  # fmt: skip
    assert done.json()["state"] == "acknowledged"
    assert done.json()["acknowledged_by"] == "sekretaris"
    listing = client.get("/api/reports", headers=bearer(people["auditor"], institution)).json()
    assert [item["id"] for item in listing["items"]] == [draft["id"]]


def test_another_institutions_report_is_404_and_bad_periods_422(
    client: Client, institution: Any, other_institution: Any, month_data: Any, people: dict, make_user: Any
) -> None:
    report = Report.objects.create(institution=institution, kind="situation", period_start="2026-11-01",
                                   period_end="2026-11-30")  # fmt: skip
    stranger = make_user("administrator", other_institution, "asing")
    assert client.get(f"/api/reports/{report.pk}", headers=bearer(stranger, other_institution)).status_code == 404
    bad = client.post("/api/reports", {"period_start": "2026-11-30", "period_end": "2026-11-01"},
                      content_type="application/json", headers=bearer(people["staff"], institution))  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "period_end"]

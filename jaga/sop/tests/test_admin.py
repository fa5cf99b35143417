from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jaga.sop.models import Activity, Sop


@pytest.fixture
def admin_client_(db):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("root", "root@example.invalid", "rahasia-uji-123")
    client = Client()
    client.force_login(user)
    return client


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "total_seconds"):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return str(value)


def _post_data(sop: Sop) -> dict[str, Any]:
    """The change form of ``sop`` as the browser would send it back unchanged."""
    data: dict[str, Any] = {
        "number": sop.number, "title": sop.title, "created_date": _fmt(sop.created_date),
        "revision_date": _fmt(sop.revision_date), "effective_date": _fmt(sop.effective_date),
        "approved_by": sop.approved_by, "warning": sop.warning, "related_sops": sop.related_sops,
        "is_active": "on", "institution": "",
    }  # fmt: skip
    parts = {
        "legal_bases": (sop.legal_bases.all(), ["order", "text", "replaced_by_id"]),
        "qualifications": (sop.qualifications.all(), ["order", "text"]),
        "equipment": (sop.equipment.all(), ["order", "text"]),
        "activities": (
            sop.activities.all(),
            ["number", "description", "requirements", "time_standard", "time_standard_label", "output", "recurrence"],
        ),
    }
    for prefix, (rows, fields) in parts.items():
        rows = list(rows)
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = len(rows)
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-sop"] = sop.pk
            for name in fields:
                data[f"{prefix}-{i}-{name.removesuffix('_id')}"] = _fmt(getattr(row, name))
            if prefix == "activities":
                data[f"{prefix}-{i}-executors"] = row.executors
    return data


def _url(sop: Sop) -> str:
    return reverse("admin:sop_sop_change", args=[sop.pk])


def test_an_unchanged_sop_saves(admin_client_, template) -> None:  # type: ignore[no-untyped-def]
    data = _post_data(template)
    data["activities-2-recurrence"] = "1 00:00:00"
    response = admin_client_.post(_url(template), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert Activity.objects.get(sop=template, number=3).recurrence.days == 1


def test_a_duplicate_activity_number_is_refused_in_indonesian(admin_client_, template) -> None:  # type: ignore[no-untyped-def]
    data = _post_data(template)
    data["activities-1-number"] = "1"
    data["activities-1-description"] = "Diubah"
    response = admin_client_.post(_url(template), data)
    assert response.status_code == 200
    assert "Nomor aktivitas 1 sudah dipakai di baris 1." in response.content.decode()
    assert not Activity.objects.filter(description="Diubah").exists()


def test_a_non_positive_time_standard_is_refused(admin_client_, template) -> None:  # type: ignore[no-untyped-def]
    data = _post_data(template)
    data["activities-0-time_standard"] = "00:00:00"
    data["title"] = "Judul baru"
    response = admin_client_.post(_url(template), data)
    assert response.status_code == 200
    assert "Waktu mutu baku harus positif" in response.content.decode()
    template.refresh_from_db()
    assert template.title == "SOP PENGELOLAAN WEBSITE"


def test_a_senseless_recurrence_is_refused(admin_client_, template) -> None:  # type: ignore[no-untyped-def]
    data = _post_data(template)
    data["activities-0-recurrence"] = "00:00:30"
    response = admin_client_.post(_url(template), data)
    assert "Pengulangan harus antara 5 menit dan 366 hari" in response.content.decode()
    assert Activity.objects.get(sop=template, number=1).recurrence.total_seconds() == 7200


def test_an_unknown_executor_is_refused(admin_client_, template) -> None:  # type: ignore[no-untyped-def]
    data = _post_data(template)
    data["activities-0-executors"] = ["staff_p2ti", "bupati"]
    response = admin_client_.post(_url(template), data)
    assert response.status_code == 200
    assert Activity.objects.get(sop=template, number=1).executors == ["staff_p2ti", "kasubbag_ptip"]


def test_the_ledger_is_read_only_in_the_admin(admin_client_, template) -> None:  # type: ignore[no-untyped-def]
    assert admin_client_.get(reverse("admin:sop_ledgerentry_changelist")).status_code == 200
    assert admin_client_.get(reverse("admin:sop_ledgerentry_add")).status_code == 403

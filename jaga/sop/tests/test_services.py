from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from jaga.sop.models import Activity, EvidenceFile, LedgerEntry, LegalBasis, Sop
from jaga.sop.services import LedgerError, ledger_record, sop_resolve, sop_seed_default

T0 = dt.datetime(2026, 11, 24, 7, 0, tzinfo=dt.UTC)


def test_it_seeds_the_template_sop_with_seven_activities(template: Sop) -> None:
    assert template.institution is None
    assert template.number == "W14.U21/10/SOP/09/2016"
    assert list(template.activities.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]


def test_it_adds_the_2022_legal_basis_replacing_the_2011_one(template: Sop) -> None:
    old = template.legal_bases.get(text__contains="1-144/KMA/SK/I/2011")
    assert old.replaced_by is not None
    assert "2-144/KMA/SK/VIII/2022" in old.replaced_by.text
    assert template.legal_bases.count() == 6


def test_it_seeds_idempotently_and_keeps_an_administrators_edits(template: Sop) -> None:
    Activity.objects.filter(sop=template, number=3).update(description="Diubah admin")
    again = sop_seed_default()
    assert again.pk == template.pk
    assert Sop.objects.count() == 1
    assert LegalBasis.objects.count() == 6
    assert Activity.objects.count() == 7
    assert Activity.objects.get(sop=template, number=3).description == "Diubah admin"


def test_it_falls_back_to_the_template_sop(institution, template: Sop) -> None:  # type: ignore[no-untyped-def]
    assert sop_resolve(institution=institution) == template


def test_it_seeds_the_template_when_there_is_none_yet(institution) -> None:  # type: ignore[no-untyped-def]
    assert sop_resolve(institution=institution).number == "W14.U21/10/SOP/09/2016"


def test_it_prefers_the_institutions_own_active_sop(institution, template: Sop) -> None:  # type: ignore[no-untyped-def]
    own = Sop.objects.create(institution=institution, number="W14.U21/1/SOP/2024", title="SOP Website")
    assert sop_resolve(institution=institution) == own
    own.is_active = False
    own.save()
    assert sop_resolve(institution=institution) == template


def test_it_records_an_execution_within_the_time_standard(institution, site, staff, template) -> None:  # type: ignore[no-untyped-def]
    entry = ledger_record(
        activity_key="monitoring",
        institution=institution,
        site=site,
        performed_by=staff,
        started_at=T0,
        ended_at=T0 + dt.timedelta(minutes=3),
        outcome="success",
    )
    assert entry.duration == dt.timedelta(minutes=3)
    assert entry.time_standard == dt.timedelta(hours=2)
    assert entry.met_standard is True
    assert entry.activity.sop == template
    assert entry.performer_label == "staff"


def test_it_records_a_missed_time_standard(institution, template) -> None:  # type: ignore[no-untyped-def]
    entry = ledger_record(
        activity_key="report",
        institution=institution,
        started_at=T0,
        ended_at=T0 + dt.timedelta(minutes=16),
        outcome="success",
    )
    assert entry.met_standard is False
    assert entry.performer_label == "Jaga"


def test_it_leaves_met_standard_empty_for_relative_activities(institution, template) -> None:  # type: ignore[no-untyped-def]
    entry = ledger_record(
        activity_key="incident_action",
        institution=institution,
        started_at=T0,
        ended_at=T0 + dt.timedelta(days=3),
        outcome="success",
    )
    assert entry.time_standard is None
    assert entry.met_standard is None


def test_it_links_the_output_generically(institution, site, template) -> None:  # type: ignore[no-untyped-def]
    entry = ledger_record(
        activity_key="monitoring", institution=institution, started_at=T0, ended_at=T0, outcome="success", output=site
    )
    entry.refresh_from_db()
    assert entry.output == site
    assert entry.output_repr == str(site)


def test_it_stores_evidence_with_its_sha256(institution, staff, template) -> None:  # type: ignore[no-untyped-def]
    data = b"bukti pelaksanaan\n"
    entry = ledger_record(
        activity_key="report",
        institution=institution,
        performed_by=staff,
        started_at=T0,
        ended_at=T0,
        outcome="success",
        evidence_files=[ContentFile(data, name="laporan.pdf")],
    )
    evidence = entry.evidence.get()
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.size == len(data)
    assert evidence.original_name == "laporan.pdf"
    assert evidence.file.name.startswith("evidence/pn-bangil/2026/11/")
    assert Path(settings.MEDIA_ROOT, evidence.file.name).read_bytes() == data


def test_it_refuses_an_end_before_the_start(institution, template) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LedgerError, match="sebelum"):
        ledger_record(
            activity_key="monitoring",
            institution=institution,
            started_at=T0,
            ended_at=T0 - dt.timedelta(1),
            outcome="success",
        )
    assert not LedgerEntry.objects.exists()


def test_it_refuses_an_unknown_activity_or_outcome(institution, template) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LedgerError, match="berkunci 'accessibility'"):
        ledger_record(
            activity_key="accessibility", institution=institution, started_at=T0, ended_at=T0, outcome="success"
        )
    with pytest.raises(LedgerError, match="hasil"):
        ledger_record(activity_key="monitoring", institution=institution, started_at=T0, ended_at=T0, outcome="ok")
    with pytest.raises(LedgerError, match="hasil"):
        ledger_record(activity_key="monitoring", institution=institution, started_at=T0, ended_at=T0, outcome="running")
    assert not LedgerEntry.objects.exists()
    assert not EvidenceFile.objects.exists()


def test_it_returns_the_sop_a_racing_process_seeded_first(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from jaga.sop import services

    real_create = services.sop_create_from_parsed

    def racing(*, parsed, institution):  # type: ignore[no-untyped-def]
        real_create(parsed=parsed, institution=institution)  # the other process wins
        return real_create(parsed=parsed, institution=institution)

    monkeypatch.setattr(services, "sop_create_from_parsed", racing)
    sop = sop_seed_default()
    assert Sop.objects.get() == sop

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jaga.sop.models import LedgerEntry
from jaga.sop.services import ledger_record


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def entry(institution, site, staff, template):  # type: ignore[no-untyped-def]
    # 14.05 WIB on 24 November 2026 is 07.05 UTC.
    ended = dt.datetime(2026, 11, 24, 7, 5, tzinfo=dt.UTC)
    return ledger_record(
        activity_key="report", institution=institution, site=site, performed_by=staff,
        started_at=ended - dt.timedelta(minutes=10), ended_at=ended, outcome="success",
        evidence_files=[ContentFile(b"isi laporan", name="laporan-situasi.pdf")],
    )  # fmt: skip


PAGES = [
    ("sop:institution_dashboard", {}),
    ("sop:sop_detail", {}),
    ("sop:compliance", {"number": 5}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_members_see_the_pages_and_outsiders_get_404(
    name, kwargs, institution, staff, auditor, outsider, entry
) -> None:  # type: ignore[no-untyped-def]
    url = reverse(name, kwargs={"slug": institution.slug, **kwargs})
    assert _client(staff).get(url).status_code == 200
    assert _client(auditor).get(url).status_code == 200
    assert _client(outsider).get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(institution) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(reverse("sop:institution_dashboard", kwargs={"slug": institution.slug}))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_dashboard_shows_who_and_when_in_the_institutions_format(institution, staff, entry) -> None:  # type: ignore[no-untyped-def]
    with timezone.override(dt.UTC):  # the page must not depend on the server's time zone
        response = _client(staff).get(reverse("sop:institution_dashboard", kwargs={"slug": institution.slug}))
    html = response.content.decode()
    assert "24 November 2026" in html
    assert "14.05" in html
    assert 'data-activity="5" data-state="done"' in html
    assert 'data-activity="1" data-state="never"' in html
    assert "Situs PN Bangil" in html
    assert reverse("sop:record", kwargs={"slug": institution.slug, "number": 1}) in html


def test_the_auditor_sees_no_record_links(institution, auditor, entry) -> None:  # type: ignore[no-untyped-def]
    response = _client(auditor).get(reverse("sop:institution_dashboard", kwargs={"slug": institution.slug}))
    assert reverse("sop:record", kwargs={"slug": institution.slug, "number": 1}) not in response.content.decode()


def test_the_site_dashboard_is_for_members_only(institution, site, staff, outsider, other_institution, entry) -> None:  # type: ignore[no-untyped-def]
    url = reverse("sop:site_dashboard", kwargs={"slug": institution.slug, "site_id": site.pk})
    response = _client(staff).get(url)
    assert response.status_code == 200
    assert 'data-activity="5" data-state="done"' in response.content.decode()
    assert _client(outsider).get(url).status_code == 404
    # the outsider's own slug with this site's id is not a way around it
    wrong = reverse("sop:site_dashboard", kwargs={"slug": other_institution.slug, "site_id": site.pk})
    assert _client(outsider).get(wrong).status_code == 404


def test_the_sop_page_shows_the_replaced_legal_basis(institution, staff, template) -> None:  # type: ignore[no-untyped-def]
    html = _client(staff).get(reverse("sop:sop_detail", kwargs={"slug": institution.slug})).content.decode()
    new = template.legal_bases.get(text__contains="2-144/KMA/SK/VIII/2022")
    assert "diganti oleh" in html
    assert f'href="#dasar-hukum-{new.pk}"' in html
    assert "Strata Satu (S1)" in html
    assert "15 menit" in html


def test_the_compliance_page_shows_rate_chart_and_evidence(institution, staff, entry) -> None:  # type: ignore[no-untyped-def]
    url = reverse("sop:compliance", kwargs={"slug": institution.slug, "number": 5})
    html = _client(staff).get(url, {"dari": "2026-11-20", "sampai": "2026-11-26"}).content.decode()
    assert '<p id="rate">100% (1/1)</p>' in html
    assert html.count("<rect ") == 7
    evidence = entry.evidence.get()
    assert reverse("sop:evidence_download", kwargs={"slug": institution.slug, "evidence_id": evidence.pk}) in html


def test_the_compliance_page_outside_the_period_is_empty(institution, staff, entry) -> None:  # type: ignore[no-untyped-def]
    url = reverse("sop:compliance", kwargs={"slug": institution.slug, "number": 5})
    html = _client(staff).get(url, {"dari": "2026-10-01", "sampai": "2026-10-31"}).content.decode()
    assert '<p id="total">0</p>' in html


def test_the_compliance_page_of_an_unknown_activity_is_404(institution, staff, template) -> None:  # type: ignore[no-untyped-def]
    url = reverse("sop:compliance", kwargs={"slug": institution.slug, "number": 99})
    assert _client(staff).get(url).status_code == 404


def test_staff_record_an_execution_with_evidence(institution, site, staff, template) -> None:  # type: ignore[no-untyped-def]
    url = reverse("sop:record", kwargs={"slug": institution.slug, "number": 3})
    assert _client(staff).get(url).status_code == 200
    upload = ContentFile(b"log pengunjung", name="log.txt")
    response = _client(staff).post(
        url,
        {"started_at": "2026-11-24T09:00", "ended_at": "2026-11-24T09:40", "site": site.pk, "outcome": "success",
         "notes": "Tidak ada aktivitas mencurigakan", "evidence": [upload]},
    )  # fmt: skip
    assert response.status_code == 302
    recorded = LedgerEntry.objects.get()
    assert recorded.performed_by == staff
    assert recorded.activity_number == 3
    assert recorded.activity_key == "traffic"
    # 09.00 typed in Bangil is 02.00 UTC
    assert recorded.started_at == dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)
    assert recorded.duration == dt.timedelta(minutes=40)
    assert recorded.evidence.get().original_name == "log.txt"


def test_a_bad_record_gets_a_field_error_and_stores_nothing(institution, staff, template) -> None:  # type: ignore[no-untyped-def]
    url = reverse("sop:record", kwargs={"slug": institution.slug, "number": 1})
    response = _client(staff).post(
        url, {"started_at": "2026-11-24T09:00", "ended_at": "2026-11-24T08:00", "outcome": "success"}
    )
    assert response.status_code == 200
    assert "Waktu selesai tidak boleh sebelum waktu mulai" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_the_auditor_may_not_record_and_outsiders_get_404(institution, auditor, outsider, template) -> None:  # type: ignore[no-untyped-def]
    url = reverse("sop:record", kwargs={"slug": institution.slug, "number": 1})
    data = {"started_at": "2026-11-24T09:00", "ended_at": "2026-11-24T09:10", "outcome": "success"}
    assert _client(auditor).get(url).status_code == 403
    assert _client(auditor).post(url, data).status_code == 403
    assert _client(outsider).get(url).status_code == 404
    assert _client(outsider).post(url, data).status_code == 404
    assert not LedgerEntry.objects.exists()


def test_evidence_downloads_for_members_only(institution, staff, auditor, outsider, other_institution, entry) -> None:  # type: ignore[no-untyped-def]
    evidence = entry.evidence.get()
    url = reverse("sop:evidence_download", kwargs={"slug": institution.slug, "evidence_id": evidence.pk})
    response = _client(auditor).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"isi laporan"  # type: ignore[attr-defined]
    assert "laporan-situasi.pdf" in response["Content-Disposition"]
    assert _client(outsider).get(url).status_code == 404
    wrong = reverse("sop:evidence_download", kwargs={"slug": other_institution.slug, "evidence_id": evidence.pk})
    assert _client(outsider).get(wrong).status_code == 404


def test_a_reversed_period_is_explained(institution, staff, template) -> None:  # type: ignore[no-untyped-def]
    url = reverse("sop:compliance", kwargs={"slug": institution.slug, "number": 1})
    response = _client(staff).get(url, {"dari": "2026-11-20", "sampai": "2026-11-01"})
    assert response.status_code == 200
    assert "Tanggal akhir tidak boleh sebelum tanggal awal" in response.content.decode()


def test_the_default_period_is_the_last_30_days(institution, staff, template) -> None:  # type: ignore[no-untyped-def]
    url = reverse("sop:compliance", kwargs={"slug": institution.slug, "number": 1})
    html = _client(staff).get(url).content.decode()
    assert html.count("<rect ") == 30


def test_the_dashboard_shows_every_site_in_the_same_number_of_queries(  # type: ignore[no-untyped-def]
    institution, site, staff, template, django_assert_max_num_queries
) -> None:
    from jaga.core.models import Site

    client = _client(staff)
    url = reverse("sop:institution_dashboard", kwargs={"slug": institution.slug})
    ended = timezone.now() - dt.timedelta(minutes=5)
    ledger_record(
        activity_key="backup", institution=institution, site=site, started_at=ended, ended_at=ended, outcome="success"
    )
    client.get(url)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    others = [Site(institution=institution, name=f"Situs {n}", base_url=f"http://127.0.0.1:9/{n}") for n in range(20)]
    Site.objects.bulk_create(others)
    last = Site.objects.get(name="Situs 19")
    ledger_record(
        activity_key="monitoring",
        institution=institution,
        site=last,
        started_at=ended,
        ended_at=ended,
        outcome="success",
    )

    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()

    assert html.count('data-site-activity="1" data-state="never"') == 20
    assert html.count('data-site-activity="1" data-state="ok"') == 1


def test_the_compliance_page_is_paginated_instead_of_stopping_at_a_page(institution, site, staff, template) -> None:  # type: ignore[no-untyped-def]
    from jaga.sop.selectors import LEDGER_PAGE

    first = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)
    for n in range(LEDGER_PAGE + 5):
        at = first + dt.timedelta(minutes=15 * n)
        ledger_record(
            activity_key="monitoring", institution=institution, site=site, performed_by=None,
            started_at=at, ended_at=at + dt.timedelta(minutes=1), outcome="success", notes=f"putaran {n}",
        )  # fmt: skip
    url = reverse("sop:compliance", kwargs={"slug": institution.slug, "number": 1})
    period = {"dari": "2026-11-20", "sampai": "2026-11-26"}
    client = _client(staff)
    html = client.get(url, period).content.decode()
    assert f'<p id="total">{LEDGER_PAGE + 5}</p>' in html
    assert html.count("<td data-outcome=") == LEDGER_PAGE
    assert f"putaran {LEDGER_PAGE + 4}<" in html  # newest first
    assert "Halaman 1 dari 2" in html
    assert "dari=2026-11-20&amp;sampai=2026-11-26&amp;page=2" in html  # the period is kept
    second = client.get(url, {**period, "page": "2"}).content.decode()
    assert second.count("<td data-outcome=") == 5
    assert "putaran 0<" in second
    assert f"putaran {LEDGER_PAGE + 4}<" not in second
    assert client.get(url, {**period, "page": "99"}).content.decode().count("<td data-outcome=") == 5  # the last
    assert client.get(url, {**period, "page": "x"}).status_code == 200


def test_the_per_day_bars_carry_their_dates(institution, staff, entry) -> None:  # type: ignore[no-untyped-def]
    url = reverse("sop:compliance", kwargs={"slug": institution.slug, "number": 5})
    html = _client(staff).get(url, {"dari": "2026-11-01", "sampai": "2026-11-30"}).content.decode()
    assert html.count("<rect ") == 30
    assert "24 November 2026: 1" in html  # every bar says its day and count on hover
    assert '<span class="daybar-date">30 Nov</span>' in html  # the last day and every seventh before it
    assert '<span class="daybar-date">23 Nov</span>' in html
    assert '<span class="daybar-date">29 Nov</span>' not in html


def test_an_entry_without_output_or_notes_shows_a_dash_not_an_empty_cell(institution, staff, entry) -> None:  # type: ignore[no-untyped-def]
    entry.output_repr, entry.notes = "", ""
    entry.save(update_fields=["output_repr", "notes"])
    url = reverse("sop:compliance", kwargs={"slug": institution.slug, "number": 5})
    html = _client(staff).get(url, {"dari": "2026-11-20", "sampai": "2026-11-26"}).content.decode()
    assert '<td data-label="Output">—</td>' in html

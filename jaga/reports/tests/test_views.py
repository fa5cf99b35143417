"""The report pages: who sees and does what, from the one-click draft to the Secretary's "Mengetahui"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from jaga.core import clock
from jaga.reports.models import Report
from jaga.reports.tests.conftest import WIB

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 2, 8, 0, tzinfo=WIB)


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"reports:{name}", kwargs={"slug": "pn-bangil", **kwargs})


@pytest.fixture
def draft(month_data: Any, people: dict[str, Any]) -> Report:
    from jaga.reports.document import Period
    from jaga.reports.services import report_create

    with clock.frozen(NOW):
        return report_create(
            institution=people["staff"].memberships.get().institution,
            kind="situation",
            period=Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
            created_by=people["staff"],
        )


def test_every_member_sees_the_list_and_only_operators_may_build(client: Any, draft: Report, people: dict) -> None:
    client.force_login(people["auditor"])
    body = client.get(url("report_list")).content.decode()
    assert "Laporan kepada Sekretaris" in body
    assert f'data-report="{draft.pk}"' in body
    assert "Susun laporan situasi" not in body
    assert client.post(url("report_quick")).status_code == 403
    assert client.get(url("report_create")).status_code == 403
    assert Report.objects.count() == 1


def test_strangers_get_a_404_and_visitors_the_login(client: Any, draft: Report, outsider: Any) -> None:
    assert client.get(url("report_detail", report_id=draft.pk)).status_code == 302
    client.force_login(outsider)
    assert client.get(url("report_list")).status_code == 404
    assert client.get(url("report_detail", report_id=draft.pk)).status_code == 404
    assert client.get(url("report_pdf", report_id=draft.pk)).status_code == 404


def test_one_click_makes_last_months_draft_and_the_page_shows_the_letter(
    client: Any, month_data: Any, people: dict
) -> None:
    client.force_login(people["staff"])
    with clock.frozen(NOW):
        response = client.post(url("report_quick"))
        report = Report.objects.get()
        assert response["Location"] == report.get_absolute_url()
        assert (report.period_start, report.period_end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        body = client.get(report.get_absolute_url()).content.decode()
    assert "LAPORAN TENTANG SITUASI DAN KONDISI WEBSITE" in body
    assert "KONSEP — belum bernomor" in body
    assert "99,31%" in body  # the figure drawn from the rollups
    assert "Terbitkan dan kirim" in body
    assert "Saran:" in body  # Jaga's drafted conclusions, ready to edit


def test_the_build_form_refuses_a_period_that_ends_before_it_starts(client: Any, month_data: Any, people: dict) -> None:
    client.force_login(people["staff"])
    data = {"kind": "situation", "period_start": "2026-11-30", "period_end": "2026-11-01", "language": "id"}
    response = client.post(url("report_create"), data)
    assert response.status_code == 400
    assert "Akhir periode sebelum awalnya." in response.content.decode()
    data.update(period_start="2026-11-01", period_end="2026-11-07", language="en")
    response = client.post(url("report_create"), data)
    report = Report.objects.get()
    assert response["Location"] == report.get_absolute_url()
    assert (report.language, report.period_end) == ("en", dt.date(2026, 11, 7))


def test_the_person_edits_the_conclusions_before_sending(client: Any, draft: Report, people: dict) -> None:
    client.force_login(people["staff"])
    text = "Situs berjalan baik.\nSaran:\nPerbarui jadwal sidang setiap hari."
    data = {"conclusions": text, "signer_name": "Budi", "signer_position": "Kasubbag PTIP", "signer_nip": "12"}
    response = client.post(url("report_edit", report_id=draft.pk), data)
    assert response.status_code == 400
    assert "NIP terdiri atas 18 angka." in response.content.decode()
    data["signer_nip"] = "198001012005011002"
    assert client.post(url("report_edit", report_id=draft.pk), data).status_code == 302
    body = client.get(url("report_detail", report_id=draft.pk)).content.decode()
    assert "Perbarui jadwal sidang setiap hari." in body
    assert "198001012005011002" in body
    client.force_login(people["auditor"])
    assert client.post(url("report_edit", report_id=draft.pk), data).status_code == 403


def test_sending_numbers_it_keeps_its_pdf_and_only_the_secretary_acknowledges(
    client: Any, draft: Report, people: dict
) -> None:
    client.force_login(people["auditor"])
    assert client.post(url("report_send", report_id=draft.pk)).status_code == 403
    client.force_login(people["staff"])
    assert (
        "mutu baku 15 menit dari konsep dibuka sampai dikirim" in client.get(draft.get_absolute_url()).content.decode()
    )
    with clock.frozen(NOW + dt.timedelta(minutes=9)):
        assert client.post(url("report_send", report_id=draft.pk)).status_code == 302
    draft.refresh_from_db()
    assert draft.number == "W14.U21/1/OT.01/XII/2026"
    # The ledger's span of SOP activity 5, on the page: from the draft opened (NOW) to sent, against 15 minutes.
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "9 menit dari konsep dibuka sampai dikirim · memenuhi mutu baku 15 menit" in page
    pdf = client.get(url("report_pdf", report_id=draft.pk))
    assert pdf.content == Path(draft.pdf.path).read_bytes()
    assert pdf["X-Content-SHA256"] == draft.pdf_sha256
    assert client.post(url("report_edit", report_id=draft.pk), {"conclusions": "x"}).status_code == 302
    draft.refresh_from_db()
    assert draft.conclusions == ""  # an issued report is not changed
    ack_url = url("report_acknowledge", report_id=draft.pk)
    for who in ("staff", "ptip", "umum", "admin"):  # may approve renewals, yet only the Secretary says Mengetahui
        client.force_login(people[who])
        assert ack_url not in client.get(draft.get_absolute_url()).content.decode()
        assert client.post(ack_url, {"disposition": "x"}).status_code == 403
    client.force_login(people["sekretaris"])
    with clock.frozen(NOW + dt.timedelta(hours=2)):
        assert ack_url in client.get(draft.get_absolute_url()).content.decode()
        response = client.post(ack_url, {"disposition": "Tindak lanjuti."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.acknowledged_by == people["sekretaris"]
    assert draft.acknowledged_at == NOW + dt.timedelta(hours=2)
    assert "Tindak lanjuti." in client.get(draft.get_absolute_url()).content.decode()


def test_a_draft_may_be_deleted_and_an_issued_report_may_not(client: Any, draft: Report, people: dict) -> None:
    from jaga.reports.delivery import report_send

    client.force_login(people["staff"])
    report_send(report=draft, user=people["staff"])
    assert client.post(url("report_delete", report_id=draft.pk), {"confirm": "yes"}).status_code == 302
    assert Report.objects.filter(pk=draft.pk).exists()


def test_each_table_downloads_as_csv(client: Any, draft: Report, people: dict) -> None:
    client.force_login(people["auditor"])
    response = client.get(url("report_csv", report_id=draft.pk) + "?tabel=availability")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "Situs,Monitor,Jenis,Pemeriksaan,Uptime,Gangguan"
    assert "Situs PN Bangil,Beranda" in text
    assert client.get(url("report_csv", report_id=draft.pk) + "?tabel=nope").status_code == 404


def test_a_draft_pdf_is_a_preview_that_takes_no_number(client: Any, draft: Report, people: dict) -> None:
    client.force_login(people["auditor"])
    response = client.get(url("report_pdf", report_id=draft.pk) + "?lihat=1")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("inline")
    draft.refresh_from_db()
    assert not draft.number


def test_the_archive_downloads_as_csv_for_every_member_and_no_stranger(
    client: Any, draft: Report, people: dict, outsider: Any
) -> None:
    import csv
    import io

    from jaga.reports.delivery import report_send

    with clock.frozen(NOW + dt.timedelta(minutes=5)):
        report_send(report=draft, user=people["staff"])
    client.force_login(people["auditor"])
    assert url("report_archive_csv") in client.get(url("report_list")).content.decode()
    response = client.get(url("report_archive_csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Nomor", "Jenis", "Awal periode", "Akhir periode", "Situs", "Keadaan"]
    draft.refresh_from_db()
    assert rows[1][:6] == [draft.number, "Laporan situasi dan kondisi website", "2026-11-01", "2026-11-30",
                           "semua situs", "dikirim, menunggu Mengetahui"]  # fmt: skip
    assert rows[1][-1] == draft.pdf_sha256
    client.force_login(outsider)
    assert client.get(url("report_archive_csv")).status_code == 404


def test_all_tables_download_as_one_zip_and_the_page_lists_them_by_section(
    client: Any, draft: Report, people: dict
) -> None:
    import io
    import zipfile

    client.force_login(people["auditor"])
    page = client.get(draft.get_absolute_url()).content.decode()
    keys = [table.key for table in draft_tables(draft)]
    assert len(keys) > 1
    assert page.count("?tabel=") == len(keys)  # each table once, as a link under its section
    assert page.count('class="btn secondary small"') == 0  # not one button per table
    assert 'id="csv-all"' in page
    response = client.get(url("report_csv_zip", report_id=draft.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == sorted(f"{key}.csv" for key in keys)
    availability = archive.read("availability.csv").decode("utf-8-sig")
    assert availability.splitlines()[0] == "Situs,Monitor,Jenis,Pemeriksaan,Uptime,Gangguan"
    client.logout()
    assert client.get(url("report_csv_zip", report_id=draft.pk)).status_code == 302  # to the login page


def draft_tables(report: Report) -> list[Any]:
    from jaga.reports.services import report_build

    return [table for table in report_build(report=report).tables() if table.rows]

"""Scheduled maintenance with its updates: operators post them, every member reads them, the public status page
shows only the public ones of the maintenance going on, coming or just over."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jaga.core import clock
from jaga.incidents.models import MaintenanceUpdate
from jaga.incidents.services.maintenance import TEXT_MAX, maintenance_update_add
from jaga.monitoring.models import MaintenanceWindow, Monitor

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _window(site: Any, *, starts_in: dt.timedelta, hours: float = 2, **kwargs: Any) -> MaintenanceWindow:
    start = clock.now() + starts_in
    return MaintenanceWindow.objects.create(
        site=site, title=kwargs.pop("title", "Pembaruan server"), starts_at=start,
        ends_at=start + dt.timedelta(hours=hours), **kwargs,
    )  # fmt: skip


def _page_url(site: Any) -> str:
    return reverse("incidents:maintenance", kwargs={"slug": site.institution.slug, "site_id": site.pk})


def _public(client: Client, site: Any) -> str:
    return client.get(reverse("public_status", args=[site.institution.slug, site.pk])).content.decode()


def test_staff_posts_updates_and_the_public_page_shows_only_the_public_words(
    client: Client, site: Any, staff: Any
) -> None:
    Monitor.objects.create(site=site, name="Beranda", kind="http", config={}, is_public=True)
    window = _window(site, starts_in=dt.timedelta(hours=3))
    staff_client = _client(staff)
    response = staff_client.post(_page_url(site), {
        "window": window.pk, "stage": "scheduled", "text": "Upgrade PHP 8.3 di 10.0.0.7; snapshot VM dulu",
        "is_public": "on", "public_text": "Situs tidak dapat diakses selama pemeliharaan server.",
    })  # fmt: skip
    assert response.status_code == 302
    staff_client.post(_page_url(site), {"window": window.pk, "stage": "in_progress", "text": "Mulai, cadangan OK"})

    updates = list(MaintenanceUpdate.objects.order_by("at", "pk"))
    assert [(u.stage, u.is_public, u.author) for u in updates] == [
        ("scheduled", True, staff), ("in_progress", False, staff),
    ]  # fmt: skip
    page = _public(client, site)
    assert f'data-public-maintenance="{window.pk}"' in page
    assert "Situs tidak dapat diakses selama pemeliharaan server." in page
    assert 'data-stage="scheduled"' in page  # the newest public update's stage, not the internal one's
    assert "10.0.0.7" not in page
    assert "Mulai, cadangan OK" not in page

    inside = staff_client.get(_page_url(site)).content.decode()
    assert "Upgrade PHP 8.3 di 10.0.0.7" in inside  # the team reads everything
    assert "Mulai, cadangan OK" in inside
    assert f'data-maintenance="{window.pk}" data-when="upcoming"' in inside


def test_an_auditor_reads_but_may_not_post_and_an_outsider_gets_404(
    site: Any, auditor: Any, outsider: Any, staff: Any
) -> None:
    window = _window(site, starts_in=dt.timedelta(hours=1))
    maintenance_update_add(window=window, user=staff, stage="scheduled", text="Dijadwalkan malam ini")
    page = _client(auditor).get(_page_url(site))
    assert page.status_code == 200
    assert "Dijadwalkan malam ini" in page.content.decode()
    assert "<form" not in page.content.decode().split('data-maintenance="')[1]
    posted = {"window": window.pk, "stage": "completed", "text": "selesai"}
    assert _client(auditor).post(_page_url(site), posted).status_code == 403
    assert _client(outsider).get(_page_url(site)).status_code == 404
    assert _client(outsider).post(_page_url(site), posted).status_code == 404
    assert MaintenanceUpdate.objects.count() == 1


def test_bad_input_is_refused_with_the_field_and_nothing_is_stored(site: Any, staff: Any) -> None:
    window = _window(site, starts_in=dt.timedelta(hours=1))
    empty = _client(staff).post(_page_url(site), {"window": window.pk, "stage": "scheduled", "text": "   "})
    assert empty.status_code == 400
    assert "Tulis isi pembaruannya." in empty.content.decode()
    too_long = _client(staff).post(
        _page_url(site), {"window": window.pk, "stage": "scheduled", "text": "x" * (TEXT_MAX + 1)}
    )
    assert too_long.status_code == 400
    assert f"Paling banyak {TEXT_MAX} karakter (tertulis {TEXT_MAX + 1})" in too_long.content.decode()
    gone = _client(staff).post(_page_url(site), {"window": 999_999, "stage": "scheduled", "text": "x"})
    assert gone.status_code == 400
    assert "Jadwal pemeliharaan itu sudah tidak ada; pembaruan tidak disimpan." in gone.content.decode()
    assert not MaintenanceUpdate.objects.exists()


def test_html_in_an_update_is_shown_as_written(client: Client, site: Any, staff: Any) -> None:
    Monitor.objects.create(site=site, name="Beranda", kind="http", config={}, is_public=True)
    window = _window(site, starts_in=-dt.timedelta(minutes=30))
    maintenance_update_add(
        window=window, user=staff, stage="in_progress", text="<script>alert(1)</script>", is_public=True
    )
    page = _public(client, site)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;" in _client(staff).get(_page_url(site)).content.decode()


def test_only_maintenance_near_now_of_a_public_service_shows_and_a_recurring_one_only_its_occurrences_news(
    client: Client, site: Any, staff: Any
) -> None:
    public = Monitor.objects.create(site=site, name="Beranda", kind="http", config={}, is_public=True)
    internal = Monitor.objects.create(site=site, name="Panel admin", kind="http", config={}, is_public=False)
    far = _window(site, starts_in=dt.timedelta(days=30), title="Jauh")
    long_over = _window(site, starts_in=-dt.timedelta(days=20), title="Lama")
    just_over = _window(site, starts_in=-dt.timedelta(hours=5), title="Baru lewat", monitor=public)
    hidden = _window(site, starts_in=dt.timedelta(hours=1), title="Internal", monitor=internal)
    weekly = _window(site, starts_in=dt.timedelta(days=2) - dt.timedelta(weeks=4), title="Mingguan",
                     recurrence=MaintenanceWindow.Recurrence.WEEKLY)  # fmt: skip
    for window in (far, long_over, just_over, hidden, weekly):
        maintenance_update_add(window=window, user=staff, stage="completed", text=f"kabar {window.title}",
                               is_public=True)  # fmt: skip
    # The weekly window's update above is about this week's occurrence; one written a month ago is not.
    MaintenanceUpdate.objects.create(
        window=weekly, at=clock.now() - dt.timedelta(weeks=4), author=staff, stage="completed",
        text="kabar bulan lalu", is_public=True,
    )  # fmt: skip
    page = _public(client, site)
    windows = (far, long_over, just_over, hidden, weekly)
    shown = {w.title for w in windows if f'data-public-maintenance="{w.pk}"' in page}
    assert shown == {"Baru lewat", "Mingguan"}
    assert "kabar Mingguan" in page
    assert "kabar bulan lalu" not in page
    inside = _client(staff).get(_page_url(site)).content.decode()
    assert all(f'data-maintenance="{w.pk}"' in inside for w in windows)
    assert f'data-maintenance="{just_over.pk}" data-when="over"' in inside


def test_the_public_page_names_a_window_with_public_updates_once_and_still_lists_the_others(
    client: Client, site: Any, staff: Any
) -> None:
    Monitor.objects.create(site=site, name="Beranda", kind="http", config={}, is_public=True)
    announced = _window(site, starts_in=dt.timedelta(hours=3), title="Pemindahan server ke pusat data baru")
    quiet = _window(site, starts_in=dt.timedelta(days=2), title="Pembaruan sertifikat TLS")
    page = _public(client, site)
    assert page.count("Pemindahan server ke pusat data baru") == 1  # only the scheduled list knows it yet
    assert "Pemeliharaan terjadwal" in page

    maintenance_update_add(
        window=announced, user=staff, stage="scheduled", text="Jadwal", is_public=True,
        public_text="Situs tidak dapat diakses sebentar.",
    )  # fmt: skip
    page = _public(client, site)
    assert page.count("Pemindahan server ke pusat data baru") == 1  # in "Kabar pemeliharaan", not again above
    assert f'data-public-maintenance="{announced.pk}"' in page
    assert page.count("Pembaruan sertifikat TLS") == 1  # the window without updates stays in the schedule
    assert "Tidak ada pemeliharaan terjadwal" not in page

    quiet.delete()
    page = _public(client, site)
    assert page.count("Pemindahan server ke pusat data baru") == 1
    # The only window is announced with its updates: no empty schedule claiming there is none.
    assert "Tidak ada pemeliharaan terjadwal" not in page

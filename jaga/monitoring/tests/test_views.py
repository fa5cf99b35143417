"""Monitoring pages: each seen by a role that may, refused to one that may not (outsider 404, auditor 403)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jaga.core.testing import inline_offences
from jaga.monitoring.forms import MonitorForm
from jaga.monitoring.models import CheckResult, Finding, MaintenanceWindow, Monitor, MonitorStatus, Rollup, StatusChange

pytestmark = pytest.mark.django_db


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def monitor(site: Any) -> Monitor:
    now = timezone.now()
    monitor = Monitor.objects.create(
        site=site,
        name="Beranda",
        kind="http",
        config={"url": "http://127.0.0.1:9/"},
        status=MonitorStatus.UP,
        status_since=now - dt.timedelta(hours=3),
        last_checked_at=now,
        last_response_ms=182.0,
    )
    hour = now.replace(minute=0, second=0, microsecond=0)
    Rollup.objects.create(
        monitor=monitor,
        period="h",
        bucket=hour - dt.timedelta(hours=1),
        checks=60,
        up=57,
        down=3,
        response_ms_sum=60 * 150.0,
        response_ms_count=60,
    )
    Rollup.objects.create(
        monitor=monitor,
        period="h",
        bucket=hour - dt.timedelta(hours=2),
        checks=60,
        up=60,
        response_ms_sum=60 * 250.0,
        response_ms_count=60,
    )
    # Two days ago (noon UTC: the same local day in WIB), half the checks failed.
    noon = dt.datetime.combine(now.astimezone(dt.UTC).date() - dt.timedelta(days=2), dt.time(5), tzinfo=dt.UTC)
    Rollup.objects.create(monitor=monitor, period="h", bucket=noon, checks=100, up=50, down=50)
    CheckResult.objects.create(
        monitor=monitor, probe="probe-a", checked_at=now, status="down", reason="HTTP 503 dari http://127.0.0.1:9/"
    )
    StatusChange.objects.create(monitor=monitor, at=now, from_status="up", to_status="down", reason="HTTP 503")
    return monitor


class TestSiteMonitors:
    def test_it_lists_monitors_with_uptime_and_bar(self, client: Client, staff: Any, monitor: Monitor) -> None:
        response = login(client, staff).get(reverse("monitoring:site_monitors", args=[monitor.site_id]))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Beranda" in body
        assert "97,50%" in body  # 117 of 120 checks in the last two hours
        assert 'class="bar days"' in body
        assert body.count('<span class="down"') == 1  # the day two days ago at 50 %
        assert reverse("monitoring:monitor_pause", args=[monitor.pk]) in body

    def test_it_hides_pause_buttons_from_the_auditor(self, client: Client, auditor: Any, monitor: Monitor) -> None:
        response = login(client, auditor).get(reverse("monitoring:site_monitors", args=[monitor.site_id]))
        assert response.status_code == 200
        assert reverse("monitoring:monitor_pause", args=[monitor.pk]) not in response.content.decode()

    def test_it_is_404_for_an_outsider(self, client: Client, outsider: Any, monitor: Monitor) -> None:
        response = login(client, outsider).get(reverse("monitoring:site_monitors", args=[monitor.site_id]))
        assert response.status_code == 404

    def test_it_asks_anonymous_users_to_log_in(self, client: Client, monitor: Monitor) -> None:
        response = client.get(reverse("monitoring:site_monitors", args=[monitor.site_id]))
        assert response.status_code == 302

    def test_the_index_lists_only_the_users_sites(self, client: Client, outsider: Any, monitor: Monitor) -> None:
        response = login(client, outsider).get(reverse("monitoring:index"))
        assert response.status_code == 200
        assert monitor.site.name not in response.content.decode()


class TestMonitorDetail:
    def test_it_shows_chart_history_and_results(self, client: Client, auditor: Any, monitor: Monitor) -> None:
        response = login(client, auditor).get(reverse("monitoring:monitor_detail", args=[monitor.pk]) + "?range=7d")
        assert response.status_code == 200
        body = response.content.decode()
        assert "<svg" in body
        assert "<polyline" in body
        assert "HTTP 503 dari http://127.0.0.1:9/" in body
        assert "182 ms" in body

    def test_the_chart_toggles_to_seven_days(self, client: Client, staff: Any, monitor: Monitor) -> None:
        response = login(client, staff).get(
            reverse("monitoring:monitor_chart", args=[monitor.pk]) + "?range=7d", HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert body.lstrip().startswith('<div id="chart"')
        assert "<svg" in body
        assert "<html" not in body

    def test_it_marks_the_outage_and_carries_its_points_for_the_pointer(
        self, client: Client, staff: Any, monitor: Monitor
    ) -> None:
        StatusChange.objects.create(
            monitor=monitor, at=timezone.now() - dt.timedelta(hours=5), from_status="up", to_status="down", reason="x"
        )
        StatusChange.objects.create(
            monitor=monitor, at=timezone.now() - dt.timedelta(hours=4), from_status="down", to_status="up", reason="y"
        )
        url = reverse("monitoring:monitor_chart", args=[monitor.pk])
        body = login(client, staff).get(url, {"range": "7d"}).content.decode()

        assert body.count('<rect class="band"') == 2 * 2  # the outage 5-4 h ago and the one still going, twice
        assert 'data-points="' in body
        points = body.split('data-points="')[1].split('"')[0]
        assert {value.split(",")[1] for value in points.split(";")} == {"150", "250"}  # the hour averages, in ms
        assert 'class="chart chart-wide"' in body
        assert 'class="chart chart-narrow"' in body

    def test_the_chart_zooms_into_a_span_and_says_how_to_go_back(
        self, client: Client, staff: Any, monitor: Monitor
    ) -> None:
        end = int(timezone.now().timestamp())
        url = reverse("monitoring:monitor_chart", args=[monitor.pk])

        body = login(client, staff).get(url, {"from": end - 3 * 3600, "to": end - 3600}).content.decode()
        tiny = client.get(url, {"from": end - 60, "to": end - 30}).content.decode()

        assert f'data-start="{end - 3 * 3600}"' in body
        assert f'data-end="{end - 3600}"' in body
        assert "Diperbesar" in body
        start = int(tiny.split('data-start="')[1].split('"')[0])
        stop = int(tiny.split('data-end="')[1].split('"')[0])
        assert stop - start == 600  # at least ten minutes

    def test_the_heartbeat_bar_shows_the_latest_checks_oldest_first(
        self, client: Client, staff: Any, monitor: Monitor
    ) -> None:
        now = timezone.now()
        for n in range(40):
            status = "down" if n == 39 else "up"
            CheckResult.objects.create(
                monitor=monitor, probe="p", checked_at=now - dt.timedelta(minutes=40 - n), status=status,
                response_ms=100 + n,
            )  # fmt: skip
        listing = login(client, staff).get(reverse("monitoring:site_monitors", args=[monitor.site_id]))
        detail = client.get(reverse("monitoring:monitor_detail", args=[monitor.pk]))

        beats = listing.content.decode().split('<div class="beats"')[1].split("</div>")[0]
        assert beats.count("<span") == 30
        ticks = beats.split("<span")[1:]
        assert 'data-status="up"' in ticks[0]  # the oldest of the latest 30
        assert 'data-status="down"' in ticks[-1]  # the newest: the fixture's failed check, now
        assert "Turun" in ticks[-1]  # its title reads the status, with its time
        detail_beats = detail.content.decode().split('<div class="beats"')[1].split("</div>")[0]
        assert detail_beats.count("<span") == 41  # 40 here and the fixture's own

    def test_it_is_404_for_an_outsider(self, client: Client, outsider: Any, monitor: Monitor) -> None:
        assert login(client, outsider).get(reverse("monitoring:monitor_detail", args=[monitor.pk])).status_code == 404
        assert login(client, outsider).get(reverse("monitoring:monitor_chart", args=[monitor.pk])).status_code == 404

    def test_it_shows_findings_with_evidence(self, client: Client, staff: Any, monitor: Monitor) -> None:
        now = timezone.now()
        Finding.objects.create(
            monitor=monitor,
            code="gambling_spam",
            fingerprint="f1",
            message="Spam judi online",
            location="http://127.0.0.1:9/berita",
            evidence="daftar slot gacor maxwin",
            severity="critical",
            first_seen=now,
            last_seen=now,
        )
        body = login(client, staff).get(reverse("monitoring:monitor_detail", args=[monitor.pk])).content.decode()
        assert "daftar slot gacor maxwin" in body
        assert "http://127.0.0.1:9/berita" in body

    def test_no_results_says_the_retention_it_really_keeps(
        self, client: Client, staff: Any, site: Any, settings: Any
    ) -> None:
        settings.JAGA_RESULTS_RETENTION_HOURS = 168
        quiet = Monitor.objects.create(site=site, name="Baru", kind="http", config={"url": "http://127.0.0.1:9/"})
        body = login(client, staff).get(reverse("monitoring:monitor_detail", args=[quiet.pk])).content.decode()
        assert "Belum ada hasil dalam 168 jam terakhir." in body

    @pytest.mark.every_database  # NULLs sort first on SQLite and last on PostgreSQL
    def test_open_findings_come_first_even_when_a_closed_one_was_seen_later(
        self, client: Client, staff: Any, monitor: Monitor
    ) -> None:
        # resolved_at sorts NULL first on SQLite and last on PostgreSQL: the page must not depend on it.
        now = timezone.now()
        common = {"monitor": monitor, "code": "hidden_link", "severity": "critical", "first_seen": now}
        Finding.objects.create(
            **common, fingerprint="closed", message="Tautan lama sudah dihapus", last_seen=now, resolved_at=now
        )
        Finding.objects.create(
            **common, fingerprint="open", message="Tautan masih ada", last_seen=now - dt.timedelta(hours=3)
        )
        response = login(client, staff).get(reverse("monitoring:monitor_detail", args=[monitor.pk]))
        assert [f.fingerprint for f in response.context["findings"]] == ["open", "closed"]
        body = response.content.decode()
        assert body.index("Tautan masih ada") < body.index("Tautan lama sudah dihapus")


class TestPauseResume:
    def test_staff_pauses_and_resumes_with_htmx(self, client: Client, staff: Any, monitor: Monitor) -> None:
        login(client, staff)
        response = client.post(reverse("monitoring:monitor_pause", args=[monitor.pk]), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert response.content.decode().lstrip().startswith(f'<tbody id="monitor-{monitor.pk}"')
        monitor.refresh_from_db()
        assert not monitor.enabled
        assert monitor.status == MonitorStatus.PAUSED
        response = client.post(reverse("monitoring:monitor_resume", args=[monitor.pk]))
        assert response.status_code == 302
        monitor.refresh_from_db()
        assert monitor.enabled

    def test_the_auditor_may_not_pause(self, client: Client, auditor: Any, monitor: Monitor) -> None:
        response = login(client, auditor).post(reverse("monitoring:monitor_pause", args=[monitor.pk]))
        assert response.status_code == 403
        monitor.refresh_from_db()
        assert monitor.enabled

    def test_an_outsider_gets_404(self, client: Client, outsider: Any, monitor: Monitor) -> None:
        response = login(client, outsider).post(reverse("monitoring:monitor_pause", args=[monitor.pk]))
        assert response.status_code == 404


class TestCreateEdit:
    def test_staff_picks_a_kind_then_fills_its_config(self, client: Client, staff: Any, site: Any) -> None:
        login(client, staff)
        url = reverse("monitoring:monitor_create", args=[site.pk])
        assert "?kind=http" in client.get(url).content.decode()
        form_page = client.get(url + "?kind=http").content.decode()
        assert 'name="cfg_url"' in form_page
        assert 'name="cfg_expected_status"' in form_page
        response = client.post(
            url,
            {
                "kind": "http",
                "name": "Beranda PN",
                "interval_seconds": 60,
                "timeout_seconds": 10,
                "retries": 1,
                "failures_before_down": 2,
                "required_agreement": 1,
                "enabled": "on",
                "cfg_url": "http://127.0.0.1:9/",
                "cfg_method": "GET",
                "cfg_expected_status": "200\n301",
                "cfg_keyword_mode": "present",
                "cfg_max_redirects": "5",
                "cfg_required_headers": "",
                "cfg_request_headers": "",
                "cfg_verify_tls": "on",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        created = Monitor.objects.get(name="Beranda PN")
        assert created.config["url"] == "http://127.0.0.1:9/"
        assert created.config["expected_status"] == ["200", "301"]
        assert created.config["max_redirects"] == 5

    def test_a_bad_config_is_refused_with_a_message_on_the_field(self, client: Client, staff: Any, site: Any) -> None:
        response = login(client, staff).post(
            reverse("monitoring:monitor_create", args=[site.pk]),
            {
                "kind": "http",
                "name": "Rusak",
                "interval_seconds": 60,
                "timeout_seconds": 10,
                "retries": 1,
                "failures_before_down": 2,
                "required_agreement": 1,
                "cfg_url": "ftp://contoh",
                "cfg_max_redirects": "99",
                "cfg_required_headers": "X-Frame-Options: SAMEORIGIN\ntanpa titik dua",
            },
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert "http://" in " ".join(form.config_form.errors["url"])
        assert "Baris 2: tulis Nama: nilai" in " ".join(form.config_form.errors["required_headers"])
        assert "Nilai terlalu besar." in " ".join(form.config_form.errors["max_redirects"])
        assert not Monitor.objects.filter(name="Rusak").exists()

    def test_a_number_out_of_range_is_named(self, staff: Any, site: Any) -> None:
        form = MonitorForm(
            {
                "kind": "http",
                "name": "x",
                "interval_seconds": 60,
                "timeout_seconds": 10,
                "retries": 1,
                "failures_before_down": 2,
                "required_agreement": 1,
                "cfg_url": "http://127.0.0.1:9/",
                "cfg_max_redirects": "99",
            },
            kind="http",
        )
        assert not form.is_valid()
        assert form.config_form.errors["max_redirects"] == ["Nilai terlalu besar. Batasnya 30."]

    def test_the_auditor_may_not_create(self, client: Client, auditor: Any, site: Any) -> None:
        url = reverse("monitoring:monitor_create", args=[site.pk])
        assert login(client, auditor).get(url + "?kind=http").status_code == 403

    def test_an_outsider_may_not_create(self, client: Client, outsider: Any, site: Any) -> None:
        url = reverse("monitoring:monitor_create", args=[site.pk])
        assert login(client, outsider).get(url).status_code == 404

    def test_staff_edits_the_config(self, client: Client, staff: Any, monitor: Monitor) -> None:
        url = reverse("monitoring:monitor_edit", args=[monitor.pk])
        login(client, staff)
        page = client.get(url).content.decode()
        assert 'value="http://127.0.0.1:9/"' in page
        response = client.post(
            url,
            {
                "kind": "http",
                "name": "Beranda baru",
                "interval_seconds": 120,
                "timeout_seconds": 10,
                "retries": 1,
                "failures_before_down": 2,
                "required_agreement": 1,
                "cfg_url": "http://127.0.0.1:9/baru",
                "cfg_keyword": "Pengadilan",
                "cfg_max_redirects": "10",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        monitor.refresh_from_db()
        assert monitor.name == "Beranda baru"
        assert monitor.interval_seconds == 120
        assert monitor.config["url"] == "http://127.0.0.1:9/baru"
        assert monitor.config["keyword"] == "Pengadilan"

    def test_the_service_limits_are_shown_too(self, client: Client, staff: Any, monitor: Monitor) -> None:
        response = login(client, staff).post(
            reverse("monitoring:monitor_edit", args=[monitor.pk]),
            {
                "kind": "http",
                "name": "Beranda",
                "interval_seconds": 5,
                "timeout_seconds": 10,
                "retries": 1,
                "failures_before_down": 2,
                "required_agreement": 1,
                "cfg_url": "http://127.0.0.1:9/",
                "cfg_max_redirects": "10",
            },
        )
        assert response.status_code == 200
        assert "Selang harus" in " ".join(response.context["form"].errors["interval_seconds"])
        monitor.refresh_from_db()
        assert monitor.interval_seconds == 60

    def test_the_auditor_may_not_edit_or_delete(self, client: Client, auditor: Any, monitor: Monitor) -> None:
        login(client, auditor)
        assert client.get(reverse("monitoring:monitor_edit", args=[monitor.pk])).status_code == 403
        assert client.post(reverse("monitoring:monitor_delete", args=[monitor.pk])).status_code == 403
        assert Monitor.objects.filter(pk=monitor.pk).exists()

    def test_staff_deletes_after_confirming(self, client: Client, staff: Any, monitor: Monitor) -> None:
        login(client, staff)
        url = reverse("monitoring:monitor_delete", args=[monitor.pk])
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 302
        assert not Monitor.objects.filter(pk=monitor.pk).exists()


class TestFreshness:
    def test_it_shows_pages_against_their_maximum_and_the_signal(self, client: Client, auditor: Any, site: Any) -> None:
        now = timezone.now()
        fresh = Monitor.objects.create(site=site, name="Kesegaran", kind="freshness", config={"url": "http://x/"})
        CheckResult.objects.create(
            monitor=fresh,
            probe="p",
            checked_at=now,
            status="degraded",
            reason="Konten 40 hari",
            details={
                "max_age_days": 30,
                "age_days": 40.2,
                "signal": "feed",
                "signals": [
                    {
                        "name": "feed",
                        "value": "2026-01-01",
                        "trust": "high",
                        "reason": "item terbaru",
                        "where": "/feed",
                    },
                    {"name": "sitemap", "value": None, "trust": "untrusted", "reason": "lastmod sama semua"},
                ],
            },
        )
        pages = Monitor.objects.create(site=site, name="Halaman wajib", kind="required_pages", config={})
        CheckResult.objects.create(
            monitor=pages,
            probe="p",
            checked_at=now,
            status="degraded",
            reason="1 halaman terlalu lama",
            details={
                "pages": [
                    {"name": "Profil", "url": "http://x/profil", "status": "ok", "age_days": 10, "max_age_days": 365},
                    {"name": "Berita", "url": "http://x/berita", "status": "stale", "age_days": 45, "max_age_days": 30},
                ]
            },
        )
        Finding.objects.create(
            monitor=pages,
            code="gambling_spam",
            fingerprint="a",
            message="Spam judi",
            location="http://x/berita#p3",
            evidence="slot gacor",
            severity="critical",
            first_seen=now,
            last_seen=now,
        )
        response = login(client, auditor).get(reverse("monitoring:site_freshness", args=[site.pk]))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Profil" in body
        assert "Berita" in body
        assert 'class="age over"' in body  # Berita is over its maximum
        assert 'value="2.7"' in body  # Profil: 10 of 365 days
        assert "style=" not in body  # a strict Content-Security-Policy forbids inline styles
        assert inline_offences(body) == []
        assert "dasar putusan" in body
        assert "tidak dipercaya" in body
        assert "slot gacor" in body
        assert "http://x/berita#p3" in body

    @pytest.mark.parametrize(
        ("language", "readable"),
        [
            ("id", ["header Last-Modified", "tidak lengkap", "ditemukan lewat menu situs", "Tautan tersembunyi"]),
            ("en", ["Last-Modified header", "incomplete", "found through the site&#x27;s menu", "Hidden link"]),
        ],
    )
    def test_it_names_signals_page_states_and_findings_in_words_never_their_codes(
        self, client: Client, staff: Any, site: Any, language: str, readable: list[str]
    ) -> None:
        from django.conf import settings

        now = timezone.now()
        fresh = Monitor.objects.create(site=site, name="Kesegaran", kind="freshness", config={"url": "http://x/"})
        signal = {"name": "last_modified", "value": "2026-03-01T08:00:00+00:00", "trust": "medium", "reason": "r"}
        CheckResult.objects.create(
            monitor=fresh, probe="p", checked_at=now, status="up", reason="Segar",
            details={"max_age_days": 30, "age_days": 2.0, "signal": "last_modified", "signals": [signal]},
        )  # fmt: skip
        required = Monitor.objects.create(site=site, name="Halaman wajib", kind="required_pages", config={})
        row = {"key": "profil", "title": "Profil", "status": "missing_words", "found_by": "menu", "url": "http://x/p"}
        CheckResult.objects.create(
            monitor=required, probe="p", checked_at=now, status="degraded", reason="1", details={"pages": [row]}
        )
        integrity = Monitor.objects.create(site=site, name="Integritas", kind="integrity", config={"url": "http://x/"})
        Finding.objects.create(
            monitor=integrity, code="hidden_link", fingerprint="h", message="Tautan tersembunyi ke slot.example",
            severity="critical", first_seen=now, last_seen=now, pages=["http://x/a/", "http://x/b/"],
        )  # fmt: skip
        login(client, staff).cookies[settings.LANGUAGE_COOKIE_NAME] = language
        body = client.get(reverse("monitoring:site_freshness", args=[site.pk])).content.decode()
        for words in readable:
            assert words in body, words
        assert "1 Maret 2026" in body if language == "id" else "1 March 2026" in body
        for code in ("last_modified", "missing_words", "hidden_link", "2026-03-01T08:00", ">menu<"):
            assert code not in body.replace('data-page-status="missing_words"', ""), code

        detail = client.get(reverse("monitoring:monitor_detail", args=[integrity.pk])).content.decode()
        assert readable[-1] in detail  # the finding's name above its message
        assert "data-finding-pages" in detail  # the pages of one grouped finding
        assert "http://x/b/" in detail

    def test_it_says_how_much_of_the_site_integrity_read_and_how_long_a_round_takes(
        self, client: Client, staff: Any, site: Any
    ) -> None:
        from django.conf import settings

        integrity = Monitor.objects.create(
            site=site, name="Integritas", kind="integrity", config={"url": "http://x/"}, interval_seconds=600
        )
        CheckResult.objects.create(
            monitor=integrity, probe="p", checked_at=timezone.now(), status="up", reason="Tidak ada temuan",
            details={"coverage": {"read_24h": 312, "pages": 340, "read_now": 10, "cycle_checks": 34}},
        )  # fmt: skip
        url = reverse("monitoring:site_freshness", args=[site.pk])
        body = login(client, staff).get(url).content.decode()
        assert "312 dari 340 halaman terbaca dalam 24 jam terakhir." in body
        assert "terbaca sekali dalam 5 jam 40 menit." in body  # 34 checks of 10 minutes
        assert 'class="age partial"' in body
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        assert "312 of 340 pages read in the last 24 hours." in client.get(url).content.decode()

    def test_an_unknown_age_draws_no_empty_bar(self, client: Client, staff: Any, site: Any) -> None:
        fresh = Monitor.objects.create(site=site, name="Kesegaran", kind="freshness", config={"max_age_days": 7})
        CheckResult.objects.create(
            monitor=fresh, probe="p", checked_at=timezone.now(), status="up", reason="Usia konten belum diketahui",
            details={"max_age_days": 7, "age_days": None, "signal": None, "signals": []},
        )  # fmt: skip
        body = login(client, staff).get(reverse("monitoring:site_freshness", args=[site.pk])).content.decode()
        assert "Umur konten tidak dapat ditentukan." in body
        assert "<progress" not in body

    def test_it_is_404_for_an_outsider(self, client: Client, outsider: Any, site: Any) -> None:
        assert login(client, outsider).get(reverse("monitoring:site_freshness", args=[site.pk])).status_code == 404

    def test_staff_acknowledges_a_new_page_that_only_staff_may_close(
        self, client: Client, staff: Any, auditor: Any, outsider: Any, site: Any
    ) -> None:
        now = timezone.now()
        monitor = Monitor.objects.create(site=site, name="Integritas", kind="integrity", config={"url": "http://x/"})
        pages = ["http://x/a/", "http://x/b/"]
        new = Finding.objects.create(
            monitor=monitor, code="new_page", fingerprint="n", message="2 halaman baru", location="http://x/sitemap.xml",
            evidence="http://x/a/ … http://x/b/", severity="warning", first_seen=now, last_seen=now, pages=pages,
            needs_ack=True,
        )  # fmt: skip
        plain = Finding.objects.create(
            monitor=monitor, code="gambling_spam", fingerprint="s", message="Spam", severity="critical",
            first_seen=now, last_seen=now,
        )  # fmt: skip
        url = reverse("monitoring:finding_acknowledge", args=[new.pk])

        page = login(client, staff).get(reverse("monitoring:site_freshness", args=[site.pk])).content.decode()
        assert "menunggu diperiksa petugas" in page
        assert url in page
        assert "http://x/b/" in page
        assert login(client, auditor).post(url).status_code == 403
        assert login(client, outsider).post(url).status_code == 404
        spam_url = reverse("monitoring:finding_acknowledge", args=[plain.pk])
        assert login(client, staff).post(spam_url).status_code == 404  # spam closes when it is gone, not by hand
        assert login(client, staff).post(url).status_code == 302

        new.refresh_from_db()
        assert new.resolved_at is not None
        assert new.acknowledged_by == staff


class TestMaintenance:
    def test_staff_creates_and_deletes_a_window(self, client: Client, staff: Any, site: Any) -> None:
        login(client, staff)
        url = reverse("monitoring:maintenance_list", args=[site.pk])
        response = client.post(
            url,
            {
                "title": "Pembaruan WordPress",
                "starts_at": "2026-12-01T22:00",
                "ends_at": "2026-12-01T23:00",
                "recurrence": "none",
            },
        )
        assert response.status_code == 302
        window = MaintenanceWindow.objects.get(site=site)
        assert "Pembaruan WordPress" in client.get(url).content.decode()
        assert (
            client.post(reverse("monitoring:maintenance_delete", args=[window.pk]), {"confirm": "yes"}).status_code
            == 302
        )
        assert not MaintenanceWindow.objects.exists()

    def test_an_end_before_the_start_is_refused(self, client: Client, staff: Any, site: Any) -> None:
        response = login(client, staff).post(
            reverse("monitoring:maintenance_list", args=[site.pk]),
            {"title": "x", "starts_at": "2026-12-01T22:00", "ends_at": "2026-12-01T21:00", "recurrence": "none"},
        )
        assert response.status_code == 200
        assert "Waktu selesai harus sesudah waktu mulai." in response.content.decode()

    def test_the_auditor_sees_but_may_not_change(self, client: Client, auditor: Any, site: Any) -> None:
        now = timezone.now()
        window = MaintenanceWindow.objects.create(
            site=site, title="x", starts_at=now, ends_at=now + dt.timedelta(hours=1)
        )
        login(client, auditor)
        url = reverse("monitoring:maintenance_list", args=[site.pk])
        assert client.get(url).status_code == 200
        assert client.post(url, {"title": "y"}).status_code == 403
        assert client.post(reverse("monitoring:maintenance_delete", args=[window.pk])).status_code == 403
        assert MaintenanceWindow.objects.count() == 1

    def test_an_outsider_gets_404(self, client: Client, outsider: Any, site: Any) -> None:
        now = timezone.now()
        window = MaintenanceWindow.objects.create(
            site=site, title="x", starts_at=now, ends_at=now + dt.timedelta(hours=1)
        )
        login(client, outsider)
        assert client.get(reverse("monitoring:maintenance_list", args=[site.pk])).status_code == 404
        assert client.post(reverse("monitoring:maintenance_delete", args=[window.pk])).status_code == 404

"""Required pages of a court website (SK KMA 2-144/2022) found on WordPress and Joomla sites on loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jaga.monitoring.content.html import Page
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.kinds.base import Status, validate_config
from jaga.monitoring.kinds.required_pages import DEFAULT_COURT_PAGES, PageSpec, menu_links_for
from jaga.monitoring.tests.fixtures.server import Route, fixture_render, kind_run

KIND = REGISTRY.get("required_pages")
NOW = datetime.now(UTC)
BODY = (
    "<p>Pengadilan Negeri menyelenggarakan pelayanan kepada masyarakat pencari keadilan sesuai peraturan "
    "perundang-undangan yang berlaku. Informasi pada halaman ini disusun oleh Subbagian Perencanaan, Teknologi "
    "Informasi dan Pelaporan dan diperbarui secara berkala.</p>"
)
WP_PAGES = {
    "/tentang-pengadilan/profil-pengadilan/": "Profil Pengadilan",
    "/tentang-pengadilan/tugas-pokok-dan-fungsi/": "Tugas Pokok dan Fungsi",
    "/tentang-pengadilan/struktur-organisasi/": "Struktur Organisasi",
    "/tentang-pengadilan/profil-hakim-dan-pegawai/": "Profil Pimpinan, Hakim dan Pegawai",
    "/tentang-pengadilan/lhkpn/": "Pengumuman LHKPN",
    "/layanan-hukum/prosedur-berperkara/": "Prosedur Berperkara",
    "/layanan-hukum/biaya-perkara/": "Panjar Biaya Perkara",
    "/layanan-hukum/jadwal-sidang/": "Jadwal Sidang",
    "/layanan-publik/standar-pelayanan/": "Standar Pelayanan",
    "/layanan-publik/prosedur-permohonan-informasi/": "Prosedur Permohonan Informasi",
    "/transparansi/laporan-anggaran/": "DIPA dan Realisasi Anggaran",
    "/transparansi/lkjip/": "Laporan Kinerja Instansi Pemerintah",
    "/category/berita/": "Berita",
}


def wp_page(title: str, *, days_old: int = 2, body: str = BODY) -> Route:
    modified = (NOW - timedelta(days=days_old)).isoformat()
    return Route("wordpress/page.html", values={"title": title, "content": body, "modified": modified})


def wordpress_court(**overrides: Route | None) -> dict[str, Route]:
    routes = {"/": Route("wordpress/index.html")}
    for path, title in WP_PAGES.items():
        routes[path] = wp_page(title)
    for path, route in overrides.items():
        if route is None:
            routes.pop(path, None)
        else:
            routes[path] = route
    return routes


def row(outcome, key):
    return next(r for r in outcome.details["pages"] if r["key"] == key)


def test_it_finds_every_default_court_page_on_a_complete_wordpress_site():
    outcome = kind_run(KIND, wordpress_court(), {"base_url": "{{base}}/"})

    assert outcome.status == Status.UP, outcome.reason
    assert outcome.findings == []
    assert len(outcome.details["pages"]) == len(DEFAULT_COURT_PAGES)
    assert {r["status"] for r in outcome.details["pages"]} == {"ok"}
    assert row(outcome, "sipp")["found_by"] == "tautan"
    assert row(outcome, "sipp")["url"] == "https://sipp.pn-bangil.go.id/"
    assert row(outcome, "struktur_organisasi")["found_by"] == "menu"
    berita = row(outcome, "berita")
    assert berita["age_days"] == pytest.approx(2, abs=0.1)
    assert berita["max_age_days"] == 30
    assert "article:modified_time" in berita["date_evidence"]


def test_it_finds_joomla_pages_whose_urls_differ_through_the_menu_text():
    routes = {"/": Route("joomla/index.html", values={"hits": "10"})}
    for path, title in {
        "/index.php/tentang-kami/bagan-organisasi": "Struktur Organisasi",
        "/index.php/tentang-kami/sejarah-dan-profil": "Sejarah dan Profil",
    }.items():
        modified = (NOW - timedelta(days=5)).isoformat()
        routes[path] = Route(
            "joomla/article.html",
            values={"title": title, "content": BODY, "modified": modified, "modified_text": "5 hari lalu"},
        )
    config = {
        "base_url": "{{base}}/",
        "pages": [p for p in DEFAULT_COURT_PAGES if p["key"] in ("profil", "struktur_organisasi", "lhkpn")],
    }

    outcome = kind_run(KIND, routes, config)

    assert row(outcome, "struktur_organisasi")["status"] == "ok"
    assert row(outcome, "struktur_organisasi")["url"].endswith("/index.php/tentang-kami/bagan-organisasi")
    assert row(outcome, "profil")["status"] == "ok"
    assert row(outcome, "profil")["age_days"] == pytest.approx(5, abs=0.1)
    # LHKPN is in the menu but the page is gone: missing, with every URL tried and its answer.
    assert outcome.status == Status.DEGRADED
    [missing] = outcome.findings
    assert missing.code == "page_missing"
    assert "/index.php/tentang-kami/pengumuman-lhkpn → HTTP 404" in missing.evidence
    assert "/lhkpn → HTTP 404" in missing.evidence


def test_it_reports_an_empty_page_with_its_text_length():
    routes = wordpress_court(
        **{"/layanan-publik/standar-pelayanan/": wp_page("Standar Pelayanan", body="<p>Segera.</p>")}
    )

    outcome = kind_run(KIND, routes, {"base_url": "{{base}}/"})

    assert outcome.status == Status.DEGRADED
    [empty] = outcome.findings
    assert empty.code == "page_empty"
    assert empty.location.endswith("/layanan-publik/standar-pelayanan/")
    assert "(minimum 200)" in empty.evidence
    assert "Segera." in empty.evidence
    assert row(outcome, "standar_pelayanan")["text_chars"] < 200
    assert "Standar pelayanan (kosong)" in outcome.reason  # the page's state in words, not "empty"


def test_it_reports_a_stale_news_page_with_its_age_against_its_maximum():
    old_news = wp_page("Berita", days_old=120)

    outcome = kind_run(KIND, wordpress_court(**{"/category/berita/": old_news}), {"base_url": "{{base}}/"})

    [stale] = outcome.findings
    assert stale.code == "page_stale"
    assert "120 hari (maks. 30)" in stale.message
    assert "article:modified_time" in stale.evidence
    berita = row(outcome, "berita")
    assert (berita["status"], berita["age_days"], berita["max_age_days"]) == ("stale", 120, 30)


def test_it_reads_the_newest_date_written_in_a_news_listing():
    html = fixture_render("wordpress/index.html", shift=40)
    listing = Route(body=html)

    outcome = kind_run(KIND, wordpress_court(**{"/category/berita/": listing}), {"base_url": "{{base}}/"})

    assert row(outcome, "berita")["age_days"] == pytest.approx(43, abs=1)
    assert row(outcome, "berita")["status"] == "stale"


def test_it_checks_custom_pages_for_required_words():
    config = {
        "base_url": "{{base}}/",
        "pages": [
            {
                "key": "zi",
                "title": "Zona Integritas",
                "path": "/zi/",
                "must_contain": ["WBK", "pakta integritas"],
                "min_text_chars": 10,
            }
        ],
    }
    routes = {"/": Route("wordpress/index.html"), "/zi/": wp_page("Zona Integritas", body="<p>Menuju WBK 2025.</p>")}

    outcome = kind_run(KIND, routes, config)

    [finding] = outcome.findings
    assert finding.code == "page_missing_words"
    assert "pakta integritas" in finding.message
    assert "WBK," not in finding.message


def test_it_is_down_when_the_homepage_is_unreachable():
    outcome = kind_run(KIND, {"/": Route(body="maaf", status=503)}, {"base_url": "{{base}}/"})

    assert outcome.status == Status.DOWN
    assert "503" in outcome.reason


def test_it_matches_menu_keywords_as_words_not_inside_other_labels():
    home = Page(fixture_render("wordpress/index.html", base="https://pn-bangil.go.id"), "https://pn-bangil.go.id/")
    nav, links = home.nav_links(), home.links()
    profil = PageSpec(**next(p for p in DEFAULT_COURT_PAGES if p["key"] == "profil"))
    hakim = PageSpec(**next(p for p in DEFAULT_COURT_PAGES if p["key"] == "pimpinan_hakim"))

    assert menu_links_for(profil, nav, links, "https://pn-bangil.go.id/")[0].endswith("/profil-pengadilan/")
    assert all("hakim" not in href for href in menu_links_for(profil, nav, links, "https://pn-bangil.go.id/"))
    assert menu_links_for(hakim, nav, links, "https://pn-bangil.go.id/") == [
        "https://pn-bangil.go.id/tentang-pengadilan/profil-hakim-dan-pegawai/"
    ]


def test_it_rejects_duplicate_page_keys():
    pages = [{"key": "a", "title": "A", "path": "/a"}, {"key": "a", "title": "B", "path": "/b"}]
    with pytest.raises(ValueError, match="Kunci halaman ganda: a"):
        validate_config(KIND, {"base_url": "https://pn.go.id/", "pages": pages})


@pytest.mark.parametrize(
    "stub",
    [
        "<h2>Segera Tersedia</h2><p>Halaman ini sedang dalam pengembangan.</p>",
        "<p>Coming soon.</p>",
        "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit. " + "Sed do eiusmod tempor. " * 30 + "</p>",
    ],
)
def test_it_does_not_count_a_stub_as_content(stub):
    routes = wordpress_court(**{"/layanan-publik/standar-pelayanan/": wp_page("Standar Pelayanan", body=stub)})

    outcome = kind_run(KIND, routes, {"base_url": "{{base}}/"})

    [finding] = outcome.findings
    assert finding.code == "page_stub"
    assert row(outcome, "standar_pelayanan")["status"] == "stub"


def test_it_counts_only_the_main_content_not_a_theme_sidebar_outside_body_header_and_footer():
    sidebar = "<div class='widget-area'><p>" + "Jam pelayanan Senin sampai Jumat pukul 08.00. " * 10 + "</p></div>"
    routes = wordpress_court(
        **{"/layanan-publik/standar-pelayanan/": wp_page("Standar Pelayanan", body="<p>Segera.</p>" + sidebar)}
    )

    outcome = kind_run(KIND, routes, {"base_url": "{{base}}/"})

    assert row(outcome, "standar_pelayanan")["status"] == "empty"
    assert row(outcome, "standar_pelayanan")["text_chars"] < 50


def test_it_keeps_one_finding_per_missing_page():
    routes = wordpress_court(**{"/tentang-pengadilan/lhkpn/": None, "/transparansi/lkjip/": None})
    pages = [
        {"key": "a", "title": "Halaman A", "path": "/tidak-ada-a/"},
        {"key": "b", "title": "Halaman B", "paths": [], "keywords": ["tidak ada sama sekali"]},
        {"key": "c", "title": "Halaman C", "paths": [], "keywords": ["juga tidak ada"]},
    ]

    outcome = kind_run(KIND, routes, {"base_url": "{{base}}/", "pages": pages})

    missing = [f for f in outcome.findings if f.code == "page_missing"]
    assert len(missing) == 3
    assert len({(f.location, f.evidence) for f in missing}) == 3


def test_it_never_takes_a_homepage_news_item_for_the_judgments_directory():
    news = (
        "<article><h2><a href='https://pn.go.id/2025/putusan-perkara-pidana-nomor-12/'>Putusan Perkara Pidana "
        "Nomor 12/Pid.B/2025 dibacakan</a></h2></article>"
    )
    html = fixture_render("wordpress/index.html", base="https://pn.go.id")
    html = html.replace('<main id="main" class="site-main">', '<main id="main" class="site-main">' + news)
    home = Page(html, "https://pn.go.id/")
    spec = PageSpec(key="putusan", title="Direktori putusan", keywords=["direktori putusan", "putusan"])

    found = menu_links_for(spec, home.nav_links(), home.links(), "https://pn.go.id/")

    assert "https://pn.go.id/2025/putusan-perkara-pidana-nomor-12/" in {link.href for link in home.links()}
    assert not any("nomor-12" in href for href in found)

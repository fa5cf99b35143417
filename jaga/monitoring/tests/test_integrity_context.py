"""Integrity, second pass: where a word stands, per-site allow-lists, Indonesian and word-free defacement, one
finding per cause across pages, and reading the whole site across checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jaga.monitoring.content.html import Page
from jaga.monitoring.content.inspect import page_inspect
from jaga.monitoring.content.structure import sketch, sketch_similarity, structure_check
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.kinds.base import Status
from jaga.monitoring.tests.fixtures.server import Route, fixture_render, kind_run, kind_run_series
from jaga.monitoring.tests.test_integrity import SPAM_FOOTER, wordpress

KIND = REGISTRY.get("integrity")
SITE = "https://pn-bangil.go.id/"
JUDGMENT = (
    "<article><h2><a href='/2025/putusan-perkara-perjudian-online/'>Putusan Perkara Perjudian Online</a></h2>"
    "<p>Majelis hakim menjatuhkan pidana penjara 10 bulan kepada terdakwa yang terbukti melakukan judi online "
    "jenis togel melalui aplikasi di telepon genggamnya (Pasal 303 KUHP).</p></article>"
)


def gambling(html: str, **kwargs) -> list:
    return [f for f in page_inspect(Page(html, SITE), **kwargs) if f.code == "gambling_spam"]


def test_it_does_not_raise_spam_findings_for_a_court_news_item_about_a_gambling_case():
    routes = wordpress(Route("wordpress/index.html", values={"footer_extra": JUDGMENT}))

    outcome = kind_run(KIND, routes, {"url": "{{base}}/", "use_sitemap": False, "check_cloaking": False})

    assert outcome.status == Status.UP, [(f.code, f.message, f.evidence) for f in outcome.findings]


def test_it_still_finds_the_injected_footer_beside_the_court_news_item():
    routes = wordpress(Route("wordpress/index.html", values={"footer_extra": JUDGMENT + SPAM_FOOTER}))

    outcome = kind_run(KIND, routes, {"url": "{{base}}/", "use_sitemap": False, "check_cloaking": False})

    spam = [f for f in outcome.findings if f.code == "gambling_spam"]
    assert spam
    assert all(f.severity == "critical" for f in spam)
    assert not any("terdakwa" in f.evidence for f in spam)


@pytest.mark.parametrize(
    ("html", "severity"),
    [
        ("<p>Warga diimbau menjauhi togel.</p>", None),  # one word in a visible sentence
        ("<div style='display:none'>togel</div>", "critical"),  # hidden
        ("<p><a href='https://hoki-88.xyz/'>togel</a></p>", "critical"),  # anchor of a link to another site
        ("<p>situs slot gacor maxwin</p>", "critical"),  # a visible spam post: many terms together
        ("<p>judi online togel</p>", "warning"),  # two terms, no case around them
    ],
)
def test_it_weighs_a_term_by_where_it_stands(html, severity):
    found = gambling(f"<html><head><title>Beranda</title></head><body>{html}</body></html>")

    assert (max((f.severity for f in found), default=None)) == severity, [(f.message, f.evidence) for f in found]


def test_it_weighs_the_title_and_says_where_and_how_much():
    [finding] = gambling("<html><head><title>Profil Hakim Maxwin Sitompul</title></head><body></body></html>")

    assert finding.severity == "warning"
    assert "judul halaman" in finding.message
    assert "skor 2" in finding.message


def test_it_ignores_the_allowed_phrases_and_domains_of_the_site():
    html = (
        "<html><head><title>Profil Hakim Maxwin Sitompul</title></head><body>"
        "<p><a href='https://togel-museum.example.org/'>Museum Togel</a></p></body></html>"
    )

    assert gambling(html)
    assert gambling(html, allowed_phrases=("Maxwin Sitompul",), allowed_domains=("togel-museum.example.org",)) == []


def test_it_recognises_an_indonesian_defacement_that_keeps_the_title():
    body = fixture_render("wordpress/index.html").replace(
        '<main id="main" class="site-main">',
        '<main id="main" class="site-main"><h1>Maaf Admin, Keamanan Website Kalian Lemah</h1>'
        "<p>Kami hanya mengingatkan. Salam dari Garuda Security Team</p>",
    )
    outcome = kind_run(KIND, {"/": Route(body=body)}, {"url": "{{base}}/", "use_sitemap": False})

    deface = [f for f in outcome.findings if f.code == "defacement"]
    assert deface
    assert deface[0].severity == "critical"
    assert "Maaf Admin" in deface[0].evidence


def test_it_sees_a_home_page_replaced_by_a_page_without_any_suspicious_word():
    replaced = Route(
        body="<html><head><title>Pengadilan Negeri Bangil</title></head><body style='background:#000'>"
        "<h1>Halaman ini kini milik kami</h1><p>Terima kasih atas kunjungannya. Sampai jumpa lagi.</p></body></html>"
    )
    config = {"url": "{{base}}/", "use_sitemap": False, "check_cloaking": False}

    first, second = kind_run_series(KIND, [wordpress(), wordpress(replaced)], config, {})

    assert first.findings == []
    [changed] = [f for f in second.findings if f.code == "structure_changed"]
    assert (changed.severity, changed.needs_ack) == ("critical", True)
    assert "menu navigasi hilang" in changed.message
    assert "beranda tidak mirip versi mana pun sebelumnya" in changed.message
    assert "milik kami" in changed.evidence
    assert second.status == Status.DEGRADED


def test_it_keeps_a_home_page_whose_news_changed_as_the_same_site():
    news = Route(
        "wordpress/index.html",
        values={"footer_extra": "<p>Pelantikan Panitera Pengganti baru pada hari Senin di ruang sidang utama.</p>"},
    )
    config = {"url": "{{base}}/", "use_sitemap": False, "check_cloaking": False}

    outcomes = kind_run_series(KIND, [wordpress(), wordpress(news), wordpress()], config, {})

    assert [o.findings for o in outcomes] == [[], [], []]


def test_it_learns_a_changed_structure_after_it_has_stood_for_a_day():
    home = fixture_render("wordpress/index.html", base="https://pn-bangil.go.id")
    bare = "<html><body><p>Sedang dalam perbaikan total, kembali lagi nanti ya teman teman</p></body></html>"
    state: dict = {}
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

    assert structure_check(state, Page(home, SITE), now=now, threshold=0.5, home=True) == []
    assert structure_check(state, Page(bare, SITE), now=now, threshold=0.5, home=True)
    assert structure_check(state, Page(bare, SITE), now=now + timedelta(hours=24), threshold=0.5, home=True)
    assert structure_check(state, Page(bare, SITE), now=now + timedelta(hours=25), threshold=0.5, home=True) == []


def test_its_sketch_tells_versions_of_a_site_from_another_site():
    home = Page(fixture_render("wordpress/index.html"), SITE).visible_text()
    joomla = Page(fixture_render("joomla/index.html"), SITE).visible_text()

    assert sketch_similarity(sketch(home), sketch(home + " Berita baru pelantikan hakim")) > 0.9
    assert sketch_similarity(sketch(home), sketch(joomla)) < 0.5


def test_it_reports_one_injected_footer_on_every_page_as_one_finding_listing_its_pages():
    routes = wordpress(Route("wordpress/index.html", values={"footer_extra": SPAM_FOOTER}), footer_extra=SPAM_FOOTER)

    outcome = kind_run(KIND, routes, {"url": "{{base}}/", "max_pages": 20, "check_cloaking": False})

    pages = {url for f in outcome.findings for url in f.pages}
    spread = [f for f in outcome.findings if len(f.pages) > 1]
    assert len(pages) == 5  # the home page and the four pages the fixture serves
    assert spread, [(f.code, f.location, f.pages) for f in outcome.findings]
    assert all("pada " in f.message and "halaman" in f.message for f in spread)
    # One injected footer (an off-screen block and a <noscript>) on five pages: its words and its links per
    # block, each listing the five pages; not one finding per page, word and link (70 here, 138 in the issue).
    assert sorted((f.code, len(f.pages)) for f in outcome.findings) == [
        ("gambling_spam", 5), ("gambling_spam", 5), ("hidden_link", 5), ("hidden_link", 5),
    ]  # fmt: skip


def test_a_three_link_footer_is_one_finding_of_words_and_one_of_links():
    footer = (
        '<div style="display:none"><a href="https://slot-a.xyz/">slot gacor</a> '
        '<a href="https://togel-b.top/">bandar togel</a> <a href="https://maxwin-c.site/">maxwin</a></div>'
    )
    page = Page(fixture_render("wordpress/index.html", base="https://pn-bangil.go.id", footer_extra=footer), SITE)

    found = page_inspect(page)

    assert sorted(f.code for f in found) == ["gambling_spam", "hidden_link"]
    links = next(f for f in found if f.code == "hidden_link")
    assert links.message.startswith("3 tautan tersembunyi dalam satu blok, ke slot-a.xyz, togel-b.top, maxwin-c.site")
    words = next(f for f in found if f.code == "gambling_spam")
    assert {"«slot gacor»", "«maxwin»"} <= set(words.message.split(": ", 1)[1].split("; ")[0].split(", "))
    assert all(f.severity == "critical" for f in found)


def test_it_reads_the_whole_sitemap_across_checks_and_reports_the_coverage():
    routes = wordpress()
    spam_page = Route("wordpress/page.html", values={"title": "Rapat", "content": SPAM_FOOTER})
    infected = {**routes, "/2025/sosialisasi-zona-integritas/": spam_page}
    config = {"url": "{{base}}/", "max_pages": 8, "check_cloaking": False}
    state: dict = {}

    outcomes = kind_run_series(KIND, [routes, infected, infected, infected, infected], config, state)

    read = [{*o.details["pages_checked"], *(f["url"] for f in o.details["pages_failed"])} for o in outcomes]
    total = outcomes[-1].details["coverage"]["pages"]
    assert len(set().union(*read)) == total  # every page read within the cycle
    assert outcomes[-1].details["coverage"]["read_24h"] == total
    assert f"{total} dari {total} halaman terbaca dalam 24 jam terakhir" in outcomes[-1].reason
    assert outcomes[0].details["coverage"]["cycle_checks"] == -(-total // 8)
    infected_at = next(i for i, pages in enumerate(read) if any("sosialisasi" in url for url in pages) and i > 0)
    after = outcomes[infected_at + 1 :]
    assert after, "the infected page must be read before the last check"
    # Read once, the spam stays reported while the rotation reads other pages.
    assert all(any(f.code == "gambling_spam" for f in o.findings) for o in [outcomes[infected_at], *after])


def test_it_calls_an_html_page_in_place_of_the_sitemap_what_it_is():
    home = Route("wordpress/index.html")
    routes = {"/": home, "/sitemap.xml": Route("wordpress/index.html")}

    outcome = kind_run(
        KIND, routes, {"url": "{{base}}/", "sitemap_url": "{{base}}/sitemap.xml", "check_cloaking": False}
    )

    error = outcome.details["sitemap"]["error"]
    assert "halaman HTML, bukan sitemap" in error
    assert "DTD" not in error


def test_it_gives_many_new_pages_at_once_one_finding_to_acknowledge():
    many = "".join(f"<url><loc>{{{{base}}}}/2025/berita-{n}/</loc></url>" for n in range(15))
    config = {"url": "{{base}}/", "max_pages": 2, "check_cloaking": False}

    _, second = kind_run_series(KIND, [wordpress(), wordpress(extra_urls=many)], config, {})

    [new] = [f for f in second.findings if f.code == "new_page"]
    assert len(new.pages) == 15
    assert new.needs_ack
    assert "15 halaman baru" in new.message

"""Integrity: gambling spam, defacement, hidden links, new sitemap pages and cloaking on loopback CMS sites."""

from __future__ import annotations

import pytest

from jaga.monitoring.content.html import Page, css_hiding_reason
from jaga.monitoring.content.inspect import page_inspect, url_spam_match
from jaga.monitoring.content.words import gambling_terms, matches_significant, text_match
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.kinds.base import Status
from jaga.monitoring.tests.fixtures.server import Route, fixture_render, kind_run, kind_run_series

KIND = REGISTRY.get("integrity")
XML = "application/xml; charset=UTF-8"
SPAM_FOOTER = fixture_render("spam/hidden_footer.html")


def wordpress(index: Route | None = None, extra_urls: str = "", footer_extra: str = "") -> dict[str, Route]:
    routes = {
        "/": index or Route("wordpress/index.html", values={"counter": "12"}),
        "/wp-sitemap.xml": Route("wordpress/wp-sitemap.xml", content_type=XML),
        "/wp-sitemap-posts-post-1.xml": Route(
            "wordpress/wp-sitemap-posts-post-1.xml", content_type=XML, values={"extra_urls": extra_urls}
        ),
        "/wp-sitemap-posts-page-1.xml": Route("wordpress/wp-sitemap-posts-page-1.xml", content_type=XML),
        "/wp-sitemap-taxonomies-category-1.xml": Route(
            "wordpress/wp-sitemap-taxonomies-category-1.xml", content_type=XML
        ),
    }
    posts = ("rapat-evaluasi-kinerja-triwulan", "sosialisasi-zona-integritas", "pengumuman-jadwal-pelayanan")
    for path in [f"/2025/{slug}/" for slug in posts] + ["/tentang-pengadilan/profil-pengadilan/"]:
        routes[path] = Route(
            "wordpress/page.html",
            values={"title": "Rapat", "content": "<p>Rapat evaluasi.</p>", "footer_extra": footer_extra},
        )
    return routes


def codes(outcome):
    return sorted({f.code for f in outcome.findings})


def test_it_finds_nothing_on_a_clean_wordpress_court_site():
    outcome = kind_run(KIND, wordpress(), {"url": "{{base}}/", "max_pages": 4})

    assert outcome.status == Status.UP, [(f.code, f.evidence) for f in outcome.findings]
    assert outcome.findings == []
    assert len(outcome.details["pages_checked"]) == 4
    assert outcome.details["pages_failed"] == []
    assert outcome.details["sitemap"]["baseline"] is True


def test_it_finds_nothing_on_a_clean_joomla_court_site():
    routes = {
        "/": Route("joomla/index.html", values={"hits": "77"}),
        "/sitemap.xml": Route("joomla/sitemap.xml", content_type=XML),
    }

    outcome = kind_run(KIND, routes, {"url": "{{base}}/", "max_pages": 3})

    assert outcome.status == Status.UP, [(f.code, f.evidence) for f in outcome.findings]


def test_it_finds_a_hidden_footer_of_slot_gacor_links_with_evidence_and_place():
    injected = Route("wordpress/index.html", values={"footer_extra": SPAM_FOOTER})

    outcome = kind_run(KIND, wordpress(injected), {"url": "{{base}}/", "use_sitemap": False, "check_cloaking": False})

    assert outcome.status == Status.DEGRADED
    assert codes(outcome) == ["gambling_spam", "hidden_link"]
    # Two hidden blocks (an off-screen <div> of five links and a <noscript>): each block's words are one
    # finding and its links another, not one finding per word and per link (that was 14).
    spam = [f for f in outcome.findings if f.code == "gambling_spam"]
    assert all(f.severity == "critical" for f in spam)
    [slot] = [f for f in spam if f.evidence.startswith("slot gacor")]
    assert slot.location.endswith(" footer#colophon > div")
    assert "posisi di luar layar (left:-9999px)" in slot.message
    assert "«togel»" in slot.message
    assert "bandar togel online terpercaya" in slot.evidence
    hidden = {f.location.rsplit(" ", 1)[-1].split(" > ")[-1]: f for f in outcome.findings if f.code == "hidden_link"}
    assert len(outcome.findings) == 4
    assert hidden["div"].message.startswith("5 tautan tersembunyi dalam satu blok, ke gacor-maxwin88.xyz, ")
    assert hidden["div"].evidence.count("<a href=") == 5
    assert "https://depopulsa-tanpa-potongan.com/" in hidden["div"].evidence
    assert "https://sbobet-link-alternatif.net/" in hidden["a"].evidence
    assert "<noscript>" in hidden["a"].message
    assert "kritis" in outcome.reason
    assert "Spam judi online; Tautan tersembunyi" in outcome.reason  # what was found, in words
    assert "hidden_link" not in outcome.reason


def test_it_sees_spam_shown_only_to_googlebot_as_cloaking():
    cloaked = Route("wordpress/index.html", crawler=Route("spam/cloaked_crawler.html"))

    outcome = kind_run(KIND, wordpress(cloaked), {"url": "{{base}}/", "use_sitemap": False})

    [cloaking] = outcome.findings
    assert cloaking.code == "cloaking"
    assert cloaking.severity == "critical"
    assert "hanya tampil untuk mesin pencari" in cloaking.message
    assert "crawler: " in cloaking.evidence
    assert "SLOT GACOR" in cloaking.evidence.split("| browser:")[0]
    assert "Pengadilan Negeri Bangil" in cloaking.evidence.split("| browser:")[1]


def test_it_warns_when_the_crawler_gets_a_different_page_without_known_spam_words():
    other = Route(body="<html><title>Promo</title><body><p>Beli sepatu murah diskon besar hari ini</p></body></html>")
    cloaked = Route("wordpress/index.html", crawler=other)

    outcome = kind_run(KIND, wordpress(cloaked), {"url": "{{base}}/", "use_sitemap": False})

    assert codes(outcome) == ["cloaking_suspected"]
    assert "kemiripan" in outcome.findings[0].message


def test_it_recognises_a_defaced_homepage():
    outcome = kind_run(KIND, {"/": Route("spam/defaced.html")}, {"url": "{{base}}/", "use_sitemap": False})

    deface = [f for f in outcome.findings if f.code == "defacement"]
    assert deface
    assert any("Hacked By SH4D0W" in f.evidence or "Hacked By Sh4d0w" in f.evidence for f in deface)
    assert any(f.location.endswith("<title>") for f in deface)


def test_it_lists_new_sitemap_pages_after_the_baseline_and_flags_spam_paths_as_critical():
    new_urls = (
        "<url><loc>{{base}}/2025/pelantikan-panitera-pengganti/</loc></url>"
        "<url><loc>{{base}}/slot-gacor-maxwin-hari-ini/</loc></url>"
    )
    config = {"url": "{{base}}/", "max_pages": 2, "check_cloaking": False}
    state: dict = {}

    first, second, third = kind_run_series(
        KIND, [wordpress(), wordpress(extra_urls=new_urls), wordpress(extra_urls=new_urls)], config, state
    )

    assert first.findings == []
    assert first.details["sitemap"]["baseline"] is True
    found = {f.code: f for f in second.findings}
    assert found["spam_page"].severity == "critical"
    assert found["spam_page"].evidence.endswith("/slot-gacor-maxwin-hari-ini/")
    assert "slot gacor" in found["spam_page"].message
    assert (found["new_page"].severity, found["new_page"].needs_ack) == ("warning", True)
    assert found["new_page"].evidence.endswith("/2025/pelantikan-panitera-pengganti/")
    assert found["spam_page"].needs_ack
    assert second.status == Status.DEGRADED
    assert len(second.details["sitemap"]["new"]) == 2
    # Seen once, known afterwards.
    assert third.findings == []
    assert len(state["sitemap_urls"]) == 11


def test_it_notices_a_sudden_title_change():
    renamed = Route(
        body=fixture_render("wordpress/index.html").replace("<title>Pengadilan Negeri Bangil", "<title>Situs Baru")
    )
    config = {"url": "{{base}}/", "use_sitemap": False, "check_cloaking": False}

    _, second = kind_run_series(KIND, [wordpress(), wordpress(renamed)], config, {})

    [changed] = second.findings
    assert changed.code == "title_changed"
    assert "→ «Situs Baru" in changed.evidence


def test_it_warns_about_unexpected_outbound_links_unless_allowed():
    extra = '<p>Partner: <a href="https://vendor-web.example.com/">Dikembangkan oleh CV Vendor</a></p>'
    routes = wordpress(Route("wordpress/index.html", values={"footer_extra": extra}))
    config = {"url": "{{base}}/", "use_sitemap": False, "check_cloaking": False}

    warned = kind_run(KIND, routes, config)
    allowed = kind_run(KIND, routes, {**config, "allowed_outbound_domains": ["example.com"]})

    [finding] = warned.findings
    assert (finding.code, finding.severity) == ("unexpected_link", "warning")
    assert "vendor-web.example.com" in finding.message
    assert "Dikembangkan oleh CV Vendor" in finding.evidence
    assert allowed.findings == []


def test_it_decodes_a_windows_1252_page_without_a_declared_charset():
    html = (
        "<html><head><title>PN Bangil – Beranda</title></head><body><p>Caf\u00e9 – situs slot gacor</p></body></html>"
    )
    routes = {"/": Route(body=html.encode("cp1252"), content_type="text/html")}

    outcome = kind_run(KIND, routes, {"url": "{{base}}/", "use_sitemap": False, "check_cloaking": False})

    [spam] = [f for f in outcome.findings if f.code == "gambling_spam"]
    assert "Café – situs slot gacor" in spam.evidence


def test_it_handles_a_huge_page_by_reading_only_up_to_the_cap():
    filler = "<p>Pengumuman pelayanan pengadilan.</p>" * 80_000  # about 3 MB
    html = f"<html><head><title>Besar</title></head><body><p>judi online slot gacor</p>{filler}</body></html>"
    routes = {"/": Route(body=html.encode())}

    outcome = kind_run(
        KIND, routes, {"url": "{{base}}/", "use_sitemap": False, "check_cloaking": False}, max_body_bytes=500_000
    )

    assert [f.code for f in outcome.findings] == ["gambling_spam"]
    assert outcome.details["pages_truncated"] == [outcome.details["pages_checked"][0]]


def test_it_is_down_when_the_homepage_cannot_be_fetched():
    outcome = kind_run(KIND, {}, {"url": "{{base}}/", "use_sitemap": False})

    assert outcome.status == Status.DOWN
    assert "404" in outcome.reason


# pure rules


@pytest.mark.parametrize(
    "text",
    [
        "Kepala Subbagian Tata Usaha dan Keuangan menunjukkan totalitas pelayanan.",
        "Majelis hakim diketuai Toto Sudarto, S.H. bersama hakim dari PN Bandar Lampung.",
        "Penyerahan sapi betina dan alphabetical order of the files; slot antrean e-Court.",
        "Mediasi berhasil; pemohon membawa bukti jackpot? tidak.",
        "Sidang perkara judi (Pasal 303 KUHP) dengan terdakwa pelaku perjudian.",
    ],
)
def test_it_does_not_flag_ordinary_court_text(text):
    assert not matches_significant(text_match(text, gambling_terms()))


@pytest.mark.parametrize(
    "text",
    [
        "SITUS SLOT GACOR hari ini",
        "daftar togel online",
        "ｓｌｏｔ ｇａｃｏｒ",
        "main di slot88 sekarang",
        "link alternatif sbobet",
        "bandar toto jackpot",
    ],
)
def test_it_flags_gambling_spam_phrasings(text):
    assert matches_significant(text_match(text, gambling_terms()))


def test_it_names_the_css_trick_that_hides_an_element():
    assert css_hiding_reason("display: none") == "display:none"
    assert css_hiding_reason("font-size:0px;") == "font-size:0"
    assert css_hiding_reason("position:absolute;left:-9999px") == "posisi di luar layar (left:-9999px)"
    assert css_hiding_reason("color:#fff;background:#fff") == "warna teks sama dengan latar (#fff)"
    assert css_hiding_reason("margin-left:-10px;font-size:12px") == ""


def test_it_sees_links_hidden_by_a_style_rule_or_the_hidden_attribute_but_not_screen_reader_text():
    html = (
        "<html><head><style>.ftr-x{display:none}.screen-reader-text{position:absolute;left:-10000px}</style></head>"
        '<body><div class="ftr-x"><a href="https://slotku.xyz/">A</a></div><p hidden><a href="https://b.xyz/">B</a></p>'
        '<a class="screen-reader-text" href="https://pn.go.id/#content">Lompati</a></body></html>'
    )
    findings = page_inspect(Page(html, "https://pn-bangil.go.id/"))

    reasons = {f.evidence.split('"')[1]: f.message for f in findings if f.code == "hidden_link"}
    assert "lewat aturan CSS .ftr-x" in reasons["https://slotku.xyz/"]
    assert "atribut hidden" in reasons["https://b.xyz/"]
    assert len(reasons) == 2


def test_it_recognises_spam_paths_in_urls():
    assert url_spam_match("https://pn.go.id/wp-content/uploads/slot-gacor-maxwin/").term == "slot gacor"
    assert url_spam_match("https://pn.go.id/?judi=online&p=1").term == "judi online"
    assert url_spam_match("https://pn.go.id/?s=togel").term == "togel"
    assert url_spam_match("https://pn.go.id/2025/sosialisasi-zona-integritas/") is None

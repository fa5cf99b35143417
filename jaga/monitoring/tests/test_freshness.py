"""Freshness against WordPress and Joomla court sites served on loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from jaga.monitoring.content.dates import text_dates
from jaga.monitoring.content.html import Page
from jaga.monitoring.content.signals import note_read
from jaga.monitoring.content.sitemaps import sitemap_lastmod_judge
from jaga.monitoring.content.xmlfeeds import SitemapEntry, UnsafeXML, feed_parse, sitemap_parse
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.kinds.base import Status, validate_config
from jaga.monitoring.kinds.freshness import FreshnessConfig, region_fingerprint
from jaga.monitoring.tests.fixtures.server import Route, fixture_render, kind_run, kind_run_series

KIND = REGISTRY.get("freshness")
RSS = "application/rss+xml; charset=UTF-8"
XML = "application/xml; charset=UTF-8"
NOW = datetime.now(UTC)


def wordpress(shift: int = 0, **index_values: str) -> dict[str, Route]:
    return {
        "/": Route("wordpress/index.html", shift=shift, values=index_values),
        "/feed/": Route("wordpress/feed.xml", content_type=RSS, shift=shift),
        "/wp-sitemap.xml": Route("wordpress/wp-sitemap.xml", content_type=XML),
        "/wp-sitemap-posts-post-1.xml": Route("wordpress/wp-sitemap-posts-post-1.xml", content_type=XML),
        "/wp-sitemap-posts-page-1.xml": Route("wordpress/wp-sitemap-posts-page-1.xml", content_type=XML),
        "/wp-sitemap-taxonomies-category-1.xml": Route(
            "wordpress/wp-sitemap-taxonomies-category-1.xml", content_type=XML
        ),
    }


def joomla(sitemap: str = "joomla/sitemap.xml", shift: int = 0, feed: str = "joomla/feed.xml") -> dict[str, Route]:
    return {
        "/": Route("joomla/index.html", shift=shift, values={"hits": "1532"}),
        "/index.php?format=feed&type=rss": Route(feed, content_type=RSS, shift=shift),
        "/sitemap.xml": Route(sitemap, content_type=XML, shift=shift),
    }


def signal(outcome, name):
    return next(s for s in outcome.details["signals"] if s["name"] == name)


def test_it_finds_a_fresh_wordpress_site_fresh_from_its_autodiscovered_feed():
    outcome = kind_run(KIND, wordpress(), {"url": "{{base}}/", "max_age_days": 30})

    assert outcome.status == Status.UP, outcome.reason
    assert outcome.details["signal"] == "feed"
    assert outcome.details["age_days"] == pytest.approx(3, abs=0.1)
    feed = signal(outcome, "feed")
    assert feed["trust"] == "high"
    assert "/feed/" in feed["where"]
    assert "Rapat Evaluasi" in feed["where"]
    assert "/comments/feed/" not in feed["where"]
    # WordPress core sitemaps carry no lastmod at all: listed, but rated untrusted with the reason.
    assert signal(outcome, "sitemap")["trust"] == "untrusted"
    assert "lastmod" in note_read(signal(outcome, "sitemap")["reason"])
    assert outcome.findings == []


def test_it_declares_a_site_whose_newest_news_is_120_days_old_stale_with_evidence():
    outcome = kind_run(KIND, wordpress(shift=117), {"url": "{{base}}/", "max_age_days": 30})

    assert outcome.status == Status.DEGRADED
    assert outcome.details["signal"] == "feed"
    assert outcome.details["age_days"] == pytest.approx(120, abs=0.1)
    [stale] = outcome.findings
    assert stale.code == "stale"
    assert "Rapat Evaluasi Kinerja" in stale.evidence
    assert "/feed/" in stale.evidence
    assert "120" in stale.message
    assert "feed" in stale.message
    assert "sinyal feed RSS/Atom (kepercayaan tinggi)" in outcome.reason  # not "feed (kepercayaan high)"


def test_it_reads_a_joomla_rss_feed_and_trusts_a_varied_sitemap_as_medium():
    outcome = kind_run(KIND, joomla(), {"url": "{{base}}/", "max_age_days": 14})

    assert outcome.status == Status.UP
    assert outcome.details["signal"] == "feed"
    assert outcome.details["age_days"] == pytest.approx(2, abs=0.1)
    sitemap = signal(outcome, "sitemap")
    assert sitemap["trust"] == "medium"
    assert sitemap["value"].startswith((NOW - timedelta(days=2)).date().isoformat())


def test_it_reads_a_joomla_atom_feed_preferring_updated_dates():
    outcome = kind_run(
        KIND, joomla(feed="joomla/feed-atom.xml"), {"url": "{{base}}/", "max_age_days": 1, "use_sitemap": False}
    )

    assert outcome.status == Status.DEGRADED
    assert outcome.details["age_days"] == pytest.approx(2, abs=0.1)
    assert "Pakta Integritas" in outcome.findings[0].evidence


def test_it_rates_a_sitemap_whose_lastmods_are_the_regeneration_date_untrusted_and_does_not_rest_on_it():
    routes = joomla(sitemap="joomla/sitemap-regenerated.xml", shift=117)

    outcome = kind_run(KIND, routes, {"url": "{{base}}/", "max_age_days": 30})

    sitemap = signal(outcome, "sitemap")
    assert sitemap["trust"] == "untrusted"
    with translation.override("en"):
        assert "when the sitemap was rebuilt, not a content change" in note_read(sitemap["reason"])
    assert "88%" in note_read(sitemap["reason"])
    # The sitemap claims "updated today"; the feed says 119 days: the feed wins, the site is stale.
    assert outcome.details["signal"] == "feed"
    assert outcome.status == Status.DEGRADED


def test_it_falls_back_to_a_trusted_sitemap_when_there_is_no_feed():
    routes = joomla()
    del routes["/index.php?format=feed&type=rss"]

    outcome = kind_run(KIND, routes, {"url": "{{base}}/", "max_age_days": 30})

    assert signal(outcome, "feed")["trust"] == "untrusted"
    assert outcome.details["signal"] in ("sitemap", "region")
    assert outcome.details["signal"] == "sitemap"  # region is only a baseline on the first check
    assert outcome.status == Status.UP


def test_it_distrusts_a_last_modified_header_that_is_the_response_time():
    # The moment of the answer itself (not NOW, taken when the module was imported, minutes earlier in a long run).
    now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    routes = {"/": Route("wordpress/page.html", headers={"Last-Modified": now}, values={"title": "Profil"})}

    outcome = kind_run(KIND, routes, {"url": "{{base}}/", "max_age_days": 30, "use_sitemap": False})

    assert signal(outcome, "last_modified")["trust"] == "untrusted"
    assert outcome.status == Status.UP
    assert [f.code for f in outcome.findings] == ["unknown_age"]


def test_it_uses_an_old_last_modified_header_of_a_static_page():
    old = (NOW - timedelta(days=45)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    routes = {"/jadwal.html": Route("wordpress/page.html", headers={"Last-Modified": old}, values={"title": "Jadwal"})}

    outcome = kind_run(KIND, routes, {"url": "{{base}}/jadwal.html", "max_age_days": 30, "use_sitemap": False})

    assert outcome.status == Status.DEGRADED
    assert outcome.details["signal"] == "last_modified"
    assert signal(outcome, "last_modified")["trust"] == "medium"
    assert old in outcome.findings[0].evidence


def test_it_remembers_when_the_region_changed_and_ignores_counters_and_tokens():
    config = {
        "url": "{{base}}/",
        "max_age_days": 30,
        "use_sitemap": False,
        "feed_url": "{{base}}/no-feed",
        "region_selector": "#content",
        "ignore_selectors": [".counter"],
        "ignore_patterns": [
            r"\d+ (?:Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4}"
        ],
    }
    state: dict = {}
    first, unchanged, again = kind_run_series(
        KIND,
        [wordpress(counter="17", nonce="a1"), wordpress(counter="342", nonce="b2", shift=1), wordpress(counter="9")],
        config,
        state,
    )
    assert signal(first, "region")["trust"] == "low"  # baseline
    assert state["region"]["changed_at"] is None
    assert signal(unchanged, "region")["trust"] == "low"  # counter, nonce and dates changed: ignored
    assert signal(again, "region")["trust"] == "low"
    assert state["region"]["changed_at"] is None
    assert not state["region"].get("run")


def test_it_sees_a_region_change_as_fresh_and_an_unchanged_region_older_than_the_maximum_as_stale():
    config = {"url": "{{base}}/", "max_age_days": 30, "use_sitemap": False, "feed_url": "{{base}}/no-feed",
              "region_selector": "main"}  # fmt: skip
    state: dict = {}
    edited = wordpress()
    edited["/"] = Route("joomla/index.html", values={"hits": "1"})  # different main content
    outcomes = kind_run_series(KIND, [wordpress(), edited], config, state)
    assert outcomes[1].details["signal"] == "region"
    assert signal(outcomes[1], "region")["trust"] == "high"
    assert outcomes[1].details["age_days"] == 0

    state["region"]["changed_at"] = None
    state["region"]["first_seen"] = (NOW - timedelta(days=40)).isoformat()
    [late] = kind_run_series(KIND, [edited], config, state)
    assert late.status == Status.DEGRADED
    assert late.details["signal"] == "region"


def test_it_reports_a_region_selector_that_matches_nothing():
    outcome = kind_run(KIND, wordpress(), {"url": "{{base}}/", "region_selector": "#berita-tidak-ada"})

    assert "region_missing" in [f.code for f in outcome.findings]
    assert signal(outcome, "region")["trust"] == "untrusted"


def test_it_treats_an_etag_that_changed_at_every_check_for_hours_as_untrusted():
    sites = [{"/": Route("wordpress/page.html", headers={"ETag": f'W/"{n}"'}, values={"title": "x"})} for n in range(4)]
    config = {"url": "{{base}}/", "use_sitemap": False}

    quick = kind_run_series(KIND, sites, config, {})
    # Changed at every check, but within seconds: that is not yet hours of changes.
    assert [signal(o, "etag")["trust"] for o in quick[1:]] == ["medium", "medium", "medium"]

    hours_ago = (NOW - timedelta(hours=7)).isoformat()
    state = {"etag": {"value": 'W/"x"', "first_seen": hours_ago, "checked_at": hours_ago, "changed_at": None}}
    state["etag"].update(run=5, run_since=hours_ago)  # changed at the five checks of the last seven hours
    [dynamic] = kind_run_series(KIND, sites[:1], config, state)
    assert signal(dynamic, "etag")["trust"] == "untrusted"
    assert "selama 7 jam (6 kali)" in note_read(signal(dynamic, "etag")["reason"])


def test_it_trusts_a_region_that_changes_at_each_daily_check():
    day = timedelta(days=1)
    state = {"region": {"value": "lama", "first_seen": (NOW - 4 * day).isoformat(), "changed_at": None}}
    state["region"].update(checked_at=(NOW - day).isoformat(), run=3, run_since=(NOW - 4 * day).isoformat())
    config = {"url": "{{base}}/", "use_sitemap": False, "feed_url": "{{base}}/no-feed", "region_selector": "main"}

    [outcome] = kind_run_series(KIND, [wordpress()], config, state)

    assert signal(outcome, "region")["trust"] == "high"
    assert outcome.details["signal"] == "region"


def test_it_does_not_count_a_spam_post_in_the_feed_as_an_update():
    spam_item = (
        "<item><title>Slot Gacor Maxwin Hari Ini Bocoran RTP Live</title><link>{{base}}/slot-gacor-maxwin/</link>"
        "<pubDate>{{rfc:0}}</pubDate></item>"
    )
    feed = fixture_render("wordpress/feed.xml", shift=117).replace("<item>", spam_item + "<item>", 1)
    routes = {**wordpress(shift=117), "/feed/": Route(body=feed, content_type=RSS)}

    outcome = kind_run(KIND, routes, {"url": "{{base}}/", "max_age_days": 30, "use_sitemap": False})

    assert outcome.status == Status.DEGRADED
    assert outcome.details["age_days"] == pytest.approx(120, abs=0.1)
    assert "1 item spam judi tidak dihitung" in note_read(signal(outcome, "feed")["reason"])


def test_it_does_not_date_an_update_by_a_region_change_that_brought_spam():
    config = {"url": "{{base}}/", "use_sitemap": False, "feed_url": "{{base}}/no-feed", "region_selector": "main"}
    spammed = wordpress(counter="1")
    spammed["/"] = Route(
        body=fixture_render("wordpress/index.html").replace(
            '<main id="main" class="site-main">',
            '<main id="main" class="site-main"><div style="display:none">slot gacor maxwin togel</div>',
        )
    )
    state: dict = {}

    _, after = kind_run_series(KIND, [wordpress(), spammed], config, state)

    assert state["region"]["changed_at"] is None
    assert signal(after, "region")["trust"] == "low"
    assert "spam_not_update" in [f.code for f in after.findings]


def test_it_reports_an_unreachable_page_as_down():
    outcome = kind_run(KIND, {}, {"url": "{{base}}/", "max_age_days": 30})

    assert outcome.status == Status.DOWN
    assert "404" in outcome.reason


def test_it_rejects_a_bad_ignore_pattern_saying_which():
    with pytest.raises(ValueError, match=r"ignore_patterns.*pola ke-2"):
        validate_config(KIND, {"url": "https://pn.go.id/", "ignore_patterns": ["ok", "(unclosed"]})
    with pytest.raises(ValueError, match="url"):
        validate_config(KIND, {"url": "pn-bangil.go.id"})


# pure parsing


def test_it_judges_lastmods_shared_by_most_urls_as_regeneration_dates():
    day = NOW - timedelta(days=1)
    same = [SitemapEntry(f"https://x/{n}", day) for n in range(9)] + [
        SitemapEntry("https://x/old", NOW - timedelta(days=99))
    ]
    varied = [SitemapEntry(f"https://x/{n}", NOW - timedelta(days=n * 7)) for n in range(10)]

    assert sitemap_lastmod_judge(same, now=NOW).trust == "untrusted"
    assert sitemap_lastmod_judge(varied, now=NOW).trust == "medium"
    assert sitemap_lastmod_judge(varied[:3], now=NOW).trust == "low"


def test_it_refuses_xml_entities_instead_of_expanding_them():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        b"<rss><channel><item><title>&lol2;</title></item></channel></rss>"
    )
    with pytest.raises(UnsafeXML):
        feed_parse(bomb)
    with pytest.raises(ValueError, match="sitemap"):
        sitemap_parse(b"<urlset><url><loc>x</loc>")


def test_it_reads_indonesian_dates_from_page_text():
    found = text_dates("Diterbitkan: 3 Pebruari 2025, diperbarui 2025-02-10; 31 Februari 2025", now=NOW)
    assert [f.when.date().isoformat() for f in found] == ["2025-02-03", "2025-02-10"]


def test_it_fingerprints_only_the_region_without_ignored_parts():
    html_a = fixture_render("wordpress/index.html", counter="1", nonce="x")
    html_b = fixture_render("wordpress/index.html", counter="2", nonce="y")
    config = FreshnessConfig(url="https://x/", region_selector="#secondary", ignore_selectors=[".counter"])
    assert region_fingerprint(Page(html_a), config) == region_fingerprint(Page(html_b), config)
    assert region_fingerprint(Page(html_a), FreshnessConfig(url="https://x/", region_selector="#secondary")) != (
        region_fingerprint(Page(html_b), FreshnessConfig(url="https://x/", region_selector="#secondary"))
    )

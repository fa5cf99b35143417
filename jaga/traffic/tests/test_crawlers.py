"""Claimed crawlers verified by forward-confirmed reverse DNS (through the resolver wrapper, replaced here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaga.core.resolver import DnsAnswer, DnsLookupError, DnsResolver
from jaga.traffic import services
from jaga.traffic.detection import crawler
from jaga.traffic.models import Detection

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
LINE = '{c} - - [01/Nov/2026:09:00:{s:02d} +0700] "GET /berita/{s} HTTP/1.1" 200 512 "-" "{a}"\n'
# What the "DNS" answers: PTR names of addresses, and the addresses of names.
ZONE = {
    ("1.66.249.66.in-addr.arpa.", "PTR"): ["crawl-66-249-66-1.googlebot.com."],
    ("crawl-66-249-66-1.googlebot.com", "A"): ["66.249.66.1"],
    ("9.32.33.45.in-addr.arpa.", "PTR"): ["googlebot.com.evil.example."],  # a name that only looks right
    ("7.32.33.45.in-addr.arpa.", "PTR"): ["crawl-1.googlebot.com."],  # its name points elsewhere
    ("crawl-1.googlebot.com", "A"): ["66.249.66.2"],
}


@pytest.fixture
def dns(monkeypatch, settings):  # type: ignore[no-untyped-def]
    settings.JAGA_TRAFFIC_CRAWLER_DNS = "system"
    crawler._cache.clear()
    asked: list[str] = []

    async def lookup(self, name: str, record_type: str, *, policy):  # type: ignore[no-untyped-def]
        asked.append(name)
        if name.startswith("8.32.33.45"):
            raise DnsLookupError("timeout", "timed out")
        if (name, record_type) not in ZONE:
            raise DnsLookupError("nxdomain", "no such name")
        return DnsAnswer(values=ZONE[(name, record_type)])

    monkeypatch.setattr(DnsResolver, "lookup", lookup)
    return asked


@pytest.mark.django_db
def test_a_claimed_googlebot_that_fails_forward_confirmed_reverse_dns_is_a_fake(site, tmp_path: Path, dns) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "access.log"
    lines = [LINE.format(c="66.249.66.1", s=s, a=GOOGLEBOT) for s in range(3)]  # the real one
    lines += [LINE.format(c="45.33.32.9", s=s, a=GOOGLEBOT) for s in range(4)]  # PTR outside google's domains
    lines += [LINE.format(c="45.33.32.7", s=s, a=GOOGLEBOT) for s in range(2)]  # PTR name resolves elsewhere
    lines += [LINE.format(c="45.33.32.8", s=s, a=GOOGLEBOT) for s in range(2)]  # DNS does not answer
    lines += [LINE.format(c="45.33.32.6", s=s, a=GOOGLEBOT) for s in range(2)]  # no PTR at all
    lines += [LINE.format(c="10.1.1.1", s=s, a=GOOGLEBOT) for s in range(2)]  # private: a proxy, not asked
    lines += [LINE.format(c="198.51.100.1", s=1, a="Mozilla/5.0 Chrome/130.0")]  # claims nothing
    log.write_text("".join(lines))
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    services.traffic_detect(site=site, record=False)
    fakes = {d.key: d.count for d in Detection.objects.filter(site=site, rule_key="fake-crawler")}
    assert fakes == {"45.33.32.9": 4, "45.33.32.7": 2, "45.33.32.6": 2}
    assert not any(name.startswith("1.1.1.10") or name.startswith("1.100.51.198") for name in dns)

    asked = len(dns)  # each address is asked once per process; an unanswered one is asked again
    services.traffic_detect(site=site, record=False)
    log.open("a").write("".join(lines))
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    services.traffic_detect(site=site, record=False)
    assert [n for n in dns[asked:]] == ["8.32.33.45.in-addr.arpa."]


@pytest.mark.django_db
def test_with_crawler_dns_off_nobody_is_asked_and_nothing_is_flagged(site, tmp_path: Path, dns, settings) -> None:  # type: ignore[no-untyped-def]
    settings.JAGA_TRAFFIC_CRAWLER_DNS = "off"
    log = tmp_path / "access.log"
    log.write_text("".join(LINE.format(c="45.33.32.9", s=s, a=GOOGLEBOT) for s in range(4)))
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    services.traffic_detect(site=site, record=False)
    assert dns == []
    assert not Detection.objects.filter(site=site, rule_key="fake-crawler").exists()


@pytest.mark.django_db
def test_the_crawlers_panel_splits_good_grey_and_fake(site, tmp_path: Path, dns, staff) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.test import Client

    from jaga.traffic import panels

    ahrefs = "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"
    log = tmp_path / "access.log"
    lines = [LINE.format(c="66.249.66.1", s=s, a=GOOGLEBOT) for s in range(3)]  # verified: good
    lines += [LINE.format(c="45.33.32.9", s=s, a=GOOGLEBOT) for s in range(4)]  # fails FCrDNS: fake
    lines += [LINE.format(c="198.51.100.20", s=s, a=ahrefs) for s in range(5)]  # a bot that claims no engine
    lines += [LINE.format(c="198.51.100.1", s=1, a="Mozilla/5.0 Chrome/130.0")]  # a person
    log.write_text("".join(lines))
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    services.traffic_detect(site=site, record=False)
    day = dt.date(2026, 11, 1)
    rows = panels.panels_read(site=site, start=day, end=day, keys=("crawlers",)).panel("crawlers").rows
    kinds = {(kind, requests, clients) for _name, kind, requests, clients in rows}
    assert kinds == {
        ("Baik (mesin pencari)", 3, 1),
        ("Palsu (gagal DNS balik)", 4, 1),
        ("Abu-abu (bot lain)", 5, 1),
    }
    client = Client()
    client.force_login(staff)
    page = client.get(f"/traffic/{site.institution.slug}/situs/{site.pk}/?dari=2026-11-01&sampai=2026-11-01")
    assert "Palsu (gagal DNS balik)" in page.content.decode()
    from django.utils import translation

    with translation.override("en"):
        rows = panels.panels_read(site=site, start=day, end=day, keys=("crawlers",)).panel("crawlers").rows
    assert {row[1] for row in rows} == {"Good (search engine)", "Fake (failed reverse DNS)", "Grey (other bot)"}

"""RDAP on loopback: real response shapes, PANDI's .id and .go.id answers, and every way a registry fails."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from jaga.core import clock
from jaga.renewals.rdap import client
from jaga.renewals.rdap.bootstrap import (
    BootstrapError,
    NoRdapServer,
    bootstrap_current,
    bootstrap_parse,
    refreshed_path,
)
from jaga.renewals.rdap.lookup import domain_expiry
from jaga.renewals.rdap.parse import domain_parse, rdap_date
from jaga.renewals.tests.rdap_server import Registry, pandi_domain

pytestmark = pytest.mark.django_db


def bootstrap_for(registry: Registry, *suffixes: str) -> bytes:
    return json.dumps(
        {"publication": "2026-11-30T20:00:00Z", "services": [[list(suffixes), [registry.url]]], "version": "1.0"}
    ).encode()


@pytest.fixture
def with_bootstrap(settings: Any, tmp_path: Path) -> Any:
    settings.DATA_DIR = tmp_path

    def install(raw: bytes) -> None:
        path = refreshed_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)

    return install


def test_it_reads_a_go_id_domain_as_pandi_answers_it(registry: Registry, with_bootstrap: Any) -> None:
    with_bootstrap(bootstrap_for(registry, "id"))
    registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires="2027-03-21T23:59:59Z"))
    finding = domain_expiry(domain="pn-bangil.go.id")
    assert finding.status == "found"
    assert finding.expires_at == dt.datetime(2027, 3, 21, 23, 59, 59, tzinfo=dt.UTC)
    assert finding.registrar == "PT Digital Registra Indonesia"
    assert finding.statuses == ["active", "client transfer prohibited"]
    assert finding.nameservers == ["ns1.pn-bangil.go.id", "ns2.pn-bangil.go.id"]
    assert finding.url == f"{registry.url}domain/pn-bangil.go.id"


def test_it_finds_the_server_of_a_second_level_name_by_the_longest_suffix(registry: Registry) -> None:
    raw = json.dumps(
        {"services": [[["id"], ["https://rdap.pandi.id/rdap/"]], [["go.id"], [registry.url, "http://127.0.0.1:1/"]]]}
    )
    parsed = bootstrap_parse(raw)
    assert parsed.base_urls("pn-bangil.go.id") == (registry.url, "http://127.0.0.1:1/")
    assert parsed.base_urls("contoh.co.id") == ("https://rdap.pandi.id/rdap/",)


def test_the_carried_bootstrap_sends_id_domains_to_pandi() -> None:
    assert bootstrap_current().base_urls("pn-bangil.go.id") == ("https://rdap.pandi.id/rdap/",)


def test_it_says_unknown_when_the_registry_gives_no_expiration_event(registry: Registry, with_bootstrap: Any) -> None:
    with_bootstrap(bootstrap_for(registry, "id"))
    registry.domain("ma.go.id", pandi_domain("ma.go.id", expires=None))
    finding = domain_expiry(domain="ma.go.id")
    assert finding.status == "unknown"
    assert finding.expires_at is None
    assert "expiration" in finding.error
    assert finding.registrar == "PT Digital Registra Indonesia"  # what it does say is still shown


def test_it_names_malformed_json(registry: Registry, with_bootstrap: Any) -> None:
    with_bootstrap(bootstrap_for(registry, "id"))
    registry.answers["rusak.go.id"] = (200, b'{"objectClassName": "domain", "events": [', "application/rdap+json")
    finding = domain_expiry(domain="rusak.go.id")
    assert finding.status == "failed"
    assert "bukan JSON" in finding.error
    assert "not valid JSON" in finding.error


def test_it_refuses_json_that_is_not_a_domain_object(registry: Registry, with_bootstrap: Any) -> None:
    with_bootstrap(bootstrap_for(registry, "id"))
    registry.domain("x.go.id", {"objectClassName": "entity", "handle": "X"})
    assert "bukan domain" in domain_expiry(domain="x.go.id").error


def test_it_gives_up_after_the_timeout(registry: Registry, with_bootstrap: Any, monkeypatch: Any) -> None:
    with_bootstrap(bootstrap_for(registry, "id"))
    registry.domain("lambat.go.id", pandi_domain("lambat.go.id", expires="2027-01-01T00:00:00Z"))
    registry.delay = 2.0
    monkeypatch.setattr(client, "TIMEOUT_SECONDS", 0.5)
    started = clock.now()
    finding = domain_expiry(domain="lambat.go.id")
    assert finding.status == "failed"
    assert (clock.now() - started).total_seconds() < 1.9
    assert finding.error


@pytest.mark.parametrize("status", [429, 403, 503])
def test_it_says_when_the_registry_refuses(registry: Registry, with_bootstrap: Any, status: int) -> None:
    with_bootstrap(bootstrap_for(registry, "id"))
    registry.answers["tolak.go.id"] = (status, b"slow down", "text/plain")
    finding = domain_expiry(domain="tolak.go.id")
    assert finding.status == "failed"
    assert f"HTTP {status}" in finding.error
    assert "refused" in finding.error


def test_it_says_when_a_domain_is_not_registered(registry: Registry, with_bootstrap: Any) -> None:
    with_bootstrap(bootstrap_for(registry, "id"))
    finding = domain_expiry(domain="tidak-ada.go.id")
    assert finding.status == "failed"
    assert "404" in finding.error


def test_it_says_clearly_when_the_bootstrap_lacks_the_tld(registry: Registry, with_bootstrap: Any) -> None:
    with_bootstrap(bootstrap_for(registry, "com"))
    finding = domain_expiry(domain="pn-bangil.go.id")
    assert finding.status == "failed"
    assert ".id" in finding.error
    assert "IANA" in finding.error
    assert registry.requests == []
    with pytest.raises(NoRdapServer):
        bootstrap_parse(bootstrap_for(registry, "com")).base_urls("pn-bangil.go.id")


def test_a_refused_connection_is_a_failure_with_its_reason(with_bootstrap: Any) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    finding = domain_expiry(domain="pn-bangil.go.id", server=f"http://127.0.0.1:{port}/rdap/")
    assert finding.status == "failed"
    assert finding.error


def test_it_answers_from_the_cache_until_it_is_stale(registry: Registry, with_bootstrap: Any) -> None:
    with_bootstrap(bootstrap_for(registry, "id"))
    registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires="2030-03-21T23:59:59Z"))
    domain_expiry(domain="pn-bangil.go.id")
    again = domain_expiry(domain="pn-bangil.go.id")
    assert again.from_cache
    assert len(registry.requests) == 1
    with clock.travel(dt.timedelta(days=8)):
        assert not domain_expiry(domain="pn-bangil.go.id").from_cache
    assert len(registry.requests) == 2
    assert not domain_expiry(domain="pn-bangil.go.id", force=True).from_cache


def test_near_its_expiry_the_cache_lasts_less_than_a_day(registry: Registry, with_bootstrap: Any) -> None:
    with_bootstrap(bootstrap_for(registry, "id"))
    soon = (clock.now() + dt.timedelta(days=10)).strftime("%Y-%m-%dT23:59:59Z")
    registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires=soon))
    domain_expiry(domain="pn-bangil.go.id")
    with clock.travel(dt.timedelta(hours=21)):
        assert not domain_expiry(domain="pn-bangil.go.id").from_cache


def test_a_refreshed_bootstrap_replaces_the_carried_one_and_a_bad_one_is_refused(
    registry: Registry, with_bootstrap: Any
) -> None:
    good = bootstrap_for(registry, "id", "com")
    registry.answers["dns.json"] = (200, good, "application/json")
    stored = client.bootstrap_refresh(url=f"{registry.url}domain/dns.json")
    assert stored.publication == "2026-11-30T20:00:00Z"
    assert bootstrap_current().base_urls("contoh.com") == (registry.url,)
    registry.answers["dns.json"] = (200, b'{"services": "nope"}', "application/json")
    with pytest.raises(BootstrapError):
        client.bootstrap_refresh(url=f"{registry.url}domain/dns.json")
    assert bootstrap_current().base_urls("contoh.com") == (registry.url,)  # the good one stays


def test_the_refresh_command_reports_what_it_stored_and_keeps_the_old_file_on_a_failure(
    registry: Registry, with_bootstrap: Any
) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    registry.answers["dns.json"] = (200, bootstrap_for(registry, "id", "com", "net"), "application/json")
    out = StringIO()
    call_command("renewals", "rdap-bootstrap-refresh", "--url", f"{registry.url}domain/dns.json", stdout=out)
    assert "3 TLD" in out.getvalue()
    assert "2026-11-30T20:00:00Z" in out.getvalue()
    assert refreshed_path().exists()
    before = refreshed_path().read_bytes()
    registry.answers["dns.json"] = (503, b"busy", "text/plain")
    with pytest.raises(CommandError, match="yang lama tetap dipakai"):
        call_command("renewals", "rdap-bootstrap-refresh", "--url", f"{registry.url}domain/dns.json")
    assert refreshed_path().read_bytes() == before
    assert bootstrap_current().base_urls("contoh.net") == (registry.url,)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-03-21T23:59:59Z", dt.datetime(2027, 3, 21, 23, 59, 59, tzinfo=dt.UTC)),
        ("2027-03-21T23:59:59.000Z", dt.datetime(2027, 3, 21, 23, 59, 59, tzinfo=dt.UTC)),
        ("2027-03-22T06:59:59+07:00", dt.datetime(2027, 3, 21, 23, 59, 59, tzinfo=dt.UTC)),
        ("2027-03-21T23:59:59", dt.datetime(2027, 3, 21, 23, 59, 59, tzinfo=dt.UTC)),
        ("21/03/2027", None),
        (None, None),
    ],
)
def test_it_reads_rdap_dates_or_nothing(value: Any, expected: Any) -> None:
    assert rdap_date(value) == expected


def test_it_finds_a_registrar_nested_in_another_entity_or_by_its_public_id() -> None:
    nested = {
        "objectClassName": "domain",
        "ldhName": "contoh.com",
        "entities": [
            {
                "roles": ["registrant"],
                "entities": [{"roles": ["registrar"], "vcardArray": ["vcard", [["fn", {}, "text", "Registrar A"]]]}],
            }
        ],
    }
    assert domain_parse(nested).registrar == "Registrar A"
    by_id = {
        "ldhName": "contoh.com",
        "entities": [{"roles": ["registrar"], "publicIds": [{"type": "IANA Registrar ID", "identifier": "292"}]}],
    }
    assert domain_parse(by_id).registrar == "IANA Registrar ID 292"

"""The one DNS look-up (core's resolver) against a real DNS server on loopback."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest

from jaga.core import http
from jaga.core.resolver import DnsLookupError, DnsResolver
from jaga.monitoring.tests.test_kinds_net import TinyDns

OPEN = http.AddressPolicy(allow_internal=True, allow_private=True)


@pytest.fixture
def tiny_dns() -> Iterator[TinyDns]:
    server = TinyDns({("pn-bangil.go.id", "A"): ["203.0.113.10"], ("pn-bangil.go.id", "MX"): ["10 mail.go.id."]})
    yield server
    server.close()


def _lookup(resolver: DnsResolver, name: str, record_type: str, policy: http.AddressPolicy = OPEN) -> object:
    try:
        return asyncio.run(resolver.lookup(name, record_type, policy=policy))
    except DnsLookupError as exc:
        return exc


def test_it_answers_with_the_records_their_ttl_and_names_its_resolver(tiny_dns: TinyDns) -> None:
    resolver = DnsResolver(nameserver="127.0.0.1", port=tiny_dns.port, timeout_s=2)
    answer = asyncio.run(resolver.lookup("pn-bangil.go.id", "A", policy=OPEN))
    assert answer.values == ["203.0.113.10"]
    assert answer.ttl == 300
    assert answer.ms >= 0
    assert resolver.describe() == f"127.0.0.1:{tiny_dns.port}"


def test_a_missing_record_is_an_empty_answer_and_a_missing_name_an_error(tiny_dns: TinyDns) -> None:
    resolver = DnsResolver(nameserver="127.0.0.1", port=tiny_dns.port, timeout_s=2)
    empty = asyncio.run(resolver.lookup("pn-bangil.go.id", "AAAA", policy=OPEN))
    assert empty.values == []
    assert empty.ttl is None
    missing = _lookup(resolver, "tidak-ada.go.id", "A")
    assert isinstance(missing, DnsLookupError)
    assert missing.code == "nxdomain"
    assert "NXDOMAIN" in missing.message


def test_a_resolver_that_never_answers_times_out_within_its_bound() -> None:
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # bound, read by nobody
    silent.bind(("127.0.0.1", 0))
    try:
        resolver = DnsResolver(nameserver="127.0.0.1", port=silent.getsockname()[1], timeout_s=0.5)
        failed = _lookup(resolver, "pn-bangil.go.id", "A")
    finally:
        silent.close()
    assert isinstance(failed, DnsLookupError)
    assert failed.code == "timeout"
    assert "0.5 detik" in failed.message


def test_the_address_guard_refuses_a_loopback_nameserver_before_any_packet_is_sent(tiny_dns: TinyDns) -> None:
    resolver = DnsResolver(nameserver="127.0.0.1", port=tiny_dns.port, timeout_s=2)
    refused = _lookup(resolver, "pn-bangil.go.id", "A", http.AddressPolicy())
    assert isinstance(refused, DnsLookupError)
    assert refused.code == "address_refused"
    assert DnsResolver().refusal(http.AddressPolicy()) is None  # the system's resolvers are trusted

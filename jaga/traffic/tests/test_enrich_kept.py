"""What enrichment keeps beside the store: a later process reads it instead of loading the parser or a database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jaga.traffic.ingest import enrich

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture
def new_process(monkeypatch):  # type: ignore[no-untyped-def]
    """What a new process starts with: no agent described yet, the store's file not read yet."""

    def start() -> None:
        monkeypatch.setattr(enrich, "_AGENT_CACHE", {})
        monkeypatch.setattr(enrich, "_agents_read", set())

    start()
    return start


def _described(agents: list[str]) -> list[tuple[str, str, str]]:
    table = enrich.agents_table(agents)
    return list(zip(*(table.column(name).to_pylist() for name in ("browser", "os", "crawler")), strict=True))


def _kept(tmp_path: Path) -> tuple[Path, dict[str, list[str]]]:
    files = list((tmp_path / "traffic-store" / ".cache").glob("agents-*.json"))
    assert len(files) == 1
    return files[0], json.loads(files[0].read_text(encoding="utf-8"))


def test_the_descriptions_are_kept_beside_the_store_under_the_parsers_versions(new_process, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from importlib.metadata import version

    described = _described([BROWSER, GOOGLEBOT, ""])
    assert described == [("Chrome", "Windows", ""), ("Googlebot", "", "Googlebot"), ("", "", "")]
    path, kept = _kept(tmp_path)
    assert version("ua-parser-builtins") in path.name
    assert version("crawlerdetect") in path.name
    assert kept == {agent: list(d) for agent, d in zip([BROWSER, GOOGLEBOT, ""], described, strict=True)}


def test_a_new_process_reads_them_instead_of_describing_them_again(new_process, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _described([BROWSER])
    path, kept = _kept(tmp_path)
    # What the file says wins over the parser: proof that the next process read it.
    kept[BROWSER] = ["Kept browser", "Kept OS", ""]
    path.write_text(json.dumps(kept), encoding="utf-8")
    new_process()
    assert _described([BROWSER, GOOGLEBOT]) == [("Kept browser", "Kept OS", ""), enrich.agent_describe(GOOGLEBOT)]
    assert set(_kept(tmp_path)[1]) == {BROWSER, GOOGLEBOT}  # the new agent added, the kept one still there


def test_a_damaged_file_is_described_again_and_written_whole(new_process, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _described([BROWSER])
    path, _kept_agents = _kept(tmp_path)
    path.write_text('{"half', encoding="utf-8")
    new_process()
    assert _described([BROWSER]) == [("Chrome", "Windows", "")]
    assert _kept(tmp_path)[1] == {BROWSER: ["Chrome", "Windows", ""]}
    assert not list(path.parent.glob("*.tmp"))


def test_the_file_keeps_the_agents_described_last(new_process, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(enrich, "AGENTS_KEPT_MAX", 3)
    agents = [f"curl/8.{n}.0" for n in range(5)]
    for agent in agents:
        _described([agent])
    assert list(_kept(tmp_path)[1]) == agents[-3:]


def _geoip2fast_country(lookup, address: str) -> str:  # type: ignore[no-untyped-def]
    """What the country of an IPv6 client was before the table: geoip2fast's own lookup, the same filters."""
    import ipaddress

    parsed = ipaddress.ip_address(address)
    if parsed.is_private or parsed.is_loopback or parsed.is_link_local:
        return ""
    code = str(lookup(address).country_code or "")
    return code if len(code) == 2 and code.isalpha() else ""


def test_the_ipv6_countries_are_geoip2fasts_own_from_a_table_kept_beside_the_store(tmp_path: Path) -> None:
    import ipaddress
    import random

    from geoip2fast import GeoIP2Fast

    enrich.geoip_ipv6_table.cache_clear()
    enrich._ipv6_ranges.cache_clear()
    table = enrich.geoip_ipv6_table()
    assert len(list((tmp_path / "traffic-store" / ".cache").glob("geo-v6-*.arrow"))) == 1
    reference = GeoIP2Fast(geoip2fast_data_file=str(enrich._geoip_file("geoip2fast-ipv6.dat.gz"))).lookup
    rng = random.Random(6)
    addresses = ["2001:df0:1::1", "2404:6800:4003:c00::64", "2a03:2880:f10c:83:face:b00c:0:25de", "::ffff:8.8.8.8"]
    for row in rng.sample(range(table.num_rows), 400):  # each side of a range's edges
        first = table.column("first_hi")[row].as_py() << 64 | table.column("first_lo")[row].as_py()
        size = 1 << (128 - table.column("netlen")[row].as_py())
        for ip in (first, first + size // 2, first + size - 1, first + size, max(first - 1, 0)):
            addresses.append(str(ipaddress.IPv6Address(min(ip, (1 << 128) - 1))))
    addresses += [str(ipaddress.IPv6Address(rng.getrandbits(128))) for _ in range(200)]
    addresses += [
        str(ipaddress.IPv6Address((0x2000 + rng.getrandbits(13)) << 112 | rng.getrandbits(112))) for _ in range(400)
    ]
    found = {address: enrich.country_ipv6(address) for address in addresses}
    assert found == {address: _geoip2fast_country(reference, address) for address in addresses}
    assert sum(1 for code in found.values() if code) > 300  # most of them have a country: the check is not empty
    enrich.geoip_ipv6_table.cache_clear()
    enrich._ipv6_ranges.cache_clear()
    assert enrich.geoip_ipv6_table().equals(table)  # read back from the file, the same


def test_the_ipv4_countries_found_together_are_geoip2fasts_own(tmp_path: Path) -> None:
    import ipaddress
    import random

    import pyarrow as pa
    from geoip2fast import GeoIP2Fast

    enrich.geoip_ipv4_table.cache_clear()
    enrich._ipv4_ranges.cache_clear()
    table = enrich.geoip_ipv4_table()
    reference = GeoIP2Fast(geoip2fast_data_file=str(enrich._geoip_file("geoip2fast.dat.gz"))).lookup
    rng = random.Random(4)
    addresses = [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(2000)]
    for row in rng.sample(range(table.num_rows), 300):  # each side of a range's edges
        first, last = table.column("first_ip")[row].as_py(), table.column("last_ip")[row].as_py()
        for ip in (first, (first + last) // 2, last, min(last + 1, 2**32 - 1), max(first - 1, 0)):
            addresses.append(str(ipaddress.IPv4Address(ip)))
    addresses += ["0.0.0.0", "255.255.255.255", "10.1.2.3", "127.0.0.1"]
    found = enrich.countries(pa.array(addresses)).to_pylist()
    # geoip2fast's code as it gives it ("ASIA" for a few ranges), "" for its private and reserved ranges ("--").
    expected = [str(reference(address).country_code or "").replace("--", "") for address in addresses]
    assert found == expected
    assert sum(1 for code in found if code) > 1500  # most of them have a country: the check is not empty
    # Not an address in the usual form: no country, and the other addresses of the batch keep theirs.
    odd = ["999.1.1.1", "1.2.3", "", "abc", "8.8.8.8", "1.2.3.4 ", "localhost"]
    assert enrich.countries(pa.array(odd)).to_pylist() == ["", "", "", "", "US", "", ""]


def test_a_column_of_numbers_is_searched_where_arrow_holds_it() -> None:
    import bisect

    import pyarrow as pa

    signed = pa.chunked_array([pa.array([-5, 1, 4, 9, 2**40], pa.int64())]).slice(1)  # an offset into the buffer
    assert list(enrich.mapped_numbers(signed)) == [1, 4, 9, 2**40]
    assert bisect.bisect_right(enrich.mapped_numbers(signed), 5) == 2
    assert list(enrich.mapped_numbers(pa.array([2**64 - 1, 3], pa.uint64()))) == [2**64 - 1, 3]
    with pytest.raises(TypeError):
        enrich.mapped_numbers(pa.array([1, None], pa.int64()))
    with pytest.raises(TypeError):
        enrich.mapped_numbers(pa.array([1, 2], pa.int32()))


@pytest.mark.django_db
def test_migrating_the_data_folder_unpacks_the_country_tables_so_that_ingestion_only_maps_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa
    from django.core.management import call_command

    cache = tmp_path / "traffic-store" / ".cache"
    tables = (enrich.geoip_ipv4_table, enrich._ipv4_ranges, enrich.geoip_ipv6_table, enrich._ipv6_ranges)
    for cached in tables:  # a new process
        cached.cache_clear()
    assert not list(cache.glob("geo-*.arrow"))  # a fresh data folder
    call_command("migrate", verbosity=0)
    assert {p.name.split("-")[1] for p in cache.glob("geo-*.arrow")} == {"v4", "v6"}

    # The next process finds countries without unpacking geoip2fast's files again.
    for cached in tables:
        cached.cache_clear()

    def unpacked(name: str) -> None:
        raise AssertionError(f"{name} unpacked again")

    monkeypatch.setattr(enrich, "_geoip_database", unpacked)
    found = enrich.countries(pa.array(["8.8.8.8", "2001:4860:4860::8888", "10.0.0.1"])).to_pylist()
    assert found == ["US", "US", ""]


@pytest.mark.django_db
def test_a_migration_succeeds_when_the_country_tables_cannot_be_unpacked(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from django.core.management import call_command

    def missing(name: str) -> Path:
        raise ModuleNotFoundError("geoip2fast")

    enrich.geoip_ipv4_table.cache_clear()
    monkeypatch.setattr(enrich, "_geoip_file", missing)
    call_command("migrate", verbosity=0)
    assert "country tables not prepared: geoip2fast" in caplog.text
    enrich.geoip_ipv4_table.cache_clear()

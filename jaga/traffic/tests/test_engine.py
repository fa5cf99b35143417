"""The detection engine's table of clients: the IPv4 addresses described in SQL agree with Python's ipaddress."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from jaga.traffic.detection import engine

ADDRESSES = (
    "8.8.8.8",
    "10.1.2.3",
    "127.0.0.1",
    "169.254.9.9",
    "172.15.255.255",
    "172.16.0.1",
    "172.31.255.255",
    "172.32.0.0",
    "192.0.0.7",
    "192.0.0.8",
    "192.0.0.171",
    "192.0.2.10",
    "192.168.1.1",
    "198.18.0.1",
    "198.20.0.1",
    "198.51.100.4",
    "203.0.113.7",
    "203.0.114.7",
    "240.0.0.1",
    "255.255.255.255",
    "0.1.2.3",
    "100.64.0.1",
    "2001:db8::1",
    "2404:6800:4003::1",
    "fe80::1",
    "010.1.1.1",
    "999.1.1.1",
    "not-an-address",
    "",
)


def _clients(allow: tuple[str, ...] = ()) -> dict[str, tuple[str, bool, bool]]:
    con = duckdb.connect()
    con.register("addresses", pa.table({"client": pa.array(ADDRESSES, pa.string())}))
    engine.clients_table(con, source="addresses", allow=engine.networks_parse(allow))
    return {row[0]: (row[1], row[2], row[3]) for row in con.execute("SELECT * FROM clients").fetchall()}


def test_each_address_gets_the_subnet_and_privacy_python_gives_it() -> None:
    described = _clients()
    assert set(described) == set(ADDRESSES)
    for address in ADDRESSES:
        expected = engine.client_describe(address, [])
        assert described[address] == (expected.subnet, expected.private, False), address


def test_the_allow_list_holds_in_sql_and_in_python_alike() -> None:
    allow = ("8.8.8.0/24", "203.0.113.7", "2001:db8::/32")
    networks = engine.networks_parse(allow)
    described = _clients(allow)
    for address in ADDRESSES:
        assert described[address][2] == engine.client_describe(address, networks).allowed, address
    assert described["8.8.8.8"][2]
    assert described["203.0.113.7"][2]
    assert described["2001:db8::1"][2]
    assert not described["203.0.114.7"][2]

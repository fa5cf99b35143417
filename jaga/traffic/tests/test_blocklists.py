"""Block lists: what is on them (blocking rules, not private, not allowed, not expired), each format, the
command and the API; the nginx list is checked by a real nginx (``nginx -t``)."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from jaga.core.services import api_token_create
from jaga.traffic.blocklists import blocklist_render
from jaga.traffic.models import AllowedNetwork, Detection
from jaga.traffic.selectors import blocklist_entries

NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)


def _detection(site, key: str, *, rule: str = "sqli-probe", hours_ago: float = 1, **extra):  # type: ignore[no-untyped-def]
    seen = NOW - dt.timedelta(hours=hours_ago)
    values = {"family": "sqli", "severity": "tinggi", "scope": "client", "count": 3, "private": False} | extra
    return Detection.objects.create(
        site=site, rule_key=rule, key=key, first_seen=seen, last_seen=seen, updated_at=seen, **values
    )


@pytest.fixture
def blocked(site):  # type: ignore[no-untyped-def]
    _detection(site, "203.0.113.66")
    _detection(site, "203.0.113.66", rule="scanner-agent", family="scanner", hours_ago=2)
    _detection(site, "198.51.100.0/24", rule="notfound-subnet", family="probing", scope="subnet")
    _detection(site, "2001:db8:1:2::/64", rule="notfound-subnet", family="probing", scope="subnet")
    _detection(site, "192.0.2.9", hours_ago=30)  # last seen 30 hours ago: expired
    _detection(site, "10.0.0.5", private=True)  # a proxy's address, most likely
    _detection(site, "192.0.2.50", rule="crawl-non-static", family="crawl")  # a rule that opens no incident
    _detection(site, "/wp-login.php", rule="login-bruteforce-distributed", family="brute_force", scope="endpoint")
    _detection(site, "100.64.1.1")
    AllowedNetwork.objects.create(institution=site.institution, network="100.64.0.0/16", note="kantor")
    return site


@pytest.mark.django_db
def test_the_list_holds_the_blocking_detections_seen_lately_once_per_address(blocked) -> None:  # type: ignore[no-untyped-def]
    entries = blocklist_entries(site=blocked, now=NOW)
    assert [e.value for e in entries] == ["198.51.100.0/24", "203.0.113.66", "2001:db8:1:2::/64"]
    sqli = entries[1]
    assert sqli.rules == "scanner-agent,sqli-probe"
    assert sqli.count == 6
    assert sqli.expires_at == NOW - dt.timedelta(hours=1) + dt.timedelta(hours=24)
    # Seen again later, the block is renewed; once 24 hours pass without it, it is gone.
    later = NOW + dt.timedelta(hours=22, minutes=30)
    assert "203.0.113.66" in [e.value for e in blocklist_entries(site=blocked, now=later)]
    assert "203.0.113.66" not in [e.value for e in blocklist_entries(site=blocked, now=later + dt.timedelta(hours=1))]
    Detection.objects.filter(key="203.0.113.66", rule_key="sqli-probe").update(last_seen=later)
    renewed = blocklist_entries(site=blocked, now=later + dt.timedelta(hours=1))
    assert [e.expires_at for e in renewed if e.value == "203.0.113.66"] == [later + dt.timedelta(hours=24)]


@pytest.mark.django_db
def test_each_format_carries_the_entries_and_their_expiry(blocked) -> None:  # type: ignore[no-untyped-def]
    entries = blocklist_entries(site=blocked, now=NOW)
    nginx = blocklist_render("nginx", entries, now=NOW)
    assert "deny 203.0.113.66;" in nginx
    assert "deny 198.51.100.0/24;" in nginx
    assert "deny 2001:db8:1:2::/64;" in nginx
    apache = blocklist_render("apache", entries, now=NOW)
    assert "    Require not ip 203.0.113.66\n" in apache
    assert apache.count("Require not ip") == 3
    nft = blocklist_render("nftables", entries, now=NOW)
    assert "elements = { 203.0.113.66 timeout 82800s }" in nft
    assert "elements = { 198.51.100.0/24 timeout 82800s }" in nft
    assert "elements = { 2001:db8:1:2::/64 timeout 82800s }" in nft
    assert "ip saddr @blocked_v4 drop" in nft
    assert "ip saddr @blocked_v4_nets drop" in nft
    decisions = json.loads(blocklist_render("crowdsec", entries, now=NOW))
    assert decisions[1] == {
        "duration": "82800s",
        "origin": "jaga",
        "reason": "jaga/scanner-agent,sqli-probe",
        "scenario": "jaga/scanner-agent",
        "scope": "Ip",
        "type": "ban",
        "value": "203.0.113.66",
    }
    assert decisions[0]["scope"] == "Range"


@pytest.mark.django_db
def test_nft_accepts_the_set_even_with_an_address_inside_a_blocked_range(blocked, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _detection(blocked, "198.51.100.7")  # one address of the blocked /24, found by a rule of its own
    text = blocklist_render("nftables", blocklist_entries(site=blocked, now=NOW), now=NOW)
    # Addresses and ranges in separate sets: one interval set with both is refused whole by nft.
    assert "elements = { 198.51.100.7 timeout 82800s, 203.0.113.66 timeout 82800s }" in text
    assert "elements = { 198.51.100.0/24 timeout 82800s }" in text
    nft = shutil.which("nft")
    if nft is None:  # nftables not installed (scripts/system-packages.sh test installs it): the text above only
        return
    path = tmp_path / "blocklist.nft"
    path.write_text(text)
    checked = subprocess.run([nft, "-c", "-f", str(path)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    path.write_text(text.replace("198.51.100.7 timeout", "198.51.100.700 timeout"))  # nft does check them
    assert subprocess.run([nft, "-c", "-f", str(path)], capture_output=True, check=False).returncode != 0
    path.write_text(blocklist_render("nftables", [], now=NOW))  # nothing to block: still a file nft loads
    assert subprocess.run([nft, "-c", "-f", str(path)], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (scripts/system-packages.sh)")
@pytest.mark.django_db
def test_nginx_accepts_the_list(blocked, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "blocklist.conf").write_text(
        blocklist_render("nginx", blocklist_entries(site=blocked, now=NOW), now=NOW)
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
        f"  fastcgi_temp_path {tmp_path}/fcgi; uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;\n"
        f"  server {{ listen 127.0.0.1:1; include {tmp_path}/blocklist.conf; }}\n}}\n"
    )
    checked = subprocess.run(
        ["nginx", "-t", "-q", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.django_db
def test_the_command_and_the_api_give_the_list(blocked, staff, outsider, settings) -> None:  # type: ignore[no-untyped-def]
    settings.JAGA_TRAFFIC_BLOCK_HOURS = 24 * 365 * 10  # the fixture's detections are dated; keep them current
    out = io.StringIO()
    call_command("traffic", "blocklist", "--site", blocked.name, "--format", "apache", stdout=out)
    assert "Require not ip 203.0.113.66" in out.getvalue()
    token = api_token_create(user=staff, institution=blocked.institution, name="uji")[1]
    client = Client()
    answer = client.get(
        f"/api/traffic/sites/{blocked.pk}/blocklist?format=crowdsec", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/json")
    # Ten years of blocking: the detection last seen 30 hours before is on it too.
    assert {d["value"] for d in answer.json()} == {"203.0.113.66", "198.51.100.0/24", "2001:db8:1:2::/64", "192.0.2.9"}
    bad = client.get(
        f"/api/traffic/sites/{blocked.pk}/blocklist?format=iptables", headers={"Authorization": f"Bearer {token}"}
    )
    assert bad.status_code == 422
    other = api_token_create(user=outsider, institution=outsider.memberships.first().institution, name="uji")[1]
    assert (
        client.get(
            f"/api/traffic/sites/{blocked.pk}/blocklist", headers={"Authorization": f"Bearer {other}"}
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_the_command_writes_the_file_whole_with_out(blocked, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from jaga.core import clock

    target = tmp_path / "jaga-deny.conf"
    err = io.StringIO()
    with clock.frozen(NOW):
        call_command("traffic", "blocklist", "--site", str(blocked.pk), "--out", str(target), stderr=err)
    assert "deny 203.0.113.66;" in target.read_text()
    assert "3 alamat atau jaringan diblokir" in err.getvalue()
    assert not list(tmp_path.glob(".jaga-deny.conf*"))  # no temporary file left beside it


@pytest.mark.django_db
def test_the_detections_page_has_a_download_per_format_for_members_only(blocked, make_user, outsider) -> None:  # type: ignore[no-untyped-def]
    from jaga.core import clock

    client = Client()
    client.force_login(make_user("auditor", blocked.institution))
    base = f"/traffic/{blocked.institution.slug}/situs/{blocked.pk}"
    with clock.frozen(NOW):
        page = client.get(f"{base}/deteksi/").content.decode()
        download = client.get(f"{base}/blokir/nftables/")
    assert "Daftar blokir" in page
    for label in ("Unduh nginx: baris deny", "Unduh Apache: Require not ip", "Unduh CrowdSec: keputusan (JSON)"):
        assert label in page
    assert "Percobaan injeksi SQL" in page  # each block's rules by their labels
    assert "Alamat atau jaringan (3)" in page
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="jaga-site{blocked.pk}-blocklist.nft"'
    assert "203.0.113.66 timeout 82800s" in download.content.decode()
    assert client.get(f"{base}/blokir/iptables/").status_code == 404
    stranger = Client()
    stranger.force_login(outsider)
    assert stranger.get(f"{base}/blokir/nginx/").status_code == 404

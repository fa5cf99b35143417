"""Custom rules without code (the admin, a file) checked and tested before they are saved; the rate anomaly rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from jaga.traffic import services
from jaga.traffic.detection.rules import rule_get, rules_all
from jaga.traffic.models import CustomRule, Detection
from jaga.traffic.selectors import blocklist_entries

pytestmark = pytest.mark.django_db

LINE = '{c} - - [01/Nov/2026:{h:02d}:{m:02d}:{s:02d} +0700] "GET {p} HTTP/1.1" 200 512 "-" "Mozilla/5.0"'
SIPP_LINE = LINE.format(c="203.0.113.9", h=9, m=0, s=0, p="/sipp-lama/login")
OTHER_LINE = LINE.format(c="203.0.113.9", h=9, m=0, s=0, p="/sipp/")
OLD_SIPP = (
    "key: sipp-lama\nkind: signature\nfamily: sensitive\nseverity: sedang\n"
    "label: {id: Akses SIPP lama, en: Old SIPP access}\n"
    "explanation: {id: Alamat SIPP lama sudah dimatikan., en: The old SIPP address was switched off.}\n"
    "advice: {id: Periksa siapa yang masih memakainya., en: Check who still uses it.}\n"
    "config:\n  match: {path: ['^/sipp-lama/']}\n"
    f"tests:\n  - {{line: '{SIPP_LINE}', match: true}}\n  - {{line: '{OTHER_LINE}', match: {{expect}}}}\n"
)


@pytest.fixture
def root_client(client: Client, django_user_model) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(django_user_model.objects.create_superuser("root", password="x-rahasia-123"))
    return client


def test_the_admin_saves_a_rule_whose_test_lines_pass_and_it_is_in_force(root_client: Client) -> None:
    answer = root_client.post(
        reverse("admin:traffic_customrule_add"), {"text": OLD_SIPP.replace("{expect}", "false"), "is_active": "on"}
    )
    assert answer.status_code == 302
    assert CustomRule.objects.get().key == "sipp-lama"
    rule = rule_get("sipp-lama")
    assert rule is not None
    assert str(rule.label) == "Akses SIPP lama"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (OLD_SIPP.replace("{expect}", "true"), "tests.1: diharapkan / expected match=True"),
        ("key: x\nkind: signature\n  family: [", "baris 3 / line 3: YAML tidak sah"),
        (OLD_SIPP.replace("kind: signature", "kind: regex").replace("{expect}", "false"), "kind: jenis tidak dikenal"),
        (OLD_SIPP.split("tests:")[0], "tests: sedikitnya satu baris uji"),
    ],
)
def test_the_admin_refuses_a_rule_in_words_and_saves_nothing(root_client: Client, text: str, words: str) -> None:
    answer = root_client.post(reverse("admin:traffic_customrule_add"), {"text": text, "is_active": "on"})
    assert answer.status_code == 200
    assert words in answer.content.decode().replace("&#x27;", "'")
    assert not CustomRule.objects.exists()


def test_a_member_who_is_not_the_superuser_cannot_open_the_custom_rules(staff) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(staff)
    answer = client.get(reverse("admin:traffic_customrule_add"))
    assert answer.status_code == 302
    assert "/login/" in answer["Location"]


def test_the_command_adds_a_rule_from_a_file_or_says_why_not(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(OLD_SIPP.replace("{expect}", "true"))
    with pytest.raises(CommandError, match=r"tests\.1"):
        call_command("traffic", "rules", "--add", str(bad))
    assert not CustomRule.objects.exists()
    good = tmp_path / "good.yaml"
    good.write_text(OLD_SIPP.replace("{expect}", "false"))
    call_command("traffic", "rules", "--add", str(good))
    assert "sipp-lama" in {rule.key for rule in rules_all()}


def _usual_day_and_a_rush(path: Path) -> None:
    """An hour of a court site's usual traffic (ten visitors, a request every 20 s each), then one minute in
    which 400 requests come from 80 addresses (no single one over any per-address limit) and one address
    that asks 150 pages in that minute."""
    lines = [
        LINE.format(c=f"198.51.100.{v + 1}", h=9, m=second // 60, s=second % 60, p=f"/berita/{v}")
        for second in range(0, 3600, 20)
        for v in range(10)
    ]
    lines += [LINE.format(c=f"203.0.113.{n % 80 + 1}", h=10, m=0, s=n * 59 // 400, p=f"/?q={n}") for n in range(400)]
    lines += [LINE.format(c="192.0.2.200", h=10, m=0, s=n * 59 // 150, p=f"/perkara/{n}") for n in range(150)]
    path.write_text("\n".join(sorted(lines, key=lambda line: line.split("[")[1])) + "\n")


def test_a_rush_far_above_the_sites_usual_rate_is_one_site_wide_detection(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "access.log"
    _usual_day_and_a_rush(log)
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    services.traffic_detect(site=site, record=False)
    found = Detection.objects.get(site=site, rule_key="rate-anomaly")
    assert (found.scope, found.key, found.count) == ("site", "*", 550)
    assert found.first_seen.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%H:%M") == "10:00"
    assert all(entry.value != "*" for entry in blocklist_entries(site=site))  # nothing a firewall can use


def test_a_custom_per_client_anomaly_finds_the_address_far_above_the_usual_visitor(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from jaga.traffic.services.rules import custom_rule_save

    text = (
        "key: visitor-rate-anomaly\nkind: anomaly\nfamily: anomaly\nseverity: rendah\n"
        "label: {id: Pengunjung terlalu cepat, en: Visitor far too fast}\n"
        "explanation: {id: Jauh di atas pengunjung biasa., en: Far above the usual visitor.}\n"
        "advice: {id: Periksa alamatnya., en: Check the address.}\n"
        "config: {match: {}, group_by: client, quantile: 0.9, factor: 10, min_requests: 60, min_windows: 30}\n"
        "tests:\n"
        f"  - line: '{LINE.format(c='192.0.2.200', h=10, m=0, s=0, p='/')}'\n"
        "    repeat: 100\n    every_seconds: 0.5\n    detect: true\n"
        f"    baseline: {{line: '{LINE.format(c='198.51.100.1', h=9, m=0, s=0, p='/')}', "
        "repeat: 60, every_seconds: 30}\n"
    )
    custom_rule_save(text=text)
    log = tmp_path / "access.log"
    _usual_day_and_a_rush(log)
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    services.traffic_detect(site=site, record=False)
    found = {d.key: d.count for d in Detection.objects.filter(site=site, rule_key="visitor-rate-anomaly")}
    assert found == {"192.0.2.200": 150}

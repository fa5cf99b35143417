"""An institution's own detection rules on Jaga's pages: the Administrator adds one (its test lines run first,
the problems said in words), it holds for that institution's sites only; other roles read, outsiders get 404."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from jaga.core.models import Site
from jaga.traffic import services
from jaga.traffic.detection.rules import rules_for
from jaga.traffic.forms import EXAMPLE
from jaga.traffic.models import CustomRule, Detection

pytestmark = pytest.mark.django_db

HIT = '203.0.113.9 - - [01/Nov/2026:09:00:{s:02d} +0700] "GET /sipp-lama/login HTTP/1.1" 200 512 "-" "Mozilla/5.0"\n'


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(make_user, institution) -> Client:  # type: ignore[no-untyped-def]
    return _client(make_user("administrator", institution))


def _new(institution) -> str:  # type: ignore[no-untyped-def]
    return f"/traffic/{institution.slug}/aturan/baru/"


def test_the_administrator_adds_a_rule_that_holds_for_the_institutions_sites_only(  # type: ignore[no-untyped-def]
    admin_client, institution, other_institution, site, tmp_path: Path
) -> None:
    form = admin_client.get(_new(institution))
    assert form.status_code == 200
    assert "sipp-lama" in form.content.decode()  # the text area starts with a working example
    answer = admin_client.post(_new(institution), {"text": EXAMPLE, "is_active": "on"})
    assert answer.status_code == 302
    saved = CustomRule.objects.get()
    assert (saved.key, saved.institution_id, saved.is_active) == ("sipp-lama", institution.pk, True)
    page = admin_client.get(answer["Location"]).content.decode()
    assert "Aturan sipp-lama disimpan: 2 baris uji lulus." in page
    assert "Akses ke alamat SIPP lama" in page

    assert "sipp-lama" in {r.key for r in rules_for(institution_id=institution.pk)}
    assert "sipp-lama" not in {r.key for r in rules_for(institution_id=other_institution.pk)}
    other_site = Site.objects.create(institution=other_institution, name="Situs lain", base_url="http://127.0.0.1:9/")
    for index, where in enumerate((site, other_site)):
        log = tmp_path / f"access-{index}.log"
        log.write_text("".join(HIT.format(s=s) for s in range(3)))
        services.traffic_ingest(site=where, sources=services.sources_for(site=where, paths=[str(log)]))
        services.traffic_detect(site=where, record=False)
    assert list(Detection.objects.filter(rule_key="sipp-lama").values_list("site_id", "count")) == [(site.pk, 3)]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (EXAMPLE.replace("match: false", "match: true"), "tests.1: diharapkan / expected match=True"),
        (EXAMPLE.replace("kind: signature", "kind: regex"), "kind: jenis tidak dikenal / unknown kind"),
        ("key: x\nkind: signature\n  family: [", "baris 3 / line 3: YAML tidak sah"),
        (EXAMPLE.split("tests:")[0], "tests: sedikitnya satu baris uji"),
        (EXAMPLE.replace("key: sipp-lama", "key: sqli-probe"), "Kunci sqli-probe dipakai aturan bawaan Jaga."),
    ],
)
def test_a_rule_that_fails_is_refused_in_words_and_nothing_is_saved(admin_client, institution, text, words) -> None:  # type: ignore[no-untyped-def]
    answer = admin_client.post(_new(institution), {"text": text, "is_active": "on"})
    assert answer.status_code == 200
    assert words in answer.content.decode().replace("&#x27;", "'")
    assert 'aria-invalid="true"' in answer.content.decode()
    assert not CustomRule.objects.exists()


def test_a_key_another_institution_took_is_refused(admin_client, institution, other_institution) -> None:  # type: ignore[no-untyped-def]
    CustomRule.objects.create(key="sipp-lama", text=EXAMPLE, institution=other_institution)
    answer = admin_client.post(_new(institution), {"text": EXAMPLE, "is_active": "on"})
    assert "Sudah ada aturan khusus dengan kunci sipp-lama" in answer.content.decode()
    assert CustomRule.objects.count() == 1


def test_testing_only_runs_the_test_lines_and_saves_nothing(admin_client, institution) -> None:  # type: ignore[no-untyped-def]
    answer = admin_client.post(_new(institution), {"text": EXAMPLE, "is_active": "on", "periksa": "1"})
    assert answer.status_code == 200
    assert "Akses ke alamat SIPP lama: aturan sah dan 2 baris uji lulus. Belum disimpan." in answer.content.decode()
    assert not CustomRule.objects.exists()


def test_the_administrator_changes_turns_off_and_deletes_a_rule(admin_client, institution) -> None:  # type: ignore[no-untyped-def]
    admin_client.post(_new(institution), {"text": EXAMPLE, "is_active": "on"})
    rule = CustomRule.objects.get()
    base = f"/traffic/{institution.slug}/aturan/{rule.pk}/"
    changed = EXAMPLE.replace("severity: sedang", "severity: tinggi")
    assert admin_client.post(base, {"text": changed, "is_active": "on"}).status_code == 302
    assert next(r for r in rules_for(institution_id=institution.pk) if r.key == "sipp-lama").severity == "tinggi"
    assert admin_client.post(base + "aktif/", {"aktif": "0"}).status_code == 302
    assert "sipp-lama" not in {r.key for r in rules_for(institution_id=institution.pk)}
    question = admin_client.post(base + "hapus/")
    assert question.status_code == 200
    assert CustomRule.objects.exists()
    assert admin_client.post(base + "hapus/", {"confirm": "yes"}).status_code == 302
    assert not CustomRule.objects.exists()


@pytest.mark.parametrize("role", ["staff_p2ti", "kasubbag_ptip", "sekretaris", "auditor"])
def test_other_roles_read_the_rules_but_may_not_change_them(make_user, institution, role) -> None:  # type: ignore[no-untyped-def]
    rule = CustomRule.objects.create(key="sipp-lama", text=EXAMPLE, institution=institution)
    client = _client(make_user(role, institution))
    listing = client.get(f"/traffic/{institution.slug}/aturan/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "sipp-lama" in text
    assert "Percobaan injeksi SQL" in text
    assert _new(institution) not in text
    assert client.get(_new(institution)).status_code == 403
    assert client.post(_new(institution), {"text": EXAMPLE}).status_code == 403
    assert client.post(f"/traffic/{institution.slug}/aturan/{rule.pk}/hapus/", {"confirm": "yes"}).status_code == 403
    assert CustomRule.objects.filter(pk=rule.pk).exists()


def test_an_outsider_gets_404_and_never_sees_another_institutions_rule(institution, outsider) -> None:  # type: ignore[no-untyped-def]
    rule = CustomRule.objects.create(key="sipp-lama", text=EXAMPLE, institution=institution)
    client = _client(outsider)  # the Administrator of another institution
    assert client.get(f"/traffic/{institution.slug}/aturan/").status_code == 404
    assert client.get(f"/traffic/{institution.slug}/aturan/{rule.pk}/").status_code == 404
    own = outsider.memberships.first().institution
    assert client.get(f"/traffic/{own.slug}/aturan/{rule.pk}/").status_code == 404
    assert "sipp-lama" not in client.get(f"/traffic/{own.slug}/aturan/").content.decode()

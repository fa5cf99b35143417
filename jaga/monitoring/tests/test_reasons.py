"""A check's reason is stored as a coded sentence and read in each reader's language."""

from __future__ import annotations

import json
import os

import pytest
from django.utils import translation

from jaga.monitoring.kinds.http import REASONS as HTTP
from jaga.monitoring.reasons import ENGINE, reason_dump, reason_read, reason_text


def test_a_reason_is_stored_small_and_read_in_each_language() -> None:
    stored = reason_dump(HTTP("up", status=200, ms=123))
    assert stored == '["http.up",{"status":200,"ms":123}]'  # a raw result is written 1,440 times a day
    assert reason_read(stored, translate=False) == "HTTP 200 dalam 123 ms"
    with translation.override("en"):
        assert reason_read(stored) == "HTTP 200 in 123 ms"
    with translation.override("id"):
        assert reason_read(stored) == "HTTP 200 dalam 123 ms"


def test_a_reason_holds_another_sentence_and_plain_values() -> None:
    inner = HTTP("unexpected_status", status=503, url="http://pn-bangil.go.id/", expected="200-399")
    stored = reason_dump(ENGINE("probe_offline", probe="bangil-1", reason=inner))
    assert json.loads(stored)[1]["reason"][0] == "http.unexpected_status"
    with translation.override("en"):
        assert reason_read(stored) == (
            "Probe bangil-1 offline: its control target cannot be reached; result ignored "
            "(HTTP 503 from http://pn-bangil.go.id/ (expected 200-399))"
        )


def test_a_reason_of_a_kind_not_imported_yet_is_found_through_the_registry() -> None:
    import subprocess
    import sys

    # A fresh process (a web worker that has drawn no page of that kind yet): the tcp kind is not imported.
    stored = json.dumps(["tcp.up", {"port": 22, "ms": 4}])
    script = (
        "import sys, django; django.setup(); from django.utils import translation;"
        "from jaga.monitoring.reasons import reason_read; assert 'jaga.monitoring.kinds.tcp' not in sys.modules;"
        f"translation.activate('en'); print(reason_read({stored!r}))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env={**os.environ})
    assert out.stdout.strip() == "Port 22 open, connected in 4 ms"


def test_an_older_versions_sentence_is_shown_as_it_was_stored() -> None:
    for old in ("HTTP 503 dari https://pn-bangil.go.id/", "[tidak dikenal] koneksi ditolak", '["nope.gone",{}]', ""):
        assert reason_text(old) is None
        assert reason_read(old) == old


def test_the_migration_turns_the_common_reasons_of_older_versions_into_sentences() -> None:
    from importlib import import_module

    sentence_of = import_module("jaga.monitoring.migrations.0007_reasons_as_sentences").sentence_of
    # As the older versions wrote them (their f-strings), and what an English reader reads now.
    cases = {
        "HTTP 200 dalam 231 ms": "HTTP 200 in 231 ms",
        "HTTP 503 dari https://pn-bangil.go.id/ (diharapkan 200-399)": (
            "HTTP 503 from https://pn-bangil.go.id/ (expected 200-399)"
        ),
        "Koneksi ke pn-bangil.go.id port 443 ditolak / connection refused (port 443)": (
            "Connection to pn-bangil.go.id port 443 refused"
        ),
        "Nama domain pn-bangil.go.id tidak dapat ditemukan (DNS) / DNS lookup failed for pn-bangil.go.id": (
            "DNS lookup failed for pn-bangil.go.id"
        ),
        "Batas waktu 10 detik terlampaui saat menghubungi https://pn-bangil.go.id/ / timed out after 10 s": (
            "Timed out after 10 s while connecting to https://pn-bangil.go.id/"
        ),
        "Sertifikat sah, berlaku sampai 2027-03-01 (88 hari lagi)": (
            "Certificate valid, valid until 2027-03-01 (88 days left)"
        ),
        "Dijeda / paused": "Paused",
        "Semua 12 halaman wajib ada dan terkini": "All 12 required pages are present and up to date",
    }
    for old, english in cases.items():
        stored = sentence_of(old)
        assert stored is not None, old
        assert reason_read(stored, translate=False) == old.split(" / ")[0], old
        with translation.override("en"):
            assert reason_read(stored) == english
    assert sentence_of("Galat yang jarang: sesuatu") is None  # kept as it was written


@pytest.mark.django_db
def test_the_migration_rewrites_stored_status_changes_and_monitors(site) -> None:  # type: ignore[no-untyped-def]
    from importlib import import_module

    from django.apps import apps
    from django.utils import timezone

    from jaga.monitoring.models import Monitor, StatusChange

    monitor = Monitor.objects.create(site=site, name="Beranda", kind="http", config={})
    Monitor.objects.filter(pk=monitor.pk).update(status_reason="HTTP 200 dalam 12 ms")
    StatusChange.objects.create(monitor=monitor, at=timezone.now(), from_status="up", to_status="down",
                                reason="HTTP 503 dari http://x/ (diharapkan 200-399)")  # fmt: skip
    StatusChange.objects.create(monitor=monitor, at=timezone.now(), from_status="down", to_status="up",
                                reason="sesuatu yang lain")  # fmt: skip
    import_module("jaga.monitoring.migrations.0007_reasons_as_sentences").forwards(apps, None)
    monitor.refresh_from_db()
    assert monitor.status_reason == '["http.up",{"status":200,"ms":12}]'
    assert sorted(StatusChange.objects.values_list("reason", flat=True)) == [
        '["http.unexpected_status",{"status":503,"url":"http://x/","expected":"200-399"}]',
        "sesuatu yang lain",
    ]


def test_a_fraction_reads_with_each_languages_decimal_mark() -> None:
    from jaga.monitoring.content.fetch import PAGES

    stored = reason_dump(PAGES("fresh", age=1.6, max=7, basis="feed"))
    with translation.override("id"):
        assert reason_read(stored).startswith("Segar: pembaruan terakhir 1,6 hari lalu")
    with translation.override("en"):
        assert reason_read(stored).startswith("Fresh: last updated 1.6 days ago")
    assert reason_read(reason_dump(PAGES("fresh", age=120.0, max=7, basis="feed")), translate=False).startswith(
        "Segar: pembaruan terakhir 120 hari lalu"
    )


def test_the_migration_turns_older_address_refusals_into_sentences() -> None:
    from importlib import import_module

    sentence_of = import_module("jaga.monitoring.migrations.0008_address_refusals_as_sentences").sentence_of
    # As the older version's address guard wrote them (one string in both languages), and what each reads now.
    cases = {
        "Alamat 127.0.0.1 (loopback) tidak boleh diperiksa; administrator Jaga dapat mengizinkan alamat internal "
        "untuk instansi ini / address 127.0.0.1 is internal and refused unless a Jaga administrator allows internal "
        "addresses for this institution": (
            "Alamat 127.0.0.1 (loopback) tidak boleh diperiksa; administrator Jaga dapat mengizinkan alamat "
            "internal untuk instansi ini",
            "Address 127.0.0.1 (loopback) may not be checked; a Jaga administrator can allow internal addresses "
            "for this institution",
        ),
        "Alamat 10.0.0.5 (alamat Jaga sendiri / Jaga's own address) tidak boleh diperiksa; administrator Jaga "
        "dapat mengizinkan alamat internal untuk instansi ini / address 10.0.0.5 is internal and refused": (
            "Alamat 10.0.0.5 (alamat Jaga sendiri) tidak boleh diperiksa; administrator Jaga dapat mengizinkan "
            "alamat internal untuk instansi ini",
            "Address 10.0.0.5 (Jaga's own address) may not be checked; a Jaga administrator can allow internal "
            "addresses for this institution",
        ),
        "Alamat 192.168.1.9 adalah alamat jaringan privat; izinkan dengan JAGA_HTTP_ALLOW_PRIVATE=true / address "
        "192.168.1.9 is in a private range, refused unless JAGA_HTTP_ALLOW_PRIVATE=true": (
            "Alamat 192.168.1.9 adalah alamat jaringan privat; izinkan dengan JAGA_HTTP_ALLOW_PRIVATE=true",
            "Address 192.168.1.9 is in a private network range; allow it with JAGA_HTTP_ALLOW_PRIVATE=true",
        ),
        "Alamat 224.0.0.1 tidak dapat diperiksa / address 224.0.0.1 cannot be checked (reserved or multicast)": (
            "Alamat 224.0.0.1 tidak dapat diperiksa (alamat khusus atau multicast)",
            "Address 224.0.0.1 cannot be checked (reserved or multicast)",
        ),
    }
    for old, (indonesian, english) in cases.items():
        stored = sentence_of(old)
        assert stored is not None, old
        assert reason_read(stored, translate=False) == indonesian
        with translation.override("en"):
            assert reason_read(stored) == english
    assert sentence_of("Alamat situs berubah") is None  # not a refusal: kept as it was written

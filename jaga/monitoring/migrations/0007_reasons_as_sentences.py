"""Reasons become sentences (jaga.monitoring.reasons): the common reasons of older versions, kept for ever in
status changes and shown on each monitor, are rewritten as the coded sentences that now read in each language.

A reason that matches none of these (a rarer failure) is kept as it was written and shown so. Raw results are
left as they are: they are pruned after JAGA_RESULTS_RETENTION_HOURS. The codes written here are stable (a
book keeps its codes), so this migration writes their JSON itself instead of importing the books.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import migrations

from jaga.core.migrating import rows_rewrite

_N = r"(\d+)"
_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(rf"^HTTP {_N} dalam {_N} ms$"), lambda m: ["http.up", {"status": int(m[1]), "ms": int(m[2])}]),
    (
        re.compile(rf"^HTTP {_N} dari (\S+) \(diharapkan (.+)\)$"),
        lambda m: ["http.unexpected_status", {"status": int(m[1]), "url": m[2], "expected": m[3]}],
    ),
    (
        re.compile(rf"^HTTP {_N}: pengalihan tidak diikuti / redirect not followed$"),
        lambda m: ["http.redirect_not_followed", {"status": int(m[1])}],
    ),
    (
        re.compile(rf"^Lambat: {_N} ms \(batas {_N} ms\) / slow response$"),
        lambda m: ["http.slow", {"ms": int(m[1]), "limit": int(m[2])}],
    ),
    (
        re.compile(rf"^Koneksi ke (\S+) port {_N} ditolak / connection refused.*$"),
        lambda m: ["net.refused", {"host": m[1], "port": int(m[2])}],
    ),
    (
        re.compile(r"^Nama domain (\S+) tidak dapat ditemukan \(DNS\) / DNS lookup failed for \S+$"),
        lambda m: ["net.dns", {"host": m[1]}],
    ),
    (
        re.compile(r"^Batas waktu ([\d.]+) detik terlampaui saat menghubungi (\S+) / timed out after .*$"),
        lambda m: ["net.timeout", {"seconds": m[1], "url": m[2]}],
    ),
    (
        re.compile(r"^Batas waktu ([\d.]+) detik terlampaui / timed out$"),
        lambda m: ["engine.timeout", {"seconds": m[1]}],
    ),
    (
        re.compile(rf"^Port {_N} terbuka, terhubung dalam {_N} ms$"),
        lambda m: ["tcp.up", {"port": int(m[1]), "ms": int(m[2])}],
    ),
    (
        re.compile(r"^Sertifikat sah, berlaku sampai (\S+) \((-?\d+) hari lagi\)$"),
        lambda m: ["tls.up", {"expiry": ["tls.expiry", {"date": m[1], "days": int(m[2])}]}],
    ),
    (re.compile(rf"^Semua {_N} halaman wajib ada dan terkini$"), lambda m: ["pages.required_ok", {"total": int(m[1])}]),
    (re.compile(r"^Usia konten belum diketahui \(menunggu perubahan teramati\)$"), lambda m: ["pages.unknown_age"]),
    (re.compile(r"^Dijeda / paused$"), lambda m: ["engine.paused"]),
    (re.compile(r"^Dilanjutkan / resumed$"), lambda m: ["engine.resumed"]),
    (re.compile(r"^Belum diperiksa$"), lambda m: ["engine.not_checked"]),
]


def sentence_of(old: str) -> str | None:
    """The coded sentence of an older version's reason, or None when it is none of the common ones."""
    for pattern, build in _PATTERNS:
        match = pattern.match(old)
        if match:
            return json.dumps(build(match), ensure_ascii=False, separators=(",", ":"))
    return None


def _rewrite(model: Any, field: str) -> None:
    rows = model.objects.exclude(**{field: ""}).exclude(**{f"{field}__startswith": "["})
    rows_rewrite(rows, field, sentence_of)


def forwards(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps.get_model("monitoring", "StatusChange"), "reason")
    _rewrite(apps.get_model("monitoring", "Monitor"), "status_reason")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0006_finding_text")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""The reports app's part of ``jaga demo``: a situation report sent to the Secretary and an evidence pack."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Any

import pytest


@pytest.mark.django_db(transaction=True)
def test_the_demo_sends_last_months_report_and_builds_an_evidence_pack(demo: Any) -> None:
    from jaga.reports.models import Report

    report = Report.objects.get(kind="situation", sent_at__isnull=False)
    assert report.number
    [line] = [line for line in demo.done if line.startswith("paket bukti akreditasi: ")]
    path = Path(line.removeprefix("paket bukti akreditasi: ").rsplit(" (", 1)[0])
    with zipfile.ZipFile(path) as pack:
        sums = dict(reversed(line.split("  ", 1)) for line in pack.read("SHA256SUMS").decode().splitlines())
        for name, digest in sums.items():
            assert hashlib.sha256(pack.read(name)).hexdigest() == digest
        sent = [name for name in sums if name.startswith("aktivitas-5/") and "/laporan/" in name]
        assert sent
        assert report.pdf_sha256 in {sums[name] for name in sent}

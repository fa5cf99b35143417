"""A task that does long SOP work (module level, so that a worker in another process can import it)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task


@task(queue_name="long")
def backup_that_hangs_the_first_time(*, institution_id: int, marker: str) -> int:
    """Open the backup's ledger entry; the first run then hangs until its worker is killed, a later one ends."""
    from jaga.core.models import Institution
    from jaga.sop.services import ledger_close, ledger_open

    institution = Institution.objects.get(pk=institution_id)
    entry = ledger_open(activity_key="backup", institution=institution, notes="Pencadangan malam")
    pid_file = Path(marker + ".pid")
    if not pid_file.exists():
        pid_file.write_text(str(os.getpid()))
        time.sleep(120)
    ledger_close(entry=entry, outcome="success")
    return int(entry.pk)

"""The build's own steps (the Makefile), where what they leave behind matters to the running Jaga."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_make_messages_leaves_catalogues_every_user_can_read() -> None:
    """`jaga` runs with umask 077: a catalogue compiled by it was 0600, and Jaga run as another user than the
    one who built it spoke no English. `make messages` leaves every .mo 0644, also one made 0600 before."""
    catalogues = sorted((ROOT / "jaga" / "locale").glob("*/LC_MESSAGES/django.po"))
    assert catalogues
    for po in catalogues:
        if po.with_suffix(".mo").exists():
            po.with_suffix(".mo").chmod(0o600)  # as an earlier build under umask 077 left it
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    done = subprocess.run(
        ["sh", "-c", "umask 077 && exec make -s messages"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    modes = {po.parent.parent.name: oct(stat.S_IMODE(po.with_suffix(".mo").stat().st_mode)) for po in catalogues}
    assert modes == {po.parent.parent.name: "0o644" for po in catalogues}

"""SQLite's quick_check at the start of ``jaga up`` and every day, on files damaged for real."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper

from jaga.core.integrity import (
    EVENT_DAMAGED,
    SCHEDULE_KEY,
    DatabaseDamaged,
    integrity_check_daily,
    integrity_schedule_ensure,
    sqlite_quick_check,
)
from jaga.core.tests.processes_helpers import JAGA, jaga_env, shared_database_url

sqlite_only = pytest.mark.skipif("os.environ.get('DATABASE_URL', 'sqlite').startswith('postgres')")


def damage_page(path: Path, page: int, *, offset: int = 8) -> None:
    """Overwrite 200 bytes of one page of an SQLite file, as a bad sector would (offset 0: its header too)."""
    with closing(sqlite3.connect(path)) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as handle:
        handle.seek((page - 1) * page_size + offset)
        handle.write(os.urandom(200))


def cold_damaged_file(tmp_path: Path) -> Path:
    """A file whose hot table reads fine while an index written long ago is damaged."""
    path = tmp_path / "damaged.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE hot (a INTEGER PRIMARY KEY, b TEXT)")
        db.execute("CREATE TABLE cold (a INTEGER PRIMARY KEY, b TEXT)")
        db.execute("CREATE INDEX cold_b ON cold (b)")
        db.executemany("INSERT INTO cold (b) VALUES (?)", [(f"baris {i} " * 5,) for i in range(3000)])
        db.execute("INSERT INTO hot (b) VALUES ('x')")
        db.commit()
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    damage_page(path, pages - 2)  # one of the index's last pages
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT count(*) FROM hot").fetchone() == (1,)  # nothing shows in daily use
    return path


@pytest.fixture
def damaged_alias(tmp_path: Path, db: None) -> Iterator[str]:
    path = cold_damaged_file(tmp_path)
    settings_dict = {**connection.settings_dict, "ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
    settings_dict["OPTIONS"] = {}
    connections["damaged"] = DatabaseWrapper(settings_dict, alias="damaged")
    yield "damaged"
    connections["damaged"].close()
    del connections["damaged"]


@sqlite_only
def test_a_sound_database_passes(db: None) -> None:
    assert sqlite_quick_check() == []
    assert integrity_check_daily() == "ok"


@pytest.mark.postgres
def test_on_postgresql_it_checks_nothing(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL run")
    assert sqlite_quick_check() is None
    assert integrity_check_daily() == "not SQLite"
    integrity_schedule_ensure()
    from jaga.core.models import Schedule

    assert not Schedule.objects.filter(key=SCHEDULE_KEY).exists()


def test_it_finds_damage_outside_the_tables_in_daily_use(damaged_alias: str) -> None:
    problems = sqlite_quick_check(alias=damaged_alias)
    assert problems
    assert any("page" in problem for problem in problems), problems
    assert len(problems) <= 10


def test_the_daily_check_fails_says_what_to_do_and_tells_the_administrators(
    damaged_alias: str, institution: Any, make_user: Any
) -> None:
    from jaga.core.models import NotificationChannel, NotificationDelivery, NotificationRoute

    make_user("administrator", institution)
    channel = NotificationChannel.objects.create(institution=institution, name="Kanal", url="json://127.0.0.1:9/")
    NotificationRoute.objects.create(
        institution=institution, event_type=EVENT_DAMAGED, role="administrator", channel=channel
    )
    with pytest.raises(DatabaseDamaged) as raised:
        integrity_check_daily(alias=damaged_alias)
    message = str(raised.value)
    assert "damaged.sqlite3 rusak" in message
    assert "pulihkan folder data dari cadangan terakhir yang baik" in message
    assert "restore the data folder from the last good backup" in message
    delivery = NotificationDelivery.objects.get(event_type=EVENT_DAMAGED)
    assert "Basis data Jaga rusak" in delivery.title
    assert "damaged.sqlite3" in delivery.body


@sqlite_only
def test_the_scheduler_declares_the_daily_check(db: None) -> None:
    from jaga.core.models import Schedule

    integrity_schedule_ensure()
    schedule = Schedule.objects.get(key=SCHEDULE_KEY)
    assert schedule.task_path == "jaga.core.tasks.database_integrity_check"
    assert schedule.calendar is not None
    assert schedule.calendar["every"] == "daily"


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_jaga_up_refuses_to_start_on_a_damaged_file_and_says_what_to_do(tmp_path: Path) -> None:
    with shared_database_url(tmp_path) as url:
        copy = tmp_path / "copy.sqlite3"  # the test's own database is copied back afterwards: damage a copy
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as source, closing(sqlite3.connect(copy)) as dest:
            source.backup(dest)
    with closing(sqlite3.connect(copy)) as db:
        # A table nobody reads at start (the migrations table, which is read, stays sound).
        (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'axes_accesslog'").fetchone()
    damage_page(copy, root, offset=0)
    result = subprocess.run(
        [JAGA, "up"],
        env=jaga_env(tmp_path, DATABASE_URL=f"sqlite:///{copy}", JAGA_PROCESSES="scheduler"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "rusak (PRAGMA quick_check" in result.stderr
    assert "Restoring a damaged database" in result.stderr

"""Monitoring benchmark: the real probe against a loopback HTTP server, and the uptime queries over a year.

    python -m bench.monitoring --suite               # the probe lines of docs/benchmarks.md, one table
    python -m bench.monitoring                       # probe: 10,000 HTTP monitors, 1,000 targets, 60 s, 10 minutes
    python -m bench.monitoring --duration 180 --targets 4 --profile
    python -m bench.monitoring --queries             # uptime queries over a year of rollups
    python -m bench.monitoring --database-url postgresql://postgres@127.0.0.1:5432/postgres

Everything happens in a fresh temporary JAGA_DATA_DIR (SQLite there by default). With ``--database-url`` a
fresh database ``jaga_bench_<pid>`` is created on that PostgreSQL server and dropped afterwards. Results are
printed and written as JSON (``--output``). See docs/benchmarks.md for the figures and how to read them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SERVER_PORTS = 4


def free_ports(count: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


# --- the database --------------------------------------------------------------------------------------


def database_prepare(database_url: str | None) -> tuple[str | None, Callable[[], None]]:
    """A fresh database: SQLite in the data dir, or a new database on the given PostgreSQL server."""
    if not database_url:
        return None, lambda: None
    import psycopg

    parts = urlsplit(database_url)
    name = f"jaga_bench_{os.getpid()}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def django_start(data_dir: Path, database_url: str | None) -> None:
    os.environ["JAGA_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("JAGA_LOG_LEVEL", "WARNING")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jaga.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def database_bytes() -> int:
    """Bytes the database uses now (SQLite: used pages, WAL included; PostgreSQL: pg_database_size)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA freelist_count")
            pages -= cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            return int(pages * cursor.fetchone()[0])
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


def monitors_create(count: int, *, ports: list[int], interval: int, spread_from: datetime) -> list[int]:
    """``count`` HTTP monitors, 50 per site, first due spread evenly over one interval."""
    from jaga.core.models import Institution, Site
    from jaga.monitoring.models import Monitor

    institution = Institution.objects.create(name="Pengadilan Bench", slug=f"bench-{os.getpid()}")
    sites = Site.objects.bulk_create(
        Site(institution=institution, name=f"Situs {n}", base_url=f"http://127.0.0.1:{ports[0]}/")
        for n in range((count + 49) // 50)
    )
    monitors = []
    for n in range(count):
        port = ports[n % len(ports)]
        path = "/fail" if n % 50 == 0 else "/slow" if n % 10 == 1 else f"/page/{n % 100}"
        monitors.append(
            Monitor(
                site=sites[n // 50],
                name=f"Monitor {n}",
                kind="http",
                config={"url": f"http://127.0.0.1:{port}{path}", "keyword": "Beranda"},
                interval_seconds=interval,
                timeout_seconds=10.0,
                next_check_at=spread_from + timedelta(seconds=interval * n / count),
            )
        )
    Monitor.objects.bulk_create(monitors, batch_size=1000)
    return list(Monitor.objects.order_by("pk").values_list("pk", flat=True))


# --- measuring a process --------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def memory_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = memory_kb_total()
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_mb": memory // 1024,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_before": os.getloadavg(),
    }


def memory_kb_total() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1])
    return 0


# --- the query benchmark -----------------------------------------------------------------------------------


ROLLUP_COLUMNS = (
    "monitor_id",
    "period",
    "bucket",
    "checks",
    "up",
    "down",
    "maintenance",
    "response_ms_sum",
    "response_ms_count",
    "response_ms_min",
    "response_ms_max",
)


def rows_insert(table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]], batch: int = 200_000) -> int:
    """Fast bulk insert: COPY on PostgreSQL, executemany in large transactions on SQLite."""
    from django.db import connection, transaction

    total = 0
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                total += 1
        return total
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")  # a throw-away benchmark database: no need to sync each batch
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    adapt = connection.ops.adapt_datetimefield_value
    chunk: list[tuple[Any, ...]] = []

    def write() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, chunk)

    for row in rows:
        chunk.append(tuple(adapt(v) if isinstance(v, datetime) else v for v in row))
        if len(chunk) >= batch:
            write()
            total += len(chunk)
            chunk = []
    if chunk:
        write()
        total += len(chunk)
    return total


def rollup_rows(ids: list[int], period: str, buckets: list[datetime], checks: int) -> Iterator[tuple[Any, ...]]:
    for pk in ids:
        for index, bucket in enumerate(buckets):
            down = checks if (pk * 7 + index) % 211 == 0 else 0
            up = checks - down
            yield (pk, period, bucket, checks, up, down, 0, 120.0 * up, up, 80.0, 400.0)


def timed(function: Callable[[], object], repetitions: int) -> dict[str, float | None]:
    durations = []
    for _ in range(repetitions):
        began = time.perf_counter()
        function()
        durations.append((time.perf_counter() - began) * 1000)
    return {
        "p50_ms": round(percentile(durations, 0.5) or 0, 1),
        "p95_ms": round(percentile(durations, 0.95) or 0, 1),
        "max_ms": round(max(durations), 1),
        "n": repetitions,
    }


def queries_bench(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from jaga.monitoring.models import Monitor, Rollup, StatusChange
    from jaga.monitoring.rollups import DAY, HOUR, MINUTE, MINUTE_OVERLAP, floor_to, uptime_summaries_refresh
    from jaga.monitoring.selectors import (
        monitor_response_series,
        monitor_uptime,
        monitor_uptime_bars,
        monitors_uptime,
        uptime_sums_live,
    )

    now = timezone.now()
    ids = monitors_create(args.monitors, ports=[9], interval=args.interval, spread_from=now)
    table = Rollup._meta.db_table
    # The state the rollups leave: days up to yesterday, hours up to the last settled hour, minutes since.
    hour_end = floor_to(floor_to(now, MINUTE) - MINUTE_OVERLAP, HOUR)
    day_end = floor_to(hour_end, DAY)
    days = [day_end - DAY * n for n in range(365, 0, -1)]
    hours = [hour_end - HOUR * n for n in range(30 * 24, 0, -1)]
    minute_now = floor_to(now, MINUTE)
    minutes = [minute_now - MINUTE * n for n in range(24 * 60, 0, -1)]
    sizes: dict[str, Any] = {"empty": database_bytes()}
    fill_seconds: dict[str, float] = {}
    for period, buckets, checks in (("d", days, 1440), ("h", hours, 60), ("m", minutes, 1)):
        began = time.monotonic()
        count = rows_insert(table, ROLLUP_COLUMNS, rollup_rows(ids, period, buckets, checks))
        fill_seconds[period] = round(time.monotonic() - began, 1)
        size = database_bytes()
        sizes[period] = {"rows": count, "bytes": size - sizes.pop("_last", sizes["empty"])}
        sizes["_last"] = size
    began = time.monotonic()
    # A reason as the probe stores it now (a coded sentence, jaga.monitoring.reasons).
    reason = '["http.unexpected_status",{"status":500,"url":"http://127.0.0.1:9/","expected":"200-399"}]'
    changes = ((pk, now - timedelta(days=n), "up", "down", reason, "[]", False) for pk in ids for n in range(10))
    change_rows = rows_insert(
        StatusChange._meta.db_table,
        ("monitor_id", "at", "from_status", "to_status", "reason", "probes", "in_maintenance"),
        changes,
    )
    size = database_bytes()
    sizes["status_changes"] = {"rows": change_rows, "bytes": size - sizes.pop("_last")}
    fill_seconds["status_changes"] = round(time.monotonic() - began, 1)
    if args.analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    per_row = {key: value["bytes"] / value["rows"] for key, value in sizes.items() if isinstance(value, dict)}
    # Kept for ever per monitor and year: 365 day rollups and its status changes (assume 100 a year).
    growth_forever = 365 * per_row["d"] + 100 * per_row["status_changes"]
    bounded = 400 * 24 * per_row["h"] + 3 * 1440 * per_row["m"]

    # What the rollup run does every minute after the rollups themselves: the dashboard summaries.
    began = time.monotonic()
    uptime_summaries_refresh(now=timezone.now() - MINUTE)
    summary_first_s = time.monotonic() - began
    began = time.monotonic()
    uptime_summaries_refresh(now=timezone.now())
    summary_next_s = time.monotonic() - began
    dashboard_all = timed(lambda: monitors_uptime(ids, timezone.now()), args.repetitions_all)
    began = time.monotonic()
    uptime_sums_live(ids, timezone.now())
    live_all_s = time.monotonic() - began

    rng = random.Random(7)
    sites = list(Monitor.objects.values_list("site_id", flat=True).distinct())
    site_ids = {site: list(Monitor.objects.filter(site_id=site).values_list("pk", flat=True)) for site in sites}
    monitors = {m.pk: m for m in Monitor.objects.select_related("site__institution").filter(pk__in=rng.sample(ids, 60))}
    singles = list(monitors.values())
    results = {
        "dashboard_all_monitors": dashboard_all,
        "site_page_50_monitors": timed(
            lambda: monitors_uptime(site_ids[rng.choice(sites)], timezone.now()), args.repetitions
        ),
        "monitor_uptime_single": timed(
            lambda: monitor_uptime(monitor=rng.choice(singles), now=timezone.now()), args.repetitions
        ),
        "uptime_bars_90_days": timed(
            lambda: monitor_uptime_bars(monitor=rng.choice(singles), now=timezone.now()), args.repetitions
        ),
        "response_series_24h": timed(
            lambda: monitor_response_series(
                monitor=rng.choice(singles), start=timezone.now() - timedelta(hours=24), end=timezone.now()
            ),
            args.repetitions,
        ),
    }
    check = monitor_uptime(monitor=singles[0], now=timezone.now())
    return {
        "monitors": args.monitors,
        "rows": {key: value["rows"] for key, value in sizes.items() if isinstance(value, dict)},
        "fill_seconds": fill_seconds,
        "bytes_per_row": {key: round(value, 1) for key, value in per_row.items()},
        "database_bytes": database_bytes(),
        "growth_per_monitor_per_year_kept_forever_bytes": round(growth_forever),
        "bounded_per_monitor_bytes_hours_and_minutes": round(bounded),
        "timings": results,
        "summary_refresh_s": {"first": round(summary_first_s, 2), "next_minute": round(summary_next_s, 2)},
        "all_monitors_computed_live_s": round(live_all_s, 2),
        "sample_uptime": check,
        "analyzed": args.analyze,
        "load_after": os.getloadavg(),
    }


# --- the page benchmark -------------------------------------------------------------------------------------


def _page_data(institution: Any, site: Any, *, now: datetime) -> dict[str, Any]:
    """What the pages show besides rollups: SOP and a month of its ledger, raw results, content monitors."""
    from django.contrib.auth import get_user_model

    from jaga.core.models import Membership
    from jaga.core.services import api_token_create
    from jaga.monitoring.models import CheckResult, Finding, Monitor
    from jaga.sop.models import LedgerEntry
    from jaga.sop.services import sop_resolve, sop_seed_default

    user_model = get_user_model()
    user = user_model.objects.filter(username="bench-admin").first()
    if user is None:
        user = user_model.objects.create_user(username="bench-admin", password="bench-rahasia-123")
        Membership.objects.create(user=user, institution=institution, role="administrator")
    _token, raw = api_token_create(user=user, institution=institution, name="bench")
    sop_seed_default()
    if not LedgerEntry.objects.filter(institution=institution).exists():
        # Activity 1 every 2 hours for 30 days on every site (what the probe's rounds record), plus a few others.
        activities = {a.number: a for a in sop_resolve(institution=institution).activities.all()}
        sites = list(institution.sites.all())
        entries = []
        for number, every, days in (
            (1, timedelta(hours=2), 30),
            (2, timedelta(days=1), 30),
            (5, timedelta(days=7), 90),
        ):
            activity = activities.get(number)
            if activity is None:
                continue
            for s in sites:
                at = now - timedelta(days=days)
                while at < now:
                    entries.append(
                        LedgerEntry(
                            activity=activity,
                            activity_number=number,
                            activity_key=activity.key,
                            institution=institution,
                            site=s,
                            started_at=at,
                            ended_at=at + timedelta(minutes=3),
                            duration=timedelta(minutes=3),
                            time_standard=activity.time_standard,
                            met_standard=True,
                            outcome="failure" if at.hour == 3 else "success",
                        )
                    )
                    at += every
        LedgerEntry.objects.bulk_create(entries, batch_size=2000)
    monitors = list(Monitor.objects.filter(site=site, kind="http").order_by("pk"))
    if not CheckResult.objects.filter(monitor__site=site).exists():
        # 48 hours of raw results (the retention) for the site's 50 monitors, one a minute.
        rows = (
            (m.pk, "bench", now - timedelta(minutes=n), "up", 120.0, "", '{"lag_ms": 12}')
            for m in monitors
            for n in range(48 * 60, 0, -1)
        )
        rows_insert(
            CheckResult._meta.db_table,
            ("monitor_id", "probe", "checked_at", "status", "response_ms", "reason", "details"),
            rows,
        )
    if not Monitor.objects.filter(site=site, kind__in=("freshness", "required_pages", "integrity")).exists():
        pages = [
            {
                "label": f"Halaman {n}",
                "url": f"http://127.0.0.1:9/p/{n}",
                "status": "ok",
                "age_days": n,
                "max_age_days": 30,
            }
            for n in range(15)
        ]
        signals = [
            {"name": name, "trust": trust, "value": "2026-11-01", "reason": "bench"}
            for name, trust in (
                ("last_modified", "medium"),
                ("sitemap", "untrusted"),
                ("feed", "high"),
                ("region", "high"),
            )
        ]
        details = {
            "freshness": {"age_days": 3, "max_age_days": 14, "signal": "feed", "signals": signals},
            "required_pages": {"pages": pages},
            "integrity": {},
        }
        for kind, detail in details.items():
            content = Monitor.objects.create(
                site=site, name=f"Bench {kind}", kind=kind, config={"url": "http://127.0.0.1:9/"}, next_check_at=now
            )
            CheckResult.objects.bulk_create(
                CheckResult(
                    monitor=content, probe="bench", checked_at=now - timedelta(hours=n), status="up", details=detail
                )
                for n in range(48)
            )
            if kind == "integrity":
                Finding.objects.bulk_create(
                    Finding(
                        monitor=content,
                        code="gambling_spam",
                        fingerprint=f"{n:064d}",
                        message="Kata judi online",
                        location=f"http://127.0.0.1:9/p/{n}",
                        evidence="slot gacor maxwin",
                        severity=("critical", "warning", "info")[n % 3],
                        first_seen=now - timedelta(days=1),
                        last_seen=now,
                    )
                    for n in range(30)
                )
    return {"user": user, "token": raw, "monitor": monitors[0]}


def pages_bench(args: argparse.Namespace) -> dict[str, Any]:
    """Real HTTP requests through ``django.test.Client`` (all middleware, sessions, templates) on the filled data."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from jaga.core.models import Institution
    from jaga.monitoring.models import Monitor
    from jaga.monitoring.rollups import uptime_summaries_refresh

    settings.JAGA_REQUIRE_2FA = False  # the bench user is an administrator without a device
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    institution = Institution.objects.filter(slug__startswith="bench-").order_by("pk").first()
    if institution is None:
        raise RuntimeError("no benchmark institution: fill first (--queries or --pages without --reuse)")
    sites = list(institution.sites.order_by("pk"))
    site = sites[len(sites) // 2]
    now = timezone.now()
    began = time.monotonic()
    data = _page_data(institution, site, now=now)
    if connection.vendor == "postgresql":
        # The ledger and results were bulk-inserted just now; autovacuum would analyze them within minutes.
        # Without statistics PostgreSQL picks the institution index for "latest per site" (9 s instead of 14 ms).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setup_s = round(time.monotonic() - began, 1)
    uptime_summaries_refresh(now=now)  # as the rollup run does every minute
    client = Client()
    client.force_login(data["user"])
    api = Client(headers={"authorization": f"Bearer {data['token']}"})
    pages: dict[str, tuple[Client, str]] = {
        "monitoring overview (all sites)": (client, reverse("monitoring:index")),
        "site monitors (50, uptime + 90-day bars)": (client, reverse("monitoring:site_monitors", args=[site.pk])),
        "monitor detail (chart, history)": (client, reverse("monitoring:monitor_detail", args=[data["monitor"].pk])),
        "site freshness": (client, reverse("monitoring:site_freshness", args=[site.pk])),
        "SOP institution dashboard": (client, reverse("sop:institution_dashboard", args=[institution.slug])),
        "API /api/monitors (default page)": (api, "/api/monitors"),
        "API /api/monitors?limit=1000": (api, "/api/monitors?limit=1000"),
    }
    results: dict[str, Any] = {}
    for name, (who, url) in pages.items():
        for _ in range(args.warmup):
            response = who.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        statements: list[str] = []  # counted by a wrapper: the test client's request_started resets queries_log

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any, into: list[str] = statements) -> Any:
            into.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = who.get(url)
        timing = timed(lambda who=who, url=url: who.get(url), args.page_repetitions)  # type: ignore[misc]
        results[name] = {"url": url, **timing, "queries": len(statements), "bytes": len(response.content)}
        print(f"{name}: {results[name]}", file=sys.stderr)
    return {
        "institution": institution.slug,
        "sites_in_institution": len(sites),
        "monitors_in_institution": Monitor.objects.filter(site__institution=institution).count(),
        "setup_s": setup_s,
        "pages": results,
        "load_after": os.getloadavg(),
    }


# --- entry point --------------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.monitoring", description=__doc__.split("\n")[0])
    p.add_argument("--monitors", type=int, default=10_000, help="HTTP monitors (default 10000)")
    p.add_argument("--interval", type=int, default=60, help="check interval in seconds (default 60)")
    p.add_argument("--duration", type=float, default=600, help="probe run in seconds (default 600)")
    p.add_argument("--concurrency", type=int, default=0, help="JAGA_PROBE_CONCURRENCY for the probe (default: its own)")
    p.add_argument("--targets", type=int, default=1000, help="distinct loopback address:port targets (default 1000)")
    p.add_argument("--probes", type=int, default=1, help="jaga probe processes (default 1)")
    p.add_argument("--server-processes", type=int, default=1, help="processes of the page server (default 1)")
    p.add_argument("--kill-after", type=float, default=0, help="SIGKILL the last probe after this many seconds")
    p.add_argument("--profile", action="store_true", help="sample the first probe with py-spy while measured")
    p.add_argument("--suite", action="store_true", help="run the probe lines of docs/benchmarks.md, print a table")
    p.add_argument("--lines", default="", help="with --suite: only these lines (comma-separated keys)")
    p.add_argument(
        "--database-url", default="", help="PostgreSQL server to create a fresh database on (default: SQLite)"
    )
    p.add_argument("--no-rollups", dest="rollups", action="store_false", help="do not run rollups every minute")
    p.add_argument("--queries", action="store_true", help="run the uptime query benchmark instead of the probe")
    p.add_argument("--repetitions", type=int, default=60, help="repetitions of each small query (default 60)")
    p.add_argument("--repetitions-all", type=int, default=50, help="repetitions of the 10,000-monitor query")
    p.add_argument("--analyze", action="store_true", help="run ANALYZE after filling (query benchmark)")
    p.add_argument("--pages", action="store_true", help="time the pages (after the query fill, or on --reuse DIR)")
    p.add_argument("--page-repetitions", type=int, default=40, help="timed requests per page (default 40)")
    p.add_argument("--warmup", type=int, default=3, help="untimed requests per page first (default 3)")
    p.add_argument(
        "--reuse",
        default="",
        help="data directory kept by an earlier --keep run: skip the fill (with --database-url: that database)",
    )
    p.add_argument("--output", default="", help="write the results as JSON to this file")
    p.add_argument("--keep", action="store_true", help="keep the temporary data directory (and database)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.suite:
        from bench.suite import suite_run

        return suite_run(args)
    if args.reuse:
        data_dir, keep = Path(args.reuse), True
        database_url, drop = args.database_url or None, (lambda: None)
    else:
        data_dir, keep = Path(tempfile.mkdtemp(prefix="jaga-bench-")), args.keep
        database_url, drop = database_prepare(args.database_url or None)
    report: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.monitoring " + " ".join(argv if argv is not None else sys.argv[1:]),
        "database": "postgresql" if database_url else "sqlite",
        "machine": machine(),
        "data_dir": str(data_dir) if keep else "",
        "database_url": database_url or "" if keep else "",
    }
    try:
        django_start(data_dir, database_url)
        if args.queries or (args.pages and not args.reuse):
            report["queries"] = queries_bench(args)
        if args.pages:
            report["pages"] = pages_bench(args)
        if not (args.queries or args.pages):
            from bench.probe import probe_bench

            report["probe"] = probe_bench(args, data_dir, database_url)
    finally:
        if not keep:
            drop()
            shutil.rmtree(data_dir, ignore_errors=True)
    text = json.dumps(report, indent=2, default=str)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

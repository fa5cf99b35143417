"""The probe benchmark: real ``jaga probe`` processes against a loopback page server, measured from outside.

What runs:
- a page server in its own process (a small asyncio HTTP/1.1 server, so that its cost does not crowd the
  probes on a 2-core machine), listening on ``--targets`` distinct addresses and ports (127.x.y.z:port);
  2 % of the pages answer 500, 10 % answer after 200 ms, the rest at once with a 1.4 KB page holding the
  keyword;
- ``--monitors`` HTTP keyword monitors spread round-robin over the targets, first due spread over one interval;
- ``--probes`` real ``jaga probe`` processes (subprocesses, their own CPU and memory read from /proc);
- in this process, every minute, what the worker does: ``rollups_compute`` (minute, hour and day rollups and
  the uptime summaries), its CPU time read with ``time.process_time``; on PostgreSQL also the CPU of the
  database server's backends of this database (they are processes on this machine).

Measured after one interval of warm-up: CPU per check (probes, rollups, database server; separately and
together), scheduling lag (due time to check start) p50/p99/max from every result, peak memory of each
probe, database bytes per check (and per table on SQLite), checks done against checks due, checks doubled
(two results of a monitor closer than half its interval), and with ``--kill-after`` the blind spot that a
probe killed with SIGKILL leaves: how late its claimed monitors are checked by the others.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.monitoring import database_bytes

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE = ("<html><head><title>PN Bench</title></head><body><h1>Beranda</h1>" + "<p>Berita terbaru.</p>" * 60).encode()


# --- the page server ---------------------------------------------------------------------------------------


def _serve(targets: list[tuple[str, int]], ready: Any) -> None:
    import asyncio

    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass

    def response(status: str, body: bytes) -> bytes:
        head = f"HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
        return head.encode() + body

    ok = response("200 OK", PAGE)
    failed = response("500 Internal Server Error", b"Internal Server Error")

    class Page(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport = transport
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
                path = head.split(b" ", 2)[1] if b" " in head else b"/"
                if path.startswith(b"/fail"):
                    self.transport.write(failed)
                elif path.startswith(b"/slow"):
                    asyncio.get_running_loop().call_later(0.2, self._late)
                else:
                    self.transport.write(ok)

        def _late(self) -> None:
            if not self.transport.is_closing():
                self.transport.write(ok)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for host, port in targets:
            await loop.create_server(Page, host, port, backlog=512, reuse_address=True)
        ready.put(True)
        await asyncio.Event().wait()

    asyncio.run(main())


def targets_make(count: int) -> list[tuple[str, int]]:
    """``count`` distinct loopback address:port pairs: up to 4 ports on each of 127.0.0.1, 127.0.1.2, ..."""
    import socket

    ports: list[int] = []
    for _ in range(min(count, 4)):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
    targets = []
    for n in range(count):
        address = n // len(ports)
        host = "127.0.0.1" if address == 0 else f"127.{(address >> 8) & 255}.{address & 255}.{2 + (address >> 16)}"
        targets.append((host, ports[n % len(ports)]))
    return targets


def server_start(targets: list[tuple[str, int]], processes: int = 1) -> list[multiprocessing.process.BaseProcess]:
    context = multiprocessing.get_context("spawn")
    started = []
    for part in range(processes):
        ready = context.Queue()
        process = context.Process(target=_serve, args=(targets[part::processes], ready), daemon=True)
        process.start()
        ready.get(timeout=60)
        started.append(process)
    return started


# --- measuring processes -----------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def memory_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def table_bytes() -> dict[str, int]:
    """Bytes per monitoring table and its indexes (SQLite: dbstat; PostgreSQL: pg_total_relation_size)."""
    from django.db import connection

    tables = ("monitoring_checkresult", "monitoring_rollup", "monitoring_monitor", "monitoring_uptimesummary")
    sizes: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT COALESCE(SUM(pgsize - unused), 0) FROM dbstat WHERE name = %s OR name IN "
                    "(SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s)",
                    [table, table],
                )
            else:
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
            sizes[table] = int(cursor.fetchone()[0])
    return sizes


def backend_pids() -> list[int]:
    """PostgreSQL server processes serving this database (on this machine): their CPU is the database's."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [int(row[0]) for row in cursor.fetchall()]


# --- the monitors ----------------------------------------------------------------------------------------


def monitors_create(count: int, *, targets: list[tuple[str, int]], interval: int, spread_from: datetime) -> None:
    import os as _os

    from jaga.core.models import Institution, Site
    from jaga.monitoring.models import Monitor

    institution = Institution.objects.create(name="Pengadilan Bench", slug=f"bench-{_os.getpid()}")
    sites = Site.objects.bulk_create(
        Site(institution=institution, name=f"Situs {n}", base_url="http://127.0.0.1/")
        for n in range((count + 49) // 50)
    )
    batch: list[Monitor] = []
    for n in range(count):
        host, port = targets[n % len(targets)]
        path = "/fail" if n % 50 == 0 else "/slow" if n % 10 == 1 else f"/page/{n % 100}"
        batch.append(
            Monitor(
                site=sites[n // 50],
                name=f"Monitor {n}",
                kind="http",
                config={"url": f"http://{host}:{port}{path}", "keyword": "Beranda"},
                interval_seconds=interval,
                timeout_seconds=10.0,
                next_check_at=spread_from + timedelta(seconds=interval * n / count),
            )
        )
        if len(batch) == 2000:
            Monitor.objects.bulk_create(batch)
            batch = []
    Monitor.objects.bulk_create(batch)


# --- profiling ---------------------------------------------------------------------------------------------


def profile_start(pid: int, seconds: float, path: Path) -> subprocess.Popen[bytes] | None:
    """py-spy (pip install py-spy) samples the probe from outside at 100 Hz for the measured window."""
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        print("--profile: py-spy is not installed (.venv/bin/pip install py-spy)", file=sys.stderr)
        return None
    return subprocess.Popen(
        [
            str(spy),
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--rate",
            "100",
            "--nonblocking",
            "--format",
            "raw",
            "-o",
            str(path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def profile_summary(path: Path, top: int = 25) -> dict[str, Any]:
    """Collapsed stacks → the functions with most samples on top of the stack (self) and anywhere (total)."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    if not path.exists():
        return {}
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame(f) for f in stack.split(";")]
        # Waiting in epoll is the loop being idle, not work.
        if frames and frames[-1].startswith("EpollSelector.select"):
            continue
        samples += count
        own[frames[-1]] += count
        for frame in set(frames):
            total[frame] += count

    def share(counter: Counter[str]) -> list[str]:
        return [f"{100 * n / max(1, samples):5.1f}% {name}" for name, n in counter.most_common(top)]

    return {"busy_samples": samples, "self": share(own), "total": share(total)}


def _frame(text: str) -> str:
    name, _, where = text.partition(" (")
    return f"{name} ({where.split(':')[0].rsplit('/', 1)[-1].rstrip(')')})" if where else name


# --- the run -----------------------------------------------------------------------------------------------


def probe_bench(args: argparse.Namespace, data_dir: Path, database_url: str | None) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from jaga.monitoring.models import CheckResult, Monitor, Rollup
    from jaga.monitoring.rollups import rollups_compute

    targets = targets_make(args.targets)
    servers = server_start(targets, processes=args.server_processes)
    start = timezone.now() + timedelta(seconds=5)
    monitors_create(args.monitors, targets=targets, interval=args.interval, spread_from=start)
    connection.close()

    env = dict(
        os.environ,
        JAGA_DATA_DIR=str(data_dir),
        JAGA_LOG_LEVEL="WARNING",
        JAGA_HTTP_ALLOW_INTERNAL="true",  # the pages are served on loopback
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    if args.concurrency:
        env["JAGA_PROBE_CONCURRENCY"] = str(args.concurrency)
    jaga = Path(sys.executable).with_name("jaga")
    logs = [(data_dir / f"probe-{n + 1}.log").open("wb") for n in range(args.probes)]
    probes = [
        subprocess.Popen(
            [str(jaga), "probe", "--name", f"bench-{n + 1}"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        for n, log in enumerate(logs)
    ]
    warmup = min(args.interval, args.duration / 5)
    t_start = time.monotonic()
    rollup_seconds: list[float] = []
    rollup_cpu = 0.0
    next_rollup = t_start + 60
    measured_from: datetime | None = None
    cpu_from: dict[int, float] = {}
    db_cpu_from: dict[int, float] = {}
    bytes_from = 0
    tables_from: dict[str, int] = {}
    wall_from = 0.0
    killed: dict[str, Any] | None = None
    spy = None
    spy_path = data_dir / "profile.raw"
    try:
        while (elapsed := time.monotonic() - t_start) < args.duration:
            for probe in probes:
                if probe.poll() is not None and not (killed and probe.pid == killed["pid"]):
                    raise RuntimeError(f"jaga probe exited early ({probe.returncode}); see {data_dir}/probe-*.log")
            if measured_from is None and elapsed >= warmup:
                measured_from, wall_from = timezone.now(), time.monotonic()
                cpu_from = {p.pid: cpu_seconds(p.pid) for p in probes}
                db_cpu_from = {pid: cpu_seconds(pid) for pid in backend_pids()}
                bytes_from, tables_from = database_bytes(), table_bytes()
                rollup_cpu, rollup_seconds = 0.0, []
                if args.profile:
                    spy = profile_start(probes[0].pid, args.duration - elapsed - 2, spy_path)
            if args.kill_after and killed is None and elapsed >= args.kill_after:
                killed = _kill(probes[-1], f"bench-{len(probes)}", timezone.now())
            if args.rollups and time.monotonic() >= next_rollup:
                began, began_cpu = time.monotonic(), time.process_time()
                rollups_compute(now=timezone.now())
                rollup_seconds.append(time.monotonic() - began)
                rollup_cpu += time.process_time() - began_cpu
                next_rollup += 60
            connection.close()
            time.sleep(0.5)
        assert measured_from is not None
        wall = time.monotonic() - wall_from
        ended = {killed["pid"]: killed["cpu"]} if killed else {}
        cpu = {p.pid: ended.get(p.pid, cpu_seconds(p.pid)) - cpu_from.get(p.pid, 0.0) for p in probes}
        peaks = [memory_kb(p.pid, "VmHWM") for p in probes if not (killed and p.pid == killed["pid"])]
        db_cpu = sum(max(0.0, cpu_seconds(pid) - before) for pid, before in db_cpu_from.items())
        measured_to = timezone.now()
        bytes_to, tables_to = database_bytes(), table_bytes()
        late = Monitor.objects.filter(next_check_at__lt=measured_to - timedelta(seconds=2), claimed_until__isnull=True)
        overdue = late.count()
    finally:
        for probe in probes:
            if probe.poll() is None:
                probe.send_signal(signal.SIGTERM)
        for probe in probes:
            try:
                probe.wait(timeout=30)
            except subprocess.TimeoutExpired:
                probe.kill()
        for server in servers:
            server.terminate()
        for log in logs:
            log.close()
        if spy is not None:
            spy.wait(timeout=60)

    window = CheckResult.objects.filter(checked_at__gte=measured_from, checked_at__lt=measured_to)
    rows = list(window.values_list("monitor_id", "checked_at", "lag_ms", "status"))
    lags = [float(lag) / 1000 for _, _, lag, _ in rows if lag is not None]
    checks = len(rows)
    statuses = Counter(status for *_, status in rows)
    doubled = _doubled(rows, args.interval)
    minute_rollups = Rollup.objects.filter(period="m", bucket__gte=measured_from, bucket__lt=measured_to).count()
    probe_cpu = sum(cpu.values())
    growth = bytes_to - bytes_from
    report: dict[str, Any] = {
        "monitors": args.monitors,
        "targets": len(set(targets)),
        "probes": args.probes,
        "interval_s": args.interval,
        "duration_s": args.duration,
        "warmup_s": warmup,
        "measured_s": round(wall, 1),
        "checks": checks,
        "checks_due": round(args.monitors * wall / args.interval),
        "checks_per_second": round(checks / wall, 1),
        "statuses": dict(statuses),
        "lag_s": {
            "p50": percentile(lags, 0.50),
            "p99": percentile(lags, 0.99),
            "max": max(lags) if lags else None,
            "mean": round(statistics.fmean(lags), 4) if lags else None,
        },
        "overdue_at_end": overdue,
        "doubled_checks": doubled,
        "cpu_ms_per_check": {
            "probes": round(1000 * probe_cpu / max(1, checks), 3),
            "rollups": round(1000 * rollup_cpu / max(1, checks), 3),
            "probes_and_rollups": round(1000 * (probe_cpu + rollup_cpu) / max(1, checks), 3),
            "database_server": round(1000 * db_cpu / max(1, checks), 3) if database_url else None,
        },
        "probe_cpu_cores": round(probe_cpu / wall, 3),
        "probe_peak_mb": [round(kb / 1024, 1) for kb in peaks],
        "db_bytes_per_check": round(growth / max(1, checks), 1),
        "db_bytes_per_check_by_table": {
            table: round((tables_to[table] - tables_from.get(table, 0)) / max(1, checks), 1) for table in tables_to
        },
        "minute_rollups": minute_rollups,
        "rollups_compute_s": {
            "p50": percentile(rollup_seconds, 0.5),
            "max": max(rollup_seconds, default=None),
            "runs": len(rollup_seconds),
        },
        "load_after": os.getloadavg(),
    }
    if killed is not None:
        report["kill"] = _blind_spot(killed, args.interval)
        report["kill"]["at_s_after_start"] = args.kill_after
    if args.profile:
        report["profile"] = {"raw": str(spy_path), **profile_summary(spy_path)}
    return report


def _kill(probe: subprocess.Popen[bytes], name: str, at: datetime) -> dict[str, Any]:
    from jaga.monitoring.models import Monitor

    cpu = cpu_seconds(probe.pid)  # its CPU up to the kill: /proc has nothing afterwards
    probe.send_signal(signal.SIGKILL)
    probe.wait(timeout=10)
    claimed = dict(Monitor.objects.filter(claimed_by=name).values_list("pk", "next_check_at"))
    return {"pid": probe.pid, "name": name, "at": at, "claimed": claimed, "cpu": cpu}


def _blind_spot(killed: dict[str, Any], interval: int) -> dict[str, Any]:
    """For each monitor the killed probe held: its due time to the start of its next check (by another probe)."""
    from jaga.monitoring.models import CheckResult

    delays = []
    never = 0
    for pk, due in killed["claimed"].items():
        first = (
            CheckResult.objects.filter(monitor_id=pk, checked_at__gte=killed["at"] - timedelta(seconds=1))
            .order_by("checked_at")
            .values_list("checked_at", flat=True)
            .first()
        )
        if first is None or due is None:
            never += 1
            continue
        delays.append(max(0.0, (first - due).total_seconds()))
    return {
        "claimed_by_killed_probe": len(killed["claimed"]),
        "never_checked_again": never,
        "late_s": {"p50": percentile(delays, 0.5), "p99": percentile(delays, 0.99), "max": max(delays, default=None)},
        "late_max_in_intervals": round(max(delays, default=0.0) / interval, 2),
    }


def _doubled(rows: list[tuple[Any, ...]], interval: int) -> int:
    """Checks that came less than half an interval after the same monitor's previous one."""
    times: dict[int, list[datetime]] = defaultdict(list)
    for monitor_id, checked_at, *_ in rows:
        times[monitor_id].append(checked_at)
    doubled = 0
    for series in times.values():
        series.sort()
        doubled += sum(1 for a, b in itertools.pairwise(series) if (b - a).total_seconds() < interval / 2)
    return doubled

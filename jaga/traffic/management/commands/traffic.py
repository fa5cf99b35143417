"""``jaga traffic``: ingest access logs, run detection, list detections, check the rules.

- ``ingest --site SITE [FILE ...] [--format KEY] [--no-detect]``: read the files given (or the site's
  configured sources) from their cursors, with a progress bar on a terminal, then run a detection round.
- ``follow [--site SITE] [--interval S] [--rounds N]``: ``tail -F``: read and analyse the new lines every S
  seconds until stopped (Ctrl-C, SIGTERM), across rotation and truncation.
- ``detect --site SITE``: a detection round over the lines not analysed yet.
- ``detections --site SITE [--since YYYY-MM-DD] [--format csv|table]``: one row per detection.
- ``blocklist --site SITE --format nginx|apache|nftables|crowdsec``: the addresses and subnets to block.
- ``rules [--check] [--add FILE]``: the rules in force; ``--check`` runs each rule's own test lines (exit 1 on a
  failure); ``--add`` checks a custom rule's file, runs its tests and stores it (as the admin does).
- ``evaluate [--data FOLDER]``: precision and recall per family on the labelled public cases.
- ``s3-sync [--site SITE]``: copy the store's files to JAGA_TRAFFIC_S3_URL's bucket (and delete there what
  retention deleted here).

SITE is the site's id or its name.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jaga.core.models import Site


class ByteBar:
    """A one-line progress bar in bytes on a terminal; silent elsewhere (logs stay readable)."""

    def __init__(self, stream: Any, total: int) -> None:
        self.stream, self.total, self.done = stream, max(total, 1), 0
        self.tty = bool(getattr(stream, "isatty", lambda: False)())

    def __call__(self, amount: int) -> None:
        self.done += amount
        if self.tty:
            share = min(1.0, self.done / self.total)
            filled = int(30 * share)
            self.stream.write(f"\r[{'#' * filled}{'-' * (30 - filled)}] {share * 100:5.1f}% {self.done >> 20} MB")
            self.stream.flush()

    def end(self) -> None:
        if self.tty:
            self.stream.write("\n")


def site_find(key: str) -> Site:
    sites = Site.objects.select_related("institution")
    found = (sites.filter(pk=int(key)) if key.isdigit() else sites.filter(name=key)).first()
    if found is None:
        raise CommandError(f"situs {key!r} tidak ada / no such site")
    return found


class Command(BaseCommand):
    # Django's system checks import every URL module and API router (0.8 CPU s at every start); `jaga check`
    # and the test suite run them.
    requires_system_checks: list[str] = []
    help = "Aktivitas pengunjung: baca log, deteksi, daftar deteksi, aturan / visitor activity from the command line"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ingest = sub.add_parser("ingest", help="baca log akses / ingest access logs")
        ingest.add_argument("--site", required=True, help="nomor atau nama situs / site id or name")
        ingest.add_argument("files", nargs="*", help="berkas atau pola glob / files or globs")
        ingest.add_argument("--format", default="combined", help="format log untuk berkas baru / log format")
        ingest.add_argument("--no-detect", action="store_true", help="tanpa putaran deteksi / skip detection")
        follow = sub.add_parser("follow", help="ikuti log seperti tail -F / follow the logs like tail -F")
        follow.add_argument("--site", default="", help="nomor atau nama situs; tanpa ini: semua / default: all")
        follow.add_argument("--interval", type=float, default=2.0, help="detik antar-putaran / seconds")
        follow.add_argument("--rounds", type=int, default=None, help="berhenti setelah N putaran / stop after N")
        detect = sub.add_parser("detect", help="putaran deteksi / a detection round")
        detect.add_argument("--site", required=True)
        listing = sub.add_parser("detections", help="daftar deteksi / list detections")
        listing.add_argument("--site", required=True)
        listing.add_argument("--since", default="", help="YYYY-MM-DD")
        listing.add_argument("--format", choices=("csv", "table"), default="table")
        blocklist = sub.add_parser("blocklist", help="daftar blokir / block list")
        blocklist.add_argument("--site", required=True)
        blocklist.add_argument("--format", choices=("nginx", "apache", "nftables", "crowdsec"), default="nginx")
        blocklist.add_argument("--out", default="", help="berkas tujuan / output file (default: stdout)")
        rules = sub.add_parser("rules", help="aturan yang berlaku / the rules in force")
        rules.add_argument("--check", action="store_true", help="jalankan uji tiap aturan / run each rule's tests")
        rules.add_argument(
            "--add", default="", metavar="FILE", help="tambah aturan khusus dari berkas / add a custom rule from a file"
        )
        evaluate = sub.add_parser("evaluate", help="presisi dan recall pada kasus publik / on the public cases")
        evaluate.add_argument("--data", default="", help="folder shared/data")
        sync = sub.add_parser("s3-sync", help="salin penyimpanan ke bucket S3 / copy the store to the S3 bucket")
        sync.add_argument("--site", default="", help="nomor atau nama situs; tanpa ini: semua / default: all")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action'].replace('-', '_')}")(options)

    def _ingest(self, options: dict[str, Any]) -> None:
        from jaga.traffic.ingest.files import files_discover
        from jaga.traffic.services import sources_for, traffic_detect, traffic_ingest
        from jaga.traffic.services.ingest import store_connection

        site = site_find(options["site"])
        sources = sources_for(site=site, paths=options["files"] or None, format_key=options["format"])
        if not sources:
            raise CommandError("situs ini tidak punya sumber log / the site has no log sources")
        total = sum(log.size for source in sources for log in files_discover(source.path))
        bar = ByteBar(sys.stderr, total)
        with store_connection() as con:  # one for both: opening DuckDB costs 0.02-0.03 s each time
            run = traffic_ingest(site=site, sources=sources, progress=bar, con=con)
            bar.end()
            bad = ", ".join(f"{reason} {count}" for reason, count in sorted(run.bad_counts.items())) or "0"
            self.stdout.write(
                f"{run.lines_stored} dari {run.lines_read} baris disimpan / {run.lines_stored} of {run.lines_read} "
                f"lines stored; baris buruk / bad lines: {bad}"
            )
            if not options["no_detect"]:
                self._round_report(traffic_detect(site=site, con=con))

    def _follow(self, options: dict[str, Any]) -> None:
        import signal

        from jaga.traffic.services.rounds import traffic_follow

        if options["site"]:
            sites = [site_find(options["site"])]
        else:
            sites = list(Site.objects.filter(is_active=True).select_related("institution"))
        stopping: list[int] = []
        previous = signal.signal(signal.SIGTERM, lambda signum, _frame: stopping.append(signum))

        def heard(site: Site, lines: int, findings: int) -> None:
            if lines:
                self.stdout.write(f"{site.name}: {lines} baris baru / new lines, {findings} temuan / findings")
                self.stdout.flush()

        try:
            traffic_follow(
                sites=sites,
                interval=max(0.2, options["interval"]),
                rounds=options["rounds"],
                should_stop=lambda: bool(stopping),
                on_round=heard,
            )
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _detect(self, options: dict[str, Any]) -> None:
        from jaga.traffic.services import traffic_detect

        self._round_report(traffic_detect(site=site_find(options["site"])))

    def _round_report(self, result: Any) -> None:
        self.stdout.write(
            f"deteksi / detection: {result.lines} baris baru / new lines, {result.findings} temuan / findings"
        )

    def _detections(self, options: dict[str, Any]) -> None:
        from jaga.traffic.selectors import detections_for

        since = None
        if options["since"]:
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError("--since: tanggal YYYY-MM-DD / a YYYY-MM-DD date") from None
        rows = detections_for(site=site_find(options["site"]), since=since)
        header = ("client", "scope", "rule", "family", "severity", "first_seen", "last_seen", "count", "addresses")
        if options["format"] == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(header)
            for d in rows:
                writer.writerow(
                    (
                        d.key,
                        d.scope,
                        d.rule_key,
                        d.family,
                        d.severity,
                        d.first_seen.isoformat(),
                        d.last_seen.isoformat(),
                        d.count,
                        d.clients,
                    )
                )
            return
        for d in rows:
            self.stdout.write(
                f"{d.key:<28} {d.rule_key:<30} {d.severity:<7} {d.first_seen:%Y-%m-%d %H:%M} "
                f"{d.last_seen:%Y-%m-%d %H:%M} {d.count:>7}"
            )

    def _blocklist(self, options: dict[str, Any]) -> None:
        from jaga.core import clock
        from jaga.traffic.blocklists import blocklist_render
        from jaga.traffic.selectors import blocklist_entries

        now = clock.now()
        entries = blocklist_entries(site=site_find(options["site"]), now=now)
        text = blocklist_render(options["format"], entries, now=now)
        if not options["out"]:
            self.stdout.write(text, ending="")
            return
        target = Path(options["out"])
        partial = target.with_name(f".{target.name}.tmp")
        try:
            partial.write_text(text, encoding="utf-8")
            partial.replace(target)  # a server reloading meanwhile reads the old file or the new, never half of one
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"{target}: tidak dapat ditulis / cannot be written: {exc.strerror}") from None
        self.stderr.write(f"{len(entries)} alamat atau jaringan diblokir / blocked: {target}")

    def _rules(self, options: dict[str, Any]) -> None:
        from jaga.traffic.detection import offline
        from jaga.traffic.detection.rules import rules_all

        if options["add"]:
            self._rule_add(Path(options["add"]))
            return
        rules = rules_all()
        failures = 0
        con = offline.connection() if options["check"] else None
        for rule in rules:
            line = f"{rule.key:<32} {rule.kind:<10} {rule.family:<12} {rule.severity:<7} {rule.label}"
            if con is not None:
                results = offline.rule_tests_run(con, rule)
                bad = [r for r in results if not r.passed]
                failures += len(bad)
                line += f"  [{len(results) - len(bad)}/{len(results)}]"
                for r in bad:
                    line += f"\n    GAGAL / FAILED {r.expected}: {r.line[:150]}"
            self.stdout.write(line)
        if failures:
            raise CommandError(f"{failures} uji aturan gagal / rule tests failed")

    def _rule_add(self, path: Path) -> None:
        from jaga.traffic.detection.rules import RuleError
        from jaga.traffic.services.rules import custom_rule_save

        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{path}: tidak dapat dibaca / cannot be read: {exc.strerror}") from None
        try:
            saved = custom_rule_save(text=text)
        except RuleError as exc:
            raise CommandError(f"{path}:\n{exc}") from None
        self.stdout.write(f"aturan {saved.key} disimpan, ujinya lulus / rule saved, its tests pass")

    def _s3_sync(self, options: dict[str, Any]) -> None:
        from jaga.traffic import s3store

        if not s3store.configured():
            raise CommandError("JAGA_TRAFFIC_S3_URL belum diisi / is not set")
        sites = [site_find(options["site"])] if options["site"] else list(Site.objects.order_by("pk"))
        for site in sites:
            result = s3store.store_sync(site=site)
            self.stdout.write(
                f"{site.name}: {result.uploaded} berkas disalin / copied, {result.deleted} dihapus / deleted"
            )

    def _evaluate(self, options: dict[str, Any]) -> None:
        from jaga.traffic.detection import evaluate
        from jaga.traffic.detection.rules import rules_all

        folder = Path(options["data"]) if options["data"] else evaluate.data_folder()
        if folder is None or not folder.is_dir():
            raise CommandError("folder data berlabel tidak ditemukan / labelled data folder not found (--data)")
        result = evaluate.evaluate(rules_all(), folder)
        self.stdout.write("| source | family | cases | TP | FP | FN | precision | recall |")
        self.stdout.write("|---|---|---|---|---|---|---|---|")
        for source, tallies in (("CrowdSec hub", result.crowdsec), ("fail2ban", result.fail2ban)):
            for family, t in sorted(tallies.items()):
                self.stdout.write(
                    f"| {source} | {family} | {t.cases} | {t.tp} | {t.fp} | {t.fn} | "
                    f"{t.precision:.2f} | {t.recall:.2f} |"
                )
        self.stdout.write(f"\n{result.tests_used} kasus dipakai / cases used, {len(result.skipped)} dilewati / skipped")
        for name, reason in result.skipped:
            self.stdout.write(f"  - {name}: {reason}")

"""Export a snapshot to offline media (CD, DVD, external disk) and record it in the ADK register.

The set is written by :mod:`jaga.backups.export`, read back and checked file by file; only a set whose
every checksum matched is entered in the register (:class:`MediaExport`) with its checksums. A mismatch
fails the run loudly, naming the file.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jaga.backups import export as media
from jaga.backups.models import MediaExport, Medium, Plan, Run, RunKind, RunState
from jaga.backups.repositories import restic_for
from jaga.backups.services.actions import backup_of_snapshot
from jaga.backups.services.runs import RunContext, RunFailed, perform
from jaga.backups.sources import REGISTRY
from jaga.core import clock


def _what(kind: str, facts: dict[str, Any]) -> str:
    if kind == "files":
        where = facts.get("remote") or facts.get("path", "")
        return f"arsip tar berkas situs / tar archive of the site files: {where}"
    return f"dump {kind} {facts.get('database', '')}"


def _stamp(moment: Any) -> str:
    return str(timezone.localtime(moment).strftime("%Y-%m-%d %H:%M"))


def export_run(
    *,
    plan: Plan,
    to: Path,
    medium: str = Medium.DISK,
    label: str = "",
    kept_at: str = "",
    passphrase: str = "",
    snapshot: str = "latest",
    user: Any = None,
    trigger: str = "command",
    on_progress: Callable[[Run], None] | None = None,
    volume_bytes: int | None = None,
) -> Run:
    """Write the self-contained set of ``snapshot`` into ``to`` (a new or empty folder), read it back, register it.

    ``volume_bytes`` overrides the medium's capacity (a test's small "disc")."""

    def work(ctx: RunContext) -> str:
        if medium not in media.MEDIUM_BYTES:
            raise RunFailed(_("Media tidak dikenal: %(m)s (cd, dvd atau disk).") % {"m": medium})
        backup = backup_of_snapshot(plan, snapshot)
        if to.exists() and any(to.iterdir()):
            raise RunFailed(_("Folder tujuan %(dir)s tidak kosong; pilih folder baru.") % {"dir": to})
        to.mkdir(parents=True, exist_ok=True)
        ctx.run.snapshot_id = backup.snapshot_id
        scratch = to / ".jaga-sementara"
        scratch.mkdir()
        engine = restic_for(plan.repository)
        # The snapshot's own sources, as its backup recorded them: a source removed from the plan since is in
        # the set all the same, one added since is not (it is not in the snapshot).
        facts_by_source: dict[str, dict[str, Any]] = (backup.details or {}).get("sources", {})
        if not facts_by_source:
            raise RunFailed(_("Snapshot %(id)s tidak mencatat sumbernya.") % {"id": backup.snapshot_id[:8]})
        kinds = {source.name: source.kind for source in plan.sources.all()}
        items: list[dict[str, Any]] = []
        finished: list[Path] = []
        try:
            for index, (name, facts) in enumerate(facts_by_source.items()):
                kind = str(facts.get("kind") or kinds.get(name) or "")
                if kind not in REGISTRY:
                    raise RunFailed(_("Jenis sumber %(name)s di snapshot itu tidak dikenal.") % {"name": name})
                percent = 5.0 + 70.0 * index / max(1, len(facts_by_source))
                ctx.phase(
                    _("Menulis %(name)s dari snapshot %(id)s") % {"name": name, "id": backup.snapshot_id[:8]},
                    percent,
                )
                is_files = not REGISTRY.get(kind).is_database  # a local web root or a pulled one
                if is_files:
                    unpacked, inside = f"site-{name}.tar", str(facts["path"])
                else:
                    dumped = Path(str(facts["file"]))
                    unpacked, inside = f"db-{name}{dumped.suffix}", str(dumped)
                    facts_file = dumped.with_name(f"{name}.facts.json")
                    side = scratch / f"db-{name}.facts.json"
                    engine.dump(backup.snapshot_id, str(facts_file), out=side)
                    finished.append(side)
                packed = media.compress_stream(
                    functools.partial(engine.dump, backup.snapshot_id, inside, archive="tar"),
                    scratch / f"{unpacked}.zst",
                )
                plain = packed.name
                if passphrase:
                    packed = media.encrypt(packed, passphrase)
                items.append(
                    {
                        "name": packed.name, "plain": plain, "unpacked": unpacked, "source": name,
                        "kind": "files" if is_files else kind, "path": facts.get("path", ""),
                        "database": facts.get("database", ""), "format": facts.get("format", "plain"),
                        "what": _what("files" if is_files else kind, facts), "parts": [],
                        "file": packed,
                    }
                )  # fmt: skip
            capacity = volume_bytes if volume_bytes is not None else media.MEDIUM_BYTES[medium]
            part_bytes = None if capacity is None else max(1, capacity - media.RESERVE_BYTES)
            files: list[Path] = []
            for item in items:
                path: Path = item.pop("file")
                if part_bytes is not None and path.stat().st_size > part_bytes:
                    parts = media.split(path, part_bytes)
                    item["parts"] = [part.name for part in parts]
                    files += parts
                else:
                    files.append(path)
            files += finished
            ctx.phase(_("Menghitung checksum"), 80.0)
            sums = {path.name: media.sha256_of(path) for path in files}
            volumes = media.volumes_plan(files, part_bytes)
            roots = [to] if len(volumes) == 1 else [to / f"KEPING-{n:02d}" for n in range(1, len(volumes) + 1)]
            sums_text = "".join(f"{digest}  {name}\n" for name, digest in sums.items())
            made_at = clock.now()
            for number, (root, volume) in enumerate(zip(roots, volumes, strict=True), 1):
                for path in volume:
                    media.move(path, root)
                (root / "SHA256SUMS").write_text(sums_text)
                context = {
                    "institution": plan.site.institution.name, "site": plan.site.name, "label": label or to.name,
                    "snapshot": backup.snapshot_id[:8], "snapshot_time": _stamp(backup.started_at),
                    "made_at": _stamp(made_at), "made_by": str(user or ""),
                    "medium": Medium(medium).label, "volume": number, "volume_count": len(volumes), "items": items,
                    "split": any(item["parts"] for item in items), "encrypted": bool(passphrase),
                }  # fmt: skip
                (root / "RESTORE.txt").write_text(media.restore_text(context), encoding="utf-8")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        ctx.phase(_("Membaca ulang dan memeriksa setiap berkas"), 90.0)
        problems: list[str] = []
        for root, volume in zip(roots, volumes, strict=True):
            problems += media.readback(root, {path.name: sums[path.name] for path in volume})
            if (root / "SHA256SUMS").read_text() != sums_text:
                problems.append(f"{root.name}/SHA256SUMS")
        total = sum(
            (root / path.name).stat().st_size for root, volume in zip(roots, volumes, strict=True) for path in volume
        )
        ctx.run.bytes_processed = total
        ctx.run.files_processed = len(files)
        ctx.run.details = {
            "snapshot": backup.snapshot_id,
            "target": str(to),
            "volumes": len(volumes),
            "files": sorted(sums),
        }
        ctx.run.save(update_fields=["bytes_processed", "files_processed", "details", "snapshot_id"])
        if problems:
            raise RunFailed(
                _("Pembacaan ulang gagal, media ini tidak dapat dipakai: %(p)s") % {"p": "; ".join(problems)}
            )
        export = MediaExport.objects.create(
            plan=plan, run=ctx.run, snapshot_id=backup.snapshot_id, medium=medium, label=label or to.name,
            path=str(to), volumes=len(volumes), total_bytes=total, checksums=sums_text, kept_at=kept_at,
            made_by=user, created_at=made_at, verified_at=clock.now(),
        )  # fmt: skip
        ctx.run.details["export"] = export.pk
        ctx.run.save(update_fields=["details"])
        ctx.log(_("Ekspor %(label)s: %(files)d berkas, %(volumes)d keping, semua checksum cocok") % {
            "label": export.label, "files": len(files), "volumes": len(volumes)})  # fmt: skip
        return RunState.SUCCESS

    return perform(plan=plan, kind=RunKind.EXPORT, trigger=trigger, user=user, on_progress=on_progress, work=work)

"""A local web root, backed up where it is, without the CMS's caches, sessions and tmp folders."""

from __future__ import annotations

import fnmatch
import os
import shutil
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from jaga.backups.sources.base import (
    ALWAYS_EXCLUDES,
    DrillResult,
    Log,
    Prepared,
    SourceBase,
    SourceError,
    SourceSpec,
    web_root_drill,
    web_root_patterns,
)
from jaga.core.lazyconfig import LazyConfig


class FilesSource(SourceBase):
    is_database = False
    Config = LazyConfig("jaga.backups.sources.configs:FilesConfig")

    def describe(self, spec: SourceSpec) -> str:
        return str(spec.config["path"])

    def excludes(self, config: dict[str, Any]) -> list[str]:
        root = config["path"]
        patterns = web_root_patterns(config)
        # Anchored to the web root so that "cache" leaves out <root>/cache, not every folder named cache.
        anchored = [pattern if pattern.startswith("/") else f"{root}/{pattern}" for pattern in patterns]
        return [*anchored, *ALWAYS_EXCLUDES]

    def prepare(self, spec: SourceSpec, *, staging: Path, log: Log) -> Prepared:
        root = Path(spec.config["path"])
        if not root.is_dir():
            raise SourceError(_("Folder web %(path)s tidak ada atau bukan folder.") % {"path": root}, check="missing")
        if not os.access(root, os.R_OK | os.X_OK):
            raise SourceError(_("Folder web %(path)s tidak dapat dibaca.") % {"path": root}, check="missing")
        excludes = self.excludes(spec.config)
        log(_("Berkas: %(path)s (%(count)d pola dikecualikan)") % {"path": root, "count": len(excludes)})
        return Prepared(paths=[root], excludes=excludes, facts={"path": str(root)})

    def drill(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> DrillResult:
        return web_root_drill(
            restored / str(facts.get("path", spec.config["path"])).lstrip("/"), files=facts.get("restored_files")
        )

    def restore_live(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> dict[str, Any]:
        """Make the web root what the snapshot holds: copy every file back, remove the ones it did not hold.

        What the plan never backs up (caches, sessions, the patterns) is left where it is."""
        root = Path(str(facts.get("path", spec.config["path"])))
        copy = restored / str(root).lstrip("/")
        if not copy.is_dir():
            raise SourceError(_("Folder %(path)s tidak ada di snapshot.") % {"path": root}, check="missing")
        kept = [pattern[len(str(root)) + 1 :] if pattern.startswith(f"{root}/") else pattern
                for pattern in self.excludes(spec.config)]  # fmt: skip
        root.mkdir(parents=True, exist_ok=True)
        copied = removed = 0
        wanted: set[str] = set()
        for folder, dirs, names in os.walk(copy):
            relative = os.path.relpath(folder, copy)
            for name in dirs:
                wanted.add(os.path.normpath(os.path.join(relative, name)))
                (root / relative / name).mkdir(parents=True, exist_ok=True)
            for name in names:
                rel = os.path.normpath(os.path.join(relative, name))
                wanted.add(rel)
                target = root / rel
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                shutil.copy2(copy / rel, target, follow_symlinks=False)
                copied += 1
        for folder, dirs, names in os.walk(root, topdown=True):
            relative = os.path.relpath(folder, root)
            for name in [*names, *dirs]:
                rel = os.path.normpath(os.path.join(relative, name))
                if rel in wanted or _matches(rel, name, kept):
                    continue
                path = root / rel
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                    dirs.remove(name)
                else:
                    path.unlink(missing_ok=True)
                removed += 1
            dirs[:] = [
                name for name in dirs if not _matches(os.path.normpath(os.path.join(relative, name)), name, kept)
            ]
        log(_("Berkas dikembalikan: %(copied)d, dihapus: %(removed)d") % {"copied": copied, "removed": removed})
        return {"files": copied, "removed": removed}


def _matches(relative: str, name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(name, pattern) for pattern in patterns)


KIND = FilesSource()

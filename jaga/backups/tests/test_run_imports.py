"""A ``jaga backup`` run in its own process loads neither the web stack nor the configurations' models.

The start-up of the command is most of a backup that finds nothing changed (docs/benchmarks.md part 7): a
run uses its sources' and repository's stored configuration as it was validated when saved, so pydantic
(the models), the API, the HTTP client and the PDF code of the recovery sheet are never imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from jaga.backups.models import Run, RunKind, RunState
from jaga.backups.sources import REGISTRY
from jaga.core.tests.processes_helpers import jaga_env, shared_database_url

NOT_FOR_A_RUN = ("pydantic", "pydantic_core", "annotated_types", "jaga.core.kindconfig")
NOT_FOR_A_RUN += ("ninja", "aiohttp", "weasyprint", "jaga.backups.sheet", "jaga.core.api", "jaga.core.http")
NOT_FOR_A_RUN += ("duckdb", "pyarrow", "yaml")

COMMANDS = """
import json, sys
from jaga.cli import main
codes = []
for command in json.loads(sys.argv[1]):
    try:
        codes.append(main(["jaga", "backup", *command]))
    except SystemExit as exc:
        codes.append(exc.code)
print(json.dumps({"codes": codes, "modules": sorted(sys.modules)}))
"""


def _in_a_process(tmp_path: Path, *commands: list[str]) -> tuple[list[int], set[str]]:
    extra = {"JAGA_ENCRYPTION_KEY": settings.JAGA_ENCRYPTION_KEY, "JAGA_SECRET_KEY": settings.SECRET_KEY}
    with shared_database_url(tmp_path) as url:
        done = subprocess.run(
            [sys.executable, "-c", COMMANDS, json.dumps(commands)],
            env=jaga_env(tmp_path, DATABASE_URL=url, **extra),
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    result = json.loads(done.stdout.splitlines()[-1])
    return result["codes"], set(result["modules"])


def _loaded(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in NOT_FOR_A_RUN))


@pytest.mark.django_db(transaction=True)
def test_a_backup_a_drill_and_an_export_in_a_process_load_no_model_nor_web_stack(plan, tmp_path) -> None:  # type: ignore[no-untyped-def]
    export = tmp_path / "adk"
    codes, modules = _in_a_process(
        tmp_path, ["run", str(plan.pk)], ["drill", str(plan.pk)], ["export", str(plan.pk), "--to", str(export)]
    )
    assert codes == [0, 0, 0]
    kinds = [(run.kind, run.state) for run in Run.objects.filter(plan=plan).order_by("pk")]
    assert kinds == [
        (RunKind.BACKUP, RunState.SUCCESS),
        (RunKind.DRILL, RunState.SUCCESS),
        (RunKind.EXPORT, RunState.SUCCESS),
    ]
    assert (export / "SHA256SUMS").is_file()
    assert "jaga.backups.sources.files" in modules  # the run did use its source: the check below can fail
    assert _loaded(modules) == []


def test_a_source_s_configuration_model_is_imported_when_it_is_read() -> None:
    model = REGISTRY.get("files").Config
    assert model.__name__ == "FilesConfig"
    assert REGISTRY.get("files").validate({"path": "/srv/www/"})["path"] == "/srv/www"
    assert "path" in model.model_fields

"""The recovery sheet of a repository: everything needed to restore without Jaga, on one printable page.

Indonesian and English on the same sheet (it is read on the worst day, perhaps by someone else): where
the repository is, its password, its fingerprint (restic's repository id, to be sure it is the right one),
the plans that write to it, and the exact restic commands on a bare Debian or Windows machine. The page
and the PDF come from the same template.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from jaga.backups.models import Repository, RepositoryKind
from jaga.core import clock


def sheet_context(repository: Repository) -> dict[str, Any]:
    options = repository.options or {}
    env: list[tuple[str, str]] = [("RESTIC_REPOSITORY", repository.location)]
    if repository.kind == RepositoryKind.S3:
        env += [("AWS_ACCESS_KEY_ID", str(options.get("access_key_id", ""))), ("AWS_SECRET_ACCESS_KEY", "…")]
    plans = list(repository.plans.select_related("site").prefetch_related("sources"))
    return {
        "repository": repository,
        "institution": repository.institution,
        "env": env,
        "plans": plans,
        "made_at": clock.now(),
        "mount_point": options.get("mount_point", ""),
        "sftp_port": options.get("port", ""),
    }


def sheet_html(repository: Repository) -> str:
    with translation.override("id"):
        return render_to_string("backups/recovery_sheet_pdf.html", sheet_context(repository))


def sheet_pdf(repository: Repository) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs a second that pages never need

    result = HTML(string=sheet_html(repository), base_url=None).write_pdf()
    assert result is not None
    return bytes(result)

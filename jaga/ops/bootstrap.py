"""``jaga bootstrap``: migrate, seed the SOP and create the first administrator (once)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from jaga.core.processes.web import browser_url
from jaga.sop.services import sop_seed_default

logger = logging.getLogger("jaga.bootstrap")


class Output(Protocol):
    def write(self, text: str, /) -> Any: ...


PASSWORD_FILE_NAME = "initial_admin_password"


def login_url(*, listen: tuple[str, int]) -> str:
    return browser_url(listen=listen, path="/login/")


def password_file() -> Path:
    return Path(settings.DATA_DIR) / PASSWORD_FILE_NAME


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def admin_ensure(*, out: Output, listen: tuple[str, int]) -> bool:
    """Create the first administrator when there is no superuser; True when one was created."""
    user_model = get_user_model()
    if user_model.objects.filter(is_superuser=True).exists():
        note = ""
        if password_file().exists():
            note = f" Kata sandi awal ada di {password_file()} / the initial password is in {password_file()}."
        out.write(
            "Administrator sudah ada; kata sandi tidak ditampilkan lagi. / "
            f"An administrator already exists; the password is not shown again.{note}\n"
        )
        return False
    username = "admin"
    if user_model.objects.filter(username=username).exists():
        username = f"admin-{secrets.token_hex(2)}"
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        user_model.objects.create_superuser(username=username, email="", password=password)
        _write_private(password_file(), f"{username}\n{password}\n")
    url = login_url(listen=listen)
    out.write(
        "\n"
        "Administrator pertama dibuat / first administrator created\n"
        f"  alamat / address          : {url}\n"
        f"  nama pengguna / username  : {username}\n"
        f"  kata sandi / password     : {password}\n"
        "Kata sandi ini hanya ditampilkan sekali ini; salinannya disimpan di\n"
        f"  {password_file()} (hanya dapat dibaca pemiliknya; hapus setelah dicatat).\n"
        "This password is shown only this once; a copy is in the file above (owner-only; delete it once noted).\n"
        "Saat masuk pertama kali Anda akan diminta mendaftarkan autentikasi dua langkah (2FA).\n"
        "At the first login you will be asked to enrol two-factor authentication (2FA).\n\n"
    )
    return True


def bootstrap_run(*, out: Output, listen: tuple[str, int], migrate: bool = True) -> None:
    if migrate:
        out.write("Menyiapkan basis data / migrating the database...\n")
        call_command("migrate", interactive=False, verbosity=0)
    sop_seed_default()
    out.write("SOP dasar tersedia / default SOP seeded.\n")
    admin_ensure(out=out, listen=listen)

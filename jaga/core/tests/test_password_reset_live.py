"""A forgotten password reset by e-mail through a running ``jaga web`` whose ``JAGA_EMAIL_URL`` names an SMTP
server on loopback (issue 6): the setting as an installation gives it, Django's SMTP back end, the message
as it arrives, its link, the new password."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from jaga.core.tests.processes_helpers import WebVisitor, jaga_bootstrapped, jaga_web

NEW_PASSWORD = "Sidang-Terbuka-Pukul-09"


def test_a_forgotten_password_is_reset_through_the_mail_server_jaga_is_given(tmp_path: Path, smtp_server: Any) -> None:
    data = tmp_path / "data"
    old_password = jaga_bootstrapped(data)
    with closing(sqlite3.connect(data / "jaga.sqlite3")) as db:
        db.execute("UPDATE auth_user SET email = 'admin@pn-bangil.go.id' WHERE username = 'admin'")
        db.commit()
    mail_url = f"smtp://127.0.0.1:{smtp_server.port}"
    output: list[str] = []
    with jaga_web(data, output, JAGA_EMAIL_URL=mail_url, JAGA_DEFAULT_FROM_EMAIL="jaga@pn-bangil.go.id") as (base, _):
        visitor = WebVisitor(base)
        status, headers, _page = visitor.post_form("/akun/lupa-kata-sandi/", {"email": "admin@pn-bangil.go.id"})
        assert (status, headers["Location"]) == (302, "/akun/lupa-kata-sandi/terkirim/")
        (message,) = smtp_server.mails
        assert message["To"] == "admin@pn-bangil.go.id"
        assert message["From"] == "jaga@pn-bangil.go.id"
        assert message["Subject"] == "Jaga: buat kata sandi baru"
        body = message.get_body().get_content()  # type: ignore[union-attr]
        link = re.search(re.escape(base) + r"(/akun/reset/\S+/)", body)
        assert link is not None, body

        stranger = WebVisitor(base)  # the link works for whoever holds it, in another browser too
        status, headers, _page = stranger.get(link.group(1))
        assert status == 302  # Django swaps the token in the address for one in the session
        form = headers["Location"]
        status, headers, page = stranger.post_form(form, {"new_password1": "pendek1", "new_password2": "pendek1"})
        assert status == 200  # the password rules hold here too, in Indonesian
        assert "Kata sandi terlalu pendek: paling sedikit 10 karakter." in page
        status, headers, _page = stranger.post_form(
            form, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert (status, headers["Location"]) == (302, "/akun/reset/selesai/")

        assert WebVisitor(base).log_in("admin", old_password)[0] == 200  # refused
        assert WebVisitor(base).log_in("admin", NEW_PASSWORD)[0] == 302
        status, _headers, page = WebVisitor(base).get(link.group(1))  # the link works once
        assert status == 200
        assert "Tautan tidak berlaku" in page
    assert "Traceback" not in output[0]

"""``jaga createsuperuser``: Django's command, with Jaga's password rules also when it runs unattended.

Django checks the password only when it asks for it; with ``--no-input`` and ``DJANGO_SUPERUSER_PASSWORD`` it
takes any password. Here the same rules apply both ways (and the new account is in the audit trail as made by
Jaga through this command).
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


class Command(createsuperuser.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if not options.get("interactive", True) and password is not None:
            user_model = get_user_model()
            username_field = user_model.USERNAME_FIELD
            username = options.get(username_field) or os.environ.get(f"DJANGO_SUPERUSER_{username_field.upper()}")
            email = options.get("email") or os.environ.get("DJANGO_SUPERUSER_EMAIL") or ""
            candidate = user_model(**{username_field: username or "", "email": email})
            try:
                validate_password(password, candidate)
            except ValidationError as exc:
                raise CommandError(
                    "kata sandi ditolak / password refused: " + " ".join(str(message) for message in exc.messages)
                ) from None
        super().handle(*args, **options)

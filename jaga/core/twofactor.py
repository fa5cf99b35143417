"""Two-factor authentication (TOTP via django-otp) and its backup codes."""

from __future__ import annotations

import base64
import re
from typing import Any

from django.db import transaction
from django_otp import devices_for_user, match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jaga.core.models import Membership, Role

ROLES_REQUIRING_2FA = (Role.ADMINISTRATOR, Role.SEKRETARIS)
BACKUP_CODE_COUNT = 10


def otp_required_for(user: Any) -> bool:
    """Superusers and holders of Administrator or Sekretaris in any institution must use 2FA."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role__in=ROLES_REQUIRING_2FA).exists()


def otp_has_device(user: Any) -> bool:
    return bool(user.is_authenticated and user_has_device(user, confirmed=True))


def totp_device_pending(*, user: Any) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (created on first call, same secret until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Jaga", confirmed=False)
    return device


def totp_secret_text(device: TOTPDevice) -> str:
    """The base32 secret, in groups of four, for typing into an authenticator app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(data: str) -> str:
    """An inline <svg> of ``data`` as a QR code, generated locally (no outside service)."""
    import qrcode  # with Pillow, 0.03 s of every process's start-up; only the set-up page draws a code
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg: str = image.to_string(encoding="unicode")
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)


def normalize_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code)


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm enrolment with a code from the app. Returns the new backup codes, or None if the code is wrong."""
    if not device.verify_token(normalize_code(code)):
        return None
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save()
    return backup_codes_create(user=device.user)


def backup_codes_create(*, user: Any) -> list[str]:
    """Replace the user's backup codes with fresh single-use ones (shown to the user once, at enrolment)."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Kode cadangan", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def otp_match(*, user: Any, code: str) -> Any:
    """The confirmed device (TOTP or backup code) that accepts ``code``, or None."""
    return match_token(user, normalize_code(code))


def otp_devices(*, user: Any) -> list[Any]:
    return list(devices_for_user(user, confirmed=True))

from __future__ import annotations

from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jaga.core.fields import EncryptedTextField
from jaga.core.models.schedules import ScheduleRelation

TIME_ZONES = [
    ("Asia/Jakarta", _("WIB (Asia/Jakarta)")),
    ("Asia/Makassar", _("WITA (Asia/Makassar)")),
    ("Asia/Jayapura", _("WIT (Asia/Jayapura)")),
]


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("Zona waktu tidak dikenal: %(tz)s"), params={"tz": value})


class Role(models.TextChoices):
    """The SOP's executors (Pelaksana), plus an administrator and a read-only auditor."""

    STAFF_P2TI = "staff_p2ti", _("Staff P2TI")
    KASUBBAG_PTIP = "kasubbag_ptip", _("Kasubbag Perencanaan, TI dan Pelaporan")
    KASUBBAG_UMUM = "kasubbag_umum", _("Kasubbag Umum dan Keuangan")
    SEKRETARIS = "sekretaris", _("Sekretaris")
    ADMINISTRATOR = "administrator", _("Administrator")
    AUDITOR = "auditor", _("Auditor (hanya baca)")


class Institution(models.Model):
    name = models.CharField(_("nama"), max_length=200)
    slug = models.SlugField(_("kode singkat"), max_length=60, unique=True)
    address = models.TextField(_("alamat"), blank=True)
    city = models.CharField(_("kota"), max_length=100, blank=True, help_text=_("Tempat pada tanda tangan surat."))
    phone = models.CharField(_("telepon"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("situs web"), blank=True)
    logo = models.ImageField(_("logo kop surat"), upload_to="logos/", blank=True)
    time_zone = models.CharField(
        _("zona waktu"), max_length=64, choices=TIME_ZONES, default="Asia/Jakarta", validators=[validate_time_zone]
    )
    letter_prefix = models.CharField(_("awalan nomor surat"), max_length=60, blank=True, help_text=_("Contoh: W14.U21"))
    secretary_name = models.CharField(_("nama Sekretaris"), max_length=120, blank=True)
    secretary_nip = models.CharField(_("NIP Sekretaris"), max_length=30, blank=True)
    head_name = models.CharField(_("nama Ketua"), max_length=120, blank=True)
    head_nip = models.CharField(_("NIP Ketua"), max_length=30, blank=True)
    # Set by a Jaga administrator (the admin site only): a member of the institution must not be able to
    # point monitors at Jaga itself or at the machine's loopback services.
    allow_internal_addresses = models.BooleanField(
        _("izinkan alamat internal"),
        default=False,
        help_text=_(
            "Monitor instansi ini boleh memeriksa loopback (127.0.0.1, ::1), link-local dan alamat Jaga sendiri. "
            "Hanya untuk situs yang memang berjalan di mesin Jaga."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    INSTITUTION_PATH = "institution"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("peran"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "institution", "role"], name="membership_unique_role"),
        ]
        verbose_name = _("keanggotaan")
        verbose_name_plural = _("keanggotaan")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.institution}"


class Site(models.Model):
    INSTITUTION_PATH = "institution"

    class Cms(models.TextChoices):
        WORDPRESS = "wordpress", "WordPress"
        JOOMLA = "joomla", "Joomla"
        DRUPAL = "drupal", "Drupal"
        STATIC = "static", _("Statis")
        OTHER = "other", _("Lainnya")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("nama"), max_length=200)
    base_url = models.URLField(_("alamat situs"))
    cms = models.CharField(_("CMS"), max_length=20, choices=Cms.choices, default=Cms.WORDPRESS)
    hosting = models.CharField(_("hosting"), max_length=200, blank=True, help_text=_("Penyedia dan paket hosting."))
    server_host = models.CharField(_("server (host)"), max_length=200, blank=True)
    server_port = models.PositiveIntegerField(_("port SSH"), default=22)
    server_user = models.CharField(_("pengguna SSH"), max_length=100, blank=True)
    server_ssh_key = EncryptedTextField(_("kunci SSH privat"), blank=True)
    web_root = models.CharField(_("folder web (web root)"), max_length=500, blank=True)
    db_engine = models.CharField(
        _("jenis basis data"),
        max_length=20,
        blank=True,
        choices=[("mariadb", "MariaDB / MySQL"), ("postgresql", "PostgreSQL"), ("sqlite", "SQLite")],
    )
    db_host = models.CharField(_("host basis data"), max_length=200, blank=True)
    db_port = models.PositiveIntegerField(_("port basis data"), null=True, blank=True)
    db_name = models.CharField(_("nama basis data"), max_length=200, blank=True)
    db_user = models.CharField(_("pengguna basis data"), max_length=100, blank=True)
    db_password = EncryptedTextField(_("kata sandi basis data"), blank=True)
    access_log_paths = models.TextField(_("lokasi log akses"), blank=True, help_text=_("Satu path per baris."))
    error_log_paths = models.TextField(_("lokasi log galat"), blank=True, help_text=_("Satu path per baris."))
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    schedules = ScheduleRelation()  # a deleted site takes its schedules (the monitoring round...) with it

    class Meta:
        ordering = ["institution__name", "name"]
        verbose_name = _("situs")
        verbose_name_plural = _("situs")

    def __str__(self) -> str:
        return self.name

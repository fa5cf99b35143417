"""Sources' and repository back ends' configuration: typed, checked by core's one validator, in words."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jaga.backups.backends import BACKENDS
from jaga.backups.repositories import options_validate, target_for
from jaga.backups.sources import REGISTRY
from jaga.backups.sources.configs import DatabaseConfig
from jaga.core.kindconfig import kindconfig_form


def _errors(kind: str, config: dict) -> dict[str, list[str]]:  # type: ignore[type-arg]
    with pytest.raises(ValidationError) as caught:
        REGISTRY.get(kind).validate(config)
    return caught.value.message_dict


def test_the_database_sources_share_one_configuration_base() -> None:
    for kind in ("mariadb", "postgresql"):
        assert issubclass(REGISTRY.get(kind).Config, DatabaseConfig)
    assert REGISTRY.get("mariadb").validate({"database": "site", "user": "jaga"})["port"] == 3306
    assert REGISTRY.get("postgresql").validate({"database": "site", "user": "jaga"}) == {
        "host": "127.0.0.1",
        "port": 5432,
        "database": "site",
        "user": "jaga",
        "tunnel": False,
        "tunnel_known_hosts": "",
        "format": "plain",
    }


def test_every_wrong_database_field_is_named_at_once_in_indonesian() -> None:
    with translation.override("id"):
        errors = _errors("postgresql", {"database": "  ", "user": "", "port": 70000, "format": "zip"})
    assert errors["database"] == ["Isi nama basis data."]
    assert errors["user"] == ["Isi pengguna basis data."]
    assert "Nilai terlalu besar." in errors["port"][0]
    assert errors["format"] == ["Pilihan tidak dikenal."]


def test_a_blank_host_or_port_means_the_default_and_text_is_trimmed() -> None:
    cleaned = REGISTRY.get("mariadb").validate({"host": "", "port": "", "database": " site ", "user": "jaga"})
    assert (cleaned["host"], cleaned["port"], cleaned["database"]) == ("127.0.0.1", 3306, "site")


def test_a_password_is_never_part_of_a_sources_configuration() -> None:
    errors = _errors("mariadb", {"database": "site", "user": "jaga", "password": "rahasia"})
    assert "password" in errors


def test_file_and_sqlite_paths_must_be_absolute_and_are_normalised() -> None:
    with translation.override("id"):
        assert _errors("files", {"path": "www"})["path"] == ["Tulis folder lengkap, diawali /."]
        assert _errors("sqlite", {"path": "db.sqlite3"})["path"] == ["Tulis lokasi lengkap berkas SQLite, diawali /."]
    cleaned = REGISTRY.get("files").validate({"path": "/srv/www/../www/", "excludes": "cache\n\n  tmp  \n"})
    assert cleaned == {"path": "/srv/www", "cms": "other", "excludes": ["cache", "tmp"]}


def test_each_source_has_a_translated_form() -> None:
    with translation.override("id"):
        form = kindconfig_form(REGISTRY.get("postgresql").Config)
        assert str(form.fields["database"].label) == "Nama basis data"
    with translation.override("en"):
        form = kindconfig_form(REGISTRY.get("postgresql").Config)
        assert str(form.fields["database"].label) == "Database name"


def test_a_repository_back_end_checks_its_options() -> None:
    assert set(BACKENDS.keys()) == {"local", "disk", "sftp", "s3", "rclone"}
    assert options_validate("disk", {"mount_point": "/media/cadangan"}) == {"mount_point": "/media/cadangan"}
    with pytest.raises(ValidationError) as caught:
        options_validate("local", {"mount_point": "/media/cadangan"})
    assert "mount_point" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        options_validate("tape", {})
    assert "kind" in caught.value.message_dict


def test_an_s3_back_end_puts_its_keys_in_resticks_environment_and_masks_the_secret(institution) -> None:  # type: ignore[no-untyped-def]
    from jaga.backups.models import Repository

    repository = Repository(
        institution=institution,
        kind="s3",
        location="s3:https://minio.local/cadangan",
        password="kata-sandi",
        options={"access_key_id": "AKIA1", "region": "ap-southeast-3"},
        credentials="kunci-rahasia",
    )
    target = target_for(repository)
    assert target.env == {
        "AWS_ACCESS_KEY_ID": "AKIA1",
        "AWS_SECRET_ACCESS_KEY": "kunci-rahasia",
        "AWS_DEFAULT_REGION": "ap-southeast-3",
    }
    assert target.secrets == ("kunci-rahasia",)

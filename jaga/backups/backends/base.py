"""What every repository back end offers (``KIND``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from jaga.core.lazyconfig import LazyConfig

if TYPE_CHECKING:
    from jaga.backups.models import Repository
    from jaga.core.kindconfig import KindConfig


class MediumMissing(Exception):
    """The repository's medium is not there or not the expected one: an external disk not mounted or another
    disk (a soft failure that alerts), an SFTP server unreachable (soft) or answering with another host key
    (``soft=False``: a failure, someone may be impersonating the server)."""

    def __init__(self, message: str, *, reason: str, soft: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.soft = soft


class Backend(Protocol):
    Config: type[KindConfig]

    def validate(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """The cleaned ``options``; ``ValidationError`` per field."""

    def environment(self, repository: Repository) -> tuple[dict[str, str], list[str]]:
        """What restic needs in its environment for this repository, and which of it is secret."""

    def before_use(self, repository: Repository) -> None:
        """Raise :class:`MediumMissing` when the repository's medium is not the expected one."""

    def after_init(self, repository: Repository) -> None:
        """Called once the restic repository exists (a disk gets its marker)."""

    def restic_options(self, repository: Repository) -> tuple[str, ...]:
        """restic's ``-o key=value`` options for this repository (SFTP: the ssh command with the pinned key)."""


class BackendBase:
    Config: ClassVar[LazyConfig] = LazyConfig("jaga.backups.backends.configs:NoOptions")
    credentials_label: ClassVar[str] = ""  # what the repository's credentials are, for its form (none: no field)
    credentials_multiline: ClassVar[bool] = False  # a private key (several lines), not a password
    location_hint: ClassVar[str] = ""  # how the location is written for this kind, for its form

    def validate(self, options: Mapping[str, Any]) -> dict[str, Any]:
        from jaga.core.kindconfig import config_model_validate

        cleaned: dict[str, Any] = config_model_validate(self.Config, options).model_dump(
            mode="json", exclude_unset=True
        )
        return cleaned

    def environment(self, repository: Repository) -> tuple[dict[str, str], list[str]]:
        return {}, []

    def before_use(self, repository: Repository) -> None:
        return None

    def after_init(self, repository: Repository) -> None:
        return None

    def restic_options(self, repository: Repository) -> tuple[str, ...]:
        return ()

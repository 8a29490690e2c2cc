"""Pantry's settings, read once at start: the environment (`PANTRY_*`) over the settings file over the defaults.

The file is `settings.toml` in the user config directory (on Linux `~/.config/pantry-crm/`;
`PANTRY_CONFIG_DIR` names another directory). Every key has an environment variable of the same
name in capitals with the `PANTRY_` prefix (`smtp_host` is `PANTRY_SMTP_HOST`); the variable wins.
The command line builds the settings once (`load_settings`) and hands them down: to the Session, the
app, the store's opener. No other module reads `PANTRY_*` (tests/test_settings.py checks).

A mistake in the file or a variable is refused with where it is (the file and key, or the variable)
and the reason; nothing is guessed.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, TomlConfigSettingsSource
from pydantic_settings import SettingsError as SourceError

from domain.validation import field_errors

APP_NAME = "pantry-crm"
ENV_PREFIX = "PANTRY_"
FILE_NAME = "settings.toml"


class SettingsError(ValueError):
    """The settings file or a PANTRY_ variable is wrong: each problem names where, and why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid settings: " + "; ".join(problems))


def config_dir() -> Path:
    """Where the settings file is: $PANTRY_CONFIG_DIR, else the user config directory."""
    from platformdirs import user_config_dir

    return Path(os.environ.get(f"{ENV_PREFIX}CONFIG_DIR") or user_config_dir(APP_NAME, appauthor=False)).expanduser()


def settings_file() -> Path:
    return config_dir() / FILE_NAME


@dataclass(frozen=True)
class SmtpSettings:
    """Where automations' e-mail is delivered (docs/pipeline.md)."""

    host: str
    port: int = 25
    sender: str = "pantry-crm@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False


class _SettingsFile(TomlConfigSettingsSource):
    """settings.toml, its mistakes named with its path."""

    def _read_file(self, file_path) -> dict[str, Any]:
        try:
            data = super()._read_file(file_path)
        except tomllib.TOMLDecodeError as error:
            raise SettingsError([f"{file_path}: not valid TOML: {error}"]) from None
        except OSError as error:
            raise SettingsError([f"{file_path}: cannot read: {error.strerror or error}"]) from None
        if "config_dir" in data:
            raise SettingsError([f"{file_path}: config_dir: set {ENV_PREFIX}CONFIG_DIR in the environment instead "
                                 "(the file cannot say where it is itself)"])
        return data


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", env_ignore_empty=True)

    db: str | None = Field(default=None, min_length=1)  # the database when --db is not given
    data_dir: Path | None = None  # default databases and exports (default: the user data directory)
    config_dir: Path | None = None  # where settings.toml is (environment only)
    pipeline: Path | None = None  # the pipeline a new database starts with (docs/pipeline.md)
    export_dir: Path | None = None  # where the TUI writes report exports (default: DATA_DIR/exports)
    state_dir: Path | None = None  # where the TUI logs the tracebacks of failures (default: the user state directory)
    smtp_host: str | None = None  # automations' e-mail is delivered only when this is set
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "pantry-crm@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    keymap: dict[str, str] = Field(default_factory=dict)  # binding id -> keys ("ctrl+j,down")
    timezone: str | None = None  # the zone times are typed and shown in (IANA name; default: the machine's)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        return init_settings, env_settings, _SettingsFile(settings_cls, toml_file=settings_file())

    @classmethod
    def defaults(cls) -> "Settings":
        """The defaults alone (no environment, no file): for sessions built by tests and tools."""
        return cls.model_construct()

    @field_validator("data_dir", "config_dir", "pipeline", "export_dir", "state_dir")
    @classmethod
    def _home(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as \"Europe/Berlin\" or \"UTC\")") from None
        return value

    @property
    def tz(self):
        """The user's time zone: `timezone`, else the machine's local zone."""
        from datetime import datetime
        from zoneinfo import ZoneInfo

        zone = getattr(self, "timezone", None)
        return ZoneInfo(zone) if zone else datetime.now().astimezone().tzinfo

    @field_validator("keymap")
    @classmethod
    def _keys(cls, value: dict[str, str]) -> dict[str, str]:
        for binding, keys in value.items():
            if not keys.strip() or any(not key.strip() for key in keys.split(",")):
                raise ValueError(f"{binding}: expected keys such as \"ctrl+j\" or \"j,down\", got {keys!r}")
        return value

    # -- what the settings mean --------------------------------------------------------------

    @property
    def data_path(self) -> Path:
        from platformdirs import user_data_dir

        return self.data_dir or Path(user_data_dir(APP_NAME, appauthor=False))

    @property
    def export_path(self) -> Path:
        return self.export_dir or self.data_path / "exports"

    @property
    def state_path(self) -> Path:
        from platformdirs import user_state_dir

        return self.state_dir or Path(user_state_dir(APP_NAME, appauthor=False))

    @property
    def smtp(self) -> SmtpSettings | None:
        if not self.smtp_host:
            return None
        return SmtpSettings(host=self.smtp_host, port=self.smtp_port, sender=self.smtp_from, username=self.smtp_user,
                            password=self.smtp_password, starttls=self.smtp_starttls)

    def origin(self, name: str) -> str:
        """Where a setting came from, as the user would look for it: its variable, or the file and key."""
        variable = f"{ENV_PREFIX}{name.upper()}"
        return variable if os.environ.get(variable) else f"{settings_file()}: {name}"


def load_settings() -> Settings:
    """The settings in force (the environment over the file over the defaults), or a SettingsError."""
    try:
        return Settings()
    except SourceError as error:  # a variable pydantic-settings could not even decode (a keymap that is not JSON)
        raise SettingsError([_source_problem(error)]) from None
    except ValidationError as error:
        raise SettingsError([_problem(item) for item in field_errors(error)]) from None


def _source_problem(error: SourceError) -> str:
    text = str(error)
    for name in Settings.model_fields:
        if f'"{name}"' in text:
            return f"{ENV_PREFIX}{name.upper()}: expected JSON (e.g. '{{\"list.filter\": \"f\"}}')"
    return text


def _problem(item) -> str:
    name, rest = item.loc[0] if item.loc else item.field, ".".join(str(part) for part in item.loc[1:])
    if item.type == "extra_forbidden":
        known = ", ".join(n for n in Settings.model_fields if n != "config_dir")
        return f"{settings_file()}: {name}: unknown setting (the settings: {known})"
    where = Settings.model_construct().origin(str(name))
    return f"{where}{'.' + rest if rest else ''}: {item.reason}"

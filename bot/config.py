"""Settings: read once at start-up from the environment and an optional `.env` file."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.i18n import SHIPPED_LOCALES

TELEGRAM_API = "https://api.telegram.org"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming it."""


class Settings(BaseSettings):
    """Everything the operator can configure. Names match the environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    telegram_api_base: str = TELEGRAM_API
    database_url: str = "sqlite+aiosqlite:///naboskap.db"
    redis_url: str | None = None
    default_locale: str = "nb"
    timezone: str = "Europe/Oslo"
    coordinator_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1:8080"
    municipality: str = "Larvik kommune"
    locales_dir: Path = PROJECT_ROOT / "locales"
    log_level: str = "INFO"
    # Telegram's own limit is 4096; free-text answers we store are much shorter.
    max_text_length: int = Field(default=1000, ge=16, le=4096)
    # Notices per second across all workers; Telegram allows about 30.
    send_rate: float = Field(default=25, gt=0, le=10_000)
    reminder_hours: int = Field(default=24, ge=1, le=168)
    help_expiry_days: int = Field(default=14, ge=1, le=365)
    # How long a worker may hold claimed deliveries before another may take them over.
    delivery_lease_seconds: int = Field(default=120, ge=1, le=3600)
    # When the weekly digest goes out, in TIMEZONE's local time.
    digest_weekday: str = "sun"
    digest_time: str = "18:00"

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN.match(value.get_secret_value()):
            raise ValueError("expected the form 123456:ABC... that @BotFather gives")
        return value

    @field_validator("telegram_api_base", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None if value == "" else value
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DB")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in SHIPPED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SHIPPED_LOCALES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone, e.g. Europe/Oslo") from None
        return value

    @field_validator("coordinator_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            if not all(p.isdigit() for p in parts):
                raise ValueError("a comma-separated list of Telegram user ids, e.g. 1234,5678")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET.match(value.get_secret_value()):
            raise ValueError("1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("digest_weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        day = value.strip().lower()
        for short, full in zip(WEEKDAYS, _WEEKDAY_NAMES, strict=True):
            if day in (short, full):
                return short
        raise ValueError("a day of the week, e.g. sun or sunday")

    @field_validator("digest_time")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        match = re.fullmatch(r"([01]?\d|2[0-3])[:.]([0-5]\d)", value.strip())
        if match is None:
            raise ValueError("a time of day as HH:MM, e.g. 18:00")
        return f"{int(match[1]):02d}:{match[2]}"

    @field_validator("webhook_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        parse_listen(value)
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def digest_at(self) -> tuple[int, time]:
        """The digest's weekday (Monday is 0) and local time of day."""
        hour, minute = self.digest_time.split(":")
        return WEEKDAYS.index(self.digest_weekday), time(int(hour), int(minute))

    @property
    def webhook_host_port(self) -> tuple[str, int]:
        return parse_listen(self.webhook_listen)

    def require_token(self) -> str:
        """The bot token, or a SettingsError naming BOT_TOKEN."""
        if self.bot_token is None:
            raise SettingsError("BOT_TOKEN is not set: ask @BotFather for a token and set it")
        return self.bot_token.get_secret_value()

    def require_webhook(self) -> tuple[str, str]:
        """The webhook URL and secret, or a SettingsError naming the missing one."""
        if not self.webhook_url:
            raise SettingsError("WEBHOOK_URL is not set: the public https URL Telegram posts to")
        if self.webhook_secret is None:
            raise SettingsError("WEBHOOK_SECRET is not set: a random string of A-Z, a-z, 0-9, _, -")
        return self.webhook_url, self.webhook_secret.get_secret_value()


def parse_listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("expected HOST:PORT, e.g. 127.0.0.1:8080")
    return host.strip("[]"), int(port)


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into one line that names the setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{name} is invalid: {message}") from None

"""Settings: read once at start-up from the environment and an optional `.env` file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot import phone_numbers
from bot.delivery.outcomes import ReportStatus
from bot.i18n import SHIPPED_LOCALES

TELEGRAM_API = "https://api.telegram.org"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# SMS: gateway names, sender ids (a number, or an alphanumeric id of at most 11 characters),
# JSON field paths, and the generic HTTP provider's usual status words.
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_SENDER_NUMBER = re.compile(r"^\+?[0-9]{1,15}$")
_SENDER_NAME = re.compile(r"^[A-Za-z0-9 ]{1,11}$")
_FIELD_PATH = re.compile(r"^[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+)*$")
DEFAULT_HTTP_REPORT_STATUSES: Mapping[str, ReportStatus] = MappingProxyType(
    {
        "delivered": "delivered",
        "delivrd": "delivered",
        "failed": "failed",
        "undeliv": "failed",
        "undelivered": "failed",
        "expired": "failed",
        "buffered": "buffered",
        "enroute": "buffered",
        "queued": "buffered",
        "accepted": "submitted",
        "acceptd": "submitted",
        "sent": "submitted",
        "rejected": "rejected",
        "rejectd": "rejected",
    }
)


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming it."""


@dataclass(frozen=True)
class RateLimit:
    """At most `count` of something per resident in any `window` (a rolling window)."""

    count: int
    window: timedelta


MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
# The longest window a limit may have: the counts are kept that long, and a refusal says when
# the resident can try again, which should not be weeks away.
MAX_RATE_WINDOW = timedelta(days=7)
_RATE_UNITS = MappingProxyType(
    {
        "m": MINUTE,
        "min": MINUTE,
        "minute": MINUTE,
        "minutes": MINUTE,
        "h": timedelta(hours=1),
        "hour": timedelta(hours=1),
        "hours": timedelta(hours=1),
        "d": DAY,
        "day": DAY,
        "days": DAY,
    }
)
_RATE = re.compile(r"^(\d{1,6})\s*/\s*(\d{0,4})\s*([a-z]+)$")


@dataclass(frozen=True)
class RateLimits:
    """Per-resident limits that bound abuse (issue 11): several limits of one kind all hold.
    An empty tuple turns that kind's limit off. The defaults are the settings' defaults."""

    # A resident who reports ten different requests in a day is flooding the hosts, not
    # looking out for their neighbours; ten leaves room for a bad day in a busy network.
    reports: tuple[RateLimit, ...] = (RateLimit(10, DAY),)
    # Five requests for help a day is more than anyone needs (most ask a few times a month);
    # each one reaches every helper of its category.
    help_requests: tuple[RateLimit, ...] = (RateLimit(5, DAY),)
    # Talking to a matched neighbour: a message every two seconds for a minute is still a
    # lively chat, 300 a day a very long one; more is someone flooding their match.
    relay: tuple[RateLimit, ...] = (RateLimit(30, MINUTE), RateLimit(300, DAY))
    # Texts to the SMS number: onboarding plus a few keywords and answers take about ten;
    # each reply costs the municipality, so twenty in ten minutes is where a phone (or a
    # script) stops being answered, until the window has passed.
    sms: tuple[RateLimit, ...] = (RateLimit(20, 10 * MINUTE),)
    # Ideas for a network (issue 15): each reaches the network's hosts; five a day leaves
    # room for an inspired evening, more is flooding them.
    ideas: tuple[RateLimit, ...] = (RateLimit(5, DAY),)


def parse_rate_limits(value: str) -> tuple[RateLimit, ...]:
    """`10/day`, `30/minute, 300/day`, `20/10min`; `off` (or empty) for no limit."""
    text = value.strip().lower()
    if text in ("", "off", "none"):
        return ()
    limits = []
    for part in re.split(r"[,;]", text):
        match = _RATE.match(part.strip())
        unit = _RATE_UNITS.get(match[3]) if match else None
        if match is None or unit is None:
            raise ValueError("counts per window such as 10/day, 30/minute, 20/10min, or off")
        window = unit * int(match[2] or 1)
        if int(match[1]) < 1 or not MINUTE <= window <= MAX_RATE_WINDOW:
            raise ValueError("a count of at least 1 in a window of one minute to seven days")
        limits.append(RateLimit(int(match[1]), window))
    return tuple(limits)


class Settings(BaseSettings):
    """Everything the operator can configure. Names match the environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr | None = None
    telegram_api_base: str = TELEGRAM_API
    # `naboskap run` keeps trying to reach Telegram at start-up, waiting this long after the
    # first failed attempt and twice as long after each next one, up to the cap (seconds).
    telegram_retry_first: float = Field(default=1.0, gt=0, le=3600)
    telegram_retry_max: float = Field(default=60.0, gt=0, le=3600)
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
    # Updates handled at once (long polling and webhook alike); the rest wait their turn in
    # memory, so a burst queues instead of exhausting the database pool.
    update_concurrency: int = Field(default=64, ge=1, le=10_000)
    # Direct replies (answers, edits) per second from this process; the outbox worker's sends
    # in the same process count against it too. Telegram allows about 30 in all.
    reply_rate: float = Field(default=25, gt=0, le=10_000)
    # Messages one chat may get at once before the one-a-second pace applies (Telegram lets
    # private chats burst a little, but documents one a second).
    chat_burst: int = Field(default=1, ge=1, le=20)
    # How long (seconds) a reply may wait out Telegram's 429s before it is dropped.
    flood_wait_max: float = Field(default=30.0, ge=0, le=600)
    # Pace direct replies below Telegram's limits (above). Off only against a Bot API without
    # limits, such as the tests' fake server, where pacing would only make every test wait.
    flood_control: bool = True
    # The event loop of `naboskap run` and `naboskap worker` (bot.event_loop): uvloop when it
    # is installed (`auto`), asyncio's own (`asyncio`), or uvloop or a one-line failure.
    event_loop: Literal["auto", "asyncio", "uvloop"] = "auto"
    reminder_hours: int = Field(default=24, ge=1, le=168)
    # How many new events of one network are announced one by one per local day; the rest
    # (and, always, SMS members' share) wait for the day's summary (bot.services.events.flood).
    new_event_notices_per_day: int = Field(default=3, ge=0, le=50)
    # When (local time) the day's summary of new events goes out: after the working day,
    # before the evening's events.
    new_events_summary_time: str = "17:00"
    help_expiry_days: int = Field(default=14, ge=1, le=365)
    # A poll's split by language and by channel (shown to its creator, hosts, coordinators)
    # shows a group with fewer answers than this as "< 5", so one person's answer in a small
    # language group cannot be picked out (bot.services.polls.results, docs/polls.md).
    min_group_size: int = Field(default=5, ge=2, le=100)
    # How long history (notices sent, past events and their answers, finished help requests,
    # handled reports) is kept before the daily clean-up deletes it: docs/privacy.md.
    retention_days: int = Field(default=365, ge=30, le=3650)
    # How long a worker may hold claimed deliveries before another may take them over.
    delivery_lease_seconds: int = Field(default=120, ge=1, le=3600)
    # When the weekly digest goes out, in TIMEZONE's local time.
    digest_weekday: str = "sun"
    digest_time: str = "18:00"

    # ---- Per-resident rate limits (issue 11): `COUNT/WINDOW`, several joined by commas, or
    # `off`. Counted in the database, so they hold across the webhook, the worker and several
    # instances. See RateLimits for why the defaults are what they are.
    rate_limit_reports: Annotated[tuple[RateLimit, ...], NoDecode] = RateLimits.reports
    rate_limit_help_requests: Annotated[tuple[RateLimit, ...], NoDecode] = RateLimits.help_requests
    rate_limit_relay: Annotated[tuple[RateLimit, ...], NoDecode] = RateLimits.relay
    rate_limit_sms: Annotated[tuple[RateLimit, ...], NoDecode] = RateLimits.sms
    rate_limit_ideas: Annotated[tuple[RateLimit, ...], NoDecode] = RateLimits.ideas

    @field_validator(
        "rate_limit_reports",
        "rate_limit_help_requests",
        "rate_limit_relay",
        "rate_limit_sms",
        "rate_limit_ideas",
        mode="before",
    )
    @classmethod
    def _rate_limits(cls, value: object) -> object:
        return parse_rate_limits(value) if isinstance(value, str) else value

    @property
    def rate_limits(self) -> RateLimits:
        return RateLimits(
            reports=self.rate_limit_reports,
            help_requests=self.rate_limit_help_requests,
            relay=self.rate_limit_relay,
            sms=self.rate_limit_sms,
            ideas=self.rate_limit_ideas,
        )

    # ---- end of the rate limits block

    # ---- SMS gateway layer (issue 5). One block, fields with their validators, to ease merging.
    # Which adapter sends and receives SMS: kannel, http, console, memory, or the name a
    # third-party package registers under the `naboskap.sms_gateways` entry point. Unset: no SMS.
    sms_gateway: str | None = None
    # Where the bot's own web server listens for inbound SMS and delivery reports.
    sms_listen: str = "127.0.0.1:8081"
    # Shared secret gateways must present (in the query as `secret`, or as a header).
    sms_inbound_secret: SecretStr | None = None
    # The base URL the gateway reaches SMS_LISTEN on; by default http://SMS_LISTEN.
    sms_public_url: str | None = None
    # Alphanumeric sender (up to 11 characters) or a number; unset: the gateway's default.
    sms_sender: str | None = None
    # The region a number without a country code is read in (ISO 3166, e.g. NO).
    sms_default_region: str = "NO"
    # SMS per second across all workers: most gateways and operators throttle well below
    # Telegram's rate.
    sms_send_rate: float = Field(default=5, gt=0, le=1000)
    sms_price_per_segment: float = Field(default=0.0, ge=0, le=1000)  # NOK
    sms_monthly_segments: int | None = Field(default=None, ge=1)
    # How long one send may take before it counts as a transient failure.
    sms_send_timeout: float = Field(default=10.0, gt=0, le=120)
    # Kannel: smsbox's sendsms URL and a sendsms-user.
    kannel_sendsms_url: str = "http://127.0.0.1:13013/cgi-bin/sendsms"
    kannel_username: str | None = None
    kannel_password: SecretStr | None = None
    # Which delivery reports Kannel sends back: 1 delivered, 2 failed, 4 buffered, 8 accepted
    # by the SMS centre, 16 rejected by it; 31 is all of them.
    kannel_dlr_mask: int = Field(default=31, ge=0, le=31)
    # Generic JSON-over-HTTP provider: where to POST, how to authenticate (a bearer token, or
    # a username and password for basic auth), and the JSON field names. Dotted names reach
    # into nested objects and lists (`messages.0.id`).
    sms_http_send_url: str | None = None
    sms_http_token: SecretStr | None = None
    sms_http_username: str | None = None
    sms_http_password: SecretStr | None = None
    sms_http_to_field: str = "to"
    sms_http_text_field: str = "text"
    sms_http_sender_field: str = "from"
    sms_http_reference_field: str = "reference"
    # Constant fields some providers require in every request, as a JSON object.
    sms_http_extra_fields: dict[str, str | int | float | bool] = Field(default_factory=dict)
    # `e164` sends +4791234567; `digits` sends 4791234567, as some providers want.
    sms_http_number_format: Literal["e164", "digits"] = "e164"
    # Where the provider's message id is in its answer to a send.
    sms_http_id_field: str = "id"
    # Inbound messages: JSON body, form body or query, with these names.
    sms_http_inbound_from_field: str = "from"
    sms_http_inbound_to_field: str = "to"
    sms_http_inbound_text_field: str = "text"
    # Delivery reports: our reference (the delivery id), the provider's status and message id.
    sms_http_report_reference_field: str = "reference"
    sms_http_report_status_field: str = "status"
    sms_http_report_id_field: str = "id"
    # The provider's status words (case-insensitive) and what they mean to us.
    sms_http_report_statuses: dict[str, ReportStatus] = Field(
        default_factory=lambda: dict(DEFAULT_HTTP_REPORT_STATUSES)
    )

    @field_validator("sms_gateway")
    @classmethod
    def _sms_gateway(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not _NAME.match(value.strip().lower()):
            raise ValueError("a gateway name such as kannel, http or console")
        return value.strip().lower()

    @field_validator("sms_listen")
    @classmethod
    def _sms_listen(cls, value: str) -> str:
        parse_listen(value)
        return value

    @field_validator("sms_inbound_secret")
    @classmethod
    def _sms_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET.match(value.get_secret_value()):
            raise ValueError("1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("sms_public_url", "sms_http_send_url")
    @classmethod
    def _sms_url(cls, value: str | None) -> str | None:
        return _sms_http_url(value) if value else None

    @field_validator("kannel_sendsms_url")
    @classmethod
    def _kannel_url(cls, value: str) -> str:
        return _sms_http_url(value)

    @field_validator("sms_sender")
    @classmethod
    def _sms_sender(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not (_SENDER_NUMBER.match(value) or _SENDER_NAME.match(value)):
            raise ValueError("up to 11 letters, digits or spaces, or a number like +4791234567")
        return value

    @field_validator("sms_default_region")
    @classmethod
    def _sms_region(cls, value: str) -> str:
        if not phone_numbers.is_region(value.upper()):
            raise ValueError("a two-letter region code such as NO")
        return value.upper()

    @field_validator(
        "sms_http_to_field",
        "sms_http_text_field",
        "sms_http_sender_field",
        "sms_http_reference_field",
        "sms_http_id_field",
        "sms_http_inbound_from_field",
        "sms_http_inbound_to_field",
        "sms_http_inbound_text_field",
        "sms_http_report_reference_field",
        "sms_http_report_status_field",
        "sms_http_report_id_field",
    )
    @classmethod
    def _sms_field_name(cls, value: str) -> str:
        if not _FIELD_PATH.match(value):
            raise ValueError("a JSON field name, or names joined by dots such as messages.0.id")
        return value

    @field_validator("sms_http_username")
    @classmethod
    def _sms_http_auth(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value and info.data.get("sms_http_token") is not None:
            raise ValueError("set SMS_HTTP_TOKEN or SMS_HTTP_USERNAME, not both")
        return value or None

    @field_validator("sms_http_report_statuses")
    @classmethod
    def _sms_statuses(cls, value: dict[str, ReportStatus]) -> dict[str, ReportStatus]:
        return {word.lower(): status for word, status in value.items()}

    @property
    def sms_host_port(self) -> tuple[str, int]:
        return parse_listen(self.sms_listen)

    @property
    def sms_public_base_url(self) -> str:
        """The base URL gateways call us back on (delivery reports, inbound messages)."""
        if self.sms_public_url:
            return self.sms_public_url
        host, port = self.sms_host_port
        if host in ("", "0.0.0.0", "::"):  # noqa: S104 - a listen address, not a bind
            host = "127.0.0.1"
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def require_sms_secret(self) -> str:
        if self.sms_inbound_secret is None:
            raise SettingsError(
                "SMS_INBOUND_SECRET is not set: a random string of A-Z, a-z, 0-9, _, -"
            )
        return self.sms_inbound_secret.get_secret_value()

    def require_kannel_login(self) -> tuple[str, str]:
        """Kannel's sendsms-user name and password, or a SettingsError naming the missing one."""
        if not self.kannel_username:
            raise SettingsError("KANNEL_USERNAME is not set: the sendsms-user in kannel.conf")
        if self.kannel_password is None:
            raise SettingsError("KANNEL_PASSWORD is not set: the sendsms-user's password")
        return self.kannel_username, self.kannel_password.get_secret_value()

    def require_sms_http_url(self) -> str:
        if not self.sms_http_send_url:
            raise SettingsError("SMS_HTTP_SEND_URL is not set: the provider's URL for sending")
        return self.sms_http_send_url

    # ---- end of the SMS gateway block

    # ---- Machine translation (issue 13). One block, fields with their validators, to ease
    # merging. Which adapter translates what residents and hosts write for readers of other
    # languages: none (the default: nothing leaves the bot), libretranslate, or the name a
    # third-party package registers under the `naboskap.machine_translators` entry point.
    machine_translation: str = "none"
    # The LibreTranslate server (one the municipality hosts itself, typically), and its API
    # key if it asks for one. Declared after MACHINE_TRANSLATION: the URL's check reads it.
    libretranslate_url: str | None = Field(default=None, validate_default=True)
    libretranslate_api_key: SecretStr | None = None
    # How long one call may wait for the translator before the reader gets the original.
    machine_translation_timeout: float = Field(default=10.0, gt=0, le=60)
    # How long a translation is kept and reused before it is asked for again; the daily
    # clean-up deletes older ones.
    machine_translation_cache_days: int = Field(default=30, ge=1, le=365)

    @field_validator("machine_translation")
    @classmethod
    def _machine_translation(cls, value: str | None) -> str:
        name = (value or "none").strip().lower()
        if not _NAME.match(name):
            raise ValueError("a translator name such as none or libretranslate")
        # Imported here: the registry imports this module. The built-in names are known
        # without reading the installed packages' metadata, so the default costs nothing.
        from bot.machine_translation import registry

        if name not in registry.BUILT_IN and name not in registry.available():
            known = ", ".join(sorted(registry.available()))
            raise ValueError(f"no translator named {name!r} (known: {known})")
        return name

    @field_validator("libretranslate_url")
    @classmethod
    def _libretranslate_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value:
            return _sms_http_url(value)
        if info.data.get("machine_translation") == "libretranslate":
            raise ValueError(
                "missing: MACHINE_TRANSLATION=libretranslate needs the server's URL, "
                "e.g. http://127.0.0.1:5000"
            )
        return None

    def require_libretranslate_url(self) -> str:
        if not self.libretranslate_url:
            raise SettingsError("LIBRETRANSLATE_URL is not set: the LibreTranslate server's URL")
        return self.libretranslate_url

    # ---- end of the machine translation block

    # ---- Calendar feeds (issue 14). One block, fields with their validators, to ease merging.
    # The base URL residents' calendar apps reach the feeds on (https://naboskap.example.no);
    # the bot gives each resident `<base>/calendar/<token>.ics`. Unset: no feeds, and /calendar
    # says they are not available. Public, so usually a reverse proxy's https address.
    calendar_public_url: str | None = None
    # Where the feeds are served when there are no SMS routes to join (with SMS_GATEWAY set
    # they are on SMS_LISTEN, beside the SMS routes).
    calendar_listen: str = "127.0.0.1:8082"

    @field_validator("calendar_public_url")
    @classmethod
    def _calendar_public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")) or "?" in value or "#" in value:
            raise ValueError("an http(s) URL without a query, e.g. https://naboskap.example.no")
        return value.rstrip("/")

    @field_validator("calendar_listen")
    @classmethod
    def _calendar_listen(cls, value: str) -> str:
        parse_listen(value)
        return value

    @property
    def calendar_host_port(self) -> tuple[str, int]:
        return parse_listen(self.calendar_listen)

    # ---- end of the calendar feeds block

    # Where `naboskap worker` serves /healthz and /readyz (bot.health), HOST:PORT (port 0: any
    # free one, named in its readiness line). Unset: the worker serves nothing. (`naboskap run`
    # serves them on its webhook, SMS and calendar servers.)
    worker_health_listen: str | None = None

    @field_validator("worker_health_listen")
    @classmethod
    def _worker_health_listen(cls, value: str | None) -> str | None:
        if not value:
            return None
        parse_listen(value)
        return value

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

    @field_validator("digest_time", "new_events_summary_time")
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
    def new_events_summary_at(self) -> time:
        hour, minute = self.new_events_summary_time.split(":")
        return time(int(hour), int(minute))

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
    """HOST:PORT; port 0 asks for any free port (the readiness line then names the real one)."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError("expected HOST:PORT, e.g. 127.0.0.1:8080")
    return host.strip("[]"), int(port)


def _sms_http_url(value: str) -> str:
    # A URL we append a path or a query to: no trailing slash, unless it already has a query.
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value if "?" in value else value.rstrip("/")


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into one line that names the setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        raise SettingsError(f"{name} is invalid: {_in_words(error)}") from None


def _in_words(error: Any) -> str:
    """What is wrong with a setting, in an operator's words rather than pydantic's ("Input
    should be greater than 0"); our own validators' messages are already such words. The value
    is never repeated: it may be a secret."""
    # 0.0 reads as 0 to an operator.
    context = {
        k: f"{v:g}" if isinstance(v, float) else v for k, v in (error.get("ctx") or {}).items()
    }
    kind = error.get("type", "")
    bounds = {
        "greater_than": "must be more than {gt}",
        "greater_than_equal": "must be {ge} or more",
        "less_than": "must be less than {lt}",
        "less_than_equal": "must be {le} or less",
    }
    if kind in bounds:
        return bounds[kind].format(**context)
    words = {
        "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "float_parsing": "must be a number",
        "bool_parsing": "must be true or false",
        "missing": "is required",
        "string_too_short": "must not be empty",
    }
    if kind in words:
        return words[kind]
    if kind in ("literal_error", "enum"):
        return f"must be one of {context.get('expected', 'the documented values')}"
    return str(error.get("msg", "")).removeprefix("Value error, ")

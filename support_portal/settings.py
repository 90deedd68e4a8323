"""All configuration, read once from the environment (and an optional `.env`)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path("data")
_SECRET_FILE = DATA_DIR / "secret_key"


def _development_secret() -> str:
    """A secret generated once per checkout and kept under `data/` (never committed)."""
    if _SECRET_FILE.exists():
        return _SECRET_FILE.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    _SECRET_FILE.write_text(value)
    _SECRET_FILE.chmod(0o600)
    return value


# Radix accent colours whose solid buttons keep white text at 4.5:1 or more (WCAG AA): indigo
# 5.21, iris 5.37, violet 5.39, purple 5.18, plum 4.75. Blue is 3.26, green 3.16, red 3.91.
BRAND_ACCENTS = ("indigo", "iris", "violet", "purple", "plum")
# Their step-9 colour, for the button in emails.
BRAND_HEX = {
    "indigo": "#3e63dd",
    "iris": "#5b5bd6",
    "violet": "#6e56cf",
    "purple": "#8e4ec6",
    "plum": "#ab4aba",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    env: Literal["dev", "prod"] = Field(default="dev", alias="APP_ENV")
    db_url: str = "sqlite:///data/support_portal.db"
    redis_url: str | None = None
    secret_key: str | None = None
    public_url: str = ""  # default: http://localhost:$PORT
    port: int = 3000
    workers: int = 1

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout: float = 10.0
    mail_from: str = "Support <no-reply@localhost>"
    mail_catcher_port: int = 8025
    mailbox_dir: str = "data/mailbox"
    mail_retry_base_seconds: float = 30.0
    mail_retry_max_seconds: float = 3600.0
    mail_max_attempts: int = 12
    # SMTP connections the outbox sender keeps open and sends over at once (1: one at a time).
    mail_connections: int = Field(default=4, ge=1, le=64)
    mail_sender_in_app: bool = True

    upload_dir: str = "data/uploads"
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_attachments_per_message: int = 5
    # "Download my data" ZIPs; default: an "exports" folder beside UPLOAD_DIR.
    export_dir: str = ""
    # Closed tickets older than this many days are anonymised by the hourly cleanup (GDPR
    # retention); unset keeps them.
    retention_closed_days: int | None = Field(default=None, ge=1)

    session_idle_minutes: int = 60 * 24 * 7
    session_absolute_days: int = 30
    guest_session_idle_minutes: int = 30
    guest_session_absolute_hours: int = 12
    # A browser tab's server-side state with no session behind it (X6): dropped after this long
    # without events, and at most this many per client address (the oldest go first; scaled by
    # RATE_LIMIT_IP_FACTOR like the other per-address limits).
    anonymous_state_minutes: float = 10.0
    anonymous_states_per_address: int = 100
    auto_close_days: int = 7
    # A ticket waiting for the customer's answer: a reminder after this many days, and if
    # the answer still does not come, resolved this many days after the reminder.
    remind_after_days: float = Field(default=3, gt=0)
    auto_resolve_after_days: float = Field(default=7, gt=0)
    # Guest links stop working this many days after their ticket closes (a fresh link can be
    # requested from "Lost your link?").
    guest_link_days_after_close: int = Field(default=90, ge=1)
    # 0: live updates are pushed through the hub. > 0: open conversations poll the database
    # every N seconds instead; only the live-latency benchmark's baseline uses this.
    live_poll_seconds: float = 0.0
    default_locale: str = "en"
    default_timezone: str = "UTC"
    # Service levels (issue 16): opening hours in DEFAULT_TIMEZONE ("24/7", or for example
    # "mon-fri 09:00-17:00; sat 10:00-12:00"), holidays as ISO dates separated by commas, and
    # how many business hours a waiting customer is promised an answer in.
    # The company's own name, logo (a file under assets/, as "/logo.svg", or an https URL) and
    # accent colour (a Radix colour whose buttons pass WCAG AA with white text).
    brand_name: str = ""
    brand_logo: str = ""
    brand_accent: str = "indigo"
    # Agents without two-factor authentication must set it up before they reach the dashboard.
    require_agent_2fa: bool = False
    business_hours: str = "mon-fri 09:00-17:00"
    business_holidays: str = ""
    reply_target_hours: float = Field(default=8.0, gt=0)
    # An overdue reply is reported to the assignee at once and to the administrators this
    # many (wall-clock) hours later if the customer still waits.
    sla_escalate_after_hours: float = Field(default=2.0, ge=0)
    allowed_origins: str = ""
    trusted_proxy_hops: int = 0
    rate_limit_ip_factor: float = 1.0
    # REST API: requests per token and minute; /metrics for non-loopback callers with this token.
    api_rate_limit_per_minute: int = Field(default=120, ge=1)
    metrics_token: str | None = None
    # Webhooks: loopback and private targets are refused unless allowed (SSRF); delivery retries
    # back off exponentially; an endpoint is disabled after this many failures in a row.
    webhook_allow_private: bool = False
    webhook_timeout: float = 10.0
    webhook_retry_base_seconds: float = 30.0
    webhook_retry_max_seconds: float = 3600.0
    webhook_max_attempts: int = Field(default=12, ge=1)
    webhook_disable_after: int = Field(default=10, ge=1)
    # "json": one JSON object per log line (timestamp, level, logger, message, request id).
    log_format: Literal["text", "json"] = "text"

    @field_validator("retention_closed_days", mode="before")
    @classmethod
    def _unset_keeps(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _brand_is_readable(self) -> Settings:
        if self.brand_accent not in BRAND_ACCENTS:
            raise ValueError(
                f"BRAND_ACCENT must be one of {', '.join(BRAND_ACCENTS)}: white text on the "
                f"others' buttons fails WCAG AA contrast (4.5:1)"
            )
        logo = self.brand_logo.strip()
        if logo and not (logo.startswith("/") or logo.startswith("https://")):
            raise ValueError("BRAND_LOGO must be a file under assets/ (/logo.svg) or an https URL")
        return self

    @model_validator(mode="after")
    def _secrets_are_set(self) -> Settings:
        if self.secret_key is None:
            if self.env == "prod":
                raise ValueError("SECRET_KEY must be set when APP_ENV=prod")
            self.secret_key = _development_secret()
        elif self.env == "prod" and len(self.secret_key) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters in production")
        if self.workers < 1:
            raise ValueError("WORKERS must be at least 1")
        if self.workers > 1 and not self.redis_url:
            raise ValueError(
                f"WORKERS={self.workers} needs REDIS_URL: without Redis each worker keeps its own "
                "state and live updates, so replies would not reach browsers connected to other "
                "workers. Set REDIS_URL or use WORKERS=1."
            )
        if self.env == "prod" and self.smtp_host is None:
            raise ValueError(
                "SMTP_HOST must be set when APP_ENV=prod: the built-in mail catcher is for "
                "development only"
            )
        self.public_url = (self.public_url or f"http://localhost:{self.port}").rstrip("/")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def mail_catcher_enabled(self) -> bool:
        """The built-in catcher runs only in development and only when no SMTP server is set."""
        return self.smtp_host is None and self.env == "dev"

    @property
    def origins(self) -> list[str]:
        extra = [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]
        local = [f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}"]
        if self.env == "prod":
            local = []
        return list(dict.fromkeys([self.public_url, *extra, *local]))


@lru_cache
def get_settings() -> Settings:
    return Settings()

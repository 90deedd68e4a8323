"""Configuration refuses what would silently break in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from support_portal.settings import Settings


def test_more_than_one_worker_without_redis_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError, match="WORKERS=3 needs REDIS_URL"):
        Settings(workers=3, redis_url=None)


def test_several_workers_with_redis_are_fine():
    assert Settings(workers=3, redis_url="redis://127.0.0.1:6379/0").workers == 3


def test_production_requires_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="SECRET_KEY must be set"):
        Settings(APP_ENV="prod", smtp_host="mail.example.com", secret_key=None)


def test_production_refuses_a_short_secret_key():
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(APP_ENV="prod", smtp_host="mail.example.com", secret_key="short")


def test_production_refuses_the_built_in_mail_catcher():
    with pytest.raises(ValidationError, match="SMTP_HOST must be set"):
        Settings(APP_ENV="prod", secret_key="x" * 40, smtp_host=None)


def test_the_mail_catcher_runs_only_in_development_without_smtp():
    assert Settings(secret_key="x" * 40).mail_catcher_enabled
    assert not Settings(secret_key="x" * 40, smtp_host="mail.example.com").mail_catcher_enabled


def test_public_url_defaults_to_the_local_port():
    assert Settings(secret_key="x" * 40, port=3100, public_url="").public_url == (
        "http://localhost:3100"
    )


def test_public_url_is_normalised_and_always_an_allowed_origin():
    settings = Settings(secret_key="x" * 40, public_url="https://help.example.com/")
    assert settings.public_url == "https://help.example.com"
    assert settings.origins[0] == "https://help.example.com"


def test_guest_links_expire_90_days_after_close_unless_set(monkeypatch):
    monkeypatch.delenv("GUEST_LINK_DAYS_AFTER_CLOSE", raising=False)
    assert Settings(secret_key="x" * 40).guest_link_days_after_close == 90
    monkeypatch.setenv("GUEST_LINK_DAYS_AFTER_CLOSE", "30")
    assert Settings(secret_key="x" * 40).guest_link_days_after_close == 30
    monkeypatch.setenv("GUEST_LINK_DAYS_AFTER_CLOSE", "0")
    with pytest.raises(ValidationError):
        Settings(secret_key="x" * 40)

"""Application factory and configuration."""

from __future__ import annotations

import pytest

from app import create_app
from app.config import ConfigError, Settings, database_url


def test_production_without_secret_key_fails_clearly(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app(Settings(env="production"), instance_path=str(tmp_path))


def test_production_rejects_a_short_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="at least 32 characters"):
        create_app(Settings(env="production", secret_key="short"), instance_path=str(tmp_path))


def test_production_with_secret_key_sets_secure_cookies(tmp_path):
    app = create_app(
        Settings(env="production", secret_key="k" * 40, public_url="https://khaosat.test"), instance_path=str(tmp_path)
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.secret_key == "k" * 40


def test_development_key_is_random_and_kept_in_the_instance_folder(tmp_path):
    first = create_app(Settings(env="development"), instance_path=str(tmp_path))
    second = create_app(Settings(env="development"), instance_path=str(tmp_path))
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    other = create_app(Settings(env="development"), instance_path=str(tmp_path / "other"))
    assert other.secret_key != first.secret_key


def test_settings_come_from_the_environment():
    settings = Settings.from_env(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "s" * 40,
            "DATABASE_URL": "postgres://u@h/db",
            "PUBLIC_URL": "https://khaosat.example.vn/",
            "MAX_CONTENT_LENGTH": "1000",
            "COUNTER_CACHE_SECONDS": "2.5",
        }
    )
    assert settings.counter_cache_seconds == 2.5
    assert Settings.from_env({}).counter_cache_seconds == 10
    assert settings.env == "production"
    assert settings.public_url == "https://khaosat.example.vn"
    assert settings.max_content_length == 1000
    assert database_url(settings, None) == "postgresql+psycopg://u@h/db"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"APP_ENV": "staging"}, "APP_ENV"),
        ({"MAX_CONTENT_LENGTH": "big"}, "bytes"),
        ({"COUNTER_CACHE_SECONDS": "ten"}, "COUNTER_CACHE_SECONDS"),
        ({"COUNTER_CACHE_SECONDS": "-1"}, "COUNTER_CACHE_SECONDS"),
    ],
)
def test_bad_settings_are_named(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    assert database_url(Settings(), tmp_path) == f"sqlite:///{tmp_path / 'survey.db'}"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    app = create_app(Settings(env="testing"), instance_path=str(tmp_path))
    with app.extensions["db"].engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    app.extensions["db"].engine.dispose()


def test_health_endpoint(client):
    assert client.get("/healthz").json == {"status": "ok"}

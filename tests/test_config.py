"""Configuration profiles: production refuses to start without its secrets."""
import pytest

import config


def test_production_refuses_to_start_without_secret_key_and_database_url(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL"):
        config.load("production")


def test_production_refuses_to_start_without_database_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        config.load("production")


def test_production_starts_with_both_set(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "kX9-vQ2rT7wLz4Nc8Hp1Yd6Fs3Jb5Mg0Ae2Ru")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://cxgov@db/cxgov")
    assert config.load("production") is config.ProductionConfig


def test_an_unknown_profile_is_refused():
    with pytest.raises(RuntimeError, match="unknown CXGOV_ENV"):
        config.load("staging")


def test_development_is_the_default(monkeypatch):
    monkeypatch.delenv("CXGOV_ENV", raising=False)
    assert config.load() is config.DevelopmentConfig

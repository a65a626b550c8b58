"""Shared test setup: every test gets its own empty config and data dirs."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """Point DRAFT_CONFIG_DIR, DRAFT_DATA_DIR and DRAFT_CACHE_DIR at tmp_path so no test reads or writes the
    user's real config, and a developer's config cannot change test results."""
    config, data = tmp_path / "config", tmp_path / "data"
    config.mkdir()
    data.mkdir()
    monkeypatch.setenv("DRAFT_CONFIG_DIR", str(config))
    monkeypatch.setenv("DRAFT_DATA_DIR", str(data))
    monkeypatch.setenv("DRAFT_CACHE_DIR", str(tmp_path / "cache"))
    return config, data


@pytest.fixture(scope="session")
def _server():
    """One loopback OpenAI-compatible stub for the whole run; tests reset it with their own
    responder (the `stub` fixtures), and one port keeps cached HTTP clients valid."""
    from bench.stub_server import StubServer

    with (server := StubServer()):
        yield server

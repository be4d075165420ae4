"""Settings come from the environment, with errors that name the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from prep_agent.config import load_settings
from prep_agent.errors import ConfigError


def test_defaults_are_offline() -> None:
    settings = load_settings({}).with_(local_installed=False)
    assert settings.engine == "auto"
    assert settings.resolved_engine == "offline"
    assert not settings.llm_configured
    assert settings.chroma_host is None
    assert settings.llm_max_retries == 2


def test_base_url_alone_selects_llm() -> None:
    settings = load_settings({"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"})
    assert settings.resolved_engine == "llm"
    forced = load_settings({"OPENAI_BASE_URL": "http://x/v1",
                            "PREP_AGENT_ENGINE": "offline"})
    assert forced.resolved_engine == "offline"


def test_auto_prefers_a_configured_server_then_the_local_model_then_offline() -> None:
    local = load_settings({}).with_(local_installed=True)
    assert local.resolved_engine == "local"
    assert local.with_(openai_base_url="http://h:1/v1").resolved_engine == "llm"
    assert local.with_(openai_api_key="sk-x").resolved_engine == "llm"
    assert local.with_(local_installed=False).resolved_engine == "offline"
    opted_out = load_settings({"PREP_AGENT_LOCAL_LLM": "0"}).with_(local_installed=True)
    assert opted_out.resolved_engine == "offline"
    assert load_settings({"PREP_AGENT_ENGINE": "local"}).resolved_engine == "local"
    assert load_settings({}).local_threads == 1
    assert load_settings({"PREP_AGENT_LOCAL_THREADS": "2"}).local_threads == 2


def test_paths_follow_home(tmp_path: Path) -> None:
    env = {"PREP_AGENT_HOME": str(tmp_path), "PREP_AGENT_SEEDS": str(tmp_path / "s")}
    settings = load_settings(env)
    assert settings.chroma_dir == tmp_path / "chroma"
    assert settings.db_path == tmp_path / "transcripts.db"
    assert settings.uploads_dir == tmp_path / "uploads"
    assert settings.seeds_dir == tmp_path / "s"


def test_chroma_port_alone_means_localhost() -> None:
    settings = load_settings({"CHROMA_PORT": "8123"})
    assert (settings.chroma_host, settings.chroma_port) == ("localhost", 8123)


def test_api_key_not_in_repr() -> None:
    settings = load_settings({"OPENAI_API_KEY": "sk-secret-value"})
    assert "sk-secret-value" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "fix"),
    [
        ({"PREP_AGENT_ENGINE": "gpt"}, "use offline, llm, local or auto"),
        ({"PREP_AGENT_LOCAL_LLM": "maybe"}, "use 1 .* or 0"),
        ({"PREP_AGENT_LOCAL_THREADS": "0"}, "use 1 or more"),
        ({"PREP_AGENT_LOCAL_THREADS": "two"}, "a thread count"),
        ({"CHROMA_PORT": "eighty"}, "a port such as 8000"),
        ({"PREP_AGENT_LLM_TIMEOUT": "soon"}, "number of seconds"),
        ({"PREP_AGENT_LLM_RETRIES": "many"}, "a retry count"),
    ],
)
def test_bad_values_name_the_fix(env: dict[str, str], fix: str) -> None:
    with pytest.raises(ConfigError, match=fix):
        load_settings(env)

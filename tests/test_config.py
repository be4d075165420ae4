"""Settings come from the environment, with errors that name the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from prep_agent.config import load_settings
from prep_agent.errors import ConfigError


def test_defaults_are_offline() -> None:
    settings = load_settings({})
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
        ({"PREP_AGENT_ENGINE": "gpt"}, "use offline, llm or auto"),
        ({"CHROMA_PORT": "eighty"}, "a port such as 8000"),
        ({"PREP_AGENT_LLM_TIMEOUT": "soon"}, "number of seconds"),
        ({"PREP_AGENT_LLM_RETRIES": "many"}, "a retry count"),
    ],
)
def test_bad_values_name_the_fix(env: dict[str, str], fix: str) -> None:
    with pytest.raises(ConfigError, match=fix):
        load_settings(env)

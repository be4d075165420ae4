"""Issue 9: every configuration value is range-checked, and the error names the variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from prep_agent.cli.main import main
from prep_agent.config import load_settings
from prep_agent.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("OPENAI_BASE_URL", "http://[::1/v1", "OPENAI_BASE_URL is not a valid URL"),
    ("OPENAI_BASE_URL", "http://localhost:99999/v1", "OPENAI_BASE_URL is not a valid URL"),
    ("OPENAI_BASE_URL", "localhost:11434", "OPENAI_BASE_URL must be an http"),
    ("PREP_AGENT_LLM_TIMEOUT", "-1", "PREP_AGENT_LLM_TIMEOUT=-1 is out of range"),
    ("PREP_AGENT_LLM_TIMEOUT", "0", "PREP_AGENT_LLM_TIMEOUT=0 is out of range"),
    ("PREP_AGENT_LLM_TIMEOUT", "nan", "PREP_AGENT_LLM_TIMEOUT=nan is out of range"),
    ("PREP_AGENT_LLM_TIMEOUT", "inf", "PREP_AGENT_LLM_TIMEOUT=inf is out of range"),
    ("PREP_AGENT_LLM_TIMEOUT", "301", "at most 300"),
    ("PREP_AGENT_LLM_RETRIES", "1000000000", "PREP_AGENT_LLM_RETRIES=1000000000 is out of range"),
    ("PREP_AGENT_LLM_RETRIES", "-1", "set it to 0..5"),
    ("PREP_AGENT_LLM_RETRIES", "9" * 5000, "PREP_AGENT_LLM_RETRIES="),
    ("CHROMA_PORT", "99999", "CHROMA_PORT=99999 is out of range: set it to 1..65535"),
    ("CHROMA_PORT", "0", "CHROMA_PORT=0 is out of range"),
])
def test_bad_configuration_names_the_variable(
    name: str, value: str, expected: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(ConfigError, match=re.escape(expected)):
        load_settings({name: value})
    # The CLI says the same in one line, with no traceback.
    monkeypatch.setenv(name, value)
    assert main(["sessions"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and name in err and "Traceback" not in err


def test_good_values_are_kept() -> None:
    s = load_settings({"PREP_AGENT_LLM_TIMEOUT": "12.5", "PREP_AGENT_LLM_RETRIES": "0",
                       "CHROMA_PORT": "8001", "OPENAI_BASE_URL": "http://[::1]:8080/v1"})
    assert (s.llm_timeout_s, s.llm_max_retries, s.chroma_port) == (12.5, 0, 8001)
    assert s.openai_base_url == "http://[::1]:8080/v1"


def test_app_shows_a_bad_base_url_as_an_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("OPENAI_BASE_URL", "http://user:pw-secret@[::1/v1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    (error,) = at.error
    assert "OPENAI_BASE_URL is not a valid URL" in error.value and "pw-secret" not in error.value

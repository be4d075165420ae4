"""Issue 9: every LLM step ends within its total deadline; truncation is a failure; after a
failure the session runs offline (said once) and retries only after a cool-down."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from llm_server import Drip, Reply, Stall, Status, Truncated, scripted_server

from prep_agent.cli.main import main
from prep_agent.config import Settings, load_settings
from prep_agent.llm import LLMHealth, build_chat_model, stream_or_fallback

MESSAGES = [("system", "You are a test."), ("human", "Ask me something.")]
FALLBACK = "Offline question?"


def _settings(base_url: str, **changes: object) -> Settings:
    base = {"openai_base_url": base_url, "model": "fake-model", "llm_timeout_s": 5.0,
            "llm_max_retries": 0, "llm_deadline_s": 1.0}
    return load_settings({"PREP_AGENT_HOME": "/tmp/unused"}).with_(**{**base, **changes})


def _timed(settings: Settings, health: LLMHealth | None = None) -> tuple[float, object]:
    model = build_chat_model(settings, health)  # imports langchain-openai: not part of a step
    start = time.perf_counter()
    stream = stream_or_fallback(model, MESSAGES, FALLBACK)
    stream.result()
    return time.perf_counter() - start, stream


def test_default_deadline_is_at_most_30_s() -> None:
    settings = load_settings({})
    assert settings.llm_deadline_s <= 30 and settings.llm_max_retries <= 5
    assert load_settings({"PREP_AGENT_LLM_DEADLINE": "12"}).llm_deadline_s == 12


def test_hung_server_costs_one_deadline_not_timeout_times_retries() -> None:
    with scripted_server(Stall(6.0), Stall(6.0), Stall(6.0)) as server:
        elapsed, stream = _timed(_settings(server.base_url, llm_max_retries=2))
    assert elapsed < 3.0, elapsed
    assert stream.text == FALLBACK and stream.engine == "offline"  # type: ignore[attr-defined]
    assert "LLMDeadlineError" in (stream.note or "")  # type: ignore[attr-defined]


def test_drip_feeding_server_is_cut_at_the_deadline() -> None:
    with scripted_server(Drip(" ", every=0.3, count=100)) as server:
        elapsed, stream = _timed(_settings(server.base_url))
    assert elapsed < 3.0, elapsed
    assert stream.text == FALLBACK  # type: ignore[attr-defined]


def test_truncated_stream_is_a_failure_not_a_question() -> None:
    text = "How would you explain DGX systems and their role in enterprise AI today?"
    with scripted_server(Truncated(text)) as server:
        _, stream = _timed(_settings(server.base_url))
    assert stream.text == FALLBACK and stream.engine == "offline"  # type: ignore[attr-defined]
    assert "LLMTruncatedError" in (stream.note or "")  # type: ignore[attr-defined]


def test_after_a_failure_steps_run_offline_said_once_then_retry_after_cooldown() -> None:
    now = [1000.0]
    health = LLMHealth(cooldown_s=180, clock=lambda: now[0])
    with scripted_server(Status(500), Reply("Back again?")) as server:
        settings = _settings(server.base_url)
        model = build_chat_model(settings, health)
        first = stream_or_fallback(model, MESSAGES, FALLBACK)
        assert first.result() == FALLBACK
        assert "runs offline and tries the LLM again in about 3 min" in (first.note or "")
        for _ in range(3):  # within the cool-down: no request, no repeated message
            quiet = stream_or_fallback(model, MESSAGES, FALLBACK)
            assert quiet.result() == FALLBACK and quiet.engine == "offline"
            assert quiet.note is None
        assert len(server.requests) == 1 and health.skipped == 3
        now[0] += 181
        again = stream_or_fallback(model, MESSAGES, FALLBACK)
        assert again.result() == "Back again?" and again.engine == "llm"
    assert len(server.requests) == 2 and health.failed_at is None


def test_grade_with_a_drip_feeding_judge_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    line = {"question": "What is DGX Spark?", "answer": "DGX Spark is a desktop AI computer.",
            "key_points": ["DGX Spark is a desktop AI computer"]}
    path = tmp_path / "a.jsonl"
    path.write_text((json.dumps(line) + "\n") * 2)
    with scripted_server(*[Drip(" ", every=0.3, count=100) for _ in range(4)]) as server:
        for name, value in {"OPENAI_BASE_URL": server.base_url, "PREP_AGENT_ENGINE": "llm",
                            "PREP_AGENT_LLM_DEADLINE": "1", "PREP_AGENT_LLM_RETRIES": "0",
                            "PREP_AGENT_MODEL": "fake-model"}.items():
            monkeypatch.setenv(name, value)
        start = time.perf_counter()
        assert main(["grade", str(path)]) == 0
        elapsed = time.perf_counter() - start
    rows = [json.loads(r) for r in capsys.readouterr().out.splitlines()]
    assert [r["engine"].startswith("offline (llm failed") for r in rows] == [True, True]
    # The second line does not even try the server: the first failure paused the LLM.
    assert len(server.requests) == 1
    assert elapsed < 15, elapsed

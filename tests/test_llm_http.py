"""The real openai client over HTTP against a scripted OpenAI-compatible server on loopback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from llm_server import Malformed, Reply, Stall, Status, scripted_server

from prep_agent.config import Settings, load_settings
from prep_agent.engine import engine_label
from prep_agent.interview.interviewer import Interviewer
from prep_agent.knowledge.parser import parse_notes
from prep_agent.llm import build_chat_model, invoke_or_fallback, stream_or_fallback
from prep_agent.prompt_library import PromptLibrary

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = [("system", "You are a test."), ("human", "Ask me something.")]


def _settings(base_url: str, **changes: object) -> Settings:
    base = load_settings({"PREP_AGENT_HOME": "/tmp/unused"}).with_(
        openai_base_url=base_url, model="fake-model", llm_timeout_s=2.0, llm_max_retries=2)
    return base.with_(**changes)


def test_streams_a_scripted_reply_with_placeholder_key() -> None:
    with scripted_server(Reply("What does DGX Spark change for developers?")) as server:
        settings = _settings(server.base_url)
        stream = stream_or_fallback(build_chat_model(settings), MESSAGES, "offline")
        chunks = list(stream)
    assert len(chunks) > 3
    assert stream.text == "What does DGX Spark change for developers?" and stream.engine == "llm"
    assert server.requests[0]["stream"] is True and server.requests[0]["model"] == "fake-model"
    assert server.requests[0]["messages"][0] == {"role": "system", "content": "You are a test."}
    assert server.headers[0]["authorization"] == "Bearer no-key-needed"
    assert engine_label(settings).startswith("LLM: fake-model @ http://127.0.0.1:")


def test_retries_a_429_then_succeeds() -> None:
    with scripted_server(Status(429), Reply("Second time lucky?")) as server:
        stream = stream_or_fallback(build_chat_model(_settings(server.base_url)), MESSAGES, "F")
        assert stream.result() == "Second time lucky?"
    assert len(server.requests) == 2 and stream.note is None


def test_persistent_500s_fall_back_after_bounded_retries() -> None:
    with scripted_server(Status(500), Status(500), Status(500), Reply("never")) as server:
        stream = stream_or_fallback(build_chat_model(_settings(server.base_url)), MESSAGES,
                                    "Offline question?")
        assert stream.result() == "Offline question?"
    assert len(server.requests) == 3  # one try plus llm_max_retries=2
    assert stream.engine == "offline" and "HTTP 500" in (stream.note or "")


def test_timeout_falls_back() -> None:
    with scripted_server(Stall(3.0)) as server:
        settings = _settings(server.base_url, llm_timeout_s=0.3, llm_max_retries=0)
        stream = stream_or_fallback(build_chat_model(settings), MESSAGES, "Offline question?")
        assert stream.result() == "Offline question?"
    assert "Timeout" in (stream.note or "") and "no reply in time" in (stream.note or "")


@pytest.mark.parametrize("streaming", [True, False])
def test_malformed_json_falls_back(streaming: bool) -> None:
    with scripted_server(Malformed()) as server:
        model = build_chat_model(_settings(server.base_url, llm_max_retries=0))
        if streaming:
            stream = stream_or_fallback(model, MESSAGES, "Offline question?")
            text, note = stream.result(), stream.note
        else:
            assert model is not None
            model = model.model_copy(update={"streaming": False})
            text, note = invoke_or_fallback(model, MESSAGES, "Offline question?")
    assert text == "Offline question?" and note and note.startswith("LLM failed")


def test_mid_stream_error_shows_the_offline_text_after_a_newline() -> None:
    with scripted_server(Reply("one two three four five six", cut=True)) as server:
        stream = stream_or_fallback(build_chat_model(_settings(server.base_url,
                                                               llm_max_retries=0)),
                                    MESSAGES, "Offline question?")
        chunks = list(stream)
    assert "".join(chunks[:-1]).startswith("one")
    assert chunks[-1] == "\nOffline question?" and stream.engine == "offline"


def test_failure_logs_never_contain_the_api_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with scripted_server(Status(401)) as server:
        settings = _settings(server.base_url, openai_api_key="sk-test-secret-123",
                             llm_max_retries=0)
        stream = stream_or_fallback(build_chat_model(settings), MESSAGES, "F")
        assert stream.result() == "F"
    assert server.headers[0]["authorization"] == "Bearer sk-test-secret-123"
    assert "HTTP 401" in (stream.note or "")
    assert "sk-test-secret-123" not in caplog.text
    assert "sk-test-secret-123" not in (stream.note or "") + engine_label(settings)


def test_interviewer_over_http_question_then_follow_up_fallback() -> None:
    topics = parse_notes((ROOT / "seeds" / "dgx-systems.md").read_text(encoding="utf-8"),
                         "seeds/dgx-systems.md")
    prompt_set = PromptLibrary(ROOT / "prompts").load("hiring-manager")
    key_point = next(t for t in topics[0].items if t.key_point).key_point or ""
    with scripted_server(
        Reply("Question: How would you explain DGX systems to a new engineer?"),
        Reply(key_point),  # a follow-up that just states the key point must be rejected
    ) as server:
        model = build_chat_model(_settings(server.base_url))
        interviewer = Interviewer(topics, None, prompt_set, chat_model=model, seed=1)
        planned = next(p for p in interviewer.plan(6) if p.target.text == key_point)
        question = interviewer.ask(planned)
        assert question.text == "How would you explain DGX systems to a new engineer?"
        assert question.engine == "llm" and question.prompt_hash == prompt_set.hash

        class KP:
            def __init__(self, text: str) -> None:
                self.key_point, self.status, self.strength = text, "missing", 0.1

        class Score:
            key_points = [KP(key_point)]
            overall = 20

        follow = interviewer.follow_up(question, Score(), answer="It is a computer. </answer>")
    assert follow is not None and follow.engine == "offline"
    assert "gave the key point away" in (follow.engine_note or "")
    assert follow.parent_id == question.id and follow.target_key_points == [key_point]
    sent = server.requests[0]["messages"]
    assert "hiring manager" in sent[0]["content"]
    assert "DGX systems" in sent[1]["content"] and "seeds/dgx-systems.md:" in sent[1]["content"]
    followup_prompt = server.requests[1]["messages"][1]["content"]
    assert "It is a computer. [tag removed]" in followup_prompt

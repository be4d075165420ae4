"""LLM engine wiring: engine choice, labels without secrets, and streaming with fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from prep_agent.config import Settings, load_settings
from prep_agent.engine import OFFLINE_LABEL, engine_label
from prep_agent.errors import LLMError
from prep_agent.llm import (
    PLACEHOLDER_KEY,
    TextStream,
    build_chat_model,
    invoke_or_fallback,
    safe_url,
    stream_or_fallback,
)


def _settings(**changes: object) -> Settings:
    return load_settings({"PREP_AGENT_HOME": "/tmp/unused",
                          "PREP_AGENT_LOCAL_LLM": "0"}).with_(**changes)


class ExplodingModel(GenericFakeChatModel):
    """Streams a few words, then fails like a dropped connection."""

    def _stream(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        yield from list(super()._stream(*args, **kwargs))[:2]
        raise ConnectionError("connection reset")


def test_offline_engine_has_no_model_and_says_so() -> None:
    settings = _settings(engine="auto")
    assert settings.resolved_engine == "offline"
    assert build_chat_model(settings) is None
    assert engine_label(settings) == OFFLINE_LABEL
    # A configured LLM can still be switched off explicitly.
    forced = _settings(engine="offline", openai_api_key="sk-abc")
    assert build_chat_model(forced) is None and engine_label(forced) == OFFLINE_LABEL


def test_local_engine_is_labelled_and_needs_its_server() -> None:
    settings = _settings(engine="local")
    assert engine_label(settings).startswith("Local LLM: Qwen2.5-Coder-0.5B-Instruct")
    with pytest.raises(LLMError, match="start_engine"):
        build_chat_model(settings)


def test_max_tokens_reaches_llama_cpp_as_max_tokens() -> None:
    model = build_chat_model(_settings(openai_base_url="http://127.0.0.1:9/v1"), max_tokens=40)
    payload = model._get_request_payload([("human", "hi")])  # type: ignore[union-attr]
    assert payload["extra_body"] == {"max_tokens": 40}


def test_llm_engine_without_configuration_names_the_fix() -> None:
    settings = _settings(engine="llm")
    with pytest.raises(LLMError, match="OPENAI_API_KEY or OPENAI_BASE_URL"):
        build_chat_model(settings)
    assert "not configured" in engine_label(settings)


def test_base_url_without_key_uses_a_placeholder_and_label_hides_secrets() -> None:
    settings = _settings(openai_base_url="http://user:hunter2@localhost:11434/v1?token=zzz",
                         model="llama3.2", llm_timeout_s=7.0, llm_max_retries=3)
    model = build_chat_model(settings)
    assert model is not None
    assert model.openai_api_key.get_secret_value() == PLACEHOLDER_KEY  # type: ignore[attr-defined]
    assert model.request_timeout == 7.0 and model.max_retries == 3  # type: ignore[attr-defined]
    assert model.streaming is True  # type: ignore[attr-defined]
    label = engine_label(settings)
    assert label == "LLM: llama3.2 @ http://localhost:11434/v1"
    assert "hunter2" not in label and "zzz" not in label


def test_api_key_never_appears_in_the_label() -> None:
    settings = _settings(openai_api_key="sk-very-secret-key", model="gpt-4o-mini")
    assert engine_label(settings) == "LLM: gpt-4o-mini @ api.openai.com"
    assert "sk-very" not in repr(settings)
    assert safe_url(None) == "api.openai.com"


def test_text_stream_streams_fake_model_tokens() -> None:
    model = GenericFakeChatModel(messages=iter(["What is DGX Spark for?"]))
    stream = stream_or_fallback(model, "hi", fallback="offline question")
    chunks = list(stream)
    assert len(chunks) > 1 and "".join(chunks) == "What is DGX Spark for?"
    assert stream.text == "What is DGX Spark for?"
    assert stream.engine == "llm" and stream.note is None


def test_text_stream_falls_back_mid_stream_and_says_so() -> None:
    model = ExplodingModel(messages=iter(["one two three four five six"]))
    stream = TextStream(model, "hi", fallback="Offline question?")
    chunks = list(stream)
    assert chunks[:2] == ["one", " "] and chunks[-1] == "\nOffline question?"
    assert stream.text == "Offline question?" and stream.engine == "offline"
    assert stream.note is not None and "ConnectionError" in stream.note


def test_text_stream_rejects_empty_or_failing_checks() -> None:
    empty = TextStream(GenericFakeChatModel(messages=iter(["   "])), "hi", fallback="F")
    assert empty.result() == "F" and "nothing usable" in (empty.note or "")
    model = GenericFakeChatModel(messages=iter([AIMessage(content="too long " * 50)]))
    checked = TextStream(model, "hi", fallback="F", check=lambda t: "too long")
    assert checked.result() == "F" and "too long" in (checked.note or "")


def test_result_after_partial_iteration_finishes_the_stream() -> None:
    stream = TextStream(GenericFakeChatModel(messages=iter(["a b c d"])), "hi", fallback="F")
    first = next(iter(stream))
    assert first == "a"
    # Issue 8 item 5: a finished stream replays its chunks (it used to iterate as empty).
    assert stream.result() == "a b c d" and "".join(stream) == "a b c d"


def test_invoke_or_fallback_offline_and_fake() -> None:
    assert invoke_or_fallback(None, None, "offline text") == ("offline text", None)
    model = GenericFakeChatModel(messages=iter(["hello there"]))
    assert invoke_or_fallback(model, "hi", "x") == ("hello there", None)


def test_llm_module_is_the_only_openai_importer() -> None:
    package = Path(__file__).resolve().parent.parent / "prep_agent"
    importers = sorted(p.name for p in package.glob("*.py")
                       if "import openai" in p.read_text() or "from openai" in p.read_text()
                       or "langchain_openai" in p.read_text())
    assert importers == ["llm.py"]

"""The LLM engine: the only module that talks to OpenAI-compatible servers (langchain-openai)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from langchain_core.language_models import BaseChatModel, LanguageModelInput

from prep_agent.config import Settings
from prep_agent.errors import LLMError

log = logging.getLogger(__name__)
OFFLINE_LABEL = "Offline engine (no LLM)"
# Local servers (Ollama, vLLM, llama.cpp) accept any key; the client insists on one.
PLACEHOLDER_KEY = "no-key-needed"


def safe_url(url: str | None) -> str:
    """A base URL with any user:password@ and query string removed, fit for labels and logs."""
    if not url:
        return "api.openai.com"
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", "")) or "api.openai.com"


def engine_label(settings: Settings) -> str:
    """What the UI shows: the engine, the model and where it runs (never the key)."""
    if settings.resolved_engine == "offline":
        return OFFLINE_LABEL
    if not settings.llm_configured:
        return "LLM selected but not configured: set OPENAI_API_KEY or OPENAI_BASE_URL"
    return f"LLM: {settings.model} @ {safe_url(settings.openai_base_url)}"


def build_chat_model(settings: Settings) -> BaseChatModel | None:
    """A streaming ChatOpenAI with timeout and bounded retries, or None for the offline engine."""
    if settings.resolved_engine == "offline":
        return None
    if not settings.llm_configured:
        raise LLMError(
            "PREP_AGENT_ENGINE=llm but no LLM is configured: set OPENAI_API_KEY or "
            "OPENAI_BASE_URL (e.g. http://localhost:11434/v1 for Ollama), or use "
            "PREP_AGENT_ENGINE=offline"
        )
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    try:
        return ChatOpenAI(
            model=settings.model,
            api_key=SecretStr(settings.openai_api_key or PLACEHOLDER_KEY),
            base_url=settings.openai_base_url,
            timeout=settings.llm_timeout_s,
            max_retries=max(0, settings.llm_max_retries),
            streaming=True,
        )
    except Exception as exc:  # noqa: BLE001 - pydantic/openai raise many types on bad config
        raise LLMError(
            f"Cannot set up model {settings.model!r} at {safe_url(settings.openai_base_url)}: "
            f"{type(exc).__name__}. Check PREP_AGENT_MODEL and OPENAI_BASE_URL"
        ) from exc


def build_openai_client(settings: Settings) -> Any | None:
    """An OpenAI client for the transcription API when OPENAI_API_KEY is set, else None."""
    if not settings.openai_api_key:
        return None
    import openai

    return openai.OpenAI(
        api_key=settings.openai_api_key, base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_s, max_retries=max(0, settings.llm_max_retries),
    )


def describe_failure(exc: BaseException) -> str:
    """A short, key-free reason for a failed LLM call."""
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    if status is not None:
        return f"{name} (HTTP {status})"
    if "Timeout" in name or isinstance(exc, TimeoutError):
        return f"{name} (no reply in time)"
    return name


class TextStream:
    """Streams a chat model's reply; on any failure switches to the offline text and says so.

    Iterate it to get text chunks as they arrive, then read `.text`, `.engine` ("llm" or
    "offline") and `.note` (None, or why the offline text was used). If the model fails after
    some chunks were shown, a newline and the offline text follow, and `.note` explains.
    """

    def __init__(
        self,
        model: BaseChatModel | None,
        messages: LanguageModelInput | None,
        fallback: str,
        check: Callable[[str], str | None] | None = None,
        clean: Callable[[str], str] | None = None,
        max_chars: int | None = None,
    ) -> None:
        self._model = model
        self._max_chars = max_chars
        self._messages = messages
        self._fallback = fallback
        self._check = check
        self._clean = clean or str.strip
        self.text = fallback
        self.engine = "offline"
        self.note: str | None = None
        self._chunks = self._run()

    def __iter__(self) -> Iterator[str]:
        return self._chunks

    def _run(self) -> Iterator[str]:
        if self._model is None or self._messages is None:
            yield self._fallback
            return
        shown: list[str] = []
        size = 0
        chunks = self._model.stream(self._messages)
        try:
            for chunk in chunks:
                piece = str(chunk.text)
                if piece:
                    shown.append(piece)
                    size += len(piece)
                    yield piece
                if self._max_chars is not None and size > self._max_chars:
                    break  # a rambling model: stop paying for tokens and judge what we have
        except Exception as exc:  # noqa: BLE001 - any model failure means: offline for this step
            reason = describe_failure(exc)
            log.warning("LLM call failed, using the offline engine for this step: %s", reason)
            yield from self._use_fallback(shown, f"LLM failed ({reason}); used the offline engine")
            return
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        text = self._clean("".join(shown))
        problem = "it returned nothing usable" if not text else (
            self._check(text) if self._check else None
        )
        if problem:
            note = f"LLM reply rejected ({problem}); used the offline engine"
            yield from self._use_fallback(shown, note)
            return
        self.text, self.engine = text, "llm"

    def _use_fallback(self, shown: list[str], note: str) -> Iterator[str]:
        self.note = note
        self.text, self.engine = self._fallback, "offline"
        yield ("\n" if shown else "") + self._fallback

    def result(self) -> str:
        """Consume what is left and return the final text."""
        for _ in self._chunks:
            pass
        return self.text


def stream_or_fallback(
    model: BaseChatModel | None,
    messages: LanguageModelInput | None,
    fallback: str,
    check: Callable[[str], str | None] | None = None,
) -> TextStream:
    """A TextStream: the model's streamed reply, or `fallback` (with a note) if it fails."""
    return TextStream(model, messages, fallback, check=check)


def invoke_or_fallback(
    model: BaseChatModel | None, messages: LanguageModelInput | None, fallback: str
) -> tuple[str, str | None]:
    """Non-streaming convenience: (text, note), where note says why the fallback was used."""
    stream = TextStream(model, messages, fallback)
    return stream.result(), stream.note

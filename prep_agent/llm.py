"""The LLM engine: the only module that talks to OpenAI-compatible servers (langchain-openai)."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from langchain_core.language_models import BaseChatModel, LanguageModelInput

from prep_agent.config import Settings
from prep_agent.errors import LLMError
from prep_agent.streaming import Stream

if TYPE_CHECKING:
    from langchain_core.callbacks import CallbackManagerForLLMRun
    from langchain_core.messages import BaseMessage
    from langchain_core.outputs import ChatGenerationChunk, ChatResult


log = logging.getLogger(__name__)
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



class LLMDeadlineError(TimeoutError):
    """A step's total deadline passed (a hung or drip-feeding server)."""


class LLMTruncatedError(LLMError):
    """The stream ended without a finish_reason: the reply is cut off, not an answer."""


class LLMPausedError(LLMError):
    """The LLM failed recently, so this step runs offline without trying it."""

    def __init__(self, message: str, note: str | None) -> None:
        super().__init__(message)
        self.note = note


class LLMHealth:
    """Whether the LLM is usable: after a failure, steps run offline until `cooldown_s` passes.

    One instance is passed to the chat model of a session (CLI) or server (app); the clock is
    injectable so tests need not sleep.
    """

    def __init__(self, cooldown_s: float = 180.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self.failed_at: float | None = None
        self.reason: str | None = None
        self.skipped = 0  # steps run offline without trying the LLM

    def check(self) -> None:
        """Raise LLMPausedError while cooling down after a failure; else let the call go."""
        with self._lock:
            if self.failed_at is None:
                return
            left = self.cooldown_s - (self._clock() - self.failed_at)
            if left <= 0:
                return  # one new try; a failure starts another cool-down
            self.skipped += 1
        raise LLMPausedError(f"the LLM failed ({self.reason}); offline for {left:.0f} s more",
                             None)

    def failed(self, reason: str) -> str:
        """Record a failure; returns the one-time message saying the session went offline."""
        with self._lock:
            self.failed_at, self.reason = self._clock(), reason
        minutes = max(1, round(self.cooldown_s / 60))
        return (f"LLM failed ({reason}); this session runs offline and tries the LLM again in "
                f"about {minutes} min")

    def succeeded(self) -> None:
        """The LLM answered: back to normal."""
        with self._lock:
            self.failed_at, self.reason = None, None


def _finished(chunk: ChatGenerationChunk) -> bool:
    info = chunk.generation_info or {}
    meta = getattr(chunk.message, "response_metadata", None) or {}
    return bool(info.get("finish_reason") or meta.get("finish_reason"))


def _guarded_chat_class() -> type[BaseChatModel]:
    """ChatOpenAI with a total deadline per step, truncation checks and the health gate."""
    from langchain_openai import ChatOpenAI
    from pydantic import Field

    class GuardedChatOpenAI(ChatOpenAI):
        """A ChatOpenAI whose every call ends within `step_deadline_s`, or fails."""

        step_deadline_s: float = 30.0
        health: Any = Field(default=None, exclude=True)

        def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                    run_manager: CallbackManagerForLLMRun | None = None,
                    **kwargs: Any) -> Iterator[ChatGenerationChunk]:
            if self.health is not None:
                self.health.check()
            inner = ChatOpenAI._stream(self, messages, stop=stop, run_manager=run_manager,
                                       **kwargs)
            yield from self._within_deadline(inner)

        def _within_deadline(
            self, inner: Iterator[ChatGenerationChunk]
        ) -> Iterator[ChatGenerationChunk]:
            deadline = time.monotonic() + self.step_deadline_s
            box: queue.Queue[tuple[str, Any]] = queue.Queue()
            stop_flag = threading.Event()

            def pump() -> None:
                try:
                    for chunk in inner:
                        if stop_flag.is_set():
                            break
                        box.put(("chunk", chunk))
                    box.put(("end", None))
                except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                    box.put(("error", exc))
                finally:
                    close = getattr(inner, "close", None)
                    if close is not None:
                        close()

            # The HTTP read blocks in this thread; the caller waits on the queue with a deadline.
            threading.Thread(target=pump, daemon=True, name="llm-stream").start()
            finished = False
            try:
                while True:
                    try:
                        kind, value = box.get(timeout=max(0.0, deadline - time.monotonic()))
                    except queue.Empty:
                        raise LLMDeadlineError(
                            f"no complete reply within {self.step_deadline_s:g} s") from None
                    if kind == "error":
                        raise value
                    if kind == "end":
                        break
                    finished = finished or _finished(value)
                    yield value
                if not finished:
                    raise LLMTruncatedError("the reply stream ended without finish_reason")
            except GeneratorExit:
                raise  # the caller stopped reading (a rambling model): not a failure
            except Exception as exc:
                if self.health is not None:
                    self.health.failed(describe_failure(exc))
                raise
            else:
                if self.health is not None:
                    self.health.succeeded()
            finally:
                stop_flag.set()

        def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                      run_manager: CallbackManagerForLLMRun | None = None,
                      **kwargs: Any) -> ChatResult:
            from langchain_core.language_models.chat_models import generate_from_stream

            # Always stream underneath, so the deadline and truncation checks apply.
            return generate_from_stream(self._stream(messages, stop=stop,
                                                     run_manager=run_manager, **kwargs))

    return GuardedChatOpenAI


def build_chat_model(settings: Settings, health: LLMHealth | None = None,
                     max_tokens: int | None = None) -> BaseChatModel | None:
    """A streaming chat model with a total deadline per step, bounded retries and a health gate
    (offline for `llm_cooldown_s` after a failure), or None for the offline engine.

    max_tokens caps each reply, so a rambling small model cannot hold a local server busy.
    """
    if settings.resolved_engine == "offline":
        return None
    if settings.resolved_engine == "local":
        raise LLMError(
            "The local LLM needs its server: build the engine with "
            "prep_agent.practice.engine.start_engine, or use PREP_AGENT_ENGINE=offline"
        )
    if not settings.llm_configured:
        raise LLMError(
            "PREP_AGENT_ENGINE=llm but no LLM is configured: set OPENAI_API_KEY or "
            "OPENAI_BASE_URL (e.g. http://localhost:11434/v1 for Ollama), or use "
            "PREP_AGENT_ENGINE=offline"
        )
    from pydantic import SecretStr

    guarded = _guarded_chat_class()
    try:
        return guarded(  # type: ignore[call-arg]
            model=settings.model,
            api_key=SecretStr(settings.openai_api_key or PLACEHOLDER_KEY),
            base_url=settings.openai_base_url,
            timeout=min(settings.llm_timeout_s, settings.llm_deadline_s),
            max_retries=max(0, min(5, settings.llm_max_retries)),
            streaming=True,
            step_deadline_s=settings.llm_deadline_s,
            health=health if health is not None else LLMHealth(settings.llm_cooldown_s),
            # llama.cpp's server reads max_tokens and ignores max_completion_tokens.
            extra_body=None if max_tokens is None else {"max_tokens": max_tokens},
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


class TextStream(Stream[str]):
    """Streams a chat model's reply; on any failure switches to the offline text and says so.

    Iterate it to get text chunks as they arrive (again to replay them), then read `.text`,
    `.engine` ("llm" or "offline") and `.note` (None, or why the offline text was used). If the
    model fails after some chunks were shown, a newline and the offline text follow.
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
        super().__init__(self._run(), lambda: self.text)

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
        except LLMPausedError as exc:  # already said once: run offline quietly
            yield from self._use_fallback(shown, exc.note)
            return
        except Exception as exc:  # noqa: BLE001 - any model failure means: offline for this step
            reason = describe_failure(exc)
            log.warning("LLM call failed, using the offline engine for this step: %s", reason)
            health = getattr(self._model, "health", None)
            note = (health.failed(reason) if isinstance(health, LLMHealth)
                    else f"LLM failed ({reason}); used the offline engine")
            yield from self._use_fallback(shown, note)
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

    def _use_fallback(self, shown: list[str], note: str | None) -> Iterator[str]:
        self.note = note
        self.text, self.engine = self._fallback, "offline"
        yield ("\n" if shown else "") + self._fallback


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

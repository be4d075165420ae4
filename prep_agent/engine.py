"""The engine of a session (offline, an LLM server, or the built-in local model), decided once."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from langchain_core.language_models import BaseChatModel

from prep_agent.config import Settings
from prep_agent.llm import build_chat_model, safe_url
from prep_agent.local_model import DEFAULT_MODEL

if TYPE_CHECKING:
    from prep_agent.local_model import LocalServer

OFFLINE_LABEL = "Offline engine (no LLM)"
# Local servers (Ollama, vLLM, llama.cpp) accept any key; the client insists on one.
# A question is a few sentences: the cap keeps a rambling small model from holding the local
# server (one request at a time) busy; a small model on a busy 2-core machine may need a minute.
LOCAL_MAX_TOKENS = 160
LOCAL_DEADLINE_S = 60.0


def engine_label(settings: Settings) -> str:
    """What the UI shows: the engine, the model and where it runs (never the key)."""
    if settings.resolved_engine == "offline":
        return OFFLINE_LABEL
    if settings.resolved_engine == "local":
        return local_label()
    if not settings.llm_configured:
        return "LLM selected but not configured: set OPENAI_API_KEY or OPENAI_BASE_URL"
    return f"LLM: {settings.model} @ {safe_url(settings.openai_base_url)}"


def local_label() -> str:
    """The built-in local model's label."""
    return f"Local LLM: {DEFAULT_MODEL.description} (llama.cpp on this machine)"


class EngineKind(StrEnum):
    """Who phrases questions and judges answers."""

    offline = "offline"
    llm = "llm"
    local = "local"  # a model served on this machine (llama.cpp); wired by prep_agent.local_model


@dataclass(frozen=True)
class Engine:
    """The engine of a session, decided once (`build_engine`) and carried as a value."""

    kind: EngineKind = EngineKind.offline
    model: str = ""
    host: str = ""
    label: str = OFFLINE_LABEL
    chat_model: BaseChatModel | None = field(default=None, compare=False, repr=False)
    fell_back: bool = False
    reason: str | None = None
    # The local engine: its server (stopped by `close`), the prompt sets' short prompts, and
    # the offline grader as the judge (its yes/no judgement did not beat it: README).
    server: LocalServer | None = field(default=None, compare=False, repr=False)
    compact: bool = False
    judges: bool = True

    @property
    def uses_llm(self) -> bool:
        """True when a chat model phrases questions (and, if `judges`, judges answers)."""
        return self.chat_model is not None and self.kind != EngineKind.offline

    @property
    def judge_model(self) -> BaseChatModel | None:
        """The chat model that grades answers; None keeps the offline grader."""
        return self.chat_model if self.uses_llm and self.judges else None

    def close(self) -> None:
        """Stop the local server, if this engine runs one."""
        if self.server is not None:
            self.server.stop()

    @property
    def recorded_model(self) -> str:
        """The model name a transcript records ('' for the offline engine)."""
        return self.model if self.uses_llm else ""

    def falling_back(self, reason: str) -> Engine:
        """This engine after a failure made the session run offline (says so, keeps the why)."""
        return replace(self, fell_back=True, reason=reason)

    @property
    def badge(self) -> str:
        """The label, plus the fallback when one happened: the UI never hides which engine ran."""
        if self.server is not None and not self.server.alive():
            return f"{self.label} · stopped; the offline engine took over"
        if self.fell_back:
            return f"{self.label} · fell back to offline ({self.reason or 'LLM failed'})"
        return self.label


def offline_engine() -> Engine:
    """The offline engine: templates and the offline grader, no network."""
    return Engine()


def local_engine(settings: Settings, server: LocalServer) -> Engine:
    """The local engine on a started llama.cpp server: the same OpenAI-compatible path."""
    chat_model = build_chat_model(
        settings.with_(engine="llm", openai_base_url=server.base_url, openai_api_key=None,
                       model=server.alias, llm_max_retries=0,
                       llm_timeout_s=max(settings.llm_timeout_s, LOCAL_DEADLINE_S),
                       llm_deadline_s=max(settings.llm_deadline_s, LOCAL_DEADLINE_S)),
        max_tokens=LOCAL_MAX_TOKENS,
    )
    return Engine(kind=EngineKind.local, model=server.alias, host="this machine",
                  label=local_label(), chat_model=chat_model, server=server, compact=True,
                  judges=False)


def build_engine(settings: Settings, chat_model: BaseChatModel | None = None) -> Engine:
    """Decide the engine once: a chat model passed in (tests, demos), else from settings.

    The local engine needs its server started first: see `practice.engine.start_engine`.
    """
    if chat_model is None:
        chat_model = build_chat_model(settings)
        if chat_model is None:
            return offline_engine()
        return Engine(kind=EngineKind.llm, model=settings.model,
                      host=safe_url(settings.openai_base_url), label=engine_label(settings),
                      chat_model=chat_model)
    if settings.resolved_engine == "llm":
        return Engine(kind=EngineKind.llm, model=settings.model,
                      host=safe_url(settings.openai_base_url), label=engine_label(settings),
                      chat_model=chat_model)
    # A chat model passed in directly: say what it is, not what the settings say.
    return Engine(kind=EngineKind.llm, label=f"LLM: {type(chat_model).__name__}",
                  chat_model=chat_model)



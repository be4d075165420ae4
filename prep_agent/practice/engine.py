"""The engine, decided once per process: offline, a configured LLM server, or the local LLM."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from prep_agent.config import ResolvedEngine, Settings
from prep_agent.errors import LocalModelError
from prep_agent.llm import OFFLINE_LABEL, build_chat_model, engine_label, local_label
from prep_agent.local_model import LocalServer, local_server, missing_reason

# A question is at most a few sentences; the cap keeps a rambling small model from holding
# the (one-request-at-a-time) local server busy.
LOCAL_MAX_TOKENS = 160
# A small model on a busy 2-core machine can take a while; past this the step falls back.
LOCAL_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Engine:
    """Which engine runs, as a value carried from the composition root to every session."""

    kind: ResolvedEngine
    label: str
    chat_model: BaseChatModel | None = None
    judges: bool = False  # the chat model also grades (the local model never does)
    compact: bool = False  # use the prompt sets' short prompts (a small local model)
    model: str = ""  # model name recorded in transcripts
    server: LocalServer | None = None
    note: str | None = None  # why offline took over when the engine started

    @property
    def failure(self) -> str | None:
        """Why this engine is not running now (start failure or a server that stopped)."""
        if self.note:
            return self.note
        if self.server is not None and not self.server.alive():
            code = None if self.server.proc is None else self.server.proc.returncode
            return f"the local LLM server stopped (exit code {code})"
        return None

    @property
    def status(self) -> str:
        """What the UI shows: the engine, and when it failed that offline took over."""
        failure = self.failure
        if failure is None:
            return self.label
        return f"{OFFLINE_LABEL}: {failure}; the offline engine took over"

    @property
    def live_chat_model(self) -> BaseChatModel | None:
        """The chat model for a new session, or None when the engine is down."""
        return None if self.failure else self.chat_model

    @property
    def judge_model(self) -> BaseChatModel | None:
        """The chat model that also grades answers; None keeps the offline grader."""
        return self.live_chat_model if self.judges else None

    def close(self) -> None:
        """Stop the local server, if this engine started one."""
        if self.server is not None:
            self.server.stop()


def offline_engine(note: str | None = None) -> Engine:
    """The offline engine (templates and the offline grader)."""
    return Engine(kind="offline", label=OFFLINE_LABEL, note=note)


def start_local(settings: Settings, timeout_s: float = 120.0) -> Engine:
    """Start the built-in local LLM; if it cannot start, the offline engine with the reason.

    LocalModelError (naming the install command) when its packages are missing.
    """
    reason = missing_reason()
    if reason:
        raise LocalModelError(reason)
    server = local_server(settings.home, threads=settings.local_threads)
    try:
        server.start(timeout_s=timeout_s)
    except LocalModelError as exc:
        return offline_engine(f"the local LLM failed to start ({exc})")
    return local_engine(settings, server)


def local_engine(settings: Settings, server: LocalServer) -> Engine:
    """The local engine on a started server: questions through llm.py, offline grading."""
    chat = build_chat_model(
        settings.with_(engine="llm", openai_base_url=server.base_url, openai_api_key=None,
                       model=server.alias,
                       llm_timeout_s=max(settings.llm_timeout_s, LOCAL_TIMEOUT_S),
                       llm_max_retries=0),
        max_tokens=LOCAL_MAX_TOKENS,
    )
    return Engine(kind="local", label=local_label(), chat_model=chat, judges=False,
                  compact=True, model=server.alias, server=server)


def start_engine(settings: Settings, chat_model: BaseChatModel | None = None) -> Engine:
    """Decide the engine once: offline, a configured server or key, or the local LLM.

    A chat model passed in (tests, demos) is used as a configured LLM.
    """
    if chat_model is not None:
        # Say what the model is, unless settings describe it (never the key).
        label = (engine_label(settings) if settings.resolved_engine == "llm"
                 else f"LLM: {type(chat_model).__name__}")
        return Engine(kind="llm", label=label, chat_model=chat_model, judges=True,
                      model=settings.model)
    kind = settings.resolved_engine
    if kind == "offline":
        return offline_engine()
    if kind == "local":
        return start_local(settings)
    return Engine(kind="llm", label=engine_label(settings), chat_model=build_chat_model(settings),
                  judges=True, model=settings.model)

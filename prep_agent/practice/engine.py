"""The engine for a process (app or CLI): decided once, starting the local LLM server if chosen."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from prep_agent.config import Settings
from prep_agent.engine import Engine, EngineKind, build_engine, local_engine, local_label
from prep_agent.errors import LocalModelError
from prep_agent.local_model import local_server, missing_reason


def start_engine(settings: Settings, chat_model: BaseChatModel | None = None,
                 timeout_s: float = 120.0) -> Engine:
    """The engine: offline, a configured server or key, or the built-in local LLM.

    For the local LLM this starts its server (the caller stops it with `Engine.close`); a
    server that cannot start leaves the offline engine, saying why. LocalModelError, naming
    the install command, when PREP_AGENT_ENGINE=local but its packages are missing.
    """
    if chat_model is not None or settings.resolved_engine != "local":
        return build_engine(settings, chat_model)
    reason = missing_reason()
    if reason:
        raise LocalModelError(reason)
    server = local_server(settings.home, threads=settings.local_threads)
    try:
        server.start(timeout_s=timeout_s)
    except LocalModelError as exc:
        return Engine(kind=EngineKind.local, label=local_label(), host="this machine",
                      fell_back=True, reason=f"the local LLM failed to start: {exc}",
                      judges=False)
    return local_engine(settings, server)

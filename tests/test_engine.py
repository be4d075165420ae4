"""The engine for a process: decided once, the local one never judges, a dead server is shown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from prep_agent.config import load_settings
from prep_agent.engine import Engine, EngineKind
from prep_agent.knowledge.library import load_notes
from prep_agent.local_model import LocalServer
from prep_agent.practice.engine import start_engine
from prep_agent.practice.factory import PracticeDeps, build_practice
from prep_agent.prompt_library import PromptLibrary
from prep_agent.transcripts.db import connect
from prep_agent.transcripts.store import TranscriptStore

ROOT = Path(__file__).resolve().parent.parent


def test_engine_is_decided_from_settings() -> None:
    offline = start_engine(load_settings({"PREP_AGENT_LOCAL_LLM": "0"}))
    assert offline.kind == EngineKind.offline and offline.chat_model is None
    remote = start_engine(load_settings({"OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
                                         "PREP_AGENT_MODEL": "llama3.2"}))
    assert remote.kind == EngineKind.llm and remote.judge_model is remote.chat_model is not None
    assert remote.badge == "LLM: llama3.2 @ http://127.0.0.1:9/v1" and not remote.compact


def _dead_server(tmp_path: Path) -> LocalServer:
    server = LocalServer(tmp_path / "m.gguf", "m", log_path=tmp_path / "log")
    # A process that already exited stands in for a server that died.
    server.proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    server.proc.wait(30)
    return server


def test_a_stopped_local_server_is_shown_with_the_offline_takeover(tmp_path: Path) -> None:
    engine = Engine(kind=EngineKind.local, label="Local LLM: m", server=_dead_server(tmp_path),
                    chat_model=GenericFakeChatModel(messages=iter([])), judges=False)
    assert engine.badge == "Local LLM: m · stopped; the offline engine took over"
    engine.close()
    assert engine.server is not None and engine.server.proc is None


def test_the_local_engine_phrases_questions_but_never_grades(tmp_path: Path,
                                                              encoder: Any) -> None:
    reply = AIMessage(content="How would you describe DGX Spark to a new teammate?")
    chat = GenericFakeChatModel(messages=iter([reply] * 5))
    engine = Engine(kind=EngineKind.local, model="m", label="Local LLM: m", chat_model=chat,
                    compact=True, judges=False)
    assert engine.uses_llm and engine.judge_model is None
    deps = PracticeDeps(
        prompts=PromptLibrary(ROOT / "prompts"), topics=load_notes(ROOT / "seeds").topics,
        store=None, encoder=encoder, transcripts=TranscriptStore(connect(":memory:")),
        engine=engine, resume_facts=[], settings=None,
    )
    practice = build_practice(deps, "hiring-manager", seed=1, follow_ups=False)
    assert practice.interviewer.compact
    practice.start(1)
    question = practice.next_question()
    assert question is not None
    result = practice.submit(question.turn_id, "DGX systems are NVIDIA's AI platforms.")
    assert result.score is not None and result.score.engine == "offline"

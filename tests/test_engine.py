"""The engine value: decided once, labelled honestly, offline for the session after a failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from prep_agent.config import load_settings
from prep_agent.interview.interviewer import Interviewer
from prep_agent.knowledge.library import load_notes
from prep_agent.knowledge.models import Topic
from prep_agent.llm import OFFLINE_LABEL
from prep_agent.local_model import LocalServer
from prep_agent.practice.engine import Engine, start_engine
from prep_agent.practice.session import PracticeSession, make_scorer
from prep_agent.prompts import PromptLibrary, PromptSet
from prep_agent.transcripts.db import connect
from prep_agent.transcripts.store import TranscriptStore

ROOT = Path(__file__).resolve().parent.parent
ANSWER = "DGX systems are NVIDIA's AI platforms for training and inference in data centers."


class DeadServerModel(GenericFakeChatModel):
    """Fails every call like a server that is gone, counting the attempts."""

    calls: list[int] = []

    def _stream(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def, override]
        self.calls.append(1)
        raise ConnectionError("connection refused")


@pytest.fixture(scope="module")
def topics() -> list[Topic]:
    return load_notes(ROOT / "seeds").topics


@pytest.fixture(scope="module")
def prompt_set() -> PromptSet:
    return PromptLibrary(ROOT / "prompts").load("hiring-manager")


def test_offline_takes_over_for_the_rest_of_the_session_after_a_failure(
    topics: list[Topic], prompt_set: PromptSet, encoder: Any,
) -> None:
    dead = DeadServerModel(messages=iter([]))
    interviewer = Interviewer(topics, None, prompt_set, chat_model=dead, seed=1)
    transcripts = TranscriptStore(connect(":memory:"))
    practice = PracticeSession(interviewer, make_scorer(encoder), transcripts, model="m",
                               follow_ups=True)
    sid = practice.start(3)
    notes = []
    while (question := practice.next_question()) is not None:
        "".join(question)
        notes.append(question.result().engine_note)
        practice.submit(ANSWER)
    practice.finish()
    assert len(dead.calls) == 1  # never tried again after the first failure
    assert notes[0] is not None and notes[0].startswith("LLM failed (ConnectionError")
    assert all(n is None for n in notes[1:])  # later questions were planned offline
    assert practice.engine_note == ("The LLM failed (ConnectionError); the offline engine took "
                                    "over for the rest of this session")
    assert transcripts.get_session(sid).meta["engine_fallback"] == practice.engine_note


def test_a_rejected_reply_is_not_a_failure(topics: list[Topic], prompt_set: PromptSet,
                                           encoder: Any) -> None:
    chat = GenericFakeChatModel(messages=iter([AIMessage(content="Hello there")] * 5))
    interviewer = Interviewer(topics, None, prompt_set, chat_model=chat, seed=1)
    practice = PracticeSession(interviewer, make_scorer(encoder),
                               TranscriptStore(connect(":memory:")), follow_ups=False)
    practice.start(1)
    question = practice.next_question()
    assert question is not None
    assert (question.result().engine_note or "").startswith("LLM reply rejected")
    assert practice.engine_note is None and interviewer.chat_model is chat


def test_engine_is_decided_from_settings() -> None:
    offline = start_engine(load_settings({"PREP_AGENT_LOCAL_LLM": "0"}))
    assert (offline.kind, offline.status, offline.chat_model) == ("offline", OFFLINE_LABEL, None)
    remote = start_engine(load_settings({"OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
                                         "PREP_AGENT_MODEL": "llama3.2"}))
    assert remote.kind == "llm" and remote.judge_model is remote.chat_model is not None
    assert remote.status == "LLM: llama3.2 @ http://127.0.0.1:9/v1"
    fake = GenericFakeChatModel(messages=iter([]))
    given = start_engine(load_settings({"PREP_AGENT_LOCAL_LLM": "0"}), chat_model=fake)
    assert given.chat_model is fake and given.status == "LLM: GenericFakeChatModel"


def test_a_stopped_local_server_is_shown_as_offline_with_the_reason(tmp_path: Path) -> None:
    server = LocalServer(tmp_path / "m.gguf", "m", log_path=tmp_path / "log")
    # A process that already exited stands in for a server that died.
    server.proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    server.proc.wait(30)
    fake = GenericFakeChatModel(messages=iter([]))
    engine = Engine(kind="local", label="Local LLM: m", chat_model=fake, server=server)
    assert engine.live_chat_model is None and engine.judge_model is None
    assert engine.status == (f"{OFFLINE_LABEL}: the local LLM server stopped (exit code 3); "
                             "the offline engine took over")
    engine.close()
    failed = Engine(kind="offline", label=OFFLINE_LABEL, note="the local LLM failed to start (x)")
    assert failed.status.endswith("failed to start (x); the offline engine took over")

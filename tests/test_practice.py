"""Practice sessions: answer saved before scoring, follow-ups, errors, resume, history, LLM path."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from fakes import practice_session
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from prep_agent.engine import Engine, EngineKind
from prep_agent.errors import PrepAgentError, TranscriptError
from prep_agent.grading.models import Score, ScoreRequest
from prep_agent.interview.interviewer import Interviewer, Question
from prep_agent.knowledge.models import Topic
from prep_agent.practice.model_answer import model_answer
from prep_agent.practice.session import PracticeSession, make_scorer
from prep_agent.prompts import PromptSet
from prep_agent.transcripts.db import connect
from prep_agent.transcripts.records import KeyPointResult
from prep_agent.transcripts.store import TranscriptStore

ROOT = Path(__file__).resolve().parent.parent
GOOD = ("DGX Spark brings data center AI to desktops, and I would manage tool integration by "
        "aligning developer feedback with engineering, like my VMware governance. DGX systems "
        "scale AI from enterprise data centers to developer PCs, combining GPUs and software "
        "for training and inference.")


@pytest.fixture
def transcripts() -> TranscriptStore:
    return TranscriptStore(connect(":memory:"))


def test_full_session_offline(topics: list[Topic], prompt_set: PromptSet,
                              transcripts: TranscriptStore, encoder: Any) -> None:
    practice = practice_session(topics, prompt_set, transcripts, make_scorer(encoder))
    sid = practice.start(2)
    assert len(practice.plan) == 2
    asked: list[tuple[bool, str]] = []
    weak_seen = False
    while (q := practice.next_question()) is not None:
        text = "".join(q)
        assert text == q.result().text and q.recorded
        asked.append((q.is_follow_up, text))
        answer = "I am not sure." if not weak_seen else GOOD
        result = practice.submit(q.turn_id, answer)
        weak_seen = True
        assert result.score is not None and result.error is None
        assert result.answer == answer and result.notes == result.question.citations
        assert result.question.target_key_points[0] in result.model_answer
        assert set(result.timings) == {"save_answer_ms", "score_ms"}
        if result.follow_up is not None:
            assert practice.next_question() is result.follow_up
    assert asked[1][0], "a weak first answer gets a follow-up"
    assert practice.next_question() is None
    summary = practice.finish()
    assert summary.questions == 2 and summary.follow_ups == len(asked) - 2
    assert summary.scored == len(asked) and summary.average is not None
    assert "Session summary" in summary.text

    session = transcripts.get_session(sid)
    assert session.info.finished and session.summary is not None
    assert session.summary["text"] == summary.text
    assert [t.text for t in session.turns] == [text for _, text in asked]
    roots = [t.id for t in session.turns if t.parent_id is None]
    assert len(roots) == 2
    for turn in session.turns:
        assert turn.answer is not None and turn.score is not None and turn.ledger
        assert turn.parent_id is None or turn.parent_id in roots
        assert turn.ledger[0].topic == "DGX Systems (AI Supercomputers)"
    assert session.info.engine == "offline" and session.info.model == ""
    assert session.info.prompt_hash == prompt_set.hash
    assert len(session.meta["plan"]) == 2


def test_answer_is_committed_before_scoring(topics: list[Topic], prompt_set: PromptSet,
                                            tmp_path: Path, encoder: Any) -> None:
    db = tmp_path / "t.db"
    transcripts = TranscriptStore(connect(db))
    seen: list[str | None] = []
    real = make_scorer(encoder)

    def scorer(req: ScoreRequest) -> Score:
        # Another connection (another process, after a crash) must already see the answer.
        other = TranscriptStore(connect(db))
        rows = other.conn.execute("SELECT answer FROM turns ORDER BY id DESC LIMIT 1").fetchall()
        seen.append(rows[0][0])
        other.conn.close()
        return real(req)

    practice = practice_session(topics, prompt_set, transcripts, scorer)
    practice.start(1)
    q = practice.next_question()
    assert q is not None
    "".join(q)
    practice.submit(q.turn_id, "My committed answer about DGX Spark.")
    assert seen == ["My committed answer about DGX Spark."]


def test_scoring_failure_keeps_answer_and_moves_on(topics: list[Topic], prompt_set: PromptSet,
                                                   transcripts: TranscriptStore) -> None:
    def broken(req: ScoreRequest) -> Score:
        raise RuntimeError("grader exploded")

    practice = practice_session(topics, prompt_set, transcripts, broken)
    sid = practice.start(2)
    first = practice.next_question()
    assert first is not None
    result = practice.submit(first.turn_id, "An answer that must survive.")
    assert result.score is None and result.follow_up is None
    assert result.error is not None and "grader exploded" in result.error
    assert "answer is saved" in result.error
    turn = transcripts.get_turn(result.turn_id)
    assert turn.answer == "An answer that must survive." and turn.score is None
    assert turn.score_error == result.error and "score_ms" in turn.timings
    nxt = practice.next_question()
    assert nxt is not None and not nxt.is_follow_up
    summary = practice.finish()
    assert summary.scored == 0 and summary.average is None
    assert transcripts.get_session(sid).info.finished


def test_no_follow_ups_mode(topics: list[Topic], prompt_set: PromptSet,
                            transcripts: TranscriptStore, encoder: Any) -> None:
    practice = practice_session(topics, prompt_set, transcripts, make_scorer(encoder),
                                follow_ups=False)
    practice.start(2)
    count = 0
    while (q := practice.next_question()) is not None:
        assert practice.submit(q.turn_id, "I don't know.").follow_up is None
        count += 1
    assert count == 2


def test_start_rejects_zero_questions(topics: list[Topic], prompt_set: PromptSet,
                                      transcripts: TranscriptStore, encoder: Any) -> None:
    practice = practice_session(topics, prompt_set, transcripts, make_scorer(encoder))
    with pytest.raises(PrepAgentError, match="at least 1"):
        practice.start(0)
    with pytest.raises(PrepAgentError, match="start\\(\\) or resume\\(\\)"):
        practice.finish()


def test_resume_reasks_pending_question(topics: list[Topic], prompt_set: PromptSet,
                                        transcripts: TranscriptStore, encoder: Any) -> None:
    first = practice_session(topics, prompt_set, transcripts, make_scorer(encoder))
    sid = first.start(2)
    q = first.next_question()
    assert q is not None
    text = "".join(q)
    # The tab closes here. A new process resumes from the database alone.
    again = practice_session(topics, prompt_set, transcripts, make_scorer(encoder))
    assert again.resume(sid) == []
    pending = again.next_question()
    assert pending is not None and pending.recorded and "".join(pending) == text
    assert pending.turn_id == q.turn_id
    again.submit(pending.turn_id, GOOD)
    while (nxt := again.next_question()) is not None:
        again.submit(nxt.turn_id, GOOD)
    again.finish()
    session = transcripts.get_session(sid)
    assert sum(1 for t in session.turns if t.parent_id is None) == 2
    assert all(t.answer is not None for t in session.turns)
    with pytest.raises(TranscriptError, match="finished"):
        again.resume(sid)


def test_resume_scores_answer_saved_before_crash(topics: list[Topic], prompt_set: PromptSet,
                                                 transcripts: TranscriptStore,
                                                 encoder: Any) -> None:
    crashed: list[str] = []

    def dies(req: ScoreRequest) -> Score:
        crashed.append(req.answer)
        raise KeyboardInterrupt  # stands in for the process dying mid-scoring

    first = practice_session(topics, prompt_set, transcripts, dies)
    sid = first.start(1)
    q = first.next_question()
    assert q is not None
    with pytest.raises(KeyboardInterrupt):
        first.submit(q.turn_id, "I am not sure.")
    assert crashed == ["I am not sure."]
    again = practice_session(topics, prompt_set, transcripts, make_scorer(encoder))
    [late] = again.resume(sid)
    assert late.answer == "I am not sure." and late.score is not None
    assert transcripts.get_turn(late.turn_id).overall == late.score.overall
    nxt = again.next_question()
    assert nxt is not None and nxt.is_follow_up and nxt is late.follow_up


def test_history_prefers_weak_key_points(topics: list[Topic], prompt_set: PromptSet,
                                         transcripts: TranscriptStore, encoder: Any) -> None:
    probe = Interviewer(topics, None, prompt_set, seed=1)
    key_points = sorted({kp for t in probe.targets for kp in t.key_points})
    weak = next(kp for kp in key_points if kp.startswith("DGX systems scale AI"))
    sid = transcripts.start_session("hiring-manager", "h", "offline")
    tid = transcripts.add_turn(sid, {"text": "earlier"})
    transcripts.save_answer(tid, "earlier answer")
    transcripts.save_score(tid, {}, 50.0, [
        KeyPointResult(kp, "missing" if kp == weak else "covered", 0.0 if kp == weak else 1.0)
        for kp in key_points])
    for seed in (1, 2, 3):
        practice = practice_session(topics, prompt_set, transcripts, make_scorer(encoder),
                                    seed=seed)
        practice.start(1)
        assert weak in practice.plan[0].target.key_points


def test_model_answer_from_notes() -> None:
    q = Question(id="q", text="Explain DGX.", type="knowledge", topic="DGX", subject="DGX",
                 target_id="t", target_key_points=["DGX scales AI", "It ships Blackwell."],
                 resume_links=["Compare to your Microsoft zero-waste ops."],
                 prompt_set="hiring-manager", prompt_hash="h")
    assert model_answer(q) == ("DGX scales AI. It ships Blackwell.\n\n"
                               "Resume tie-in: Compare to your Microsoft zero-waste ops.")


def test_llm_engine_session_records_model(topics: list[Topic], prompt_set: PromptSet,
                                          transcripts: TranscriptStore, encoder: Any) -> None:
    replies = iter([AIMessage(content="How would you explain DGX Spark to a new developer?")] * 10)
    chat = GenericFakeChatModel(messages=replies)
    interviewer = Interviewer(topics, None, prompt_set, chat_model=chat, seed=1)
    engine = Engine(kind=EngineKind.llm, model="fake-model-1", chat_model=chat)
    practice = PracticeSession(interviewer, make_scorer(encoder), transcripts, engine=engine,
                               follow_ups=False)
    sid = practice.start(1)
    q = practice.next_question()
    assert q is not None
    chunks = list(q)
    assert len(chunks) > 1, "the LLM question is streamed in pieces"
    assert "".join(chunks) == "How would you explain DGX Spark to a new developer?"
    practice.submit(q.turn_id, GOOD)
    info = transcripts.get_session(sid).info
    assert (info.engine, info.model) == ("llm", "fake-model-1")
    assert transcripts.get_session(sid).turns[0].question["engine"] == "llm"


CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from prep_agent.interview.interviewer import Interviewer
    from prep_agent.knowledge.library import load_notes
    from prep_agent.practice.session import PracticeSession
    from prep_agent.prompt_library import PromptLibrary
    from prep_agent.transcripts.db import connect
    from prep_agent.transcripts.store import TranscriptStore

    def slow_scorer(req):
        print("scoring", flush=True)
        time.sleep(600)

    root = Path(sys.argv[2])
    ps = PromptLibrary(root / "prompts").load("hiring-manager")
    interviewer = Interviewer(load_notes(root / "seeds").topics, None, ps, seed=1)
    practice = PracticeSession(interviewer, slow_scorer, TranscriptStore(connect(sys.argv[1])))
    practice.start(2)
    q = practice.next_question()
    print("asked", "".join(q), flush=True)
    practice.submit(q.turn_id, "Answer submitted just before the crash.")
""")


@pytest.mark.slow
def test_kill_9_during_scoring_loses_no_answer(topics: list[Topic], prompt_set: PromptSet,
                                               tmp_path: Path, encoder: Any) -> None:
    db = tmp_path / "transcripts.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(ROOT)],
                            stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert proc.stdout is not None
    try:
        asked = proc.stdout.readline()
        assert asked.startswith("asked ")
        assert proc.stdout.readline().strip() == "scoring"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()  # warnings are errors: no unclosed pipes
    transcripts = TranscriptStore(connect(db))
    [row] = transcripts.unfinished_sessions()
    [turn] = transcripts.get_session(row.id).turns
    assert turn.answer == "Answer submitted just before the crash."
    assert turn.text == asked[len("asked "):].strip() and turn.score is None
    practice = practice_session(topics, prompt_set, transcripts, make_scorer(encoder))
    [late] = practice.resume(row.id)
    assert late.turn_id == turn.id and late.score is not None


def test_practice_never_writes_the_api_key(topics: list[Topic], prompt_set: PromptSet,
                                           tmp_path: Path, encoder: Any) -> None:
    from prep_agent.config import Settings

    key = "sk-live-PRACTICEKEY1234567890abcd"
    db = tmp_path / "db" / "transcripts.db"
    transcripts = TranscriptStore(connect(db), secrets=[key])
    settings = Settings(openai_api_key=key, home=tmp_path)
    practice = practice_session(topics, prompt_set, transcripts, make_scorer(encoder),
                                settings=settings)
    sid = practice.start(1)
    while (q := practice.next_question()) is not None:
        practice.submit(q.turn_id, f"My key is {key}, please ignore it.")
    practice.finish()
    assert transcripts.get_session(sid).settings["key_configured"] is True
    exports = transcripts.export_markdown(sid) + str(transcripts.export_json(sid))
    transcripts.conn.close()
    raw = b"".join(p.read_bytes() for p in db.parent.iterdir()).decode("utf-8", "replace")
    assert key not in raw and key not in exports and "PRACTICEKEY" not in raw


def test_engine_value_carries_a_fallback_for_the_session(
    topics: list[Topic], prompt_set: PromptSet, transcripts: TranscriptStore, encoder: Any
) -> None:
    chat = GenericFakeChatModel(messages=iter([]))  # the server answers nothing: every step fails
    engine = Engine(kind=EngineKind.llm, model="m", label="LLM: m @ local", chat_model=chat)
    interviewer = Interviewer(topics, None, prompt_set, chat_model=chat, seed=1)
    practice = PracticeSession(interviewer, make_scorer(encoder), transcripts, engine=engine,
                               follow_ups=False)
    sid = practice.start(1)
    q = practice.next_question()
    assert q is not None
    "".join(q)
    assert q.note and practice.engine.fell_back and practice.engine.reason == q.note
    assert practice.engine.badge.startswith("LLM: m @ local · fell back to offline (")
    assert engine.fell_back is False  # the value passed in is never changed
    assert transcripts.get_session(sid).info.engine == "llm"


def test_the_loaded_heap_is_frozen_once_and_later_garbage_still_collected() -> None:
    # In a child process: freezing is for a whole process, and this one runs every test.
    code = textwrap.dedent(
        """
        import gc
        from prep_agent.practice.services import settle_heap

        class Cycle:
            pass

        settle_heap()
        frozen = gc.get_freeze_count()
        settle_heap()
        assert frozen > 1000 and gc.get_freeze_count() == frozen, frozen
        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
        del a, b
        assert gc.collect() >= 2  # made after the freeze: collected as usual
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr

"""One writer per turn: two drivers (browser tabs) on one session never overwrite or over-ask."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from fakes import practice_session

from prep_agent.errors import StaleAnswerError
from prep_agent.knowledge.models import Topic
from prep_agent.practice.session import make_scorer
from prep_agent.prompts import PromptSet
from prep_agent.transcripts.db import connect
from prep_agent.transcripts.records import AnswerWrite
from prep_agent.transcripts.store import TranscriptStore

ROOT = Path(__file__).resolve().parent.parent
GOOD = ("DGX systems scale AI from enterprise data centers to developer PCs, combining GPUs and "
        "software for training and inference, like the servers I provisioned at Microsoft.")


def test_stale_tab_is_refused_and_nothing_is_overwritten(
    topics: list[Topic], prompt_set: PromptSet, tmp_path: Path, encoder: Any
) -> None:
    db = tmp_path / "t.db"
    a_store, b_store = TranscriptStore(connect(db)), TranscriptStore(connect(db))
    tab_a = practice_session(topics, prompt_set, a_store, make_scorer(encoder), follow_ups=False)
    sid = tab_a.start(3)
    qa = tab_a.next_question()
    assert qa is not None
    "".join(qa)
    tab_b = practice_session(topics, prompt_set, b_store, make_scorer(encoder), follow_ups=False)
    tab_b.resume(sid)  # the second tab opens /?session=N
    qb = tab_b.next_question()
    assert qb is not None and qb.turn_id == qa.turn_id
    tab_a.submit(qa.turn_id, "A1: " + GOOD)
    with pytest.raises(StaleAnswerError, match="answered in another tab. Reload") as err:
        tab_b.submit(qb.turn_id, "B1 must not replace A1")
    assert err.value.answer == "B1 must not replace A1"  # kept for the tab to show
    turn = a_store.get_turn(qa.turn_id)
    assert turn.answer == "A1: " + GOOD and turn.score is not None
    # Both tabs carry on; each question is asked once and the plan never grows.
    for tab in (tab_b, tab_a, tab_b, tab_a, tab_b):
        q = tab.next_question()
        if q is None:
            continue
        with contextlib.suppress(StaleAnswerError):  # the other tab may have got there first
            tab.submit(q.turn_id, f"answer from tab {id(tab)}")
    session = a_store.get_session(sid)
    mains = [t for t in session.turns if t.parent_id is None]
    assert len(mains) == 3 and len(session.turns) == 3
    assert [t.slot for t in mains] == ["q1", "q2", "q3"]
    assert all(t.answer for t in session.turns)
    assert tab_a.next_question() is None and tab_b.next_question() is None


def test_second_tab_asking_the_same_slot_gets_the_first_turn(
    topics: list[Topic], prompt_set: PromptSet, encoder: Any
) -> None:
    store = TranscriptStore(connect(":memory:"))
    tab_a = practice_session(topics, prompt_set, store, make_scorer(encoder), follow_ups=False)
    sid = tab_a.start(2)
    tab_b = practice_session(topics, prompt_set, store, make_scorer(encoder), follow_ups=False)
    tab_b.resume(sid)
    qa, qb = tab_a.next_question(), tab_b.next_question()  # both streams start, none recorded
    assert qa is not None and qb is not None and not qa.recorded and not qb.recorded
    assert qa.turn_id == qb.turn_id
    assert len(store.get_session(sid).turns) == 1


def test_skipped_and_finished_turns_take_no_answer(
    topics: list[Topic], prompt_set: PromptSet, encoder: Any
) -> None:
    store = TranscriptStore(connect(":memory:"))
    tab = practice_session(topics, prompt_set, store, make_scorer(encoder), follow_ups=True)
    sid = tab.start(2)
    q = tab.next_question()
    assert q is not None
    result = tab.submit(q.turn_id, "I am not sure.")
    follow = result.follow_up
    assert follow is not None and follow.label == "Follow-up on question 1"
    "".join(follow)  # shown, so recorded
    tab.skip_follow_up()
    assert store.get_turn(follow.turn_id).skipped_at is not None
    assert store.answer_pending(follow.turn_id, "late") is AnswerWrite.skipped
    nxt = tab.next_question()
    assert nxt is not None and nxt.label == "Question 2 of 2" and not nxt.is_follow_up
    turn_id = nxt.turn_id
    tab.finish()
    with pytest.raises(StaleAnswerError, match="ended in another tab"):
        tab.submit(turn_id, "too late")
    assert store.get_turn(turn_id).answer is None
    labels = [n.label for n in store.get_session(sid).numbered_turns()]
    assert labels == ["Question 1", "Follow-up 1.1", "Question 2"]


def test_two_app_tabs_on_one_session(app_test: Any, app_services: Any) -> None:
    from streamlit.testing.v1 import AppTest

    from prep_agent.practice.services import SERVICES_KEY

    tab_a = app_test()
    tab_a.number_input(key="setup_n").set_value(2)
    tab_a.toggle(key="setup_follow_ups").set_value(False)
    tab_a.form_submit_button[0].click().run()
    sid = int(tab_a.query_params["session"])
    tab_b = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    tab_b.session_state[SERVICES_KEY] = app_services
    tab_b.query_params["session"] = str(sid)
    tab_b.run()
    assert not tab_b.exception and not tab_b.error
    tab_a.chat_input[0].set_value("A1: " + GOOD).run()
    assert not tab_a.exception and not tab_a.error
    tab_b.chat_input[0].set_value("B1 typed in the stale tab").run()
    assert not tab_b.exception
    assert any("answered in another tab. Reload to continue" in e.value for e in tab_b.error)
    assert any(c.value == "B1 typed in the stale tab" for c in tab_b.code)  # kept to copy
    [first, second] = app_services.transcripts.get_session(sid).turns
    assert first.answer == "A1: " + GOOD and second.answer is None
    tab_b.button(key="interview_reload").click().run()  # reload: carries on from the database
    assert not tab_b.exception and not tab_b.error
    tab_b.chat_input[0].set_value("B2 answers the question it shows").run()
    session = app_services.transcripts.get_session(sid)
    assert [t.answer for t in session.turns] == ["A1: " + GOOD, "B2 answers the question it shows"]
    assert session.info.finished and len(session.turns) == 2


def test_sessions_from_before_m003_resume_and_fill_new_slots(
    topics: list[Topic], prompt_set: PromptSet, tmp_path: Path, encoder: Any
) -> None:
    db = tmp_path / "t.db"
    store = TranscriptStore(connect(db))
    old = practice_session(topics, prompt_set, store, make_scorer(encoder), follow_ups=False)
    sid = old.start(2)
    q = old.next_question()
    assert q is not None
    old.submit(q.turn_id, GOOD)
    # A row written before migration m003 has no slot.
    store.conn.execute("UPDATE turns SET slot = NULL")
    again = practice_session(topics, prompt_set, TranscriptStore(connect(db)), make_scorer(encoder),
                             follow_ups=False)
    again.resume(sid)
    nxt = again.next_question()
    assert nxt is not None and nxt.label == "Question 2 of 2"
    again.submit(nxt.turn_id, GOOD)
    assert again.next_question() is None
    turns = store.get_session(sid).turns
    assert [t.slot for t in turns] == [None, "q2"] and all(t.answer for t in turns)

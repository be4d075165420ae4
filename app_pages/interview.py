"""Interview page: set-up, a chat with streamed questions, score cards, notes, follow-ups, summary.

State lives in the transcripts database: the session id is kept in the URL (?session=N), so a
refresh or a reopened tab carries on where the candidate was.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages.fmt import escape_md, escape_stream, pct
from app_pages.scorecard import revealed_notes, score_card
from app_pages.ui import engine_badge, services
from app_pages.voice import voice_panel
from prep_agent.errors import PrepAgentError
from prep_agent.practice.session import PracticeSession
from prep_agent.transcripts.records import Session, Turn

PRACTICE_KEY = "interview_practice"
PARAM = "session"
MODES = {"practice": "Practice: feedback after every answer",
         "exam": "Exam: feedback only at the end"}
MAX_ANSWER_CHARS = 8000
QUESTION_AVATAR = ":material/record_voice_over:"
STREAMING_KEY = "interview_streaming"
START_ERROR_KEY = "interview_start_error"


def _param_session() -> int | None:
    raw = st.query_params.get(PARAM)
    try:
        return int(raw) if raw else None
    except ValueError:
        del st.query_params[PARAM]
        return None


def _open(session_id: int) -> None:
    st.session_state.pop(PRACTICE_KEY, None)
    st.query_params[PARAM] = str(session_id)


def _leave() -> None:
    st.session_state.pop(PRACTICE_KEY, None)
    st.query_params.pop(PARAM, None)


# --- set-up ----------------------------------------------------------------------------------


def _setup() -> None:
    svc = services()
    try:
        sets = [p.name for p in svc.prompt_sets() if p.valid]
        active = svc.active_prompt_set()
        topics = [t.title for t in svc.topics()]
    except PrepAgentError as exc:
        st.error(str(exc))
        return
    if not sets:
        st.error("No valid prompt set: fix the errors shown on the Prompts page.")
        return
    error = st.session_state.pop(START_ERROR_KEY, None)
    if error:
        st.error(error)
    with st.form("interview_setup", border=True):
        st.subheader("New interview")
        st.selectbox("Prompt set (interviewer persona)", sets,
                     index=sets.index(active) if active in sets else 0, key="setup_prompt_set",
                     help="Each set is an interviewer persona; view, copy and edit them on the "
                          "Prompts page.")
        st.multiselect("Topics", topics, placeholder="All topics", key="setup_topics")
        left, mid, right = st.columns(3)
        left.number_input("Questions", min_value=1, max_value=20, value=3, step=1, key="setup_n",
                          help="Main questions; follow-ups come on top of these.")
        mid.radio("Mode", list(MODES), format_func=lambda m: MODES[m], key="setup_mode")
        right.toggle("Ask follow-ups on missed key points", value=True, key="setup_follow_ups")
        # Started in the click's callback, so this same run already shows the first question.
        st.form_submit_button("Start interview", type="primary", icon=":material/mic:",
                              on_click=_start)
    _unfinished()


def _start() -> None:
    """Open a session from the set-up form's values (runs before the page is drawn)."""
    state = st.session_state
    try:
        practice = services().start_practice(
            str(state["setup_prompt_set"]), int(state["setup_n"]),
            [str(t) for t in state.get("setup_topics") or []],
            mode=str(state["setup_mode"]), follow_ups=bool(state["setup_follow_ups"]),
        )
    except PrepAgentError as exc:
        state[START_ERROR_KEY] = str(exc)
        return
    assert practice.session_id is not None
    _open(practice.session_id)
    state[PRACTICE_KEY] = practice


def _unfinished() -> None:
    svc = services()
    pending = svc.transcripts.unfinished_sessions()[:5]
    if not pending:
        return
    st.subheader("Unfinished interviews")
    for s in pending:
        left, right = st.columns([4, 1])
        left.markdown(
            f"#{s.id} · {escape_md(s.started_at[:16].replace('T', ' '))} · "
            f"{escape_md(s.prompt_set)} · {s.n_answered}/{s.n_questions} answered · "
            f"avg {pct(s.average_score)}"
        )
        if right.button("Resume", key=f"resume_{s.id}", icon=":material/play_arrow:"):
            _open(s.id)
            st.rerun()


# --- the chat --------------------------------------------------------------------------------


def _practice(session_id: int) -> tuple[PracticeSession | None, bool]:
    """This browser session's driver, or one rebuilt from the database after a refresh.

    The flag says whether resuming scored an answer that was saved but never scored.
    """
    practice = st.session_state.get(PRACTICE_KEY)
    if isinstance(practice, PracticeSession) and practice.session_id == session_id:
        return practice, False
    try:
        practice, late = services().resume_practice(session_id)
    except PrepAgentError as exc:
        st.error(str(exc))
        return None, False
    st.session_state[PRACTICE_KEY] = practice
    if late:
        st.toast("Scored the answer you gave before the app stopped.")
    return practice, bool(late)


def _question_label(turn: Turn, numbers: dict[int, int]) -> str:
    if turn.parent_id is not None:
        return f"Follow-up on question {numbers.get(turn.parent_id, '?')}"
    return f"Question {numbers[turn.id]}"


def _question_message(turn: Turn, label: str) -> None:
    with st.chat_message("assistant", avatar=QUESTION_AVATAR):
        st.caption(f"{label} · {escape_md(turn.type)}")
        st.markdown(escape_md(turn.text))
        note = turn.question.get("engine_note")
        if note:
            st.caption(f":material/cloud_off: {escape_md(str(note))}")


def _answer_message(turn: Turn, reveal: bool, latest: bool = True) -> None:
    """The answer with its score card, then the notes and a model answer, when feedback is on."""
    if turn.answer is None:
        return
    with st.chat_message("user"):
        if reveal and turn.score:
            with st.container(key=f"scorecard-{turn.id}"):
                score_card(turn.score, turn.answer)
        else:
            st.markdown(escape_md(turn.answer) or "*(empty answer)*")
            if reveal and turn.score_error:
                st.warning(escape_md(turn.score_error))
            elif not reveal:
                st.caption(":material/lock: Saved. Feedback comes at the end (exam mode).")
    if reveal and turn.question.get("citations"):
        # Only the latest answer's notes are open: earlier ones would bury the chat.
        revealed_notes(turn.question, services().model_answer(turn.question), expanded=latest)


def _history(session: Session, reveal: bool, open_latest: bool = True) -> dict[int, int]:
    """Every turn so far; returns main question numbers by turn id."""
    numbers: dict[int, int] = {}
    answered = [t.id for t in session.turns if t.answer is not None]
    latest = answered[-1] if answered and open_latest else None
    for turn in session.turns:
        _number(turn, numbers)
        _question_message(turn, _question_label(turn, numbers))
        _answer_message(turn, reveal, latest=turn.id == latest)
    return numbers


def _number(turn: Turn, numbers: dict[int, int]) -> None:
    if turn.parent_id is None and turn.id not in numbers:
        numbers[turn.id] = len(numbers) + 1


def _summary(session_id: int, summary: dict[str, Any]) -> None:
    with st.container(border=True, key="session-summary"):
        st.subheader("Session summary")
        cols = st.columns(4)
        cols[0].metric("Average", pct(summary.get("average")))
        cols[1].metric("Questions", summary.get("questions", 0))
        cols[2].metric("Follow-ups", summary.get("follow_ups", 0))
        cols[3].metric("Scored", summary.get("scored", 0))
        st.markdown(escape_md(str(summary.get("text", ""))))
        mastery = summary.get("mastery") or {}
        if isinstance(mastery, dict) and mastery:
            st.dataframe(
                [{"key point": k, "mastery": round(float(v) * 100)} for k, v in mastery.items()],
                hide_index=True, width="stretch", column_config={
                    "key point": st.column_config.TextColumn(width="large"),
                    "mastery": st.column_config.ProgressColumn(
                        min_value=0, max_value=100, format="%d", width="small",
                        help="0-100; recent attempts weigh most"),
                },
            )
    row = st.container(horizontal=True)
    if row.button("New interview", type="primary", key="interview_new", icon=":material/add:"):
        _leave()
        st.rerun()
    row.page_link("app_pages/review.py", label=f"Open session #{session_id} in Review",
                    icon=":material/history:")


def _ask_next(practice: PracticeSession) -> bool:
    """Stream the next question (it is recorded as the stream ends); False when none is left."""
    question = practice.next_question()
    if question is None:
        return False
    # position counts the main questions recorded so far; this one is recorded as it ends.
    if question.is_follow_up:
        label = f"Follow-up on question {practice.position}" if practice.position else "Follow-up"
    else:
        label = f"Question {practice.position + 1} of {len(practice.plan)}"
    with st.chat_message("assistant", avatar=QUESTION_AVATAR):
        st.caption(label)
        if st.session_state.get(STREAMING_KEY) == id(question):
            # A rerun cut the earlier stream short: its start is gone, so show the whole text.
            st.markdown(escape_md(question.result().text))
        else:
            st.session_state[STREAMING_KEY] = id(question)
            st.write_stream(escape_stream(question))
        st.session_state.pop(STREAMING_KEY, None)
        if question.note:
            st.caption(f":material/cloud_off: {escape_md(question.note)}")
    return True


def _controls(practice: PracticeSession) -> None:
    current = practice.next_question()
    row = st.container(horizontal=True)
    if current is not None and current.is_follow_up and row.button(
        "Skip this follow-up", key="interview_skip", icon=":material/skip_next:",
        help="Move on to the next main question.",
    ):
        practice.skip_follow_up()
        st.rerun()
    if row.button("End interview now", key="interview_end", icon=":material/stop:",
                  help="Finish here; the answers so far are scored and kept."):
        practice.finish()
        st.session_state.pop(PRACTICE_KEY, None)
        st.rerun()


def _interview(session_id: int) -> None:
    svc = services()
    try:
        session = svc.transcripts.get_session(session_id)
    except PrepAgentError as exc:
        st.error(str(exc))
        _leave()
        return
    mode = str(session.meta.get("mode", "practice"))
    info = session.info
    st.caption(f"Session #{info.id} · prompt set **{escape_md(info.prompt_set)}** · "
               f"{escape_md(MODES.get(mode, mode))} · topics: "
               f"{escape_md(', '.join(info.topics) or 'all')}")
    if info.finished:
        # The verdict first; the transcript with every score card follows.
        _summary(info.id, session.summary or {})
        st.subheader("Transcript")
        _history(session, reveal=True, open_latest=False)
        return
    practice, rescored = _practice(session_id)
    if practice is None:
        if st.button("Back to set-up", key="interview_back"):
            _leave()
            st.rerun()
        return
    if rescored:
        session = svc.transcripts.get_session(session_id)
    reveal = mode != "exam"
    answer = st.chat_input("Your answer", key=f"answer_{session_id}", max_chars=MAX_ANSWER_CHARS)
    # A recorded current question is part of the history drawn below; otherwise stream it.
    current = practice.next_question()
    on_screen = current is not None and current.recorded
    numbers = _history(session, reveal, open_latest=answer is None)
    if answer is not None:
        with st.spinner("Saving and scoring your answer…"):
            try:
                result = practice.submit(answer)
            except PrepAgentError as exc:
                st.error(str(exc))
                return
        turn = svc.transcripts.get_turn(result.turn_id)
        if turn.id not in {t.id for t in session.turns}:
            # The run that streamed this question was cut short by the answer (a fast typist),
            # so the question was only recorded now: show it above its answer.
            _number(turn, numbers)
            _question_message(turn, _question_label(turn, numbers))
        _answer_message(turn, reveal)
        on_screen = False
    if not on_screen and not _ask_next(practice):
        practice.finish()
        st.session_state.pop(PRACTICE_KEY, None)
        st.rerun()  # the finished view shows every score card and the summary
    voice_panel(practice)
    _controls(practice)


def render() -> None:
    """Draw the page."""
    svc = services()
    st.title("Interview")
    engine_badge(svc)
    session_id = _param_session()
    practice = st.session_state.get(PRACTICE_KEY)
    if session_id is None and isinstance(practice, PracticeSession) and practice.session_id:
        # Back from another page (the URL lost ?session=N): carry on with the running interview.
        session_id = practice.session_id
        st.query_params[PARAM] = str(session_id)
    if session_id is None:
        _setup()
    else:
        _interview(session_id)


render()

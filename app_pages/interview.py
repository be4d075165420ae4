"""Interview page: set-up, a chat with streamed questions, score cards, notes, follow-ups, summary.

State lives in the transcripts database: the session id is kept in the URL (?session=N), so a
refresh or a reopened tab carries on where the candidate was.
"""

from __future__ import annotations

import streamlit as st

from app_pages.fmt import escape_md, escape_stream, pct
from app_pages.scorecard import revealed_notes, score_card
from app_pages.ui import engine_badge, services
from app_pages.voice import STALE_KEY, voice_panel
from prep_agent.drill.views import review_lines
from prep_agent.errors import PrepAgentError, StaleAnswerError
from prep_agent.practice.session import PracticeSession
from prep_agent.transcripts.records import NumberedTurn, Session, SessionReport, Turn

PRACTICE_KEY = "interview_practice"
PARAM = "session"
MODES = {"practice": "Practice: feedback after every answer",
         "exam": "Exam: feedback only at the end",
         "drill": "Drill: due cards first, then new ones (spaced repetition)"}
MAX_ANSWER_CHARS = 8000
QUESTION_AVATAR = ":material/record_voice_over:"
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
        drill = svc.drill_desk().counts()
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
        st.caption(f":material/event_repeat: Drill: {drill.label}. In drill mode, Questions is "
                   "the most cards asked.")
        # Started in the click's callback, so this same run already shows the first question.
        st.form_submit_button("Start interview", type="primary", icon=":material/mic:",
                              on_click=_start)
    _unfinished()


def _start() -> None:
    """Open a session from the set-up form's values (runs before the page is drawn)."""
    state = st.session_state
    topics = [str(t) for t in state.get("setup_topics") or []]
    try:
        if state["setup_mode"] == "drill":
            practice, _ = services().start_drill(
                str(state["setup_prompt_set"]), topics, limit=int(state["setup_n"]),
                follow_ups=bool(state["setup_follow_ups"]))
        else:
            practice = services().start_practice(
                str(state["setup_prompt_set"]), int(state["setup_n"]), topics,
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
        if turn.skipped_at is not None:
            st.caption(":material/skip_next: Skipped.")
        return
    with st.chat_message("user"):
        if reveal and turn.card is not None:
            with st.container(key=f"scorecard-{turn.id}"):
                score_card(turn.card, turn.answer)
        else:
            st.markdown(escape_md(turn.answer) or "*(empty answer)*")
            if reveal and turn.score_error:
                st.warning(escape_md(turn.score_error))
            elif not reveal:
                st.caption(":material/lock: Saved. Feedback comes at the end (exam mode).")
    if reveal and turn.citations:
        # Only the latest answer's notes are open: earlier ones would bury the chat.
        revealed_notes(turn.citations, services().model_answer(turn.asked), expanded=latest)


def _history(session: Session, reveal: bool, open_latest: bool = True) -> None:
    """Every turn so far, labelled as every view labels them."""
    answered = [t.id for t in session.turns if t.answer is not None]
    latest = answered[-1] if answered and open_latest else None
    for place in session.numbered_turns():
        _question_message(place.turn, place.caption)
        _answer_message(place.turn, reveal, latest=place.turn.id == latest)


def _summary(session_id: int, report: SessionReport) -> None:
    with st.container(border=True, key="session-summary"):
        st.subheader("Session summary")
        cols = st.columns(4)
        cols[0].metric("Average", pct(report.average))
        cols[1].metric("Questions", report.questions)
        cols[2].metric("Follow-ups", report.follow_ups)
        cols[3].metric("Scored", report.scored)
        st.markdown(escape_md(report.text))
        if report.mastery:
            st.dataframe(
                [{"key point": k, "mastery": round(v * 100)} for k, v in report.mastery.items()],
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


def _ask_next(practice: PracticeSession) -> None:
    """Stream the next question (it is recorded as the stream ends)."""
    question = practice.next_question()
    if question is None:
        return
    with st.chat_message("assistant", avatar=QUESTION_AVATAR):
        st.caption(question.label)
        # A stream replays what it already produced, so a rerun that cut it short shows it
        # whole and then carries on.
        st.write_stream(escape_stream(question))
        if question.note:
            st.caption(f":material/cloud_off: {escape_md(question.note)}")


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
        _summary(info.id, session.report or SessionReport())
        st.subheader("Transcript")
        _history(session, reveal=True, open_latest=False)
        return
    stale = st.session_state.pop(STALE_KEY, None)  # a spoken answer another tab overtook
    if isinstance(stale, StaleAnswerError):
        _stale(stale)
        return
    practice, rescored = _practice(session_id)
    if practice is None:
        if st.button("Back to set-up", key="interview_back"):
            _leave()
            st.rerun()
        return
    if rescored:
        session = svc.transcripts.get_session(session_id)
    if practice.engine.fell_back:  # never hide which engine ran
        st.caption(f":material/cloud_off: Engine: **{escape_md(practice.engine.badge)}**")
    reveal = mode != "exam"
    answer = st.chat_input("Your answer", key=f"answer_{session_id}", max_chars=MAX_ANSWER_CHARS)
    # A recorded current question is part of the history drawn below; otherwise stream it.
    current = practice.next_question()
    on_screen = current is not None and current.recorded
    _history(session, reveal, open_latest=answer is None)
    if answer is not None and current is not None:
        late_question = not current.recorded  # a fast typist cut the question's stream short
        try:
            with st.spinner("Saving and scoring your answer…"):
                result = practice.submit(current.turn_id, answer)
        except StaleAnswerError as exc:
            _stale(exc)
            return
        except PrepAgentError as exc:
            st.error(str(exc))
            return
        place = _place(svc.transcripts.get_session(session_id), result.turn_id)
        if late_question:
            _question_message(place.turn, place.caption)
        _answer_message(place.turn, reveal)
        if reveal and result.reviews:
            st.caption(":material/event_repeat: Spaced re-drill: " + " · ".join(
                escape_md(line) for line in review_lines(result.reviews, width=50)))
        on_screen = False
    if not on_screen:
        if practice.finish_if_done() is not None:
            st.session_state.pop(PRACTICE_KEY, None)
            st.rerun()  # the finished view shows every score card and the summary
        _ask_next(practice)
    voice_panel(practice)
    _controls(practice)


def _place(session: Session, turn_id: int) -> NumberedTurn:
    return next(p for p in session.numbered_turns() if p.turn.id == turn_id)


def _stale(exc: StaleAnswerError) -> None:
    """Another tab got there first: nothing was saved; keep the text so it can be copied."""
    st.session_state.pop(PRACTICE_KEY, None)  # the next run rebuilds from the database
    st.error(f"{exc}.", icon=":material/sync_problem:")
    st.caption("Your answer was not saved; copy it from here:")
    st.code(exc.answer, language=None, wrap_lines=True)
    if st.button("Reload", key="interview_reload", icon=":material/refresh:"):
        st.rerun()


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

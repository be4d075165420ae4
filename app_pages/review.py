"""Review page: past sessions, transcripts with score cards, progress charts, export, delete."""

from __future__ import annotations

import streamlit as st

from app_pages.charts import pace_charts, score_chart
from app_pages.drillview import drill_section
from app_pages.fmt import escape_md, pct, safe_filename
from app_pages.scorecard import revealed_notes, score_card
from app_pages.ui import services
from prep_agent.errors import PrepAgentError
from prep_agent.transcripts.records import SessionSummary

CONFIRM_KEY = "review_confirm_delete"


def _label(s: SessionSummary) -> str:
    state = "" if s.finished else " · unfinished"
    return (f"#{s.id} · {s.started_at[:16].replace('T', ' ')} · {s.prompt_set} · "
            f"{s.n_questions} question(s) + {s.n_follow_ups} follow-up(s) · "
            f"avg {pct(s.average_score)}{state}")


def _table(sessions: list[SessionSummary]) -> None:
    rows = [
        {
            "id": s.id,
            "date": s.started_at[:16].replace("T", " "),
            "prompt set": s.prompt_set,
            "engine": s.engine + (f" ({s.model})" if s.model and s.engine != "offline" else ""),
            "questions": s.n_questions,
            "follow-ups": s.n_follow_ups,
            "answered": s.n_answered,
            "avg score": s.average_score,
            "finished": s.finished,
        }
        for s in sessions
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


def _charts() -> None:
    svc = services()
    progress = svc.transcripts.progress()
    st.subheader("Progress")
    st.markdown("**Score over time** · average per session; hover a point for its date")
    if progress:
        st.altair_chart(score_chart(progress), width="stretch")
    else:
        st.caption("No scored answers yet.")
    # Mastery per key point is the FSRS retrievability, drawn with the drill's forecast.
    drill_section(svc.drill_desk())
    pace = svc.pace_history()
    if pace:
        st.markdown("**Spoken answers** · words per minute against the 130-160 band, and fillers "
                    "per minute, per session")
        wpm, fillers = pace_charts(pace)
        st.altair_chart(wpm, width="stretch")
        st.altair_chart(fillers, width="stretch")


def _transcript(session_id: int) -> None:
    svc = services()
    session = svc.transcripts.get_session(session_id)
    info = session.info
    st.caption(f"Prompt set **{escape_md(info.prompt_set)}** (hash {info.prompt_hash or '—'}) · "
               f"engine {escape_md(info.engine)}"
               + (f" · model {escape_md(info.model)}" if info.model else "")
               + f" · topics: {escape_md(', '.join(info.topics) or 'all')}")
    for place in session.numbered_turns():
        turn = place.turn
        with st.chat_message("assistant", avatar=":material/record_voice_over:"):
            st.markdown(f"**{place.label}** · {escape_md(turn.type)}  \n{escape_md(turn.text)}")
        if turn.answer is None:
            st.caption("Skipped." if turn.skipped_at is not None else "Not answered.")
            continue
        with st.chat_message("user"):
            for name, wav in svc.turn_recordings(session_id, turn.id):
                st.audio(wav, format="audio/wav")
                st.caption(f":material/mic: Recorded answer ({escape_md(name)})")
            if turn.card is not None:
                score_card(turn.card, turn.answer)
            else:
                st.markdown(escape_md(turn.answer))
                st.caption(f"Not scored: {turn.score_error}" if turn.score_error
                           else "Not scored yet.")
        if turn.citations:
            revealed_notes(turn.citations, svc.model_answer(turn.asked), expanded=False)
    if session.report is not None and session.report.text:
        st.markdown("**Summary**")
        st.markdown(escape_md(session.report.text))


def _export_and_delete(s: SessionSummary) -> None:
    svc = services()
    row = st.container(horizontal=True)
    md_name = safe_filename(svc.transcripts.export_filename(s.id, "md").rsplit(".", 1)[0], "md")
    json_name = safe_filename(md_name.rsplit(".", 1)[0], "json")
    row.download_button(
        "Download Markdown", data=svc.transcripts.export_markdown(s.id), file_name=md_name,
        mime="text/markdown", icon=":material/download:", key="review_download_md",
        on_click="ignore",
    )
    row.download_button(
        "Download JSON", data=svc.export_json_text(s.id), file_name=json_name,
        mime="application/json", icon=":material/data_object:", key="review_download_json",
        on_click="ignore",
    )
    if st.session_state.get(CONFIRM_KEY) != s.id:
        if row.button("Delete session…", icon=":material/delete:", key="review_delete"):
            st.session_state[CONFIRM_KEY] = s.id
            st.rerun()
        return
    st.warning(f"Delete session #{s.id} with its {s.n_questions} question(s), scores and "
               "recordings? "
               "This cannot be undone; download it first if you may want it back.")
    confirm = st.container(horizontal=True)
    if confirm.button(f"Yes, delete session #{s.id}", type="primary", key="review_delete_yes"):
        svc.delete_session(s.id)  # the cards it reviewed are rescheduled
        st.session_state.pop(CONFIRM_KEY, None)
        st.session_state.pop("review_session", None)
        st.toast(f"Deleted session #{s.id}.")
        st.rerun()
    if confirm.button("Cancel", key="review_delete_no"):
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()


def render() -> None:
    """Draw the page."""
    svc = services()
    st.title("Review")
    try:
        sessions = svc.transcripts.list_sessions()
    except PrepAgentError as exc:
        st.error(str(exc))
        return
    if not sessions:
        st.info("No sessions yet. Every interview you run is saved here with its answers, "
                "score cards and progress charts.", icon=":material/info:")
        st.page_link("app_pages/interview.py", label="Start your first interview",
                     icon=":material/forum:")
        return
    _table(sessions)
    _charts()
    st.subheader("Transcript")
    by_id = {s.id: s for s in sessions}
    chosen = st.selectbox("Session", list(by_id), format_func=lambda i: _label(by_id[i]),
                          key="review_session")
    if chosen is None:
        return
    try:
        _export_and_delete(by_id[chosen])
        _transcript(chosen)
    except PrepAgentError as exc:
        st.error(str(exc))


render()

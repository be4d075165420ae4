"""Review page: past sessions, transcripts with score cards, progress charts, export, delete."""

from __future__ import annotations

from datetime import datetime

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.fmt import escape_md, pct, safe_filename
from app_pages.scorecard import revealed_notes, score_card
from app_pages.ui import services
from prep_agent.errors import PrepAgentError
from prep_agent.transcripts import SessionSummary

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
    mastery = svc.transcripts.key_point_mastery()
    left, right = st.columns(2)
    with left:
        st.markdown("**Score over time**")
        if progress:
            data = pd.DataFrame({
                "started": [datetime.fromisoformat(p.started_at) for p in progress],
                "average score": [p.average_score for p in progress],
                "session": [f"#{p.session_id} {p.prompt_set}" for p in progress],
            })
            chart = alt.Chart(data).mark_line(point=True).encode(
                x=alt.X("started:T", title="session start"),
                y=alt.Y("average score:Q", scale=alt.Scale(domain=[0, 100])),
                tooltip=["session", "started", "average score"],
            )
            st.altair_chart(chart, width="stretch")
        else:
            st.caption("No scored answers yet.")
    with right:
        st.markdown("**Mastery per key point** (recent attempts weigh most)")
        if mastery:
            data = pd.DataFrame({
                "key point": [m.key_point for m in mastery],
                "mastery": [round(m.mastery * 100) for m in mastery],
                "attempts": [m.attempts for m in mastery],
                "last": [m.last_status for m in mastery],
            })
            chart = alt.Chart(data).mark_bar().encode(
                x=alt.X("mastery:Q", scale=alt.Scale(domain=[0, 100]), title="mastery (0-100)"),
                y=alt.Y("key point:N", sort="x", title=None,
                        axis=alt.Axis(labelLimit=260)),
                tooltip=["key point", "mastery", "attempts", "last"],
            )
            st.altair_chart(chart, width="stretch")
        else:
            st.caption("No key points graded yet.")


def _transcript(session_id: int) -> None:
    svc = services()
    session = svc.transcripts.get_session(session_id)
    info = session.info
    st.caption(f"Prompt set **{escape_md(info.prompt_set)}** (hash {info.prompt_hash or '—'}) · "
               f"engine {escape_md(info.engine)}"
               + (f" · model {escape_md(info.model)}" if info.model else "")
               + f" · topics: {escape_md(', '.join(info.topics) or 'all')}")
    for turn in session.turns:
        label = "Follow-up" if turn.is_follow_up else f"Question {turn.seq}"
        with st.chat_message("assistant", avatar=":material/record_voice_over:"):
            st.markdown(f"**{label}** · {escape_md(turn.type)}  \n{escape_md(turn.text)}")
        if turn.answer is None:
            st.caption("Not answered.")
            continue
        with st.chat_message("user"):
            if turn.score:
                score_card(turn.score, turn.answer)
            else:
                st.markdown(escape_md(turn.answer))
                st.caption(f"Not scored: {turn.score_error}" if turn.score_error
                           else "Not scored yet.")
        if turn.question.get("citations"):
            revealed_notes(turn.question, svc.model_answer(turn.question))
    if session.summary:
        text = session.summary.get("text") if isinstance(session.summary, dict) else None
        if text:
            st.markdown("**Summary**")
            st.markdown(escape_md(str(text)))


def _export_and_delete(s: SessionSummary) -> None:
    svc = services()
    md_col, json_col, del_col = st.columns(3)
    md_name = safe_filename(svc.transcripts.export_filename(s.id, "md").rsplit(".", 1)[0], "md")
    json_name = safe_filename(md_name.rsplit(".", 1)[0], "json")
    md_col.download_button(
        "Download Markdown", data=svc.transcripts.export_markdown(s.id), file_name=md_name,
        mime="text/markdown", icon=":material/download:", key="review_download_md",
        on_click="ignore",
    )
    json_col.download_button(
        "Download JSON", data=svc.export_json_text(s.id), file_name=json_name,
        mime="application/json", icon=":material/data_object:", key="review_download_json",
        on_click="ignore",
    )
    if st.session_state.get(CONFIRM_KEY) != s.id:
        if del_col.button("Delete session…", icon=":material/delete:", key="review_delete"):
            st.session_state[CONFIRM_KEY] = s.id
            st.rerun()
        return
    st.warning(f"Delete session #{s.id} with its {s.n_questions} question(s) and scores? "
               "This cannot be undone; download it first if you may want it back.")
    yes, no = st.columns(2)
    if yes.button(f"Yes, delete session #{s.id}", type="primary", key="review_delete_yes"):
        svc.transcripts.delete_session(s.id)
        st.session_state.pop(CONFIRM_KEY, None)
        st.session_state.pop("review_session", None)
        st.toast(f"Deleted session #{s.id}.")
        st.rerun()
    if no.button("Cancel", key="review_delete_no"):
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
        st.info("No sessions yet: run an interview on the Interview page.")
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

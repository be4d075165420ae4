"""Voice on the Interview page: read the question aloud, record an answer, edit its transcript."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages.fmt import escape_md
from app_pages.ui import services
from prep_agent.errors import PrepAgentError, StaleAnswerError
from prep_agent.practice.session import PracticeSession

READ_ALOUD_KEY = "voice_read_aloud"
TRANSCRIBER_KEY = "voice_transcriber"
HEARD_KEY = "voice_heard"
ERROR_KEY = "voice_error"
STALE_KEY = "voice_stale"  # the Interview page shows it like a stale typed answer
KIND_LABELS = {"local": "On this machine (faster-whisper)", "openai": "OpenAI API"}


def _text_key(turn_id: int) -> str:
    return f"voice_text_{turn_id}"


def _read_aloud(text: str) -> None:
    try:
        speech = services().speak(text)
    except PrepAgentError as exc:
        st.warning(escape_md(str(exc)), icon=":material/volume_off:")
        return
    st.audio(speech.wav, format="audio/wav", autoplay=True)
    st.caption(f":material/volume_up: Read aloud by **{escape_md(speech.voice)}**")


def _pace_line(heard: Any) -> str:
    pacing = heard.pacing
    low, high = pacing.target_wpm
    pace = f"{pacing.wpm:g} words/min ({pacing.band}, target {low}-{high})" \
        if pacing.wpm is not None else "too short for a pace"
    fillers = ", ".join(f"{name} ×{n}" for name, n in pacing.fillers) or "no fillers"
    return f"{pace} · {len(pacing.pauses)} long pause(s) · {fillers}"


def _submit(practice: PracticeSession, turn_id: int) -> None:
    """Grade the edited transcript (runs before the next page run draws the result)."""
    state = st.session_state
    entry = state.get(HEARD_KEY)
    if not entry or entry[0][0] != turn_id:
        state[ERROR_KEY] = "Record the answer again: its transcript was lost on a reload."
        return
    text = str(state.get(_text_key(turn_id)) or "").strip()
    if not text:
        state[ERROR_KEY] = "The transcript is empty: type the answer in it or record again."
        return
    try:
        services().submit_spoken(practice, turn_id, entry[1], text)
    except StaleAnswerError as exc:  # another tab answered first: nothing saved, text kept
        state[STALE_KEY] = exc
        state.pop(HEARD_KEY, None)
        return
    except PrepAgentError as exc:
        state[ERROR_KEY] = str(exc)  # the transcript box keeps the text
        return
    state.pop(HEARD_KEY, None)


def voice_panel(practice: PracticeSession) -> None:
    """Read-aloud toggle, recorder and editable transcript for the question on screen."""
    current = practice.next_question()
    if current is None or not current.recorded:
        return
    svc = services()
    turn_id = current.turn_id
    question = current.result()
    with st.container(border=True, key=f"voice-panel-{turn_id}"):
        row = st.container(horizontal=True)
        row.toggle("Read questions aloud", key=READ_ALOUD_KEY)
        kinds = svc.transcriber_kinds()
        wanted = svc.settings.transcriber
        if len(kinds) > 1:
            st.session_state.setdefault(TRANSCRIBER_KEY, wanted if wanted in kinds else kinds[0])
            row.radio("Transcriber", kinds, format_func=lambda k: KIND_LABELS.get(k, k),
                      key=TRANSCRIBER_KEY, horizontal=True)
        elif wanted not in kinds:
            st.caption(":material/info: PREP_AGENT_TRANSCRIBER=openai needs OPENAI_API_KEY: "
                       "answers are transcribed on this machine instead.")
        if st.session_state.get(READ_ALOUD_KEY):
            _read_aloud(question.text)
        error = st.session_state.pop(ERROR_KEY, None)
        if error:
            st.error(escape_md(str(error)))
        kind = str(st.session_state.get(TRANSCRIBER_KEY) or kinds[0])
        where = "on this machine" if kind == "local" else "by the OpenAI API"
        audio = st.audio_input("Or speak your answer", key=f"voice_rec_{turn_id}",
                               help=f"Recorded in the browser and transcribed {where}; you can "
                                    "correct the transcript before it is graded. At most 5 min.")
        if audio is None:
            return
        marker = (turn_id, audio.file_id, kind)
        entry = st.session_state.get(HEARD_KEY)
        if not entry or entry[0] != marker:
            with st.spinner("Transcribing your answer…"):
                try:
                    heard = svc.hear(audio.getvalue(), question, kind)
                except PrepAgentError as exc:
                    st.error(escape_md(str(exc)))
                    return
            st.session_state[HEARD_KEY] = (marker, heard)
            st.session_state[_text_key(turn_id)] = heard.transcript.text
            entry = st.session_state[HEARD_KEY]
        heard = entry[1]
        transcript = heard.transcript
        st.caption(f":material/hearing: Heard by **{escape_md(transcript.engine)}** in "
                   f"{transcript.elapsed_s:.1f} s ({transcript.duration_s:.1f} s of audio) · "
                   f"{escape_md(_pace_line(heard))}")
        st.text_area("Transcript: correct it, then submit", key=_text_key(turn_id), height=140)
        st.button("Submit spoken answer", type="primary", icon=":material/send:",
                  key=f"voice_submit_{turn_id}", on_click=_submit, args=(practice, turn_id))

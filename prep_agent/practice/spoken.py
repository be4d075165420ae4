"""Spoken answers: transcribe with the question's glossary, keep the audio, measure delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prep_agent.errors import PrepAgentError
from prep_agent.grading.delivery import LongPause, SpokenDelivery
from prep_agent.interview.interviewer import Question
from prep_agent.practice.results import TurnResult
from prep_agent.practice.session import PracticeSession
from prep_agent.transcripts.store import TranscriptStore
from prep_agent.voice.audio import save_turn_audio
from prep_agent.voice.pacing import Pacing, measure_pacing
from prep_agent.voice.transcribe import Transcriber, Transcript, glossary_prompt, transcribe_wav


@dataclass(frozen=True)
class HeardAnswer:
    """A recording transcribed for one question, with its pace, pauses and fillers."""

    wav: bytes = field(repr=False)
    transcript: Transcript
    pacing: Pacing


@dataclass(frozen=True)
class PacePoint:
    """Spoken delivery of one session, for the Review chart."""

    session_id: int
    started_at: str
    answers: int
    words_per_minute: float | None
    fillers_per_minute: float | None
    long_pauses: int


def hear_answer(transcriber: Transcriber, wav: bytes,
                question: Question | None = None) -> HeardAnswer:
    """Check and transcribe a WAV answer; the question's terms steer spelling of domain words."""
    prompt = glossary_prompt(question.text, question.topic) if question is not None else ""
    transcript = transcribe_wav(transcriber, wav, prompt=prompt)
    return HeardAnswer(wav=wav, transcript=transcript, pacing=measure_pacing(transcript.words))


def spoken_delivery(heard: HeardAnswer, audio_file: str | None = None) -> SpokenDelivery:
    """The delivery record saved with the score."""
    pacing = heard.pacing
    return SpokenDelivery(
        transcriber=heard.transcript.engine,
        duration_s=round(heard.transcript.duration_s, 2),
        speaking_s=pacing.speaking_s,
        words_per_minute=pacing.wpm,
        target_wpm=pacing.target_wpm,
        pace=pacing.band.value,
        long_pauses=[LongPause(after_word=p.after_word, start_s=round(p.start, 2),
                               seconds=p.seconds) for p in pacing.pauses],
        fillers=dict(pacing.fillers),
        time_to_first_word_s=pacing.time_to_first_word_s,
        audio_file=audio_file,
    )


def submit_spoken(practice: PracticeSession, turn_id: int, home: Path, heard: HeardAnswer,
                  text: str | None = None) -> TurnResult:
    """Submit the transcript as edited through the guarded write; once the answer is saved the
    recording is kept with its turn (before scoring) and its pacing joins the score's delivery.

    A stale turn raises StaleAnswerError before anything is written, the recording included.
    """
    session_id = practice.session_id
    if session_id is None:
        raise PrepAgentError("No question is waiting for an answer: start or resume an interview")
    answer = heard.transcript.text if text is None else text

    def keep(saved_turn: int) -> SpokenDelivery:
        path = save_turn_audio(home, session_id, saved_turn, heard.wav)
        return spoken_delivery(heard, path.name)

    return practice.submit(turn_id, answer, spoken=keep)


def pace_by_session(transcripts: TranscriptStore) -> list[PacePoint]:
    """Average pace, fillers per minute and long pauses of each session's spoken answers."""
    points: list[PacePoint] = []
    for summary in transcripts.list_sessions():
        spoken = []
        for turn in transcripts.get_session(summary.id).turns:
            delivery = (turn.score or {}).get("delivery") or {}
            record = delivery.get("spoken") if isinstance(delivery, dict) else None
            if isinstance(record, dict):
                try:
                    spoken.append(SpokenDelivery.model_validate(record))
                except ValueError:
                    continue
        if not spoken:
            continue
        rates = [s.words_per_minute for s in spoken if s.words_per_minute is not None]
        speaking = sum(s.speaking_s for s in spoken)
        fillers = sum(sum(s.fillers.values()) for s in spoken)
        points.append(PacePoint(
            session_id=summary.id, started_at=summary.started_at, answers=len(spoken),
            words_per_minute=round(sum(rates) / len(rates), 1) if rates else None,
            fillers_per_minute=round(fillers * 60 / speaking, 1) if speaking > 0 else None,
            long_pauses=sum(len(s.long_pauses) for s in spoken),
        ))
    return points

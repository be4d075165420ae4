"""`python -m prep_agent interview`: a mock interview in the terminal, saved like the app's."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from prep_agent.config import Settings
from prep_agent.errors import AudioError, PrepAgentError

if TYPE_CHECKING:  # the heavy modules load only when an interview actually runs
    from prep_agent.practice.session import (
        PracticeQuestion,
        PracticeSession,
        PracticeSummary,
        TurnResult,
    )


def read_answer(stream: TextIO) -> tuple[str | None, bool]:
    """Lines up to an empty line; returns (answer, eof). The answer is None at EOF with no text."""
    lines: list[str] = []
    while True:
        line = stream.readline()
        if not line:
            return ("\n".join(lines) if lines else None), True
        line = line.rstrip("\r\n")
        if not line.strip():
            return "\n".join(lines), False
        lines.append(line)


def _quotes(evidence: list[str]) -> str:
    return " / ".join(f"“{e}”" for e in evidence)


def format_score_card(result: TurnResult) -> str:
    """The score card as plain text: overall, ledger with evidence, tie-ins, flags, notes."""
    out: list[str] = []
    score = result.score
    if score is None:
        out.append(f"Not scored: {result.error}")
    else:
        out.append(f"Score: {score.overall}/100  (engine: {score.engine})")
        out.append("Key points:")
        for kp in score.key_points:
            out.append(f"  [{kp.status:<12} {kp.strength:.2f}] {kp.key_point}")
            if kp.evidence:
                out.append(f"      evidence: {_quotes(kp.evidence)}")
        if score.resume:
            out.append("Resume tie-ins:")
            out += [f"  + {h.fact}\n      evidence: {_quotes(h.evidence)}" for h in score.resume]
        if score.avoid_hits:
            out.append("Avoid flags:")
            out += [f"  ! {h.avoid}\n      evidence: {_quotes(h.evidence)}"
                    for h in score.avoid_hits]
        if score.flags:
            out.append("Flags: " + ", ".join(score.flags))
        d = score.delivery
        line = f"Delivery: {d.words} words, {d.sentences} sentence(s)"
        if d.filler_words:
            line += "; fillers: " + ", ".join(f"{k}×{n}" for k, n in d.filler_words.items())
        if d.hedges:
            line += "; hedges: " + ", ".join(f"{k}×{n}" for k, n in d.hedges.items())
        if d.target_sentences:
            verdict = "ok" if d.length_ok else "off target"
            line += f"; target {d.target_sentences} sentence(s): {verdict}"
        out.append(line)
        if d.spoken is not None:
            out.append(_spoken_line(d.spoken))
        if score.llm_error:
            out.append(f"LLM judge: {score.llm_error} (offline score shown)")
        if score.next_time:
            out.append("Next time:")
            out += [f"  - {tip}" for tip in score.next_time]
    if result.notes:
        out.append("From your notes:")
        out += [f"  {c.source}:{c.line} [{c.kind}] {c.text}" for c in result.notes]
    if result.model_answer:
        out.append("Model answer:")
        out += [f"  {line}" if line else "" for line in result.model_answer.splitlines()]
    return "\n".join(out)


def _spoken_line(spoken: Any) -> str:
    low, high = spoken.target_wpm
    wpm = "-" if spoken.words_per_minute is None else f"{spoken.words_per_minute:g}"
    parts = [f"Spoken: {wpm} wpm ({spoken.pace}; target {low}-{high})"]
    if spoken.time_to_first_word_s is not None:
        parts.append(f"first word after {spoken.time_to_first_word_s:.1f} s")
    parts.append(f"{len(spoken.long_pauses)} long pause(s)" + (": " + ", ".join(
        f"{p.seconds:.1f} s after “{p.after_word}”" for p in spoken.long_pauses)
        if spoken.long_pauses else ""))
    parts.append("fillers: " + (", ".join(f"{k}×{n}" for k, n in spoken.fillers.items())
                                or "none"))
    parts.append(f"heard by {spoken.transcriber}")
    return " · ".join(parts)


def _spoken_answer(
    practice: PracticeSession, transcriber: Any, path: Path, home: Path, out: TextIO
) -> TurnResult | None:
    """Transcribe one WAV answer and submit it; a bad recording is reported and skipped."""
    from prep_agent.practice.spoken import hear_answer, submit_spoken
    from prep_agent.voice.audio import read_wav_file

    current = practice.next_question()
    assert current is not None
    try:
        heard = hear_answer(transcriber, read_wav_file(path), current.result())
    except AudioError as exc:
        print(f"error: {path.name}: {exc}", file=sys.stderr)
        return None
    out.write(f"[{path.name} · {heard.transcript.engine}] {heard.transcript.text}\n")
    return submit_spoken(practice, home, heard)


def _ask(question: PracticeQuestion, number: int, total: int, out: TextIO) -> None:
    if question.is_follow_up:
        out.write("\nFollow-up: ")
    else:
        out.write(f"\nQuestion {number} of {total}: ")
    out.flush()
    for chunk in question:
        out.write(chunk)
        out.flush()
    out.write("\n")
    if question.note:
        out.write(f"({question.note})\n")
    out.flush()


def _summary(summary: PracticeSummary, out: TextIO) -> None:
    out.write("\n" + summary.text + "\n")
    out.write(f"\nSaved as session {summary.session_id}: "
              f"python -m prep_agent export {summary.session_id} --format md\n")


def _build(
    settings: Settings, prompt_name: str, seed: int, follow_ups: bool
) -> tuple[PracticeSession, Any]:
    from prep_agent.interview.interviewer import Interviewer
    from prep_agent.knowledge.embeddings import MiniLMEmbedding, load_encoder
    from prep_agent.knowledge.library import RESUME_FILE, load_notes, load_resume
    from prep_agent.knowledge.store import ensure_ingested, open_store
    from prep_agent.llm import build_chat_model, engine_label
    from prep_agent.practice.session import PracticeSession, make_scorer
    from prep_agent.prompts import PromptLibrary
    from prep_agent.transcripts.db import connect
    from prep_agent.transcripts.store import TranscriptStore

    prompt_set = PromptLibrary(settings.prompts_dir).load(prompt_name)
    chat_model = build_chat_model(settings)
    encoder = load_encoder()
    store = open_store(settings, MiniLMEmbedding(encoder))
    if store.count() == 0:  # first run: the seeds are ingested before the first question
        print("First run: ingesting the notes in", settings.seeds_dir, file=sys.stderr)
        notes = ensure_ingested(store, settings.seeds_dir).notes
    else:
        notes = load_notes(settings.seeds_dir)
    for _source, message in notes.errors:
        print(f"warning: {message}", file=sys.stderr)
    interviewer = Interviewer(
        notes.topics, store, prompt_set, chat_model=chat_model, seed=seed,
        resume_facts=load_resume(settings.seeds_dir / RESUME_FILE),
    )
    judge = prompt_set.judge_template() if chat_model is not None else None
    transcripts = TranscriptStore(connect(settings.db_path), secrets=[settings.openai_api_key])
    model = settings.model if chat_model is not None else ""
    practice = PracticeSession(interviewer, make_scorer(encoder, chat_model, judge), transcripts,
                               model=model, settings=settings, follow_ups=follow_ups)
    print(f"Engine: {engine_label(settings)} · prompt set: {prompt_set.name}", file=sys.stderr)
    return practice, store


def cmd_interview(args: argparse.Namespace, settings: Settings) -> int:
    """Run a mock interview on stdin/stdout; an empty line ends an answer, EOF the session."""
    if args.engine:
        settings = settings.with_(engine=args.engine)
    resume_id: int | None = args.resume
    if args.questions < 1:
        raise PrepAgentError(f"--questions must be at least 1 (got {args.questions})")
    prompt_name, seed, follow_ups = args.prompts or settings.prompt_set, args.seed, True
    if resume_id is not None:
        from prep_agent.transcripts.db import connect
        from prep_agent.transcripts.store import TranscriptStore

        peek = TranscriptStore(connect(settings.db_path))
        try:
            session = peek.get_session(resume_id)
        finally:
            peek.conn.close()
        if session.info.finished:
            raise PrepAgentError(f"Session {resume_id} is finished: start a new interview instead")
        prompt_name = session.info.prompt_set
        seed = int(session.meta.get("seed", seed))
        follow_ups = bool(session.meta.get("follow_ups", True))
    recordings: list[Path] | None = None
    transcriber: Any = None
    if args.voice_file:
        from prep_agent.cli.voice import make_transcriber, voice_files

        recordings = voice_files(Path(args.voice_file).expanduser())
        transcriber = make_transcriber(settings, args.transcriber)
        print(f"Transcriber: {transcriber.engine} · {len(recordings)} recording(s)",
              file=sys.stderr)
    practice, store = _build(settings, prompt_name, seed, follow_ups and not args.no_follow_ups)
    out, inp = sys.stdout, sys.stdin
    if hasattr(inp, "reconfigure"):  # undecodable bytes become U+FFFD instead of a crash
        inp.reconfigure(errors="replace")
    try:
        if resume_id is not None:
            for late in practice.resume(resume_id):
                out.write("\nScored the answer saved before the interruption:\n")
                out.write(format_score_card(late) + "\n")
        else:
            practice.start(args.questions, topics=[args.topic] if args.topic else None)
        if recordings is None and inp.isatty():
            out.write("Answer each question, then press Enter on an empty line. "
                      "Ctrl-D ends the session.\n")
        total = len(practice.plan)
        eof = False
        while not eof and (question := practice.next_question()) is not None:
            number = practice.position + (0 if question.recorded or question.is_follow_up else 1)
            _ask(question, min(number, total), total, out)
            if recordings is not None:
                if not recordings:
                    break  # out of recordings: the session is finished with what was said
                spoken = _spoken_answer(practice, transcriber, recordings.pop(0), settings.home,
                                        out)
                if spoken is None:
                    continue  # the same question waits for the next recording
                result = spoken
            else:
                answer, eof = read_answer(inp)
                if answer is None:
                    break
                result = practice.submit(answer)
            out.write("\n" + format_score_card(result) + "\n")
            out.flush()
        _summary(practice.finish(), out)
    except KeyboardInterrupt:
        if practice.session_id is not None:
            print(f"\nSession {practice.session_id} is saved unfinished: resume it with "
                  f"python -m prep_agent interview --resume {practice.session_id}",
                  file=sys.stderr)
        raise
    finally:
        store.close()
        practice.transcripts.conn.close()
    return 0


def add_interview_parser(sub: Any) -> None:
    """Register `interview`."""
    p = sub.add_parser("interview", help="run a mock interview in the terminal (saved)")
    p.add_argument("--prompts", metavar="NAME", help="prompt set (default: PREP_AGENT_PROMPT_SET)")
    p.add_argument("--questions", type=int, default=3, metavar="N", help="main questions (3)")
    p.add_argument("--topic", metavar="T", help="only this topic (title, case-insensitive)")
    p.add_argument("--engine", choices=("offline", "llm", "auto"),
                   help="override PREP_AGENT_ENGINE for this run")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="planner seed (0)")
    p.add_argument("--no-follow-ups", action="store_true", help="ask no follow-up questions")
    p.add_argument("--resume", type=int, metavar="SESSION_ID",
                   help="carry on an unfinished session")
    p.add_argument("--voice-file", metavar="DIR",
                   help="answer from the .wav files in DIR, in name order (spoken practice)")
    p.add_argument("--transcriber", choices=("local", "openai"),
                   help="speech-to-text for --voice-file (default: PREP_AGENT_TRANSCRIBER)")
    p.set_defaults(handler=cmd_interview)

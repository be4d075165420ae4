"""`python -m prep_agent interview`: a mock interview in the terminal, saved like the app's."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from prep_agent.config import MAX_QUESTIONS, Settings
from prep_agent.errors import PrepAgentError

if TYPE_CHECKING:  # the heavy modules load only when an interview actually runs
    from prep_agent.cli.voice import SpokenAnswers
    from prep_agent.grading.report import ScoreCard
    from prep_agent.knowledge.store import KnowledgeStore
    from prep_agent.practice.factory import PracticeDeps
    from prep_agent.practice.results import PracticeQuestion, PracticeSummary, TurnResult
    from prep_agent.practice.session import PracticeSession
    from prep_agent.prompt_library import PromptLibrary


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


def _quotes(evidence: Sequence[str]) -> str:
    return " / ".join(f"“{e}”" for e in evidence)


def _card_lines(card: ScoreCard) -> list[str]:
    """The terminal adapter of the score card: one block per section, quotes beneath."""
    out = [f"Score: {card.overall}/100  (engine: {card.engine})"]
    for section in card.sections:
        out.append(f"{section.title}:")
        for line in section.lines:
            if line.status is not None:
                out.append(f"  [{line.status:<12} {line.strength or 0:.2f}] {line.text}")
            elif line.code:
                out.append(f"  ! {line.code}" + (f": {line.text}" if line.text else ""))
            else:
                out.append(f"  - {line.text}")
            if line.quotes:
                out.append(f"      evidence: {_quotes(line.quotes)}")
    if card.thread_coverage:
        out.append(f"Thread coverage: {card.thread_coverage}")
    out.append("Delivery: " + "; ".join(f"{k}: {v}" for k, v in card.delivery))
    if card.llm_error:
        out.append(f"LLM judge: {card.llm_error} (offline score shown)")
    return out


def format_score_card(result: TurnResult) -> str:
    """The score card as plain text, then the notes behind the question and a model answer."""
    from prep_agent.grading.report import ScoreCard

    out: list[str] = []
    if result.score is None:
        out.append(f"Not scored: {result.error}")
    else:
        out += _card_lines(ScoreCard.from_score(result.score,
                                                thread_coverage=result.thread_coverage))
    if result.notes:
        out.append("From your notes:")
        out += [f"  {c.source}:{c.line} [{c.kind}] {c.text}" for c in result.notes]
    if result.model_answer:
        out.append("Model answer:")
        out += [f"  {line}" if line else "" for line in result.model_answer.splitlines()]
    return "\n".join(out)


def _ask(question: PracticeQuestion, out: TextIO) -> None:
    out.write("\nFollow-up: " if question.is_follow_up else f"\n{question.label}: ")
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


def _deps(settings: Settings) -> tuple[PracticeDeps, KnowledgeStore]:
    """The terminal's notes, store, grader, transcripts and engine (first run ingests)."""
    from prep_agent.drill.store import DrillStore
    from prep_agent.knowledge.embeddings import MiniLMEmbedding, load_encoder
    from prep_agent.knowledge.library import RESUME_FILE, load_resume
    from prep_agent.knowledge.source import NotesSource
    from prep_agent.knowledge.store import ensure_ingested, open_store
    from prep_agent.practice.engine import start_engine
    from prep_agent.practice.factory import PracticeDeps
    from prep_agent.practice.services import settle_heap
    from prep_agent.prompt_library import PromptLibrary
    from prep_agent.transcripts.db import connect
    from prep_agent.transcripts.store import TranscriptStore

    if settings.resolved_engine == "local":
        print("Starting the local LLM (llama.cpp)…", file=sys.stderr)
    # One engine for the command; a local server stops with it (callers close deps.engine).
    engine = start_engine(settings)
    # Search runs the shipped weights (the vectors in the store); grading the int8 copy.
    encoder = load_encoder(settings.models_dir)
    store = open_store(settings, MiniLMEmbedding(load_encoder()))
    if store.count() == 0:  # first run: the seeds are ingested before the first question
        print("First run: ingesting the notes in", settings.seeds_dir, file=sys.stderr)
        notes = ensure_ingested(store, NotesSource.from_settings(settings)).notes
    else:
        notes = NotesSource.from_settings(settings).load()
    for _source, message in notes.errors:
        print(f"warning: {message}", file=sys.stderr)
    transcripts = TranscriptStore(connect(settings.db_path), secrets=settings.secrets)
    deps = PracticeDeps(
        prompts=PromptLibrary.from_settings(settings), topics=notes.topics, store=store,
        encoder=encoder, transcripts=transcripts, engine=engine,
        resume_facts=load_resume(settings.seeds_dir / RESUME_FILE), settings=settings,
        drill=DrillStore(transcripts.conn),
    )
    settle_heap()
    return deps, store


def _default_prompt_set(library: PromptLibrary, settings: Settings) -> str:
    """The set the app made active (saved under PREP_AGENT_HOME), else PREP_AGENT_PROMPT_SET."""
    from prep_agent.practice.preferences import active_prompt_set

    valid = [p.name for p in library.list() if p.valid]
    return active_prompt_set(settings.preferences_path, settings.prompt_set, valid)


def format_reviews(result: TurnResult) -> str:
    """The drill cards a thread rated: rating and next due date."""
    from prep_agent.drill.views import review_lines

    return "\n".join(f"Drill: {line}" for line in review_lines(result.reviews))


def run_session(practice: PracticeSession, inp: TextIO, out: TextIO,
                spoken: SpokenAnswers | None = None) -> int:
    """Ask, read (or hear `spoken` recordings), score until the plan is done, then summarise.

    EOF before any answer leaves the session unfinished (an accident, not an ending).
    """
    from prep_agent.errors import StaleAnswerError

    if spoken is None and inp.isatty():
        out.write("Answer each question, then press Enter on an empty line. "
                  "Ctrl-D ends the session.\n")
    eof, answered = False, 0
    while not eof and (question := practice.next_question()) is not None:
        _ask(question, out)
        try:
            if spoken is not None:
                heard = spoken.answer(practice, question, out)
                if heard is None:
                    break  # out of recordings: the session ends with what was said
                result = heard
            else:
                answer, eof = read_answer(inp)
                if answer is None:
                    if not answered:
                        # A closed pipe or an early Ctrl-D is not the end of an interview:
                        # keep the session open to resume.
                        print(f"\nNo answer was given: session {practice.session_id} is saved "
                              f"unfinished. Resume it with python -m prep_agent interview "
                              f"--resume {practice.session_id}", file=sys.stderr)
                        return 0
                    break
                result = practice.submit(question.turn_id, answer)
        except StaleAnswerError as exc:
            out.write(f"\n{exc}. Your answer was not saved:\n{exc.answer}\n")
            return 1
        answered += 1
        out.write("\n" + format_score_card(result) + "\n")
        if result.reviews:
            out.write(format_reviews(result) + "\n")
        out.flush()
    _summary(practice.finish(), out)
    return 0


def cmd_interview(args: argparse.Namespace, settings: Settings) -> int:
    """Run a mock interview on stdin/stdout; an empty line ends an answer, EOF the session."""
    from prep_agent.practice.factory import build_practice, resume_practice

    if args.engine:
        settings = settings.with_(engine=args.engine)
    resume_id: int | None = args.resume
    if args.questions < 1:
        raise PrepAgentError(f"--questions must be at least 1 (got {args.questions})")
    from prep_agent.prompt_library import PromptLibrary

    spoken: SpokenAnswers | None = None
    if args.voice_file:  # a bad folder or transcriber fails before the models load
        from prep_agent.cli.voice import SpokenAnswers, make_transcriber, voice_files

        recordings = voice_files(Path(args.voice_file).expanduser())
        transcriber = make_transcriber(settings, args.transcriber)
        spoken = SpokenAnswers(recordings, transcriber, settings.home)
        print(f"Transcriber: {transcriber.engine} · {len(recordings)} recording(s)",
              file=sys.stderr)
    # A bad prompt set name fails here, before the embedding model and the store load.
    library = PromptLibrary.from_settings(settings)
    prompt_set = None if resume_id is not None else library.load(
        args.prompts or _default_prompt_set(library, settings))
    deps, store = _deps(settings)
    out, inp = sys.stdout, sys.stdin
    practice = None
    try:
        if prompt_set is None:
            assert resume_id is not None
            practice, late = resume_practice(
                deps, resume_id, follow_ups=False if args.no_follow_ups else None)
        else:
            practice = build_practice(deps, prompt_set, seed=args.seed,
                                      follow_ups=not args.no_follow_ups)
            late = []
        print(f"Engine: {deps.engine.badge} · prompt set: "
              f"{practice.interviewer.prompt_set.name}", file=sys.stderr)
        if hasattr(inp, "reconfigure"):  # undecodable bytes become U+FFFD instead of a crash
            inp.reconfigure(errors="replace")
        for result in late:
            out.write("\nScored the answer saved before the interruption:\n")
            out.write(format_score_card(result) + "\n")
        if prompt_set is not None:
            practice.start(args.questions, topics=[args.topic] if args.topic else None)
            if len(practice.plan) < args.questions:
                print(f"note: these notes give {len(practice.plan)} distinct question(s), not "
                      f"{args.questions}: add notes or topics for more", file=sys.stderr)
        return run_session(practice, inp, out, spoken)
    except KeyboardInterrupt:
        if practice is not None and practice.session_id is not None:
            print(f"\nSession {practice.session_id} is saved unfinished: resume it with "
                  f"python -m prep_agent interview --resume {practice.session_id}",
                  file=sys.stderr)
        raise
    finally:
        store.close()
        deps.transcripts.conn.close()
        deps.engine.close()


def _question_count(raw: str) -> int:
    """argparse type for --questions: a whole number from 1 to MAX_QUESTIONS."""
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number: pass e.g. 3") from None
    if not 1 <= value <= MAX_QUESTIONS:
        raise argparse.ArgumentTypeError(
            f"{value} is out of range: one session asks 1 to {MAX_QUESTIONS} main questions")
    return value


def add_interview_parser(sub: Any) -> None:
    """Register `interview`."""
    p = sub.add_parser("interview", help="run a mock interview in the terminal (saved)")
    p.add_argument("--prompts", metavar="NAME",
                   help="prompt set (default: the app's active set, else PREP_AGENT_PROMPT_SET)")
    p.add_argument("--questions", type=_question_count, default=3, metavar="N",
                   help=f"main questions, 1 to {MAX_QUESTIONS} (3)")
    p.add_argument("--topic", metavar="T", help="only this topic (title, case-insensitive)")
    p.add_argument("--engine", choices=("offline", "llm", "local", "auto"),
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

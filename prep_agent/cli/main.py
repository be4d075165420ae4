"""Command line: `python -m prep_agent COMMAND`; reads the environment via config only."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from prep_agent.config import Settings, load_settings
from prep_agent.errors import PrepAgentError

Handler = Callable[[argparse.Namespace, Settings], int]


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


# --- knowledge commands: ingest, search, notes (issue 2) -------------------------------------


def _add_knowledge_parsers(sub: Any) -> None:
    from prep_agent.cli.knowledge import add_knowledge_parsers

    add_knowledge_parsers(sub)


# --- scoring commands: grade (issue 3) -------------------------------------------------------

GRADE_FIELDS = (
    "id", "question", "answer", "key_points", "resume_links", "avoid", "target_sentences",
    "question_type", "rubric", "interview_tip",
)


def _grade_lines(path: str) -> Any:
    """(line number, raw bytes) for each line of FILE.jsonl or stdin (-)."""
    if path == "-":
        yield from enumerate(sys.stdin.buffer, start=1)
        return
    from pathlib import Path

    from prep_agent.errors import ScoringError

    file = Path(path)
    if not file.is_file():
        raise ScoringError(f"{path} is not a file: pass a JSONL file of answers, or - for stdin")
    with file.open("rb") as handle:
        yield from enumerate(handle, start=1)


def _grade_error(number: int, message: str) -> dict[str, Any]:
    return {"line": number, "error": message}


def _rubric_for(name: str | None, library: Any, cache: dict[str, Any]) -> Any:
    """The grading rubric of a prompt set by name (None: built-in), loaded once per name."""
    from prep_agent.grading.rubric import Rubric

    if name is None:
        return None
    if name not in cache:
        cache[name] = Rubric.for_prompt_set(library.load(name))
    return cache[name]


def _grade_line(number: int, text: str, encoder: Any, chat_model: Any, judge_prompt: Any,
                library: Any, rubrics: dict[str, Any]) -> dict[str, Any]:
    """One graded line, or an error line: no single line can stop the others."""
    from pydantic import ValidationError

    from prep_agent.errors import PromptError
    from prep_agent.grading.models import ScoreRequest
    from prep_agent.grading.scoring import score_answer

    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        req = ScoreRequest.model_validate({k: data[k] for k in GRADE_FIELDS if k in data})
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        return _grade_error(number, f"line {number}: missing or invalid {fields}: each line "
                            "needs question, answer and key_points (a list of strings)")
    except RecursionError:
        return _grade_error(number, f"line {number} is nested too deeply: write one flat JSON "
                            "object per line")
    except ValueError as exc:
        return _grade_error(number, f"line {number} is not a JSON object ({exc}): "
                            "write one JSON object per line")
    try:
        rubric = _rubric_for(req.rubric, library, rubrics)
    except PromptError as exc:
        return _grade_error(number, f"line {number}: rubric {req.rubric!r}: {exc}")
    try:
        score = score_answer(req, encoder, chat_model, judge_prompt, rubric)
    except Exception as exc:  # noqa: BLE001 - e.g. a lone surrogate in the tokenizer
        return _grade_error(number, f"line {number} could not be graded "
                            f"({type(exc).__name__}): check its text for broken characters "
                            "such as unpaired \\ud800 escapes")
    out: dict[str, Any] = {"id": req.id if req.id is not None else f"line-{number}",
                           "line": number, "score": score.overall}
    out.update(score.model_dump(exclude={"overall"}))
    return out


def _cmd_grade(args: argparse.Namespace, settings: Settings) -> int:
    """Grade each JSONL line; a bad line gets an error line and a non-zero exit at the end."""
    from prep_agent.engine import build_engine, offline_engine
    from prep_agent.grading.rubric import Rubric
    from prep_agent.knowledge.embeddings import load_encoder
    from prep_agent.prompt_library import PromptLibrary

    chosen = settings.with_(engine=args.engine) if args.engine else settings
    # The local model never grades (its judgement did not beat the offline grader: README).
    engine = offline_engine() if chosen.resolved_engine == "local" else build_engine(chosen)
    chat_model = judge_prompt = None
    if engine.uses_llm:
        chat_model = engine.chat_model
        prompt_set = PromptLibrary.from_settings(settings).load(settings.prompt_set)
        judge_prompt = prompt_set.judge_template()
    encoder = load_encoder(settings.models_dir)
    library = PromptLibrary.from_settings(settings)
    rubrics: dict[str, Rubric] = {}
    bad = 0
    for number, raw in _grade_lines(args.file):
        out: dict[str, Any]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None:
            out = _grade_error(number, f"line {number} is not UTF-8: save the file as UTF-8")
        elif not text.strip():
            continue
        else:
            out = _grade_line(number, text, encoder, chat_model, judge_prompt, library,
                              rubrics)
        if "error" in out:
            bad += 1
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    if bad:
        print(f"error: {bad} line(s) could not be graded; see the error lines", file=sys.stderr)
    return 1 if bad else 0


def _add_scoring_parsers(sub: Any) -> None:
    grade = sub.add_parser("grade", help="grade answers in a JSONL file against their key points")
    grade.add_argument("file", help="JSONL with question, answer, key_points[, resume_links, "
                       "avoid, id, target_sentences, question_type (knowledge|scenario|behavioral"
                       "|drill), rubric (a prompt set name)] per line, or - for stdin")
    grade.add_argument("--engine", choices=("offline", "llm"), default=None,
                       help="grader engine (default: PREP_AGENT_ENGINE, offline without an LLM)")
    grade.set_defaults(handler=_cmd_grade)


# --- interviewer commands: interview, prompts (issue 4) --------------------------------------


def _cmd_prompts(args: argparse.Namespace, settings: Settings) -> int:
    from prep_agent.engine import engine_label
    from prep_agent.prompt_library import PromptLibrary

    infos = PromptLibrary.from_settings(settings).list()
    if args.json:
        _print_json([{"name": i.name, "valid": i.valid, "error": i.error, "hash": i.hash,
                      "description": i.description, "path": str(i.path)} for i in infos])
        return 0 if all(i.valid for i in infos) else 1
    print(f"Prompt sets in {settings.prompts_dir} (engine: {engine_label(settings)}):")
    for i in infos:
        mark = "*" if i.name == settings.prompt_set else " "
        if i.valid:
            print(f"{mark} {i.name:<20} {i.hash}  {i.description}")
        else:
            print(f"{mark} {i.name:<20} INVALID  {i.error}")
    if not infos:
        print("  (none: add a .yaml file, see prompts/hiring-manager.yaml)")
    return 0 if all(i.valid for i in infos) else 1


def _add_prompt_parsers(sub: Any) -> None:
    p = sub.add_parser("prompts", help="list the prompt sets and whether each one is valid")
    p.add_argument("--json", action="store_true", help="print name, valid, error and hash as JSON")
    p.set_defaults(handler=_cmd_prompts)


# --- transcript commands: sessions, export (issue 5) -----------------------------------------


def _open_transcripts(settings: Settings) -> Any:
    """The transcripts for `sessions` and `export`: read-only, so a read-only home works."""
    from prep_agent.transcripts.db import connect_read_only
    from prep_agent.transcripts.store import TranscriptStore

    return TranscriptStore(connect_read_only(settings.db_path), secrets=settings.secrets)


def _cmd_sessions(args: argparse.Namespace, settings: Settings) -> int:
    store = _open_transcripts(settings)
    try:
        rows = store.list_sessions()
    finally:
        store.conn.close()
    if args.json:
        _print_json([r.to_dict() for r in rows])
        return 0
    if not rows:
        print("No sessions yet: run `python -m prep_agent interview` to practise.")
        return 0
    print(f"{'id':>4}  {'started (UTC)':16}  {'prompt set':18}  {'engine':8}  "
          f"{'questions':>9}  {'follow-ups':>10}  {'avg':>5}  status")
    for r in rows:
        avg = "-" if r.average_score is None else f"{r.average_score:g}"
        status = "finished" if r.finished else "unfinished"
        print(f"{r.id:>4}  {r.started_at[:16].replace('T', ' '):16}  {r.prompt_set[:18]:18}  "
              f"{r.engine[:8]:8}  {r.n_questions:>9}  {r.n_follow_ups:>10}  {avg:>5}  {status}")
    return 0


def _cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    store = _open_transcripts(settings)
    try:
        if args.format == "json":
            text = json.dumps(store.export_json(args.session_id), indent=2, ensure_ascii=False)
            text += "\n"
        else:
            text = store.export_markdown(args.session_id)
        name = store.export_filename(args.session_id, args.format)
    finally:
        store.conn.close()
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return 0
    target = Path(args.output).expanduser()
    if target.is_dir():
        target = target / name
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PrepAgentError(
            f"Cannot write {target} ({exc}): pass -o with a writable path"
        ) from exc
    print(f"wrote {target}", file=sys.stderr)
    return 0


def _add_transcript_parsers(sub: Any) -> None:
    from prep_agent.cli.interview import add_interview_parser

    add_interview_parser(sub)
    p = sub.add_parser("sessions", help="list saved practice sessions")
    p.add_argument("--json", action="store_true", help="print a JSON list of sessions")
    p.set_defaults(handler=_cmd_sessions)
    p = sub.add_parser("export", help="export a session as Markdown or JSON")
    p.add_argument("session_id", type=int, metavar="SESSION_ID")
    p.add_argument("--format", choices=("md", "json"), default="md")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="file or directory to write (default: stdout)")
    p.set_defaults(handler=_cmd_export)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m prep_agent", description="Mock-interview practice on your own notes."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    # --- subcommand registration (each feature adds its parsers below) ---
    _add_knowledge_parsers(sub)
    _add_scoring_parsers(sub)
    _add_transcript_parsers(sub)
    _add_prompt_parsers(sub)
    from prep_agent.cli.drill import add_drill_parsers
    from prep_agent.cli.voice import add_voice_parsers

    add_drill_parsers(sub)
    add_voice_parsers(sub)
    _ = sub
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    from prep_agent.cli.output import safe_output
    from prep_agent.text.redact import safe_text

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except PrepAgentError as exc:
        print(f"error: {safe_text(str(exc))}", file=sys.stderr)
        return 2
    # Everything the command prints passes here: no key, URL credential or escape sequence.
    with safe_output(settings.secrets):
        for warning in settings.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        try:
            handler: Handler = args.handler
            return handler(args, settings)
        except PrepAgentError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 130

"""`drill` and `export-anki`: spaced re-drill of what is due, and the cards as an Anki deck."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from prep_agent.config import Settings
from prep_agent.errors import PrepAgentError


def card_specs(settings: Settings) -> Any:
    """The cards of the notes and the uploaded notes (a card missing here would be retired)."""
    from prep_agent.drill.cards import note_cards
    from prep_agent.knowledge.source import NotesSource

    return note_cards(NotesSource.from_settings(settings).load().topics)


def _drill_store(settings: Settings) -> Any:
    from prep_agent.drill.store import DrillStore
    from prep_agent.transcripts.db import connect

    drill = DrillStore(connect(settings.db_path))
    drill.sync(card_specs(settings))
    return drill


def _optimize(settings: Settings) -> int:
    from prep_agent.drill.optimize import optimize

    drill = _drill_store(settings)
    try:
        result = optimize(drill)
    finally:
        drill.conn.close()
    print(result.message)
    return 0 if result.fitted else 1


def cmd_drill(args: argparse.Namespace, settings: Settings) -> int:
    """Ask the due cards first, then new ones, as short drill questions; rate them with FSRS."""
    if args.optimize:
        return _optimize(settings)
    if args.limit is not None and args.limit < 1:
        raise PrepAgentError(f"--limit must be at least 1 (got {args.limit})")
    if args.engine:
        settings = settings.with_(engine=args.engine)
    from prep_agent.cli.interview import _deps, run_session
    from prep_agent.practice.factory import build_practice, start_drill

    deps, store = _deps(settings)
    try:
        practice = build_practice(deps, args.prompts or settings.prompt_set, seed=args.seed,
                                  follow_ups=not args.no_follow_ups)
        tally = start_drill(practice, topics=[args.topic] if args.topic else None,
                            limit=args.limit)
        print(f"Engine: {deps.engine.label} · prompt set: "
              f"{practice.interviewer.prompt_set.name} · drill: {tally.label}", file=sys.stderr)
        inp = sys.stdin
        if hasattr(inp, "reconfigure"):
            inp.reconfigure(errors="replace")
        return run_session(practice, inp, sys.stdout)
    finally:
        store.close()
        deps.transcripts.conn.close()


def cmd_export_anki(args: argparse.Namespace, settings: Settings) -> int:
    """Write the cards (optionally one topic's, or only the due ones) as an Anki .apkg deck."""
    from prep_agent.drill.anki import write_apkg
    from prep_agent.drill.views import ASKABLE, is_due

    target = Path(args.output).expanduser()
    if target.is_dir() or target.suffix.lower() != ".apkg":
        raise PrepAgentError(f"-o {args.output}: give a file name ending in .apkg")
    drill = _drill_store(settings)
    try:
        cards = [c for c in drill.cards(topic=args.topic) if c.spec.kind in ASKABLE]
        if args.due_only:
            cards = [c for c in cards if is_due(c, drill.now())]
        questions = drill.last_questions()
    finally:
        drill.conn.close()
    if not cards:
        what = "due " if args.due_only else ""
        raise PrepAgentError(f"No {what}cards to export" + (
            f" for topic {args.topic!r}" if args.topic else "") + ": drop --due-only or --topic")
    try:
        n = write_apkg(target, cards, questions)
    except OSError as exc:
        raise PrepAgentError(f"Cannot write {target} ({exc}): pass -o with a writable path") \
            from exc
    print(f"wrote {n} notes to {target}", file=sys.stderr)
    return 0


def add_drill_parsers(sub: Any) -> None:
    """Register `drill` and `export-anki`."""
    p = sub.add_parser("drill", help="spaced re-drill: due cards first, then new ones (FSRS)")
    p.add_argument("--topic", metavar="T", help="only this topic (title, case-insensitive)")
    p.add_argument("--limit", type=int, metavar="N", help="at most N cards (default: all due "
                   "and new)")
    p.add_argument("--prompts", metavar="NAME", help="prompt set (default: PREP_AGENT_PROMPT_SET)")
    p.add_argument("--engine", choices=("offline", "llm", "auto"),
                   help="override PREP_AGENT_ENGINE for this run")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="wording seed (0)")
    p.add_argument("--no-follow-ups", action="store_true", help="ask no follow-up questions")
    p.add_argument("--optimize", action="store_true",
                   help="fit the FSRS parameters to your reviews (needs >= 100 reviews and "
                        "fsrs[optimizer])")
    p.set_defaults(handler=cmd_drill)
    p = sub.add_parser("export-anki", help="write the drill cards as an Anki deck (.apkg)")
    p.add_argument("--topic", metavar="T", help="only this topic")
    p.add_argument("--due-only", action="store_true", help="only the cards due today")
    p.add_argument("-o", "--output", required=True, metavar="FILE.apkg", help="deck file to write")
    p.set_defaults(handler=cmd_export_anki)

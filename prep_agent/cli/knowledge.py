"""`python -m prep_agent ingest | search | notes`: the knowledge-base commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, get_args

from prep_agent.config import Settings
from prep_agent.errors import PrepAgentError
from prep_agent.knowledge.models import ChunkKind
from prep_agent.knowledge.source import NotesSource
from prep_agent.knowledge.uploads import safe_notes_name


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


CHUNK_KINDS: tuple[str, ...] = get_args(ChunkKind)


def _open_knowledge(settings: Settings, rebuild: bool = False) -> Any:
    from prep_agent.knowledge.embeddings import MiniLMEmbedding
    from prep_agent.knowledge.store import open_store

    return open_store(settings, MiniLMEmbedding(), rebuild=rebuild)


def _progress_bar(done: int, total: int) -> None:
    if total == 0:
        return
    width = 30
    filled = width * done // total
    end = "\n" if done >= total else ""
    sys.stderr.write(f"\rembedding [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")
    sys.stderr.flush()


def _notes_source(args: argparse.Namespace, settings: Settings) -> NotesSource:
    seeds = Path(args.seeds).expanduser() if getattr(args, "seeds", None) else None
    return NotesSource.from_settings(settings, seeds)


def _cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from prep_agent.knowledge.store import ensure_ingested

    store = _open_knowledge(settings, rebuild=args.rebuild)
    progress = _progress_bar if sys.stderr.isatty() else None
    try:
        done = ensure_ingested(store, _notes_source(args, settings), progress=progress,
                               rebuild=args.rebuild)
    finally:
        store.close()
    r, notes = done.report, done.notes
    print(f"Ingested {notes.seeds_dir} into {store.location} in {r.seconds:.2f} s")
    print(f"  files: {r.files}  topics: {r.topics}  items: {r.items}  chunks: {r.chunks}")
    print(f"  chunks added: {r.added}  updated: {r.updated}  unchanged: {r.unchanged}  "
          f"removed: {r.removed}" + (f"  relocated: {r.relocated}" if r.relocated else ""))
    for warning in notes.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    _prepare_grading_model(settings)
    for _source, message in notes.errors:
        print(f"error: {message}", file=sys.stderr)
    if notes.errors:
        print(f"{len(notes.errors)} file(s) failed; the others were ingested "
              f"(kept {r.kept} earlier chunks of the failed files)", file=sys.stderr)
        return 1
    return 0


def _prepare_grading_model(settings: Settings) -> None:
    """Make the grading encoder's int8 copy now, so the first graded answer does not wait."""
    from prep_agent.knowledge.embeddings import model_files
    from prep_agent.knowledge.int8_model import copy_path, ensure_copy

    source = model_files()[0]
    if not copy_path(settings.models_dir, source).is_file():
        print(f"Grading model: made {ensure_copy(settings.models_dir, source)} (once)")


def _cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from prep_agent.knowledge.store import ensure_ingested

    kinds = [k.strip() for group in args.kind or [] for k in group.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in CHUNK_KINDS]
    if unknown:
        raise PrepAgentError(f"Unknown --kind {', '.join(unknown)}: use one of "
                             f"{', '.join(CHUNK_KINDS)}")
    store = _open_knowledge(settings)
    try:
        if store.count() == 0:  # first run: the seeds are ingested before the first search
            print("The store is empty: ingesting the seeds first.", file=sys.stderr)
            ensure_ingested(store, NotesSource.from_settings(settings))
        topic = args.topic
        if topic:
            titles = {t.lower(): t for t in store.topics()}
            topic = titles.get(topic.lower(), topic)
        hits = store.search(args.query, k=args.k, kinds=kinds or None, topic=topic)
    finally:
        store.close()
    if args.json:
        _print_json([h.model_dump() for h in hits])
        return 0
    if not hits:
        print("No matches.")
    for n, hit in enumerate(hits, 1):
        where = f"{hit.topic} > {hit.item}" if hit.item else hit.topic
        print(f"{n}. [{hit.kind}] {where}  ({hit.source}:{hit.line}, distance {hit.distance:.3f})")
        print(f"   {hit.text}")
    return 0


def _cmd_notes(args: argparse.Namespace, settings: Settings) -> int:
    if args.action:
        return _cmd_notes_change(args, settings)
    notes = _notes_source(args, settings).load()
    if args.json:
        _print_json([t.model_dump() for t in notes.topics])
    else:
        for topic in notes.topics:
            print(f"# {topic.title}  ({topic.source}:{topic.line})")
            for name, value in topic.header().items():
                print(f"  {name}: {value}")
            for item in topic.items:
                mark = "x" if item.done else " "
                duration = f" ({item.duration})" if item.duration else ""
                print(f"  - [{mark}] {item.title}{duration}  (line {item.line})")
                for name, value in item.fields().items():
                    print(f"      {name}: {value}")
                for extra in item.extra:
                    print(f"      {extra.label}: {extra.text}")
            for note in topic.notes:
                print(f"  * {note.label} [{note.kind}]: {note.text}")
            for extra in topic.extra + topic.plain:
                print(f"  ~ {extra.label}: {extra.text}")
    for warning in notes.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for _source, message in notes.errors:
        print(f"error: {message}", file=sys.stderr)
    return 1 if notes.errors else 0


def _cmd_notes_change(args: argparse.Namespace, settings: Settings) -> int:
    """`notes add FILE` (the terminal twin of the app's upload) and `notes remove NAME`."""
    if not args.target:
        raise PrepAgentError(f"notes {args.action} needs a "
                             f"{'FILE' if args.action == 'add' else 'NAME'}: e.g. "
                             f"`python -m prep_agent notes {args.action} my-topic.md`")
    source = _notes_source(args, settings)
    if args.action == "add":
        saved, upload = source.add_file(Path(args.target).expanduser())
        print(f"Added {saved.name} to {saved.parent} ({len(upload.topics)} topic(s))")
        wanted = safe_notes_name(Path(args.target).name)
        if saved.name != wanted:
            print(f"note: an upload named {wanted} already exists and was kept; this file was "
                  f"saved as {saved.name} (remove one with `notes remove NAME`)", file=sys.stderr)
        for warning in upload.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    else:
        kept = source.remove(args.target)
        print(f"Removed {args.target} from the notes (kept as {kept})")
    return _cmd_ingest(argparse.Namespace(seeds=getattr(args, "seeds", None), rebuild=False),
                       settings)


def add_knowledge_parsers(sub: Any) -> None:
    """Register ingest, search and notes."""
    p = sub.add_parser("ingest", help="parse the notes and embed them into the Chroma store")
    p.add_argument("--seeds", help="notes directory (default: PREP_AGENT_SEEDS or seeds/)")
    p.add_argument("--rebuild", action="store_true",
                   help="drop the store (even a corrupt one) and embed everything again")
    p.set_defaults(handler=_cmd_ingest)
    p = sub.add_parser("search", help="semantic search over the ingested notes")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5, help="number of results (default 5)")
    p.add_argument("--kind", action="append", metavar="KIND",
                   help=f"only these kinds (repeat or comma-separate): {', '.join(CHUNK_KINDS)}")
    p.add_argument("--topic", help="only this topic title")
    p.add_argument("--json", action="store_true", help="print a JSON list of hits")
    p.set_defaults(handler=_cmd_search)
    p = sub.add_parser("notes", help="show the parsed notes (seeds and uploads); add or remove "
                       "an uploaded notes file")
    p.add_argument("action", nargs="?", choices=("add", "remove"),
                   help="add FILE as an upload (never overwrites one), or remove upload NAME")
    p.add_argument("target", nargs="?", metavar="FILE|NAME")
    p.add_argument("--seeds", help="notes directory (default: PREP_AGENT_SEEDS or seeds/)")
    p.add_argument("--json", action="store_true", help="print a JSON list of topics")
    p.set_defaults(handler=_cmd_notes)

"""Study notes: parse a seeds directory into records and chunks (models re-exported here)."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from prep_agent.errors import NotesError
from prep_agent.knowledge.mdblocks import clean
from prep_agent.knowledge.models import Chunk, Topic, chunk_id
from prep_agent.knowledge.parser import parse_notes

RESUME_FILE = "resume.md"
NOTES_SUFFIXES = (".md", ".markdown")
# A long notes file is ~50 KB; 1 MB of markdown is ~150k words and minutes of embedding.
MAX_NOTES_BYTES = 1024 * 1024


class NotesLoad(BaseModel):
    """What a seeds directory yielded: topics, per-file errors and warnings."""

    seeds_dir: str
    files: list[str] = Field(default_factory=list)  # sources that parsed
    topics: list[Topic] = Field(default_factory=list)
    errors: list[tuple[str, str]] = Field(default_factory=list)  # (source, message)
    warnings: list[str] = Field(default_factory=list)

    @property
    def failed_sources(self) -> set[str]:
        """Sources that could not be read this time (their stored chunks must be kept)."""
        return {source for source, _ in self.errors}


def read_text(path: Path, shown: str, root: Path | None = None,
              max_bytes: int = MAX_NOTES_BYTES) -> str:
    """A regular file's text, or a NotesError naming it (link out of root, device, FIFO, too
    big, empty, binary or not UTF-8). Special files are never opened, so a FIFO cannot hang."""
    data = _read_regular(path, shown, root, max_bytes)
    if b"\x00" in data[:8192]:
        raise NotesError(f"{shown} is binary, not markdown: replace it with a UTF-8 .md file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotesError(
            f"{shown} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}): "
            "re-save it as UTF-8"
        ) from exc
    if not text.strip():
        raise NotesError(f"{shown} is empty: add notes in the seed's style or remove the file")
    return text


def _read_regular(path: Path, shown: str, root: Path | None, max_bytes: int) -> bytes:
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            target = path.resolve()
            if root is not None and not target.is_relative_to(root.resolve()):
                raise NotesError(f"{shown} is a link to {target}, outside {root}: copy the file "
                                 "into the notes folder instead of linking it")
            info = os.stat(target)
            path = target
        if not stat.S_ISREG(info.st_mode):
            raise NotesError(f"{shown} is not a regular file (a device, FIFO or socket): "
                             "remove it from the notes folder")
        if info.st_size > max_bytes:
            raise NotesError(f"{shown} is {info.st_size // 1024} KB; the limit is "
                             f"{max_bytes // 1024} KB per notes file: split it into one file "
                             "per topic")
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since lstat
                raise NotesError(f"{shown} is not a regular file: remove it from the notes folder")
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise NotesError(f"{shown} cannot be read ({exc.strerror}): fix its permissions") from exc
    if len(data) > max_bytes:
        raise NotesError(f"{shown} is over {max_bytes // 1024} KB, the limit per notes file: "
                         "split it into one file per topic")
    return data


def notes_paths(seeds_dir: Path) -> list[Path]:
    """Every notes file under seeds_dir (any case of .md), hidden names and resume.md skipped.

    Linked directories are not followed, so nothing outside seeds_dir is walked."""
    found = []
    for top, dirs, files in os.walk(seeds_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.startswith(".") or name.lower() == RESUME_FILE:
                continue
            if name.lower().endswith(NOTES_SUFFIXES):
                found.append(Path(top) / name)
    return sorted(found)


def _warnings(source: str, topics: list[Topic]) -> list[str]:
    out = []
    for topic in topics:
        if not topic.structured:
            out.append(
                f"{source}: '{topic.title}' is not in the notes style (no checklist items, "
                f"Notes bullets or **Why It Matters**-style fields); kept as "
                f"{len(topic.plain)} plain text chunks"
            )
        unknown = {e.label for e in topic.extra} | {e.label for i in topic.items for e in i.extra}
        if topic.structured and unknown:
            out.append(f"{source}: '{topic.title}' kept unrecognised labels or sections as "
                       f"generic records: {', '.join(sorted(unknown))}")
    return out


def load_notes(seeds_dir: Path) -> NotesLoad:
    """Parse every .md under seeds_dir except resume.md; bad files are reported, not fatal."""
    if not seeds_dir.is_dir():
        raise NotesError(f"Seeds directory {seeds_dir} does not exist: create it with a .md file "
                         "or set PREP_AGENT_SEEDS")
    paths = notes_paths(seeds_dir)
    if not paths:
        raise NotesError(f"No notes found in {seeds_dir}: add a .md file or set PREP_AGENT_SEEDS")
    load = NotesLoad(seeds_dir=str(seeds_dir))
    for path in paths:
        source = f"{seeds_dir.name}/{path.relative_to(seeds_dir).as_posix()}"
        try:
            topics = parse_notes(read_text(path, source, root=seeds_dir), source)
        except NotesError as exc:
            load.errors.append((source, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - one odd file must not stop the others
            load.errors.append((source, f"{source} could not be parsed ({exc}): "
                                        "check its markdown or remove it"))
            continue
        load.files.append(source)
        load.topics.extend(topics)
        load.warnings.extend(_warnings(source, topics))
    return load


def _labelled(label: str, text: str) -> str:
    return f"{label}: {text}" if label else text


def topic_chunks(topic: Topic) -> list[Chunk]:
    """Every record field of a topic as an embeddable chunk with its citation."""
    rows: list[tuple[str, str, str, int, str]] = []  # kind, item, text, line, label
    header = {"why_it_matters": "why", "depth": "depth", "time": "time",
              "resume_tie_in": "resume_tie_in"}
    for name, kind in header.items():
        value = getattr(topic, name)
        if value:
            rows.append((kind, "", value, topic.lines.get(name, topic.line), ""))
    for extra in topic.extra:
        rows.append(("other", "", _labelled(extra.label, extra.text), extra.line, extra.label))
    for item in topic.items:
        if item.activity_text:
            line = item.lines.get("activity", item.line)
            rows.append(("activity", item.title, _labelled(item.activity or "", item.activity_text),
                         line, item.activity or ""))
        for name, value in item.fields().items():
            rows.append((name, item.title, value, item.lines.get(name, item.line), ""))
        for extra in item.extra:
            rows.append(("other", item.title, _labelled(extra.label, extra.text), extra.line,
                         extra.label))
    for note in topic.notes:
        rows.append((note.kind, "", _labelled(note.label, note.text), note.line, note.label))
    for plain in topic.plain:
        rows.append(("text", "", plain.text, plain.line, plain.label))
    return _with_ids(topic, rows)


def _with_ids(topic: Topic, rows: list[tuple[str, str, str, int, str]]) -> list[Chunk]:
    seen: dict[str, int] = {}
    chunks = []
    for kind, item, text, line, label in rows:
        if not text.strip():
            continue
        cid = chunk_id(topic.source, topic.title, item, kind, text)
        if cid in seen:  # the same text twice in one slot: keep both, with distinct ids
            seen[cid] += 1
            cid = chunk_id(topic.source, topic.title, item, kind, f"{text}\x1f{seen[cid]}")
        else:
            seen[cid] = 0
        chunks.append(Chunk(id=cid, text=text, kind=kind, topic=topic.title, item=item,  # type: ignore[arg-type]
                            source=topic.source, line=line, label=label))
    return chunks


def all_chunks(topics: Iterable[Topic]) -> list[Chunk]:
    """Chunks of many topics, each id unique even when two topics share a title and source."""
    out: dict[str, Chunk] = {}
    for topic in topics:
        for chunk in topic_chunks(topic):
            n = 0
            cid = chunk.id
            while cid in out:
                n += 1
                cid = f"{chunk.id}-{n}"
            out[cid] = chunk if cid == chunk.id else chunk.model_copy(update={"id": cid})
    return list(out.values())


def load_resume(path: Path) -> list[str]:
    """The candidate's own facts from an optional resume.md, one per bullet or line."""
    if not path.is_file():
        return []
    facts = []
    for raw in read_text(path, str(path), root=path.parent).splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or set(line) <= set("-*_= "):
            continue
        line = re.sub(r"^(?:[-*+]|\d+[.)])\s+", "", line)
        facts.append(clean(line))
    return [f for f in facts if f]

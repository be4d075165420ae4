"""Validate a notes file uploaded in the app and save it without ever losing an older copy."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from prep_agent.errors import NotesError
from prep_agent.knowledge.models import Topic
from prep_agent.knowledge.parser import parse_notes

MAX_UPLOAD_BYTES = 256 * 1024  # a large notes file is ~20 KB; anything bigger is a mistake
SUFFIXES = (".md", ".markdown")
RESERVED = {"resume.md"}
_UNSAFE = re.compile(r"[^a-z0-9._-]+")


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that parsed: its safe file name, text and topics."""

    name: str
    text: str
    topics: list[Topic]
    warnings: list[str] = field(default_factory=list)


def safe_notes_name(filename: str) -> str:
    """A lowercase ASCII base name ending in .md, or a NotesError saying what to rename."""
    base = Path(str(filename).replace("\\", "/")).name
    stem, dot, ext = base.rpartition(".")
    if not dot or f".{ext.lower()}" not in SUFFIXES:
        raise NotesError(f"{base or 'The file'} is not a markdown notes file: upload a .md file")
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    clean = _UNSAFE.sub("-", ascii_stem).strip(".-_")[:80]
    if not clean:
        raise NotesError(f"{base} has no usable file name: rename it, e.g. my-topic.md")
    name = f"{clean}.md"
    if name in RESERVED:
        raise NotesError(f"{name} is reserved for your resume facts: put it in the seeds folder")
    return name


def check_upload(filename: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> CheckedUpload:
    """Validate size, encoding and structure of an uploaded notes file."""
    name = safe_notes_name(filename)
    if len(data) > max_bytes:
        raise NotesError(
            f"{name} is {len(data) // 1024} KB; the limit is {max_bytes // 1024} KB: "
            "split it into one file per topic"
        )
    if b"\x00" in data[:8192]:
        raise NotesError(f"{name} is binary, not markdown: upload a UTF-8 .md file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotesError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}): "
            "re-save it as UTF-8"
        ) from exc
    if not text.strip():
        raise NotesError(f"{name} is empty: add notes in the seed's style")
    try:
        topics = parse_notes(text, f"uploads/{name}")
    except NotesError:
        raise
    except Exception as exc:  # noqa: BLE001 - the parser must never take the app down
        raise NotesError(f"{name} could not be parsed ({exc}): check its markdown") from exc
    if not topics:
        raise NotesError(f"{name} has no topics: start it with a `# Topic` heading")
    warnings = [
        f"'{t.title}' is not in the notes style (no checklist items or Notes bullets); "
        "it is kept as plain text chunks"
        for t in topics if not t.structured
    ]
    return CheckedUpload(name=name, text=text, topics=topics, warnings=warnings)


def save_upload(directory: Path, upload: CheckedUpload, replace: bool = False) -> Path:
    """Write the upload atomically; a replaced file is kept as a hidden .bak copy."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NotesError(
            f"Cannot create {directory} ({exc.strerror}): check its permissions"
        ) from exc
    target = directory / upload.name
    if target.exists() and not replace:
        raise NotesError(
            f"{upload.name} was uploaded before: tick 'Replace' to overwrite it "
            "(the old copy is kept as a backup)"
        )
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{upload.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(upload.text)
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():
            # Hidden names are skipped by load_notes, so the backup is never ingested.
            os.replace(target, directory / f".{upload.name}.bak")
        os.replace(tmp, target)
    except OSError as exc:
        raise NotesError(f"Cannot write {target} ({exc.strerror}): check free space and "
                         "permissions") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target

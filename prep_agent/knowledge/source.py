"""One notes source for every command and the app: the seeds plus `$PREP_AGENT_HOME/uploads`."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from prep_agent.config import Settings
from prep_agent.errors import NotesError
from prep_agent.knowledge.library import NotesLoad, load_notes, notes_paths, read_text
from prep_agent.knowledge.uploads import CheckedUpload, check_upload, safe_notes_name, save_upload

Fingerprint = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class NotesSource:
    """The notes directories that together make the notes: seeds, then uploads."""

    seeds_dir: Path
    uploads_dir: Path | None = None

    @classmethod
    def from_settings(cls, settings: Settings, seeds_dir: Path | None = None) -> NotesSource:
        """Seeds (or `seeds_dir`) plus the uploads under PREP_AGENT_HOME."""
        return cls(seeds_dir or settings.seeds_dir, settings.uploads_dir)

    @property
    def scopes(self) -> tuple[str, ...]:
        """Chunk-source prefixes this source owns; an ingest removes stale chunks only there."""
        dirs = [self.seeds_dir] + ([self.uploads_dir] if self.uploads_dir else [])
        return tuple(f"{d.name}/" for d in dirs)

    def fingerprint(self) -> Fingerprint:
        """(path, mtime, size) of every notes file, to notice edits without re-parsing."""
        out = []
        for d in (self.seeds_dir, self.uploads_dir):
            if d is None or not d.is_dir():
                continue
            for p in notes_paths(d):
                try:
                    st = os.lstat(p)
                except OSError:
                    continue
                out.append((str(p), st.st_mtime_ns, st.st_size))
        return tuple(out)

    def uploads(self) -> list[str]:
        """File names of the uploaded notes."""
        if self.uploads_dir is None or not self.uploads_dir.is_dir():
            return []
        return [p.relative_to(self.uploads_dir).as_posix() for p in notes_paths(self.uploads_dir)]

    def load(self) -> NotesLoad:
        """Parse seeds and uploads; a missing or empty seeds folder is fine if uploads exist."""
        loads: list[NotesLoad] = []
        seeds_problem: NotesError | None = None
        try:
            loads.append(load_notes(self.seeds_dir))
        except NotesError as exc:
            seeds_problem = exc
        if self.uploads():
            assert self.uploads_dir is not None
            loads.append(load_notes(self.uploads_dir))
        if seeds_problem is not None:
            if not loads:
                raise seeds_problem
            loads[0].warnings.insert(0, str(seeds_problem))
        merged = NotesLoad(seeds_dir=", ".join(n.seeds_dir for n in loads))
        for n in loads:
            merged.files.extend(n.files)
            merged.topics.extend(n.topics)
            merged.errors.extend(n.errors)
            merged.warnings.extend(n.warnings)
        return merged

    def _uploads_dir(self) -> Path:
        if self.uploads_dir is None:
            raise NotesError("No uploads folder is configured: set PREP_AGENT_HOME")
        return self.uploads_dir

    def add_file(self, path: Path) -> tuple[Path, CheckedUpload]:
        """Check a notes file like an app upload and save it under a name no upload has yet."""
        data = read_bytes(path)
        upload = check_upload(path.name, data)
        directory = self._uploads_dir()
        name = free_name(directory, upload.name)
        upload = CheckedUpload(name=name, text=upload.text, topics=upload.topics,
                               warnings=upload.warnings)
        return save_upload(directory, upload, replace=False), upload

    def remove(self, name: str) -> Path:
        """Take an upload out of the notes; the file is kept as a hidden, never-ingested copy."""
        directory = self._uploads_dir()
        base = safe_notes_name(name)
        target = directory / base
        if not target.is_file():
            have = ", ".join(self.uploads()) or "none"
            raise NotesError(f"No uploaded notes file {base!r} (uploads: {have}): "
                             "pass one of those names")
        kept = directory / f".{base}.removed-{time.strftime('%Y%m%dT%H%M%S')}"
        try:
            os.replace(target, kept)
        except OSError as exc:
            raise NotesError(f"Cannot remove {target} ({exc.strerror}): check permissions") from exc
        return kept


def free_name(directory: Path, name: str) -> str:
    """`name`, or `stem-2.md`, `stem-3.md`... when an upload already has it (never overwrite)."""
    stem = name.removesuffix(".md")
    candidate, n = name, 1
    while (directory / candidate).exists():
        n += 1
        candidate = f"{stem}-{n}.md"
    return candidate


def read_bytes(path: Path) -> bytes:
    """A candidate notes file's bytes, refused like a seed: no devices, FIFOs or huge files."""
    from prep_agent.knowledge.uploads import MAX_UPLOAD_BYTES

    text = read_text(path, str(path), root=None, max_bytes=MAX_UPLOAD_BYTES)
    return text.encode("utf-8")

"""Chroma knowledge store: incremental ingest of note chunks and typed semantic search."""

from __future__ import annotations

import os
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from pydantic import BaseModel

from prep_agent.config import Settings
from prep_agent.errors import PrepAgentError, StoreError
from prep_agent.knowledge.library import NotesLoad, all_chunks
from prep_agent.knowledge.models import Chunk, Topic
from prep_agent.knowledge.source import NotesSource

COLLECTION = "prep_agent_notes"
EMBED_BATCH = 256  # texts per embedding call (one progress step)
ADD_BATCH = 2048  # chunks per Chroma write: fewer, larger writes index faster
Progress = Callable[[int, int], None]
REBUILD_HINT = "python -m prep_agent ingest --rebuild"


class Hit(BaseModel):
    """One search result with its citation and cosine distance (0 = same direction)."""

    id: str
    text: str
    kind: str
    topic: str
    item: str
    source: str
    line: int
    distance: float
    label: str = ""


class IngestReport(BaseModel):
    """What one ingest did; `relocated` chunks only had their metadata (e.g. line) updated."""

    files: int = 0
    topics: int = 0
    items: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    relocated: int = 0
    kept: int = 0  # chunks of files that failed to load this time, left as they were
    seconds: float = 0.0

    @property
    def embedded(self) -> int:
        """How many chunks were embedded."""
        return self.added + self.updated


class Ingested(BaseModel):
    """The parsed notes and what ingesting them changed."""

    notes: NotesLoad
    report: IngestReport


def _slot(meta: dict[str, Any]) -> tuple[str, str, str, str, str]:
    """Where a chunk lives; a new text in an old slot counts as an update, not add + remove."""
    return (str(meta.get("source", "")), str(meta.get("topic", "")), str(meta.get("item", "")),
            str(meta.get("kind", "")), str(meta.get("label", "")))


class KnowledgeStore:
    """A Chroma collection of note chunks; embeddings come from the EF passed in."""

    overfetch = 50  # unfiltered neighbours checked before a filtered (slower) query

    def __init__(self, client: Any, ef: EmbeddingFunction[Documents], location: str,
                 server: bool = False) -> None:
        self._client = client
        self._ef = ef
        self.location = location
        self.server = server
        with self._guard("open the collection"):
            self._collection = self._open_collection()

    def _open_collection(self) -> Any:
        return self._client.get_or_create_collection(
            COLLECTION, embedding_function=self._ef, configuration={"hnsw": {"space": "cosine"}}
        )

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        try:
            yield
        except PrepAgentError:
            raise
        except Exception as exc:  # noqa: BLE001 - Chroma raises many types for a broken store
            raise StoreError(self._advice(action, exc)) from exc

    def _advice(self, action: str, exc: Exception) -> str:
        """What went wrong and the fix that applies: server, permissions, or a broken store."""
        if self.server:
            return (f"Could not {action} on the Chroma server at {self.location} ({exc}): check "
                    "that the server is running and reachable (and CHROMA_TOKEN if a proxy "
                    "asks for one), or unset CHROMA_HOST and CHROMA_PORT to use the local store")
        if _read_only(exc):
            return (f"Could not {action} in the Chroma store at {self.location}: it is "
                    "read-only. Fix the permissions of PREP_AGENT_HOME, or set it to a "
                    "writable folder; nothing needs rebuilding")
        return (f"Could not {action} in the Chroma store at {self.location} ({exc}). If "
                "another Prep Agent process is using it, close that and retry; otherwise "
                f"rebuild it from your notes with `{REBUILD_HINT}`, or set PREP_AGENT_HOME "
                "to another directory")

    def count(self) -> int:
        """Number of stored chunks."""
        with self._guard("count chunks"):
            return int(self._collection.count())

    def reset(self) -> None:
        """Drop every chunk (the notes themselves are untouched)."""
        with self._guard("reset the collection"):
            with suppress(Exception):  # already gone is fine
                self._client.delete_collection(COLLECTION)
            self._collection = self._open_collection()

    def ingest(
        self,
        topics: Sequence[Topic],
        progress: Progress | None = None,
        rebuild: bool = False,
        keep_sources: Iterable[str] = (),
        scopes: Sequence[str] | None = None,
    ) -> IngestReport:
        """Sync the store to these topics; only new or edited chunks are embedded.

        Chunks of `keep_sources` (files that failed to load this time) are left alone, so an
        unreadable file never loses what was ingested from it before. With `scopes` (source
        prefixes such as "seeds/"), only stale chunks under them are removed: what another
        notes folder added stays.
        """
        start = time.perf_counter()
        if rebuild:
            self.reset()
        chunks = all_chunks(topics)
        wanted = {c.id: c for c in chunks}
        keep = set(keep_sources)
        with self._guard("read the stored chunks"):
            stored = self._collection.get(include=["metadatas"])
        stored_meta = dict(zip(stored["ids"], stored["metadatas"] or [], strict=False))
        new = [c for c in chunks if c.id not in stored_meta]
        gone = {i: m for i, m in stored_meta.items() if i not in wanted}
        stale = [i for i, m in gone.items() if m.get("source") not in keep
                 and _in_scope(str(m.get("source", "")), scopes)]
        kept = len(gone) - len(stale)
        moved = [c for c in chunks if c.id in stored_meta and stored_meta[c.id] != c.metadata()]
        updated = self._count_updates(new, [stored_meta[i] for i in stale])
        self._add(new, progress)
        with self._guard("delete removed chunks"):
            for batch in _batches(stale, ADD_BATCH):
                self._collection.delete(ids=batch)
        with self._guard("update chunk metadata"):
            for part in _batches(moved, ADD_BATCH):
                self._collection.update(ids=[c.id for c in part],
                                        metadatas=[c.metadata() for c in part])
        return IngestReport(
            files=len({t.source for t in topics}), topics=len(topics),
            items=sum(len(t.items) for t in topics), chunks=len(chunks),
            added=len(new) - updated, updated=updated, unchanged=len(chunks) - len(new),
            removed=len(stale) - updated, relocated=len(moved), kept=kept,
            seconds=time.perf_counter() - start,
        )

    @staticmethod
    def _count_updates(new: list[Chunk], stale_meta: list[dict[str, Any]]) -> int:
        free: dict[tuple[str, ...], int] = defaultdict(int)
        for meta in stale_meta:
            free[_slot(meta)] += 1
        updated = 0
        for chunk in new:
            slot = _slot(chunk.metadata())
            if free[slot]:
                free[slot] -= 1
                updated += 1
        return updated

    def _add(self, chunks: list[Chunk], progress: Progress | None) -> None:
        total = len(chunks)
        # Texts of similar length share a batch, so less work goes into padding.
        chunks = sorted(chunks, key=lambda c: len(c.text))
        if progress:
            progress(0, total)
        pending: list[tuple[Chunk, np.ndarray]] = []
        done = 0
        for batch in _batches(chunks, EMBED_BATCH):
            vectors = np.asarray(self._ef([c.text for c in batch]), dtype=np.float32)
            pending.extend(zip(batch, vectors, strict=True))
            if len(pending) >= ADD_BATCH:
                self._write(pending)
                pending = []
            done += len(batch)
            if progress:
                progress(done, total)
        self._write(pending)

    def _write(self, rows: list[tuple[Chunk, np.ndarray]]) -> None:
        if not rows:
            return
        with self._guard("add chunks"):
            self._collection.add(
                ids=[c.id for c, _ in rows], embeddings=np.vstack([v for _, v in rows]),
                documents=[c.text for c, _ in rows], metadatas=[c.metadata() for c, _ in rows],
            )

    def search(
        self, query: str, k: int = 5, kinds: Sequence[str] | None = None, topic: str | None = None
    ) -> list[Hit]:
        """The k chunks nearest to the query, optionally only of some kinds or one topic."""
        if not query.strip() or k <= 0:
            return []
        vector = np.asarray(self._ef.embed_query([query]), dtype=np.float32)
        with self._guard("search"):
            count = int(self._collection.count())
            if count == 0:
                return []
            if not kinds and not topic:
                return self._query(vector, k, None)
            # A metadata filter makes Chroma scan SQLite first (~20 ms at 15k chunks), so look
            # at the nearest `overfetch` chunks unfiltered: if k of them match, they are the
            # k nearest matching chunks. Otherwise fall back to the filtered query.
            wanted = set(kinds or [])
            near = self._query(vector, min(count, max(self.overfetch, k)), None)
            hits = [h for h in near if (not wanted or h.kind in wanted)
                    and (not topic or h.topic == topic)]
            if len(hits) >= k or len(near) >= count:
                return hits[:k]
            filters: list[dict[str, Any]] = []
            if kinds:
                filters.append({"kind": {"$in": list(kinds)}})
            if topic:
                filters.append({"topic": topic})
            return self._query(vector, k, filters[0] if len(filters) == 1 else {"$and": filters})

    def _query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None) -> list[Hit]:
        result = self._collection.query(
            query_embeddings=vector, n_results=k, where=where,
            include=["documents", "metadatas", "distances"],
        )
        rows = zip(result["ids"][0], result["documents"][0], result["metadatas"][0],
                   result["distances"][0], strict=True)
        # A chunk deleted by another process can still be in this process's index: skip it.
        return [_hit(i, doc, meta, dist) for i, doc, meta, dist in rows if meta is not None]

    def all_chunks(self) -> list[Chunk]:
        """Every stored chunk (without its vector), in source and line order."""
        with self._guard("read the stored chunks"):
            got = self._collection.get(include=["documents", "metadatas"])
        chunks = [
            Chunk(id=i, text=doc or "", kind=m["kind"], topic=str(m["topic"]),
                  item=str(m.get("item", "")), source=str(m["source"]), line=int(m["line"]),
                  label=str(m.get("label", "")))
            for i, doc, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        return sorted(chunks, key=lambda c: (c.source, c.line, c.id))

    def topics(self) -> list[str]:
        """Distinct topic titles in the store."""
        with self._guard("read the stored topics"):
            metas = self._collection.get(include=["metadatas"])["metadatas"] or []
        return sorted({str(m["topic"]) for m in metas})

    def close(self) -> None:
        """Release the client (and its SQLite files)."""
        close = getattr(self._client, "close", None)
        if close is not None:
            close()


def _in_scope(source: str, scopes: Sequence[str] | None) -> bool:
    return scopes is None or source.startswith(tuple(scopes))


def _read_only(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, PermissionError) or any(
        word in text for word in ("readonly", "read-only", "permission denied"))


def _hit(cid: str, doc: str | None, meta: Any, distance: float) -> Hit:
    return Hit(id=cid, text=doc or "", kind=str(meta["kind"]), topic=str(meta["topic"]),
               item=str(meta.get("item", "")), source=str(meta["source"]),
               line=int(meta["line"]), distance=float(distance), label=str(meta.get("label", "")))


def _batches(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    # Telemetry would try the network; this app must work offline.
    return ChromaSettings(anonymized_telemetry=False)


def open_store(
    settings: Settings, ef: EmbeddingFunction[Documents], *, rebuild: bool = False
) -> KnowledgeStore:
    """Open the Chroma store: a Chroma server when CHROMA_HOST/PORT are set, else on disk.

    With rebuild=True a local store that cannot be opened is deleted and created afresh (it
    holds only what ingesting the notes produces).
    """
    import chromadb

    if settings.chroma_host:
        where = f"http://{settings.chroma_host}:{settings.chroma_port}"
        try:
            # The token is for the authenticating proxy in front of the server (README).
            headers = ({"Authorization": f"Bearer {settings.chroma_token}"}
                       if settings.chroma_token else None)
            client = chromadb.HttpClient(host=settings.chroma_host,
                                         port=settings.chroma_port or 8000, headers=headers,
                                         settings=_chroma_settings())
            client.heartbeat()
        except Exception as exc:  # noqa: BLE001 - connection errors come in many types
            raise StoreError(
                f"Cannot reach the Chroma server at {where} ({exc}): start it with "
                "`chroma run --path DIR --port N`, or unset CHROMA_HOST and CHROMA_PORT "
                "to use the local store under PREP_AGENT_HOME"
            ) from exc
        return KnowledgeStore(client, ef, where, server=True)
    path = settings.chroma_dir
    try:
        return _open_local(path, ef)
    except StoreError:
        if not rebuild:
            raise
    _discard(path)
    return _open_local(path, ef)


def _open_local(path: Path, ef: EmbeddingFunction[Documents]) -> KnowledgeStore:
    import chromadb

    where = f"{path} (PREP_AGENT_HOME={path.parent})"
    try:
        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:  # noqa: BLE001 - a corrupt or locked SQLite file raises many types
        if _read_only(exc) or not os.access(path if path.exists() else path.parent, os.W_OK):
            raise StoreError(
                f"Cannot open the Chroma store at {where}: the folder is not writable. Fix the "
                "permissions of PREP_AGENT_HOME, or set it to a writable folder; nothing needs "
                "rebuilding") from exc
        raise StoreError(
            f"Cannot open the Chroma store at {where} ({exc}): it may be corrupt or locked by "
            f"another process. Rebuild it from your notes with `{REBUILD_HINT}`, or set "
            "PREP_AGENT_HOME to another directory"
        ) from exc
    return KnowledgeStore(client, ef, where)


def _discard(path: Path) -> None:
    """Remove a broken local store, dropping Chroma's cached client for that path first."""
    from chromadb.api.shared_system_client import SharedSystemClient

    system = SharedSystemClient._identifier_to_system.pop(str(path), None)
    if system is not None:
        with suppress(Exception):  # it is being thrown away
            system.stop()
    shutil.rmtree(path, ignore_errors=True)


def ensure_ingested(
    store: KnowledgeStore, source: NotesSource | Path, progress: Progress | None = None,
    rebuild: bool = False, notes: NotesLoad | None = None,
) -> Ingested:
    """Parse the notes source (seeds and uploads) and sync the store to it.

    Cheap when nothing changed (no embedding). Only chunks under the source's own folders are
    removed; a rebuild re-embeds seeds and uploads alike. A bare Path is one folder alone.
    """
    if isinstance(source, Path):
        source = NotesSource(source)
    notes = source.load() if notes is None else notes
    report = store.ingest(notes.topics, progress=progress, rebuild=rebuild,
                          keep_sources=notes.failed_sources, scopes=source.scopes)
    return Ingested(notes=notes, report=report)

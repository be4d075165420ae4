"""The app's services, built once and shared by the pages: notes, store, prompts, transcripts."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prep_agent.config import Settings
from prep_agent.drill.service import DrillDesk
from prep_agent.drill.store import DrillStore
from prep_agent.drill.views import DrillCounts
from prep_agent.engine import Engine, EngineKind
from prep_agent.errors import PromptError
from prep_agent.interview.interviewer import Question
from prep_agent.knowledge.library import RESUME_FILE, NotesLoad, load_resume
from prep_agent.knowledge.models import Topic
from prep_agent.knowledge.source import NotesSource
from prep_agent.knowledge.uploads import CheckedUpload, check_upload, save_upload
from prep_agent.llm import build_openai_client
from prep_agent.practice import factory
from prep_agent.practice.engine import start_engine
from prep_agent.practice.model_answer import model_answer
from prep_agent.practice.preferences import active_prompt_set, load_preferences
from prep_agent.practice.results import TurnResult
from prep_agent.practice.session import PracticeSession
from prep_agent.practice.spoken import HeardAnswer, PacePoint, hear_answer, pace_by_session
from prep_agent.practice.spoken import submit_spoken as submit_spoken_answer
from prep_agent.prompt_library import PromptLibrary
from prep_agent.prompts import PromptSet, PromptSetInfo
from prep_agent.transcripts.db import connect
from prep_agent.transcripts.store import TranscriptStore
from prep_agent.voice.audio import delete_session_audio, turn_audio_files
from prep_agent.voice.speak import Speech, load_voice, speak_cached
from prep_agent.voice.transcribe import Transcriber, TranscriberKind, build_transcriber

if TYPE_CHECKING:
    # chromadb and onnxruntime load on first use (Services.load_backend), not at import time.
    from langchain_core.language_models import BaseChatModel

    from prep_agent.grading.models import Encoder
    from prep_agent.knowledge.embeddings import Encoder as MiniLMEncoder
    from prep_agent.knowledge.store import Hit, IngestReport, KnowledgeStore, Progress

SERVICES_KEY = "prep_agent_services"


@dataclass(frozen=True)
class _Backend:
    """The slow half of the services: the grading encoder and the Chroma store."""

    encoder: Encoder
    store: KnowledgeStore


def settle_heap() -> None:
    """Move everything loaded so far out of the garbage collector's sight, once per process
    (the edges call it after the models and the store are open).

    The loaded libraries and models are about 240,000 objects that live as long as the
    process. A full collection walked them all (72 ms) whenever one struck, as likely in the
    middle of grading an answer as anywhere: the benchmark's slowest answers took 80-120 ms
    instead of 40. Frozen, they are skipped; what is made later is collected as before.
    """
    import gc

    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def _open_backend(settings: Settings, encoder: MiniLMEncoder | None) -> _Backend:
    from prep_agent.knowledge.embeddings import MiniLMEmbedding, load_encoder
    from prep_agent.knowledge.store import open_store

    # Search runs the shipped weights (the vectors in the store); grading the int8 copy.
    encoder = encoder or load_encoder(settings.models_dir)
    return _Backend(encoder, open_store(settings, MiniLMEmbedding(load_encoder())))


@dataclass
class Services:
    """Everything a page may use; pages never touch SQL, Chroma or the LLM directly."""

    settings: Settings
    prompts: PromptLibrary
    transcripts: TranscriptStore
    engine: Engine
    uploads_dir: Path
    preferences_path: Path
    drill: DrillStore
    _notes_cache: tuple[Any, NotesLoad] | None = field(default=None, repr=False)
    given_encoder: MiniLMEncoder | None = field(default=None, repr=False)
    given_transcriber: Transcriber | None = field(default=None, repr=False)
    _encoder: Encoder | None = field(default=None, repr=False)
    _backend: _Backend | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- the slow half (chromadb, onnxruntime, the model): loaded on first use

    def load_backend(self) -> None:
        """Load the embedding model and open the Chroma store now, once per Services.

        app.py calls this after the page is drawn, so a fresh server shows the set-up form
        while the rest loads; anything that needs them before that waits here.
        """
        if self._backend is None:
            with self._lock:  # one Services is shared by every browser session
                if self._backend is None:
                    self._backend = _open_backend(self.settings, self.given_encoder)

    @property
    def backend_loaded(self) -> bool:
        """True once the model and the store are open."""
        return self._backend is not None

    @property
    def encoder(self) -> Encoder:
        """The grader's embedding model."""
        if self._encoder is not None:
            return self._encoder
        self.load_backend()
        assert self._backend is not None
        return self._backend.encoder

    @encoder.setter
    def encoder(self, encoder: Encoder) -> None:
        self._encoder = encoder

    @property
    def store(self) -> KnowledgeStore:
        """The Chroma store of embedded notes."""
        self.load_backend()
        assert self._backend is not None
        return self._backend.store

    # -- engine

    @property
    def engine_label(self) -> str:
        """What the UI shows about the engine: offline, or which model where (never the key)."""
        return self.engine.badge

    @property
    def offline(self) -> bool:
        """True when no LLM is set up."""
        return self.engine.kind == EngineKind.offline

    # -- notes

    def notes(self) -> NotesLoad:
        """Seeds plus uploaded notes, re-parsed only when a file changed."""
        key = self.notes_source.fingerprint()
        if self._notes_cache is not None and self._notes_cache[0] == key:
            return self._notes_cache[1]
        merged = self.notes_source.load()
        self._notes_cache = (key, merged)
        return merged

    @property
    def notes_source(self) -> NotesSource:
        """The one notes source: seeds plus uploads (the CLI uses the same)."""
        return NotesSource(self.settings.seeds_dir, self.uploads_dir)

    def topics(self) -> list[Topic]:
        """Every parsed topic."""
        return self.notes().topics

    def needs_ingest(self, wait: bool = True) -> bool | None:
        """True when the store is empty (first run, or a fresh data directory).

        With wait=False and the store not open yet, None when its files exist (an existing
        store is almost never empty, so the first page need not wait for Chroma).
        """
        local = not self.settings.chroma_host
        if not wait and local and not self.backend_loaded:
            return None if (self.settings.chroma_dir / "chroma.sqlite3").exists() else True
        return self.store.count() == 0

    def ingest(self, progress: Progress | None = None, rebuild: bool = False) -> IngestReport:
        """Sync the store to seeds and uploads (unchanged chunks are not embedded again)."""
        from prep_agent.knowledge.store import ensure_ingested

        return ensure_ingested(self.store, self.notes_source, progress=progress,
                               rebuild=rebuild, notes=self.notes()).report

    def search(self, query: str, k: int = 8, topic: str | None = None) -> list[Hit]:
        """Semantic search over the notes."""
        return self.store.search(query, k=k, topic=topic or None)

    def check_upload(self, filename: str, data: bytes) -> CheckedUpload:
        """Validate an uploaded notes file (size, UTF-8, markdown structure)."""
        return check_upload(filename, data)

    def add_upload(self, upload: CheckedUpload, replace: bool = False,
                   progress: Progress | None = None) -> IngestReport:
        """Save a validated upload among the notes and ingest it."""
        save_upload(self.uploads_dir, upload, replace=replace)
        return self.ingest(progress=progress)

    # -- prompt sets

    def prompt_sets(self) -> list[PromptSetInfo]:
        """Every prompt set with its validity and error."""
        return self.prompts.list()

    def active_prompt_set(self) -> str:
        """The prompt set chosen in the app, else the one from settings."""
        valid = [p.name for p in self.prompt_sets() if p.valid]
        return active_prompt_set(self.preferences_path, self.settings.prompt_set, valid)

    def set_active_prompt_set(self, name: str) -> None:
        """Make a valid prompt set the default for new interviews."""
        self.prompts.load(name)  # raises PromptError naming the problem
        self._save_preferences({**self._preferences(), "prompt_set": name})

    def check_prompt_copy(self, source: str, new_name: str, yaml_text: str) -> PromptSet:
        """Validate an edited copy exactly as save_copy would, without writing anything."""
        return self.prompts.check_copy(source, new_name, yaml_text)

    def _preferences(self) -> dict[str, Any]:
        return load_preferences(self.preferences_path)

    def _save_preferences(self, prefs: dict[str, Any]) -> None:
        path = self.preferences_path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(prefs, fh, indent=2)
            os.replace(tmp, path)
        except OSError as exc:
            raise PromptError(f"Cannot save the active prompt set to {path} ({exc.strerror}): "
                              "check PREP_AGENT_HOME's permissions") from exc

    # -- interviews

    def practice_deps(self) -> factory.PracticeDeps:
        """This app's notes, store, prompt sets, grader, transcripts and engine."""
        return factory.PracticeDeps(
            prompts=self.prompts, topics=self.topics(), store=self.store, encoder=self.encoder,
            transcripts=self.transcripts, engine=self.engine,
            resume_facts=load_resume(self.settings.seeds_dir / RESUME_FILE),
            settings=self.settings, drill=self.drill,
        )

    def start_practice(
        self, prompt_set: str, n_questions: int, topics: list[str] | None = None,
        mode: str = "practice", follow_ups: bool = True,
    ) -> PracticeSession:
        """Plan and open a new session; the mode (practice or exam) is kept in its meta."""
        practice = factory.build_practice(self.practice_deps(), prompt_set,
                                          follow_ups=follow_ups)
        practice.start(n_questions, topics=topics or None, meta={"mode": mode})
        return practice

    def start_drill(
        self, prompt_set: str, topics: list[str] | None = None, limit: int | None = None,
        follow_ups: bool = True,
    ) -> tuple[PracticeSession, DrillCounts]:
        """Open a drill: due cards first, then new ones (mode "drill" in its meta)."""
        practice = factory.build_practice(self.practice_deps(), prompt_set,
                                          follow_ups=follow_ups)
        return practice, factory.start_drill(practice, topics=topics, limit=limit)

    def drill_desk(self) -> DrillDesk:
        """Drill counts, forecast, recall and Anki export for the notes as they are now."""
        return DrillDesk(self.drill, self.topics())

    def delete_session(self, session_id: int) -> None:
        """Delete a session and its recordings; the cards it reviewed are rescheduled from their
        other reviews."""
        self.transcripts.delete_session(session_id)
        self.drill.refresh()
        delete_session_audio(self.settings.home, session_id)

    def resume_practice(self, session_id: int) -> tuple[PracticeSession, list[TurnResult]]:
        """Carry on an unfinished session with the prompt set and seed it started with."""
        return factory.resume_practice(self.practice_deps(), session_id)

    @staticmethod
    def model_answer(question: Question | None) -> str:
        """The model answer assembled from the notes behind a stored question ('' if unknown)."""
        return "" if question is None else model_answer(question)

    # -- voice

    def transcriber_kinds(self) -> list[str]:
        """Transcribers the user may choose: local always, OpenAI only when a key is set."""
        kinds = [TranscriberKind.LOCAL.value]
        if self.settings.openai_api_key:
            kinds.append(TranscriberKind.OPENAI.value)
        return kinds

    def transcriber(self, kind: str | None = None) -> Transcriber:
        """The chosen transcriber (the local model is loaded once per process)."""
        chosen = TranscriberKind(kind or self.settings.transcriber)
        if chosen is TranscriberKind.LOCAL and self.given_transcriber is not None:
            return self.given_transcriber
        client = build_openai_client(self.settings) if chosen is TranscriberKind.OPENAI else None
        return build_transcriber(chosen, models_dir=self.settings.models_dir, client=client)

    def hear(self, wav: bytes, question: Question | None, kind: str | None = None) -> HeardAnswer:
        """Check and transcribe a recorded answer, with its pace, pauses and fillers."""
        return hear_answer(self.transcriber(kind), wav, question)

    def submit_spoken(self, practice: PracticeSession, turn_id: int, heard: HeardAnswer,
                      text: str) -> TurnResult:
        """Grade the (edited) transcript through the guarded write, keeping the recording."""
        return submit_spoken_answer(practice, turn_id, self.settings.home, heard, text)

    def speak(self, text: str) -> Speech:
        """The question read aloud (Piper, else espeak-ng), cached per text."""
        return speak_cached(load_voice(), text, self.settings.home)

    def turn_recordings(self, session_id: int, turn_id: int) -> list[tuple[str, bytes]]:
        """(file name, WAV bytes) of a turn's recordings, oldest first."""
        return [(p.name, p.read_bytes())
                for p in turn_audio_files(self.settings.home, session_id, turn_id)]

    def pace_history(self) -> list[PacePoint]:
        """Pace and fillers of spoken answers per session, for the Review chart."""
        return pace_by_session(self.transcripts)

    # -- transcripts

    def export_json_text(self, session_id: int) -> str:
        """A session as pretty JSON text with provenance (secrets scrubbed)."""
        return json.dumps(self.transcripts.export_json(session_id), indent=2, ensure_ascii=False,
                          default=str)

    def close(self) -> None:
        """Release the store and the database."""
        try:
            if self._backend is not None:
                self._backend.store.close()
        finally:
            self.transcripts.conn.close()
            self.engine.close()


def build_services(
    settings: Settings,
    uploads_dir: Path,
    preferences_path: Path,
    chat_model: BaseChatModel | None = None,
    encoder: MiniLMEncoder | None = None,
    engine: Engine | None = None,
    transcriber: Transcriber | None = None,
) -> Services:
    """Open the cheap services now; the encoder and the Chroma store load on first use.

    The engine is decided here, once; a local LLM server starts now and stops on `close` or
    when the process exits.
    """
    conn = connect(settings.db_path)
    transcripts = TranscriptStore(conn, secrets=settings.secrets)
    return Services(
        settings=settings,
        prompts=PromptLibrary.from_settings(settings), transcripts=transcripts,
        engine=engine if engine is not None else start_engine(settings, chat_model),
        uploads_dir=uploads_dir, preferences_path=preferences_path, given_encoder=encoder,
        given_transcriber=transcriber,
        drill=DrillStore(conn),
    )

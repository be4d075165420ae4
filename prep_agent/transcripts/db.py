"""SQLite plumbing for transcripts: WAL connection, locking, numbered migrations."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prep_agent.errors import TranscriptError

Timestamp = datetime | str | None
FIX_HINT = "set PREP_AGENT_HOME to another directory, or move the file aside"


class LockedConnection(sqlite3.Connection):
    """A connection carrying the lock that serialises its use across threads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock = threading.RLock()


def now_iso(value: Timestamp = None) -> str:
    """UTC ISO-8601 timestamp (strings pass through unchanged)."""
    if isinstance(value, str):
        return value
    return (value or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")


def db_name(conn: sqlite3.Connection) -> str:
    """The database file behind a connection, for error messages."""
    try:
        row = conn.execute("PRAGMA database_list").fetchone()
    except sqlite3.Error:
        return "the transcripts database"
    return str(row[2]) if row and row[2] else ":memory:"


def translate_error(exc: sqlite3.Error, where: str) -> TranscriptError:
    """Turn a sqlite3 error into a TranscriptError that names the fix."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return TranscriptError(
            f"Transcripts database {where} is locked by another process: close the other "
            f"Prep Agent (app or CLI) and retry, or {FIX_HINT}"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return TranscriptError(f"Transcripts database {where} is corrupt ({exc}): {FIX_HINT}")
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return TranscriptError(
            f"Transcripts database {where} cannot be written ({exc}): PREP_AGENT_HOME is not "
            "writable. Fix its permissions (e.g. chmod u+w on the folder and the file), or set "
            "PREP_AGENT_HOME to a writable folder; nothing needs rebuilding"
        )
    if "disk" in text:
        return TranscriptError(
            f"Transcripts database {where} cannot be written ({exc}): free disk space, or "
            f"{FIX_HINT}"
        )
    return TranscriptError(f"Transcripts database {where} failed ({exc}): {FIX_HINT}")


def connection_lock(conn: sqlite3.Connection) -> threading.RLock:
    """The lock of a connection made by `connect`; a private one for other connections."""
    lock = getattr(conn, "lock", None)
    return lock if lock is not None else threading.RLock()


# --- migrations (as in simonw/llm: ordered functions, a table records which have run) --------


def m001_initial(conn: sqlite3.Connection) -> None:
    """Sessions and their turns (question, answer, score, follow-up parent, timings)."""
    conn.execute(
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            prompt_set TEXT NOT NULL,
            prompt_hash TEXT NOT NULL DEFAULT '',
            engine TEXT NOT NULL,
            model TEXT NOT NULL DEFAULT '',
            topics TEXT NOT NULL DEFAULT '[]',
            settings TEXT NOT NULL DEFAULT '{}',
            meta TEXT NOT NULL DEFAULT '{}',
            summary TEXT
        )"""
    )
    conn.execute(
        """CREATE TABLE turns (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            parent_id INTEGER REFERENCES turns(id) ON DELETE CASCADE,
            question_text TEXT NOT NULL,
            question_type TEXT NOT NULL DEFAULT '',
            question TEXT NOT NULL,
            asked_at TEXT NOT NULL,
            answer TEXT,
            answered_at TEXT,
            score TEXT,
            overall REAL,
            score_error TEXT,
            scored_at TEXT,
            timings TEXT NOT NULL DEFAULT '{}',
            UNIQUE (session_id, seq)
        )"""
    )
    conn.execute("CREATE INDEX sessions_started ON sessions(started_at)")


def m002_key_point_results(conn: sqlite3.Connection) -> None:
    """One row per scored key point, for mastery charts and the planner's history."""
    conn.execute(
        """CREATE TABLE key_point_results (
            turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            key_point TEXT NOT NULL,
            topic TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            strength REAL NOT NULL,
            evidence TEXT NOT NULL DEFAULT '[]',
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (turn_id, position)
        )"""
    )
    conn.execute("CREATE INDEX key_point_results_kp ON key_point_results(key_point, recorded_at)")


def m003_turn_slots(conn: sqlite3.Connection) -> None:
    """Plan slots and skips on turns: one turn per planned question, however many tabs ask it.

    `slot` names the planner step a turn fills ("q2", or "<root turn id>.f1" for a follow-up);
    the unique index makes a second tab's attempt to ask the same step find the first turn
    instead of adding one. Older rows keep slot NULL, which the index ignores.
    """
    conn.execute("ALTER TABLE turns ADD COLUMN slot TEXT")
    conn.execute("ALTER TABLE turns ADD COLUMN skipped_at TEXT")
    conn.execute("CREATE UNIQUE INDEX turns_slot ON turns(session_id, slot)")



def m004_drill_cards(conn: sqlite3.Connection) -> None:
    """FSRS cards (one per key point, claim or resume story) and their review log.

    Depends only on m001's sessions and turns, so it runs whether or not m003 has.
    """
    conn.execute(
        """CREATE TABLE cards (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            topic TEXT NOT NULL,
            item TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            prompt TEXT NOT NULL DEFAULT '',
            tip TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            line INTEGER NOT NULL DEFAULT 0,
            parent_key TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            retired_at TEXT,
            state INTEGER NOT NULL DEFAULT 1,
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due TEXT NOT NULL,
            last_review TEXT,
            n_reviews INTEGER NOT NULL DEFAULT 0
        )"""
    )
    conn.execute("CREATE INDEX cards_due ON cards(retired_at, due)")
    conn.execute(
        """CREATE TABLE card_reviews (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            card_id INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            turn_id INTEGER REFERENCES turns(id) ON DELETE CASCADE,
            rating INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT '',
            reviewed_at TEXT NOT NULL,
            due_after TEXT,
            UNIQUE (card_id, turn_id)
        )"""
    )
    conn.execute("CREATE INDEX card_reviews_session ON card_reviews(session_id)")
    conn.execute("CREATE INDEX card_reviews_card ON card_reviews(card_id, id)")
    conn.execute(
        """CREATE TABLE fsrs_parameters (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            parameters TEXT NOT NULL,
            n_reviews INTEGER NOT NULL,
            fitted_at TEXT NOT NULL
        )"""
    )



# m004 uses only m001's tables, so a database that ran it before m003 existed is fine too.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    m001_initial,
    m002_key_point_results,
    m003_turn_slots,
    m004_drill_cards,
)


@contextmanager
def transaction(
    conn: sqlite3.Connection, lock: threading.RLock | None = None
) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT under the connection's lock; rolls back on any error."""
    lock = lock or connection_lock(conn)
    with lock:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise translate_error(exc, db_name(conn)) from exc
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.rollback()
            raise translate_error(exc, db_name(conn)) from exc


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Run the migrations not yet recorded in `_migrations`; returns the names applied now."""
    applied: list[str] = []
    try:
        with transaction(conn):
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
            )
            done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
            for migration in MIGRATIONS:
                if migration.__name__ in done:
                    continue
                migration(conn)
                conn.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                    (migration.__name__, now_iso()),
                )
                applied.append(migration.__name__)
    except sqlite3.Error as exc:
        raise translate_error(exc, db_name(conn)) from exc
    return applied


class GuardedStore:
    """Base of the stores on one migrated connection: locked reads and writes naming the fix."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._lock = connection_lock(conn)
        if conn.row_factory is not sqlite3.Row:
            conn.row_factory = sqlite3.Row
        migrate(conn)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            with transaction(self.conn, self._lock) as conn:
                yield conn
        except sqlite3.Error as exc:
            raise translate_error(exc, db_name(self.conn)) from exc

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            with self._lock:
                return list(self.conn.execute(sql, params))
        except sqlite3.Error as exc:
            raise translate_error(exc, db_name(self.conn)) from exc


def connect(path: Path | str) -> sqlite3.Connection:
    """Open (creating and migrating) the transcripts database; safe to share across threads."""
    name = str(path)
    if name != ":memory:":
        try:
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TranscriptError(f"Cannot create {Path(name).parent} ({exc}): {FIX_HINT}") from exc
    try:
        conn = sqlite3.connect(
            name, timeout=15.0, check_same_thread=False, isolation_level=None,
            factory=LockedConnection,
        )
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error as exc:
        raise translate_error(exc, name) from exc
    conn.row_factory = sqlite3.Row
    migrate(conn)
    return conn


def connect_read_only(path: Path | str) -> sqlite3.Connection:
    """Open the transcripts database for reading only (a read-only home works).

    A missing file reads as an empty database; nothing is created or migrated on disk.
    """
    file = Path(path)
    if not file.exists():
        return connect(":memory:")
    conn: sqlite3.Connection | None = None
    last: sqlite3.Error | None = None
    # mode=ro needs the WAL's -shm file or a writable folder; immutable=1 needs neither.
    for query in ("mode=ro", "immutable=1"):
        try:
            conn = sqlite3.connect(
                f"{file.resolve().as_uri()}?{query}", uri=True, timeout=15.0,
                check_same_thread=False, isolation_level=None, factory=LockedConnection,
            )
            done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
            break
        except sqlite3.Error as exc:
            last = exc
            if conn is not None:
                conn.close()
            conn = None
    if conn is None:
        assert last is not None
        raise translate_error(last, str(file)) from last
    missing = [m.__name__ for m in MIGRATIONS if m.__name__ not in done]
    if missing:
        conn.close()
        raise TranscriptError(
            f"Transcripts database {file} predates this version ({', '.join(missing)} not "
            "applied): run `python -m prep_agent interview` once with a writable "
            "PREP_AGENT_HOME to upgrade it"
        )
    conn.row_factory = sqlite3.Row
    return conn


def loads(raw: str | None, default: Any) -> Any:
    """Parse a JSON column, tolerating NULL and damaged values."""
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return default


def dumps(value: Any) -> str:
    """Serialise a JSON column."""
    return json.dumps(value, ensure_ascii=False, default=str)

"""SQLite plumbing for transcripts: WAL connection, locking, numbered migrations."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
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
    if "readonly" in text or "unable to open" in text or "disk" in text:
        return TranscriptError(
            f"Transcripts database {where} cannot be written ({exc}): {FIX_HINT}"
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


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    m001_initial,
    m002_key_point_results,
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

"""Durable interview transcripts: sessions, turns, scores, history queries and exports."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from prep_agent.errors import TranscriptError
from prep_agent.grading.thread import MASTERY_ALPHA, KeyPointLevel, key_point_levels
from prep_agent.text.redact import scrub
from prep_agent.transcripts.db import (
    GuardedStore,
    Timestamp,
    dumps,
    loads,
    now_iso,
)
from prep_agent.transcripts.export import export_filename, session_to_json, session_to_markdown
from prep_agent.transcripts.records import (
    AnswerWrite,
    KeyPointResult,
    ProgressPoint,
    Session,
    SessionSummary,
    Turn,
)
from prep_agent.transcripts.threads import thread_records

# --- the store -----------------------------------------------------------------------------

_SUMMARY_SQL = """
SELECT s.*, COUNT(t.id) - COUNT(t.parent_id) AS n_questions, COUNT(t.parent_id) AS n_follow_ups,
       COUNT(t.answer) AS n_answered, AVG(t.overall) AS average_score
FROM sessions s LEFT JOIN turns t ON t.session_id = s.id
"""


class TranscriptStore(GuardedStore):
    """Sessions, turns, scores and queries over one connection (share one store per process)."""

    def __init__(self, conn: sqlite3.Connection, secrets: Sequence[str | None] = ()) -> None:
        self.secrets = tuple(s for s in secrets if s)
        super().__init__(conn)

    # -- plumbing

    def _clean(self, value: Any) -> Any:
        return scrub(value, self.secrets)

    @staticmethod
    def _require(conn: sqlite3.Connection, table: str, row_id: int) -> sqlite3.Row:
        row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        if row is None:
            what = "session" if table == "sessions" else "turn"
            raise TranscriptError(
                f"No {what} with id {row_id}: run `python -m prep_agent sessions` to list them"
            )
        return row

    # -- writes

    def start_session(
        self, prompt_set: str, prompt_hash: str, engine: str, model: str = "",
        topics: Sequence[str] = (), settings: Mapping[str, Any] | None = None,
        meta: Mapping[str, Any] | None = None, started_at: Timestamp = None,
    ) -> int:
        """Record a new session; `settings` is a snapshot (secrets are scrubbed anyway)."""
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO sessions (started_at, prompt_set, prompt_hash, engine, model, topics,"
                " settings, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (now_iso(started_at), prompt_set, prompt_hash, engine, self._clean(model),
                 dumps(list(topics)), dumps(self._clean(dict(settings or {}))),
                 dumps(self._clean(dict(meta or {})))),
            )
            return int(cur.lastrowid or 0)

    def update_meta(self, session_id: int, **changes: Any) -> None:
        """Merge orchestration state (plan, position...) into the session's meta."""
        with self._write() as conn:
            row = self._require(conn, "sessions", session_id)
            meta = {**loads(row["meta"], {}), **self._clean(changes)}
            conn.execute("UPDATE sessions SET meta = ? WHERE id = ?", (dumps(meta), session_id))

    def add_turn(
        self, session_id: int, question: Mapping[str, Any], asked_at: Timestamp = None,
        parent_id: int | None = None,
    ) -> int:
        """Record a question asked (with type, citations, key points); returns the turn id."""
        with self._write() as conn:
            return self._insert_turn(conn, session_id, question, asked_at, parent_id)

    def _insert_turn(
        self, conn: sqlite3.Connection, session_id: int, question: Mapping[str, Any],
        asked_at: Timestamp, parent_id: int | None, slot: str | None = None,
    ) -> int:
        q = self._clean(dict(question))
        parent = parent_id if parent_id is not None else q.get("parent_turn_id")
        self._require(conn, "sessions", session_id)
        if parent is not None:
            prow = self._require(conn, "turns", int(parent))
            if prow["session_id"] != session_id:
                raise TranscriptError(
                    f"Turn {parent} belongs to session {prow['session_id']}, not "
                    f"{session_id}: pass a parent turn from the same session"
                )
        seq = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM turns WHERE session_id = ?", (session_id,)
        ).fetchone()[0]
        cur = conn.execute(
            "INSERT INTO turns (session_id, seq, parent_id, question_text, question_type,"
            " question, asked_at, slot) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, seq, parent, str(q.get("text", "")), str(q.get("type", "")),
             dumps(q), now_iso(asked_at), slot),
        )
        return int(cur.lastrowid or 0)

    def ask_slot(
        self, session_id: int, slot: str, question: Mapping[str, Any],
        parent_id: int | None = None, asked_at: Timestamp = None,
    ) -> tuple[int, bool]:
        """Record the question for a planner slot once: (turn id, True if added now).

        A second tab asking the same slot finds the first tab's turn, so a session never has
        more turns than its plan and follow-ups allow.
        """
        with self._write() as conn:
            row = conn.execute("SELECT id FROM turns WHERE session_id = ? AND slot = ?",
                               (session_id, slot)).fetchone()
            if row is not None:
                return int(row["id"]), False
            return self._insert_turn(conn, session_id, question, asked_at, parent_id, slot), True

    def answer_pending(
        self, turn_id: int, answer: str, answered_at: Timestamp = None
    ) -> AnswerWrite:
        """Commit the answer only if the turn still waits for one; never overwrites anything."""
        with self._write() as conn:
            row = self._require(conn, "turns", turn_id)
            ended = conn.execute("SELECT ended_at FROM sessions WHERE id = ?",
                                 (row["session_id"],)).fetchone()
            if row["answer"] is not None:
                return AnswerWrite.answered
            if row["skipped_at"] is not None:
                return AnswerWrite.skipped
            if ended is not None and ended["ended_at"] is not None:
                return AnswerWrite.finished
            cur = conn.execute(
                "UPDATE turns SET answer = ?, answered_at = ? WHERE id = ? AND answer IS NULL"
                " AND skipped_at IS NULL",
                (self._clean(str(answer)), now_iso(answered_at), turn_id),
            )
            return AnswerWrite.saved if cur.rowcount == 1 else AnswerWrite.answered

    def skip_turn(self, turn_id: int, skipped_at: Timestamp = None) -> bool:
        """Mark an unanswered turn skipped (it keeps its question); False if it was answered."""
        with self._write() as conn:
            self._require(conn, "turns", turn_id)
            cur = conn.execute(
                "UPDATE turns SET skipped_at = ? WHERE id = ? AND answer IS NULL"
                " AND skipped_at IS NULL", (now_iso(skipped_at), turn_id))
            return cur.rowcount == 1

    def save_answer(self, turn_id: int, answer: str, answered_at: Timestamp = None) -> None:
        """Set a turn's answer, clearing an older score (imports and repairs; the practice loop
        uses `answer_pending`, which never overwrites)."""
        with self._write() as conn:
            self._require(conn, "turns", turn_id)
            conn.execute(
                "UPDATE turns SET answer = ?, answered_at = ?, score = NULL, overall = NULL,"
                " score_error = NULL, scored_at = NULL WHERE id = ?",
                (self._clean(str(answer)), now_iso(answered_at), turn_id),
            )
            conn.execute("DELETE FROM key_point_results WHERE turn_id = ?", (turn_id,))

    def save_score(
        self, turn_id: int, score: Mapping[str, Any], overall: float | None,
        ledger: Sequence[KeyPointResult] = (), timings: Mapping[str, Any] | None = None,
        scored_at: Timestamp = None,
    ) -> None:
        """Store the score JSON, its overall and key-point ledger, and merge timings."""
        when = now_iso(scored_at)
        with self._write() as conn:
            row = self._require(conn, "turns", turn_id)
            if row["answer"] is None:
                raise TranscriptError(
                    f"Turn {turn_id} has no saved answer: call save_answer before save_score"
                )
            merged = {**loads(row["timings"], {}), **dict(timings or {})}
            conn.execute(
                "UPDATE turns SET score = ?, overall = ?, score_error = NULL, scored_at = ?,"
                " timings = ? WHERE id = ?",
                (dumps(self._clean(dict(score))), overall, when, dumps(merged), turn_id),
            )
            conn.execute("DELETE FROM key_point_results WHERE turn_id = ?", (turn_id,))
            conn.executemany(
                "INSERT INTO key_point_results (turn_id, session_id, position, key_point, topic,"
                " status, strength, evidence, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(turn_id, row["session_id"], i, kp.key_point, kp.topic, kp.status,
                  max(0.0, min(1.0, float(kp.strength))),
                  dumps(self._clean(list(kp.evidence))), when)
                 for i, kp in enumerate(ledger)],
            )

    def save_score_error(
        self, turn_id: int, error: str, timings: Mapping[str, Any] | None = None
    ) -> None:
        """Record that scoring failed; the saved answer stays untouched."""
        with self._write() as conn:
            row = self._require(conn, "turns", turn_id)
            merged = {**loads(row["timings"], {}), **dict(timings or {})}
            conn.execute(
                "UPDATE turns SET score_error = ?, timings = ? WHERE id = ?",
                (self._clean(str(error)), dumps(merged), turn_id),
            )

    def end_session(
        self, session_id: int, summary: Mapping[str, Any] | None = None, ended_at: Timestamp = None
    ) -> None:
        """Mark the session finished, with its end-of-session summary."""
        with self._write() as conn:
            self._require(conn, "sessions", session_id)
            conn.execute(
                "UPDATE sessions SET ended_at = ?, summary = ? WHERE id = ?",
                (now_iso(ended_at), None if summary is None else dumps(self._clean(dict(summary))),
                 session_id),
            )

    def delete_session(self, session_id: int) -> None:
        """Delete a session with its turns, key-point results and card reviews."""
        with self._write() as conn:
            self._require(conn, "sessions", session_id)
            # Explicit, so a connection opened without foreign_keys=ON leaves no orphans.
            conn.execute("DELETE FROM key_point_results WHERE session_id = ?", (session_id,))
            # The drill's cards notice the missing reviews and replay their logs (drill/store.py).
            conn.execute("DELETE FROM card_reviews WHERE session_id = ?", (session_id,))
            conn.execute("DELETE FROM turns WHERE session_id = ? AND parent_id IS NOT NULL",
                         (session_id,))
            conn.execute("DELETE FROM turns WHERE session_id = ?", (session_id,))
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    # -- reads

    @staticmethod
    def _summary(row: sqlite3.Row) -> SessionSummary:
        avg = row["average_score"]
        return SessionSummary(
            id=row["id"], started_at=row["started_at"], ended_at=row["ended_at"],
            prompt_set=row["prompt_set"], prompt_hash=row["prompt_hash"], engine=row["engine"],
            model=row["model"], topics=list(loads(row["topics"], [])),
            n_questions=row["n_questions"], n_follow_ups=row["n_follow_ups"],
            n_answered=row["n_answered"],
            average_score=None if avg is None else round(float(avg), 1),
        )

    def list_sessions(
        self, limit: int | None = None, unfinished: bool = False
    ) -> list[SessionSummary]:
        """Sessions, newest first, with question counts and average score."""
        where = "WHERE s.ended_at IS NULL " if unfinished else ""
        sql = f"{_SUMMARY_SQL} {where}GROUP BY s.id ORDER BY s.started_at DESC, s.id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [self._summary(r) for r in self._read(sql)]

    def unfinished_sessions(self) -> list[SessionSummary]:
        """Sessions never ended (crash, closed tab): candidates to resume."""
        return self.list_sessions(unfinished=True)

    def _turn(self, row: sqlite3.Row, ledger: list[KeyPointResult]) -> Turn:
        return Turn(
            id=row["id"], session_id=row["session_id"], seq=row["seq"],
            parent_id=row["parent_id"], question=loads(row["question"], {}),
            asked_at=row["asked_at"], answer=row["answer"], answered_at=row["answered_at"],
            score=loads(row["score"], None), overall=row["overall"],
            score_error=row["score_error"], scored_at=row["scored_at"],
            timings=loads(row["timings"], {}), ledger=ledger, slot=row["slot"],
            skipped_at=row["skipped_at"],
        )

    def _ledgers(self, where: str, params: Sequence[Any]) -> dict[int, list[KeyPointResult]]:
        out: dict[int, list[KeyPointResult]] = {}
        rows = self._read(
            f"SELECT * FROM key_point_results WHERE {where} ORDER BY turn_id, position", params
        )
        for r in rows:
            out.setdefault(r["turn_id"], []).append(KeyPointResult(
                key_point=r["key_point"], status=r["status"], strength=r["strength"],
                evidence=list(loads(r["evidence"], [])), topic=r["topic"],
            ))
        return out

    def get_turn(self, turn_id: int) -> Turn:
        """One turn by id."""
        rows = self._read("SELECT * FROM turns WHERE id = ?", (turn_id,))
        if not rows:
            raise TranscriptError(
                f"No turn with id {turn_id}: run `python -m prep_agent sessions` to list them"
            )
        return self._turn(rows[0], self._ledgers("turn_id = ?", (turn_id,)).get(turn_id, []))

    def get_session(self, session_id: int) -> Session:
        """A session with every turn in the order asked."""
        rows = self._read(f"{_SUMMARY_SQL} WHERE s.id = ? GROUP BY s.id", (session_id,))
        if not rows:
            raise TranscriptError(
                f"No session with id {session_id}: run `python -m prep_agent sessions` to list them"
            )
        row = rows[0]
        ledgers = self._ledgers("session_id = ?", (session_id,))
        turns = [self._turn(t, ledgers.get(t["id"], [])) for t in self._read(
            "SELECT * FROM turns WHERE session_id = ? ORDER BY seq", (session_id,))]
        return Session(
            info=self._summary(row), settings=loads(row["settings"], {}),
            meta=loads(row["meta"], {}), summary=loads(row["summary"], None), turns=turns,
        )

    def progress(self) -> list[ProgressPoint]:
        """Average score per session, oldest first (sessions with no score are left out)."""
        rows = self._read(
            "SELECT s.id, s.started_at, s.prompt_set, s.engine, AVG(t.overall) AS avg,"
            " COUNT(t.overall) AS n FROM sessions s JOIN turns t ON t.session_id = s.id"
            " WHERE t.overall IS NOT NULL GROUP BY s.id ORDER BY s.started_at, s.id"
        )
        return [ProgressPoint(r["id"], r["started_at"], r["prompt_set"], r["engine"],
                              round(float(r["avg"]), 1), r["n"]) for r in rows]

    def key_point_mastery(
        self, topic: str | None = None, alpha: float = MASTERY_ALPHA
    ) -> list[KeyPointLevel]:
        """Mastery 0..1 per key point: the EMA of its thread credit, thread by thread
        (grading.thread.key_point_levels, the definition the summary and planner share)."""
        ledgers = self._ledgers("1 = 1", ())
        turns = [self._turn(t, ledgers.get(t["id"], [])) for t in self._read(
            "SELECT * FROM turns ORDER BY asked_at, id")]
        threads = [t for t in thread_records(turns) if topic is None or t.topic == topic]
        levels = key_point_levels(threads, alpha)
        return sorted(levels.values(), key=lambda m: (m.mastery, m.key_point))

    def asked_main_questions(self) -> list[list[dict[str, Any]]]:
        """The main questions of every session (stored Question dicts), oldest session first:
        the planner's history of what was asked."""
        out: dict[int, list[dict[str, Any]]] = {}
        for row in self._read("SELECT session_id, question FROM turns WHERE parent_id IS NULL"
                              " ORDER BY session_id, seq"):
            out.setdefault(row["session_id"], []).append(loads(row["question"], {}))
        return list(out.values())

    def mastery_by_key_point(self, topic: str | None = None) -> dict[str, float]:
        """Key point -> mastery 0..1, the history the interviewer's planner prefers."""
        return {m.key_point: m.mastery for m in self.key_point_mastery(topic)}

    # -- export

    def export_json(self, session_id: int) -> dict[str, Any]:
        """The session as JSON-able data with provenance (prompt hash, engine, model, ledger)."""
        return session_to_json(self.get_session(session_id), self.secrets)

    def export_markdown(self, session_id: int) -> str:
        """The session as Markdown with provenance and every score card."""
        return session_to_markdown(self.get_session(session_id), self.secrets)

    def export_filename(self, session_id: int, fmt: str) -> str:
        """A sanitised download/export file name for the session."""
        return export_filename(self.get_session(session_id).info, fmt)

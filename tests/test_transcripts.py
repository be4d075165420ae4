"""Transcripts: migrations, sessions and turns, history queries, export, delete, secrets."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from prep_agent.config import Settings
from prep_agent.errors import TranscriptError
from prep_agent.text.redact import REDACTED, scrub, settings_snapshot
from prep_agent.transcripts.db import MIGRATIONS, connect, migrate
from prep_agent.transcripts.records import KeyPointResult
from prep_agent.transcripts.store import TranscriptStore

FAKE_KEY = "sk-proj-ABCDEF1234567890abcdef1234567890"
KP1 = "DGX systems scale AI from enterprise data centers to developer PCs"
KP2 = "DGX Spark brings data center AI to desktops"


@pytest.fixture
def store() -> TranscriptStore:
    return TranscriptStore(connect(":memory:"))


def _question(text: str, **extra: object) -> dict[str, object]:
    return {
        "text": text, "type": "knowledge", "key_points": [KP1],
        "citations": [{"source": "seeds/dgx-systems.md", "line": 19, "kind": "key_point"}],
        **extra,
    }


def _session(store: TranscriptStore, **kw: object) -> int:
    args: dict[str, object] = {"prompt_set": "hiring-manager", "prompt_hash": "abc123",
                               "engine": "offline", "model": "", "topics": ["DGX Systems"]}
    args.update(kw)
    return store.start_session(**args)  # type: ignore[arg-type]


def test_migrations_recorded_and_idempotent() -> None:
    conn = sqlite3.connect(":memory:")
    applied = migrate(conn)
    assert applied == [m.__name__ for m in MIGRATIONS] == [
        "m001_initial", "m002_key_point_results", "m003_turn_slots", "m004_drill_cards"]
    names = [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY name")]
    assert names == applied
    assert migrate(conn) == []
    assert migrate(conn) == []
    assert conn.execute("SELECT COUNT(*) FROM _migrations").fetchone()[0] == len(MIGRATIONS)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "turns", "key_point_results", "_migrations"} <= tables


def test_only_new_migrations_run(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    MIGRATIONS[0](conn)
    conn.execute("INSERT INTO _migrations VALUES ('m001_initial', 'x')")
    conn.commit()
    conn.close()
    assert migrate(connect_raw(db)) == ["m002_key_point_results", "m003_turn_slots",
                                       "m004_drill_cards"]
    assert migrate(connect(db)) == []


def connect_raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_wal_mode_on_file(tmp_path: Path) -> None:
    conn = connect(tmp_path / "sub" / "t.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_session_roundtrip_with_follow_up(store: TranscriptStore) -> None:
    sid = _session(store, settings={"engine": "offline"}, meta={"seed": 3})
    t1 = store.add_turn(sid, _question("What are DGX systems used for?"))
    store.save_answer(t1, "DGX systems scale AI from data centers to developer PCs.")
    ledger = [KeyPointResult(KP1, "covered", 0.9, ["DGX systems scale AI from data centers"],
                             "DGX Systems")]
    store.save_score(t1, {"overall": 80, "engine": "offline"}, 80.0, ledger, {"score_ms": 12.5})
    t2 = store.add_turn(sid, _question("And for desktops?", type="follow_up"), parent_id=t1)
    store.save_answer(t2, "Spark.")
    store.save_score_error(t2, "grader exploded", {"score_ms": 1.0})

    session = store.get_session(sid)
    assert [t.id for t in session.turns] == [t1, t2]
    assert [t.seq for t in session.turns] == [1, 2]
    first, second = session.turns
    assert first.text == "What are DGX systems used for?" and first.type == "knowledge"
    assert first.question["citations"][0]["line"] == 19
    assert first.overall == 80.0 and first.score == {"overall": 80, "engine": "offline"}
    assert first.ledger == ledger and first.timings == {"score_ms": 12.5}
    assert second.parent_id == t1 and second.is_follow_up
    assert second.answer == "Spark." and second.score is None
    assert second.score_error == "grader exploded"
    assert session.meta == {"seed": 3} and session.info.topics == ["DGX Systems"]
    assert session.pending_turn() is None

    [row] = store.list_sessions()
    assert (row.id, row.n_questions, row.n_follow_ups, row.n_answered, row.average_score) == (
        sid, 1, 1, 2, 80.0)
    assert row.prompt_set == "hiring-manager" and not row.finished
    assert [s.id for s in store.unfinished_sessions()] == [sid]
    store.end_session(sid, {"text": "Good start.", "average": 80})
    assert store.unfinished_sessions() == []
    assert store.get_session(sid).summary == {"text": "Good start.", "average": 80}
    assert store.list_sessions()[0].finished


def test_new_answer_clears_old_score(store: TranscriptStore) -> None:
    sid = _session(store)
    t = store.add_turn(sid, _question("Q?"))
    store.save_answer(t, "first")
    store.save_score(t, {"overall": 50}, 50.0, [KeyPointResult(KP1, "partial", 0.5)])
    store.save_answer(t, "second")
    turn = store.get_turn(t)
    assert (turn.answer, turn.overall, turn.score, turn.ledger) == ("second", None, None, [])


def test_pending_turn_for_resume(store: TranscriptStore) -> None:
    sid = _session(store)
    t1 = store.add_turn(sid, _question("Q1?"))
    store.save_answer(t1, "A1")
    t2 = store.add_turn(sid, _question("Q2?"))
    pending = store.get_session(sid).pending_turn()
    assert pending is not None and pending.id == t2


def test_errors_name_the_fix(store: TranscriptStore) -> None:
    with pytest.raises(TranscriptError, match="prep_agent sessions"):
        store.get_session(999)
    with pytest.raises(TranscriptError, match="No session with id 42"):
        store.add_turn(42, _question("Q?"))
    sid = _session(store)
    t = store.add_turn(sid, _question("Q?"))
    with pytest.raises(TranscriptError, match="save_answer before save_score"):
        store.save_score(t, {}, 10.0)
    other = _session(store)
    with pytest.raises(TranscriptError, match="same session"):
        store.add_turn(other, _question("F?"), parent_id=t)
    # A failed write leaves nothing half-done.
    assert store.get_session(other).turns == []


def test_corrupt_database_names_prep_agent_home(tmp_path: Path) -> None:
    db = tmp_path / "transcripts.db"
    db.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(TranscriptError, match="corrupt.*PREP_AGENT_HOME"):
        connect(db)


def test_locked_database_names_prep_agent_home(tmp_path: Path) -> None:
    db = tmp_path / "transcripts.db"
    store = TranscriptStore(connect(db))
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    store.conn.execute("PRAGMA busy_timeout = 50")
    try:
        with pytest.raises(TranscriptError, match="locked.*PREP_AGENT_HOME"):
            _session(store)
    finally:
        blocker.execute("ROLLBACK")
    assert _session(store) > 0


def test_progress_and_mastery(store: TranscriptStore) -> None:
    results = [(KP1, 0.2, "missing"), (KP1, 1.0, "covered"), (KP2, 0.6, "partial")]
    for i, (kp, strength, status) in enumerate(results):
        sid = _session(store, started_at=f"2026-11-0{i + 1}T10:00:00.000+00:00")
        t = store.add_turn(sid, _question(f"Q{i}?"))
        store.save_answer(t, f"answer {i}")
        store.save_score(t, {}, strength * 100, [KeyPointResult(kp, status, strength, [],
                                                                "DGX Systems")],
                         scored_at=f"2026-11-0{i + 1}T10:05:00.000+00:00")
    unscored = _session(store)
    store.add_turn(unscored, _question("never answered"))

    points = store.progress()
    assert [p.average_score for p in points] == [20.0, 100.0, 60.0]
    assert [p.n_scored for p in points] == [1, 1, 1]
    mastery = {m.key_point: m for m in store.key_point_mastery()}
    # The EMA (alpha 0.5) of thread credit: missing 0 then covered 1 -> 0.5; partial -> 0.5.
    assert mastery[KP1].attempts == 2 and mastery[KP1].mastery == pytest.approx(0.5)
    assert mastery[KP1].last_status == "covered"
    assert mastery[KP2].mastery == pytest.approx(0.5)
    assert store.mastery_by_key_point("DGX Systems") == {KP1: 0.5, KP2: 0.5}
    assert store.mastery_by_key_point("Other topic") == {}


def _scored_session(store: TranscriptStore) -> int:
    sid = _session(store, model="gpt-4o-mini", settings=settings_snapshot(
        Settings(openai_api_key=FAKE_KEY, openai_base_url="http://bob:hunter2@llm.local/v1")))
    t1 = store.add_turn(sid, _question("What are DGX systems used for?"))
    store.save_answer(t1, "DGX systems scale AI | from data centers to developer PCs.\n"
                          "<script>alert(1)</script>")
    store.save_score(t1, {
        "overall": 72, "engine": "offline", "rationale": "Covered the main point.",
        "resume": [{"fact": "$300M Microsoft provisioning", "evidence": ["I ran $300M"]}],
        "avoid_hits": [{"avoid": "Skip NVLink", "evidence": ["NVLink bandwidth"]}],
        "flags": ["too_short"], "next_time": ["Mention DGX Spark"],
        "delivery": {"words": 12, "sentences": 2, "filler_words": {"um": 2}, "hedges": {},
                     "top_words": [["dgx", 3]], "length_ok": None},
    }, 72.0, [KeyPointResult(KP1, "covered", 0.85, ["DGX systems scale AI"], "DGX Systems"),
              KeyPointResult(KP2, "missing", 0.0, [], "DGX Systems")])
    t2 = store.add_turn(sid, _question("What about desktops?", type="follow_up"), parent_id=t1)
    store.save_answer(t2, "Spark brings it to desktops.")
    store.end_session(sid, {"text": "Work on DGX Spark."})
    return sid


def test_export_json_has_provenance_and_ledger(store: TranscriptStore) -> None:
    sid = _scored_session(store)
    data = store.export_json(sid)
    json.dumps(data)
    prov = data["provenance"]
    assert (prov["prompt_set"], prov["prompt_hash"], prov["engine"], prov["model"]) == (
        "hiring-manager", "abc123", "offline", "gpt-4o-mini")
    assert prov["settings"]["key_configured"] is True
    assert data["format"] == "prep-agent-transcript" and data["version"] == 1
    assert [t["seq"] for t in data["turns"]] == [1, 2]
    assert data["turns"][1]["parent_seq"] == 1
    first = data["key_point_ledger"][0]
    assert first == {"turn_seq": 1, "key_point": KP1, "topic": "DGX Systems", "status": "covered",
                     "strength": 0.85, "evidence": ["DGX systems scale AI"]}
    assert data["turns"][0]["score"]["overall"] == 72
    assert data["session"]["summary"] == {"text": "Work on DGX Spark."}


def test_export_markdown_contents(store: TranscriptStore) -> None:
    sid = _scored_session(store)
    md = store.export_markdown(sid)
    assert md.startswith(f"# Prep Agent session {sid}\n")
    for needle in ("Prompt set: hiring-manager (hash `abc123`)", "Engine: offline",
                   "Model: gpt-4o-mini", "## Question 1", "### Follow-up 1.1",
                   "What are DGX systems used for?", "**Score: 72/100** · engine offline",
                   f"| {KP1} | covered | 0.85 | “DGX systems scale AI” |",
                   f"| {KP2} | missing | 0.00 | — |",
                   "$300M Microsoft provisioning — “I ran $300M”",
                   "Skip NVLink — “NVLink bandwidth”", "- too_short", "- Mention DGX Spark",
                   "*Delivery:* words: 12; sentences: 2; filler words: um ×2; top words: dgx ×3",
                   "*Notes cited:* seeds/dgx-systems.md:19",
                   "> DGX systems scale AI \\| from data centers",
                   "> \\<script\\>alert\\(1\\)\\</script\\>",  # escaped: inert (issue 9)
                   "*Not scored yet.*", "## Summary", "Work on DGX Spark."):
        assert needle in md, needle


def test_export_filename_is_sanitised(store: TranscriptStore) -> None:
    sid = _session(store, prompt_set="../../etc/pass wd;rm -rf",
                   started_at="2026-11-25T10:00:00.000+00:00")
    name = store.export_filename(sid, "md")
    assert name == f"prep-agent-session-{sid}-2026-11-25-etc-pass-wd-rm-rf.md"
    assert "/" not in name and ".." not in name
    assert store.export_filename(sid, "JSON").endswith(".json")


def test_delete_session_cascades(store: TranscriptStore) -> None:
    sid = _scored_session(store)
    keep = _scored_session(store)
    store.delete_session(sid)
    assert [s.id for s in store.list_sessions()] == [keep]
    with pytest.raises(TranscriptError):
        store.get_session(sid)
    counts = [store.conn.execute(f"SELECT COUNT(*) FROM {t} WHERE session_id = ?", (sid,))
              .fetchone()[0] for t in ("turns", "key_point_results")]
    assert counts == [0, 0]
    assert len(store.get_session(keep).turns) == 2
    with pytest.raises(TranscriptError, match="No session"):
        store.delete_session(sid)


def test_no_api_key_in_db_or_exports(tmp_path: Path) -> None:
    db = tmp_path / "db" / "transcripts.db"
    custom_secret = "ollama-secret-value-42"
    store = TranscriptStore(connect(db), secrets=[custom_secret])
    settings = Settings(openai_api_key=FAKE_KEY, openai_base_url="http://bob:hunter2@llm.local/v1")
    sid = store.start_session("hiring-manager", "abc", "llm", "gpt-4o-mini",
                              settings=settings_snapshot(settings),
                              meta={"api_key": FAKE_KEY, "headers": {"Authorization": "Bearer x"}})
    t = store.add_turn(sid, _question(f"Echo {FAKE_KEY}?"))
    store.save_answer(t, f"my key is {FAKE_KEY} and {custom_secret}")
    store.save_score(t, {"rationale": f"saw {FAKE_KEY}"}, 10.0,
                     [KeyPointResult(KP1, "partial", 0.3, [f"key {FAKE_KEY}"])])
    store.end_session(sid, {"text": f"bye {FAKE_KEY}"})
    outputs = [store.export_markdown(sid), json.dumps(store.export_json(sid))]
    live = b"".join(p.read_bytes() for p in db.parent.iterdir())  # includes the -wal file
    store.conn.close()
    closed = b"".join(p.read_bytes() for p in db.parent.iterdir())
    for blob in [live.decode("utf-8", "replace"), closed.decode("utf-8", "replace"), *outputs]:
        assert FAKE_KEY not in blob and "ABCDEF1234567890" not in blob
        assert custom_secret not in blob and "hunter2" not in blob
    assert REDACTED in outputs[0]


def test_scrub_keeps_ordinary_text() -> None:
    text = "I ran a $300M project over 15,000 servers; max_tokens is fine"
    assert scrub(text) == text
    assert scrub({"max_tokens": 5, "api_key": "x", "nested": [f"key {FAKE_KEY}"]}) == {
        "max_tokens": 5, "api_key": REDACTED, "nested": [f"key {REDACTED}"]}


def test_plain_connection_works_and_delete_leaves_no_orphans() -> None:
    store = TranscriptStore(sqlite3.connect(":memory:"))  # no WAL, no foreign_keys pragma
    sid = _scored_session(store)
    store.delete_session(sid)
    counts = [store.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("sessions", "turns", "key_point_results")]
    assert counts == [0, 0, 0]


def test_odd_text_is_stored(store: TranscriptStore) -> None:
    sid = _session(store)
    t = store.add_turn(sid, _question("Q \ud800?"))
    store.save_answer(t, "nul\x00 and lone \udc80 surrogate and emoji 🚀")
    turn = store.get_turn(t)
    assert turn.answer == "nul\x00 and lone ? surrogate and emoji 🚀"
    assert turn.text == "Q ??"

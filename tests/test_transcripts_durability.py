"""Transcripts under stress: 20 concurrent sessions, and a kill -9 mid-session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from prep_agent.transcripts.db import connect
from prep_agent.transcripts.records import KeyPointResult
from prep_agent.transcripts.store import TranscriptStore

ROOT = Path(__file__).resolve().parent.parent
N_SESSIONS = 20
N_TURNS = 12


def _run_session(store: TranscriptStore, k: int, barrier: threading.Barrier,
                 ids: dict[int, int], errors: list[BaseException]) -> None:
    try:
        barrier.wait()
        sid = store.start_session("hiring-manager", f"hash-{k}", "offline", topics=[f"topic-{k}"])
        ids[k] = sid
        parent: int | None = None
        for i in range(N_TURNS):
            follow = i % 3 == 2
            tid = store.add_turn(sid, {"text": f"s{k}-q{i}", "type": "knowledge"},
                                 parent_id=parent if follow else None)
            store.save_answer(tid, f"s{k}-a{i}")
            store.save_score(tid, {"who": f"s{k}-{i}"}, float(i),
                             [KeyPointResult(f"kp-{k}-{i}", "covered", 1.0, [f"s{k}-a{i}"])])
            parent = tid
        store.end_session(sid, {"text": f"done {k}"})
    except BaseException as exc:  # noqa: BLE001 - reported to the main thread
        errors.append(exc)


def _check(store: TranscriptStore, ids: dict[int, int]) -> None:
    assert len(ids) == N_SESSIONS and len(set(ids.values())) == N_SESSIONS
    assert len(store.list_sessions()) == N_SESSIONS
    for k, sid in ids.items():
        session = store.get_session(sid)
        assert session.info.prompt_hash == f"hash-{k}" and session.info.finished
        assert session.summary == {"text": f"done {k}"}
        assert [t.seq for t in session.turns] == list(range(1, N_TURNS + 1))
        for i, turn in enumerate(session.turns):
            assert (turn.text, turn.answer, turn.overall) == (f"s{k}-q{i}", f"s{k}-a{i}", i)
            assert turn.score == {"who": f"s{k}-{i}"}
            assert [kp.key_point for kp in turn.ledger] == [f"kp-{k}-{i}"]
            if i % 3 == 2:
                assert turn.parent_id == session.turns[i - 1].id
            else:
                assert turn.parent_id is None


@pytest.mark.slow
@pytest.mark.parametrize("shared", [True, False], ids=["one-connection", "own-connections"])
def test_twenty_concurrent_sessions_lose_nothing(tmp_path: Path, shared: bool) -> None:
    db = tmp_path / "transcripts.db"
    main = TranscriptStore(connect(db))
    stores = [main if shared else TranscriptStore(connect(db)) for _ in range(N_SESSIONS)]
    barrier = threading.Barrier(N_SESSIONS)
    ids: dict[int, int] = {}
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_run_session, args=(stores[k], k, barrier, ids, errors))
               for k in range(N_SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    _check(main, ids)
    _check(TranscriptStore(connect(db)), ids)


def test_twenty_concurrent_sessions_in_memory() -> None:
    store = TranscriptStore(connect(":memory:"))
    barrier = threading.Barrier(N_SESSIONS)
    ids: dict[int, int] = {}
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_run_session, args=(store, k, barrier, ids, errors))
               for k in range(N_SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    _check(store, ids)


CHILD = textwrap.dedent("""
    import sys
    from prep_agent.transcripts.db import connect
    from prep_agent.transcripts.store import TranscriptStore
    store = TranscriptStore(connect(sys.argv[1]))
    sid = store.start_session("hiring-manager", "h", "offline")
    i = 0
    while True:
        tid = store.add_turn(sid, {"text": f"q{i}", "type": "knowledge"})
        store.save_answer(tid, f"answer {i}")
        print(f"saved {sid} {tid} {i}", flush=True)
        # keep writing (scores, next questions) so the kill lands mid-write
        store.save_score(tid, {"overall": i}, float(i))
        i += 1
""")


@pytest.mark.slow
def test_kill_9_mid_session_loses_no_submitted_answer(tmp_path: Path) -> None:
    db = tmp_path / "transcripts.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], stdout=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT)
    acked: list[tuple[int, int, int]] = []
    assert proc.stdout is not None
    try:
        while len(acked) < 40:
            line = proc.stdout.readline()
            assert line, "child exited early"
            _, sid, tid, i = line.split()
            acked.append((int(sid), int(tid), int(i)))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()  # warnings are errors: no unclosed pipes
    assert proc.returncode == -signal.SIGKILL

    store = TranscriptStore(connect(db))
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    sid = acked[0][0]
    session = store.get_session(sid)
    answers = {t.id: t.answer for t in session.turns}
    for _, tid, i in acked:
        assert answers[tid] == f"answer {i}"
    assert [s.id for s in store.unfinished_sessions()] == [sid]
    # The session can be resumed: new turns continue the numbering.
    tid = store.add_turn(sid, {"text": "after restart"})
    assert store.get_turn(tid).seq == len(session.turns) + 1

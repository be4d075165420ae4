"""CLI: `sessions` and `export` over the transcripts database in PREP_AGENT_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prep_agent.cli.main import main
from prep_agent.transcripts.db import connect
from prep_agent.transcripts.records import KeyPointResult
from prep_agent.transcripts.store import TranscriptStore

ROOT = Path(__file__).resolve().parent.parent
KP = "DGX systems scale AI from enterprise data centers to developer PCs"


def _make_session(home: Path) -> int:
    store = TranscriptStore(connect(home / "transcripts.db"))
    sid = store.start_session("hiring-manager", "hash42", "offline", "",
                              topics=["DGX Systems"],
                              started_at="2026-11-25T09:30:00.000+00:00")
    tid = store.add_turn(sid, {"text": "What is DGX?", "type": "knowledge",
                               "citations": [{"source": "seeds/dgx-systems.md", "line": 19}]})
    store.save_answer(tid, "DGX systems scale AI from data centers to developer PCs.")
    store.save_score(tid, {"overall": 64, "engine": "offline"}, 64.0,
                     [KeyPointResult(KP, "covered", 0.8, ["DGX systems scale AI"])])
    store.conn.close()
    return sid


def test_sessions_empty(data_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sessions"]) == 0
    assert "No sessions yet" in capsys.readouterr().out
    assert main(["sessions", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_sessions_lists_rows(data_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sid = _make_session(data_home)
    assert main(["sessions", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["id"] == sid and row["prompt_set"] == "hiring-manager"
    assert (row["engine"], row["n_questions"], row["average_score"], row["finished"]) == (
        "offline", 1, 64.0, False)
    assert main(["sessions"]) == 0
    out = capsys.readouterr().out
    assert "2026-11-25 09:30" in out and "hiring-manager" in out and "unfinished" in out


def test_export_md_and_json(data_home: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    sid = _make_session(data_home)
    assert main(["export", str(sid), "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert md.startswith(f"# Prep Agent session {sid}") and "hash `hash42`" in md
    assert f"| {KP} | covered | 0.80 | “DGX systems scale AI” |" in md
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    assert main(["export", str(sid), "--format", "json", "-o", str(out_dir)]) == 0
    [written] = list(out_dir.iterdir())
    assert written.name == f"prep-agent-session-{sid}-2026-11-25-hiring-manager.json"
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["provenance"]["prompt_hash"] == "hash42"
    assert data["key_point_ledger"][0]["evidence"] == ["DGX systems scale AI"]


def test_export_unknown_session_names_fix(data_home: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "77", "--format", "md"]) == 2
    assert "prep_agent sessions" in capsys.readouterr().err


@pytest.mark.slow
def test_sessions_subprocess_corrupt_db_names_home(data_home: Path) -> None:
    (data_home / "transcripts.db").write_bytes(b"garbage" * 200)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "prep_agent", "sessions"], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert "corrupt" in proc.stderr and "PREP_AGENT_HOME" in proc.stderr

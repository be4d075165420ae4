"""Issue 9: advice fits the problem (Chroma server, read-only home); read-only commands open the
database read-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from prep_agent.cli.main import main
from prep_agent.errors import StoreError, TranscriptError
from prep_agent.knowledge.store import REBUILD_HINT, KnowledgeStore
from prep_agent.transcripts.db import connect, connect_read_only, translate_error
from prep_agent.transcripts.store import TranscriptStore


class _DeadCollection:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def count(self) -> int:
        raise self.exc


class _Client:
    """A Chroma client whose collection fails the way a dead server or read-only disk does."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def get_or_create_collection(self, *args: Any, **kwargs: Any) -> _DeadCollection:
        return _DeadCollection(self.exc)


def test_dead_chroma_server_gets_server_advice_not_rebuild() -> None:
    store = KnowledgeStore(_Client(ConnectionError("Connection refused")), None,  # type: ignore[arg-type]
                           "http://chroma.internal:8000", server=True)
    with pytest.raises(StoreError) as err:
        store.count()
    message = str(err.value)
    assert "Chroma server at http://chroma.internal:8000" in message
    assert "running and reachable" in message
    assert REBUILD_HINT not in message and "PREP_AGENT_HOME" not in message


def test_read_only_local_store_gets_permission_advice_not_rebuild() -> None:
    exc = sqlite3.OperationalError("attempt to write a readonly database")
    store = KnowledgeStore(_Client(exc), None, "/home/x/chroma")  # type: ignore[arg-type]
    with pytest.raises(StoreError) as err:
        store.count()
    message = str(err.value)
    assert "read-only" in message and "permissions of PREP_AGENT_HOME" in message
    assert REBUILD_HINT not in message


def test_read_only_database_error_names_permissions() -> None:
    error = translate_error(sqlite3.OperationalError("attempt to write a readonly database"),
                            "/ro/transcripts.db")
    assert isinstance(error, TranscriptError)
    assert "not writable" in str(error) and "nothing needs rebuilding" in str(error)


def test_sessions_and_export_open_the_database_read_only(
    data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A fresh home: listing sessions creates nothing.
    assert main(["sessions"]) == 0
    assert not (data_home / "transcripts.db").exists()
    store = TranscriptStore(connect(data_home / "transcripts.db"))
    sid = store.start_session(prompt_set="hiring-manager", prompt_hash="h", engine="offline")
    store.add_turn(sid, {"text": "Q?", "type": "knowledge"})
    store.conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{data_home / 'transcripts.db'}{suffix}").unlink(missing_ok=True)
    before = (data_home / "transcripts.db").read_bytes()
    assert main(["sessions", "--json"]) == 0
    assert main(["export", str(sid), "--format", "json"]) == 0
    assert '"prompt_set": "hiring-manager"' in capsys.readouterr().out
    assert (data_home / "transcripts.db").read_bytes() == before
    conn = connect_read_only(data_home / "transcripts.db")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM sessions")

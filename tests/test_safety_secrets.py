"""Issue 9: no secret reaches any output (CLI, transcripts, exports); no escape reaches a tty."""

from __future__ import annotations

import base64
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from llm_server import EchoAuth, scripted_server

from prep_agent.cli.main import main
from prep_agent.config import load_settings
from prep_agent.text.redact import scrub_text, strip_controls, url_secrets

ROOT = Path(__file__).resolve().parent.parent
KEY = "my-very-secret-key-0042"
USER, PASSWORD = "alice", "hunter2-pass"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRETS = (KEY, PASSWORD, BASIC)
LINE = {"question": "What is DGX Spark?", "answer": "DGX Spark puts a Grace Blackwell "
        "superchip on a developer's desk.", "key_points": ["DGX Spark is a desktop AI computer"]}


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.fixture
def seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "seeds"
    path.mkdir()
    shutil.copy(ROOT / "seeds" / "dgx-systems.md", path / "dgx-systems.md")
    monkeypatch.setenv("PREP_AGENT_SEEDS", str(path))
    return path


def _llm_env(monkeypatch: pytest.MonkeyPatch, base_url: str, userinfo: bool) -> None:
    if userinfo:
        base_url = base_url.replace("http://", f"http://{USER}:{PASSWORD}@")
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("PREP_AGENT_ENGINE", "llm")
    monkeypatch.setenv("PREP_AGENT_LLM_RETRIES", "0")
    monkeypatch.setenv("PREP_AGENT_MODEL", "fake-model")


def test_redaction_covers_basic_and_url_userinfo() -> None:
    text = (f"Authorization: Basic {BASIC} at http://{USER}:{PASSWORD}@host/v1 "
            f"and https://token123@host/v1")
    out = scrub_text(text)
    assert BASIC not in out and PASSWORD not in out and "token123" not in out
    assert set(url_secrets(f"http://{USER}:{PASSWORD}@h/v1")) >= {PASSWORD, BASIC}
    # Known secrets are scrubbed even in a shape no pattern knows.
    assert KEY not in scrub_text(f"key was {KEY}", [KEY])


def test_grade_with_an_echoing_401_never_prints_the_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers.jsonl"
    answers.write_text(json.dumps(LINE) + "\n")
    with scripted_server(*[EchoAuth(401) for _ in range(5)]) as server:
        _llm_env(monkeypatch, server.base_url, userinfo=False)
        assert main(["grade", str(answers)]) == 0
    assert any(KEY in h.get("authorization", "") for h in server.headers)  # it was sent
    captured = capsys.readouterr()
    (row,) = [json.loads(line) for line in captured.out.splitlines()]
    assert row["llm_error"] and "401" in row["llm_error"]
    assert _leaks(captured.out + captured.err) == []


def test_secret_sweep_over_cli_transcripts_and_exports(
    seeds: Path, monkeypatch: pytest.MonkeyPatch, data_home: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with scripted_server(*[EchoAuth(401) for _ in range(40)]) as server:
        _llm_env(monkeypatch, server.base_url, userinfo=True)
        monkeypatch.setattr("sys.stdin", io.StringIO(LINE["answer"] + "\n\n"))
        assert main(["interview", "--questions", "1", "--no-follow-ups"]) in (0, 1)
        outputs = capsys.readouterr()
        assert "OPENAI_BASE_URL carries credentials" in outputs.err
        for fmt in ("md", "json"):
            assert main(["export", "1", "--format", fmt, "-o", str(tmp_path)]) == 0
        assert main(["sessions", "--json"]) == 0
        more = capsys.readouterr()
    sent = " ".join(h.get("authorization", "") for h in server.headers)
    assert BASIC in sent  # URL userinfo became a Basic header, which the server echoed
    everything = outputs.out + outputs.err + more.out + more.err
    for path in [*tmp_path.glob("*.md"), *tmp_path.glob("*.json")]:
        everything += path.read_text()
    with sqlite3.connect(data_home / "transcripts.db") as conn:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            everything += " ".join(str(r) for r in conn.execute(f"SELECT * FROM {table}"))
    assert _leaks(everything) == []
    assert "401" in everything  # the failure itself is reported


def test_base_url_with_credentials_warns() -> None:
    settings = load_settings({"OPENAI_BASE_URL": f"http://{USER}:{PASSWORD}@h/v1"})
    assert "OPENAI_BASE_URL carries credentials" in settings.warnings[0]
    assert PASSWORD in settings.secrets and BASIC in settings.secrets
    assert load_settings({"OPENAI_BASE_URL": "http://h/v1"}).warnings == []


def test_terminal_output_strips_escape_sequences(
    seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (seeds / "evil.md").write_text("# Evil \x1b]0;pwned\x07Topic\n\n- [ ] **Clear \x1b[2J"
                                   "screen** (1h)\n  - **Key Point**: bell \x07 and \x1b[31mred\n")
    assert main(["notes"]) == 0
    assert main(["search", "red bell clear screen", "-k", "3"]) == 0
    out = capsys.readouterr().out
    assert "Evil" in out and "\x1b" not in out and "\x07" not in out
    assert strip_controls("a\x1b[1mb\x9bc\td\n") == "abc\td\n"


def test_every_error_message_is_scrubbed_where_it_is_made() -> None:
    from prep_agent.errors import StoreError

    message = str(StoreError(f"Cannot reach http://{USER}:{PASSWORD}@h (Authorization: Basic "
                             f"{BASIC}) \x1b[2J"))
    assert _leaks(message) == [] and "\x1b" not in message and "Cannot reach" in message

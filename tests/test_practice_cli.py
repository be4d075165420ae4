"""`python -m prep_agent interview` end to end with piped stdin, in a subprocess, offline."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from prep_agent.cli.interview import read_answer
from prep_agent.transcripts.db import connect
from prep_agent.transcripts.store import TranscriptStore

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = [
    "DGX Spark brings data center AI to desktops.\nI would align developer feedback with "
    "engineering, like my VMware governance.",
    "I am not sure.",
    "At Microsoft I ran the $300M provisioning of 15,000 servers.",
    "DGX systems scale AI from enterprise data centers to developer PCs.",
    "No idea.",
    "Another answer.",
    "And one more.",
]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PREP_AGENT_ENGINE": "offline"}


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "prep_agent", *args], input=stdin,
                          capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=300)


def _store(home: Path) -> TranscriptStore:
    return TranscriptStore(connect(home / "transcripts.db"))


def test_read_answer() -> None:
    stream = io.StringIO("line one\nline two\n\n\nlast\n")
    assert read_answer(stream) == ("line one\nline two", False)
    assert read_answer(stream) == ("", False)
    assert read_answer(stream) == ("last", True)
    assert read_answer(stream) == (None, True)


@pytest.mark.slow
def test_interview_piped_end_to_end(data_home: Path) -> None:
    proc = _run("interview", "--questions", "2", "--engine", "offline", "--seed", "3",
                stdin="\n\n".join(ANSWERS) + "\n\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "First run: ingesting" in proc.stderr and "Offline engine" in proc.stderr
    for needle in ("Question 1 of 2: ", "Question 2 of 2: ", "Score: ", "Key points:",
                   "From your notes:", "seeds/dgx-systems.md:", "Model answer:", "Delivery: ",
                   "Session summary", "Saved as session 1"):
        assert needle in out, needle
    assert "evidence: “DGX Spark brings data center AI to desktops.”" in out

    store = _store(data_home)
    [info] = store.list_sessions()
    session = store.get_session(info.id)
    assert info.finished and info.n_questions == 2 and info.engine == "offline"
    answered = [t.answer for t in session.turns]
    assert answered == ANSWERS[: len(answered)]
    assert all(t.score is not None for t in session.turns)
    assert out.count("Follow-up: ") == info.n_follow_ups

    sessions = _run("sessions", "--json")
    assert json.loads(sessions.stdout)[0]["id"] == info.id
    export = _run("export", str(info.id), "--format", "md")
    assert export.returncode == 0 and ANSWERS[0].splitlines()[0] in export.stdout


@pytest.mark.slow
def test_eof_ends_the_session(data_home: Path) -> None:
    # No trailing newline, and bytes that are not UTF-8: neither may lose the answer.
    raw = ANSWERS[0].encode() + b" caf\xe9 \xff"
    proc = subprocess.run([sys.executable, "-m", "prep_agent", "interview", "--questions", "3",
                           "--no-follow-ups"], input=raw, capture_output=True, env=_env(),
                          cwd=ROOT, timeout=300)
    stdout = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    assert "Question 1 of 3" in stdout and "Question 2 of 3" not in stdout
    store = _store(data_home)
    [info] = store.list_sessions()
    assert info.finished and info.n_answered == 1 and info.n_follow_ups == 0
    assert store.get_session(info.id).turns[0].answer == ANSWERS[0] + " caf\ufffd \ufffd"


@pytest.mark.slow
def test_bad_prompt_set_names_fix(data_home: Path) -> None:
    proc = _run("interview", "--prompts", "../etc/passwd", stdin="")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: Prompt set name") and "not allowed" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_kill_9_mid_interview_then_resume(data_home: Path) -> None:
    cmd = [sys.executable, "-m", "prep_agent", "interview", "--questions", "2", "--seed", "3"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=_env(), cwd=ROOT)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == ""
        assert proc.stdout.readline().startswith("Question 1 of 2")
        proc.stdin.write(ANSWERS[0] + "\n\n")
        proc.stdin.flush()
        while not proc.stdout.readline().startswith("Score: "):
            pass
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdin.close()  # warnings are errors: no unclosed pipes
        proc.stdout.close()
    store = _store(data_home)
    [info] = store.unfinished_sessions()
    first = store.get_session(info.id).turns[0]
    assert first.answer == ANSWERS[0] and first.score is not None
    store.conn.close()

    resumed = _run("interview", "--resume", str(info.id), stdin="\n\n".join(ANSWERS[1:]) + "\n\n")
    assert resumed.returncode == 0, resumed.stderr
    store = _store(data_home)
    session = store.get_session(info.id)
    assert session.info.finished and session.info.n_questions == 2
    assert [t.answer for t in session.turns] == ANSWERS[: len(session.turns)]


@pytest.mark.slow
def test_eof_at_the_first_question_keeps_the_session_open_with_the_apps_set(
        data_home: Path) -> None:
    # The app made bar-raiser the default; the terminal honours it.
    (data_home / "app_preferences.json").write_text('{"prompt_set": "bar-raiser"}')
    proc = _run("interview", "--questions", "2", stdin="")
    assert proc.returncode == 0, proc.stderr
    assert "prompt set: bar-raiser" in proc.stderr and "saved unfinished" in proc.stderr
    assert "Session summary" not in proc.stdout
    store = _store(data_home)
    [info] = store.list_sessions()
    assert not info.finished and info.prompt_set == "bar-raiser" and info.n_answered == 0
    store.conn.close()
    resumed = _run("interview", "--resume", str(info.id), "--no-follow-ups",
                   stdin="\n\n".join(ANSWERS[:2]) + "\n\n")
    assert resumed.returncode == 0, resumed.stderr
    assert "Follow-up: " not in resumed.stdout and "Session summary" in resumed.stdout

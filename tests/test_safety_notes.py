"""Issue 9: one notes source (seeds + uploads) for every command, and hostile seeds refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prep_agent.cli.main import main
from prep_agent.knowledge.library import load_notes
from prep_agent.knowledge.parser import parse_notes

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "dgx-systems.md"
UPLOAD = """# Kubernetes Scheduling

- [ ] **Pod Priority** (1 hour)
  - Goal: explain preemption
  - **Key Point**: Higher-priority pods preempt lower-priority pods when nodes are full.
"""


@pytest.fixture
def seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "seeds"
    path.mkdir()
    shutil.copy(SEED, path / SEED.name)
    monkeypatch.setenv("PREP_AGENT_SEEDS", str(path))
    return path


@pytest.fixture
def upload_file(tmp_path: Path) -> Path:
    path = tmp_path / "K8s Notes.md"
    path.write_text(UPLOAD, encoding="utf-8")
    return path


def _topics(capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["notes", "--json"]) == 0
    return [t["title"] for t in json.loads(capsys.readouterr().out)]


def _search_topics(capsys: pytest.CaptureFixture[str], query: str) -> set[str]:
    assert main(["search", query, "-k", "30", "--json"]) == 0
    return {h["topic"] for h in json.loads(capsys.readouterr().out)}


def test_cli_ingest_keeps_uploads_and_rebuild_reingests_them(
    seeds: Path, upload_file: Path, data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["notes", "add", str(upload_file)]) == 0
    out = capsys.readouterr().out
    assert "Added k8s-notes.md" in out
    assert (data_home / "uploads" / "k8s-notes.md").read_text() == UPLOAD
    assert main(["ingest"]) == 0
    out = capsys.readouterr().out
    assert "removed: 0" in out and "files: 2" in out
    assert "Kubernetes Scheduling" in _search_topics(capsys, "pod preemption")
    # --rebuild drops the store and embeds seeds AND uploads again.
    assert main(["ingest", "--rebuild"]) == 0
    assert "files: 2" in capsys.readouterr().out
    assert "Kubernetes Scheduling" in _search_topics(capsys, "pod preemption")
    # An ingest of another seeds folder never removes what the uploads added.
    other = seeds.parent / "other"
    other.mkdir()
    (other / "x.md").write_text("# Other\n\n- [ ] **X** (1h)\n  - Goal: y\n")
    assert main(["ingest", "--seeds", str(other)]) == 0
    capsys.readouterr()
    found = _search_topics(capsys, "pod preemption")
    assert {"Kubernetes Scheduling", "DGX Systems (AI Supercomputers)"} <= found


def test_notes_lists_uploaded_topics(seeds: Path, upload_file: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notes", "add", str(upload_file)]) == 0
    capsys.readouterr()
    assert _topics(capsys) == ["DGX Systems (AI Supercomputers)", "Kubernetes Scheduling"]


@pytest.mark.slow  # a subprocess
def test_interview_topic_sees_uploaded_topic(seeds: Path, upload_file: Path,
                                             data_home: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREP_AGENT_ENGINE": "offline"}
    run = [sys.executable, "-m", "prep_agent"]
    added = subprocess.run([*run, "notes", "add", str(upload_file)], capture_output=True,
                           text=True, env=env, cwd=ROOT, timeout=300)
    assert added.returncode == 0, added.stderr
    done = subprocess.run([*run, "interview", "--questions", "1", "--topic",
                           "kubernetes scheduling"], input="", capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "higher-priority" in done.stdout.lower()


def test_notes_add_never_overwrites_an_upload(seeds: Path, upload_file: Path, data_home: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notes", "add", str(upload_file)]) == 0
    capsys.readouterr()
    second = upload_file.parent / "k8s-notes.md"
    second.write_text(UPLOAD.replace("Kubernetes Scheduling", "Kubernetes Storage"))
    assert main(["notes", "add", str(second)]) == 0
    err = capsys.readouterr().err
    assert "already exists and was kept" in err and "k8s-notes-2.md" in err
    assert (data_home / "uploads" / "k8s-notes.md").read_text() == UPLOAD
    assert "Kubernetes Storage" in (data_home / "uploads" / "k8s-notes-2.md").read_text()


def test_notes_add_applies_the_upload_checks(seeds: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"\x00\x01binary")
    assert main(["notes", "add", str(binary)]) == 2
    assert "binary" in capsys.readouterr().err
    big = tmp_path / "big.md"
    big.write_text("# Big\n\n" + "word " * 60_000)
    assert main(["notes", "add", str(big)]) == 2
    assert "the limit is 256 KB" in capsys.readouterr().err
    text = tmp_path / "notes.txt"
    text.write_text(UPLOAD)
    assert main(["notes", "add", str(text)]) == 2
    assert "upload a .md file" in capsys.readouterr().err


def test_notes_remove_takes_the_upload_out_and_keeps_a_copy(
    seeds: Path, upload_file: Path, data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["notes", "add", str(upload_file)]) == 0
    capsys.readouterr()
    assert main(["notes", "remove", "k8s-notes.md"]) == 0
    assert "removed: " in capsys.readouterr().out
    assert "Kubernetes Scheduling" not in _search_topics(capsys, "pod preemption")
    assert _topics(capsys) == ["DGX Systems (AI Supercomputers)"]
    kept = [p for p in (data_home / "uploads").iterdir() if ".removed-" in p.name]
    assert len(kept) == 1 and kept[0].read_text() == UPLOAD
    assert main(["notes", "remove", "nope.md"]) == 2
    assert "No uploaded notes file 'nope.md'" in capsys.readouterr().err


# --- hostile seeds ------------------------------------------------------------------------


def test_seed_symlink_out_of_the_folder_is_refused(seeds: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n\nroot:x:0:0:root:/root:/bin/bash\n")
    (seeds / "passwd.md").symlink_to(secret)
    (seeds / "zero.md").symlink_to("/dev/zero")
    load = load_notes(seeds)
    errors = dict(load.errors)
    assert "outside" in errors["seeds/passwd.md"] and "copy the file" in errors["seeds/passwd.md"]
    assert "outside" in errors["seeds/zero.md"]
    assert [t.title for t in load.topics] == ["DGX Systems (AI Supercomputers)"]


def test_seed_symlinked_directory_is_not_walked(seeds: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.md").write_text("# Outside\n\ntext\n")
    (seeds / "linked").symlink_to(outside)
    assert [t.title for t in load_notes(seeds).topics] == ["DGX Systems (AI Supercomputers)"]


def test_seed_fifo_is_reported_never_opened(seeds: Path) -> None:
    os.mkfifo(seeds / "pipe.md")
    # Opening a FIFO for reading would block this test forever.
    load = load_notes(seeds)
    assert "not a regular file" in dict(load.errors)["seeds/pipe.md"]
    assert len(load.topics) == 1


def test_seed_size_cap_names_the_file(seeds: Path) -> None:
    with (seeds / "huge.md").open("wb") as fh:
        fh.truncate(2 * 1024 * 1024)
    message = dict(load_notes(seeds).errors)["seeds/huge.md"]
    assert "seeds/huge.md is 2048 KB; the limit is 1024 KB" in message


def test_upper_case_suffix_is_loaded(seeds: Path) -> None:
    (seeds / "UPPER.MD").write_text("# Upper Topic\n\n- [ ] **Item** (1h)\n  - Goal: g\n")
    assert "Upper Topic" in [t.title for t in load_notes(seeds).topics]


def test_double_underscores_in_titles_survive() -> None:
    (topic,) = parse_notes(
        "# my__init__topic\n\n- [ ] **use __init__ and __call__** (1h)\n"
        "  - Goal: know __init__ vs __new__ and __this__ one\n", "s.md")
    assert topic.title == "my__init__topic"
    assert topic.items[0].title == "use __init__ and __call__"
    assert topic.items[0].duration == "1h"
    assert topic.items[0].goal == "know __init__ vs __new__ and __this__ one"
    (bold,) = parse_notes("# T\n\n- [ ] __Bold Title__ (2h)\n  - Goal: __two words__\n", "s.md")
    assert bold.items[0].title == "Bold Title" and bold.items[0].goal == "two words"

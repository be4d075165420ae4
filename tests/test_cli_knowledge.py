"""CLI knowledge commands: ingest, search and notes, including their JSON schemas."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from prep_agent.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "dgx-systems.md"
HIT_KEYS = {"id", "text", "kind", "topic", "item", "source", "line", "distance"}


@pytest.fixture
def seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "my-notes"
    path.mkdir()
    shutil.copy(SEED, path / SEED.name)
    monkeypatch.setenv("PREP_AGENT_SEEDS", str(path))
    return path


def test_ingest_prints_counts_and_is_incremental(seeds: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest"]) == 0
    out = capsys.readouterr().out
    assert "files: 1" in out and "items: 2" in out and "chunks: 18" in out
    assert "added: 18" in out and "unchanged: 0" in out
    assert main(["ingest"]) == 0
    out = capsys.readouterr().out
    assert "added: 0" in out and "unchanged: 18" in out and "removed: 0" in out


def test_first_ingest_makes_the_grading_model_once(seeds: Path, data_home: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    for linked in (data_home / "models").iterdir():
        linked.unlink()  # this home has not made its int8 copy yet
    assert main(["ingest"]) == 0
    out = capsys.readouterr().out
    assert "Grading model: made" in out and "minilm-l6-int8ops-" in out
    made = next((data_home / "models").iterdir())
    assert made.is_file() and not made.is_symlink()
    assert main(["ingest"]) == 0
    assert "Grading model" not in capsys.readouterr().out


def test_ingest_reports_bad_file_and_ingests_others(seeds: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (seeds / "broken.md").write_bytes(b"\x00\x01\x02binary")
    assert main(["ingest", "--seeds", str(seeds)]) == 1
    captured = capsys.readouterr()
    assert "added: 18" in captured.out
    assert "my-notes/broken.md is binary" in captured.err


def test_ingest_without_notes_names_the_fix(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", "--seeds", str(tmp_path)]) == 2
    assert "add a .md file or set PREP_AGENT_SEEDS" in capsys.readouterr().err


def test_search_json_schema(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The first search on an empty store ingests the seeds itself.
    assert main(["search", "desktop AI supercomputer for developers", "-k", "3", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 3
    for hit in hits:
        assert set(hit) >= HIT_KEYS
        assert isinstance(hit["line"], int) and isinstance(hit["distance"], float)
        assert hit["source"] == "my-notes/dgx-systems.md"
    assert "GTC 2025 Buzz" in {h["item"] for h in hits}


def test_search_filters_by_kind_and_topic(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest"]) == 0
    capsys.readouterr()
    assert main(["search", "hardware", "--kind", "avoid,practice", "--topic",
                 "dgx systems (ai supercomputers)", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert sorted(h["kind"] for h in hits) == ["avoid", "practice"]
    assert main(["search", "hardware", "--kind", "bogus"]) == 2
    assert "Unknown --kind bogus" in capsys.readouterr().err


def test_search_text_output(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "what to avoid", "--kind", "avoid"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. [avoid] DGX Systems (AI Supercomputers)")
    assert "my-notes/dgx-systems.md:32" in out


def test_notes_json_schema(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notes", "--json"]) == 0
    (topic,) = json.loads(capsys.readouterr().out)
    assert topic["title"] == "DGX Systems (AI Supercomputers)"
    assert [i["title"] for i in topic["items"]] == ["DGX Overview", "GTC 2025 Buzz"]
    for item in topic["items"]:
        assert {"title", "goal", "key_point", "interview_tip", "resume_link", "line",
                "done"} <= set(item)
    assert [n["label"] for n in topic["notes"]] == ["X Buzz", "GTC 2025", "Avoid", "Practice"]
    assert all({"label", "text", "line", "kind"} <= set(n) for n in topic["notes"])


def test_notes_text_output(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notes"]) == 0
    out = capsys.readouterr().out
    assert "- [ ] DGX Overview (1 hour)" in out and "Avoid [avoid]" in out

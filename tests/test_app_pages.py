"""AppTest of the Review, Notes and Prompts pages, offline, on a temp data directory."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from prep_agent.transcripts.records import KeyPointResult

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "I'd say <script>alert('x')</script> [click](http://evil.example) $x$ :red[boo]"


def _all_text(at: Any) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [s.value for s in at.success] + [i.value for i in at.info]
    # Pages escape user text for Markdown; compare with the text a reader sees.
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))


def _no_errors(at: Any) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _seed_session(svc: Any, answer: str = HOSTILE, finished: bool = True) -> int:
    tr = svc.transcripts
    sid = tr.start_session("hiring-manager", "c3f07f26902f", "offline", topics=["DGX Systems"])
    question = {
        "text": "How would you explain DGX to a developer?", "type": "knowledge",
        "citations": [{"source": "seeds/dgx-systems.md", "line": 20, "kind": "key_point",
                       "text": "DGX systems scale AI from data centers to developer PCs."}],
    }
    tid = tr.add_turn(sid, question)
    tr.save_answer(tid, answer)
    kp = "DGX systems scale AI from data centers to developer PCs."
    score = {
        "overall": 64, "engine": "offline",
        "key_points": [{"key_point": kp, "status": "partial", "strength": 0.5,
                        "evidence": ["alert('x')"]}],
        "resume": [], "avoid_hits": [], "flags": ["too_short"],
        "delivery": {"words": 9, "sentences": 1, "filler_words": {}, "hedges": {"i'd say": 1},
                     "top_words": [["x", 2]]},
        "next_time": [f"Strengthen: {kp}"],
    }
    tr.save_score(tid, score, 64, ledger=[KeyPointResult(kp, "partial", 0.5, ["alert('x')"],
                                                         "DGX Systems")])
    if finished:
        tr.end_session(sid, {"text": "Average 64/100."})
    return sid


# --- Review ----------------------------------------------------------------------------------


def test_review_without_sessions_says_how_to_start(app_test: Any) -> None:
    at = app_test("review")
    _no_errors(at)
    assert any("No sessions yet" in i.value for i in at.info)


def test_review_shows_table_transcript_score_card_and_escapes_html(
    app_test: Any, app_services: Any
) -> None:
    sid = _seed_session(app_services)
    at = app_test("review")
    _no_errors(at)
    table = at.dataframe[0].value
    assert list(table["id"]) == [sid]
    assert list(table["prompt set"]) == ["hiring-manager"]
    assert list(table["avg score"]) == [64.0]
    assert list(table["questions"]) == [1]
    text = _all_text(at)
    assert "How would you explain DGX to a developer" in text
    assert "64/100" in [m.value for m in at.metric]
    # The answer is escaped: the script tag, link and directives show as text, not markup.
    answer_md = next(m.value for m in at.markdown if "script" in m.value)
    assert "<script>" not in answer_md and "\\<script\\>" in answer_md
    assert "](http" not in answer_md and ":red[" not in answer_md
    # The quoted evidence is highlighted.
    assert ":green-background[**alert\\(\\'x\\'\\)**]" in answer_md
    assert not at.get("html")  # nothing rendered as raw HTML
    assert {b.label for b in at.get("download_button")} == {
        "Download Markdown", "Download JSON", "Download Anki deck (5 cards)"}
    assert "Average 64/100." in text


def test_review_delete_needs_confirmation(app_test: Any, app_services: Any) -> None:
    sid = _seed_session(app_services)
    keep = _seed_session(app_services)
    at = app_test("review")
    at.selectbox(key="review_session").select(sid).run()
    at.button(key="review_delete").click().run()
    _no_errors(at)
    assert any(f"Delete session #{sid}" in w.value for w in at.warning)
    at.button(key="review_delete_no").click().run()
    assert {s.id for s in app_services.transcripts.list_sessions()} == {sid, keep}
    at.button(key="review_delete").click().run()
    at.button(key="review_delete_yes").click().run()
    _no_errors(at)
    assert [s.id for s in app_services.transcripts.list_sessions()] == [keep]
    assert list(at.dataframe[0].value["id"]) == [keep]


def test_review_export_json_has_provenance_and_no_key(app_services: Any) -> None:
    sid = _seed_session(app_services)
    text = app_services.export_json_text(sid)
    assert '"prompt_hash": "c3f07f26902f"' in text
    assert "alert('x')" in text


# --- Notes -----------------------------------------------------------------------------------


def test_notes_browse_and_search(app_test: Any) -> None:
    at = app_test("notes")
    _no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Topics"] == "1" and metrics["Files"] == "1"
    assert int(metrics["Chunks in the store"]) > 10
    assert any("DGX Overview" in m.value for m in at.markdown)
    at.text_input[0].input("how does DGX scale from data centers to desktops").run()
    _no_errors(at)
    hits = [m.value for m in at.markdown if "similarity" in m.value]
    assert len(hits) >= 3
    assert "dgx\\-systems\\.md" in hits[0]


GOOD_NOTES = b"""# CUDA Basics

**Why It Matters**: CUDA is how NVIDIA GPUs are programmed.

## Checklist

- [ ] **CUDA Overview** (1 hour)
  Goal: Learn what CUDA is.
  **Key Point**: "CUDA lets developers run parallel code on GPUs through kernels."
  **Interview Tip**: Say you coordinated GPU tool rollouts.

## Notes
- **Avoid**: Skip warp scheduling details.
"""


def test_notes_upload_valid_file_is_saved_and_ingested(
    app_test: Any, app_services: Any, data_home: Path
) -> None:
    before = app_services.store.count()
    at = app_test("notes")
    at.file_uploader(key="notes_upload").upload("CUDA Basics!.md", GOOD_NOTES, "text/markdown")
    at.run()
    _no_errors(at)
    assert any("cuda-basics.md" in s.value for s in at.success)
    at.button(key="notes_save").click().run()
    _no_errors(at)
    saved = data_home / "uploads" / "cuda-basics.md"
    assert saved.read_bytes() == GOOD_NOTES
    assert app_services.store.count() > before
    assert any(h.topic == "CUDA Basics" for h in app_services.search("parallel GPU kernels", k=3))
    # Uploading the same name again needs an explicit Replace and keeps a backup.
    at.button(key="notes_save").click().run()
    assert any("uploaded before" in e.value for e in at.error)
    at.checkbox(key="notes_replace").check().run()
    at.button(key="notes_save").click().run()
    _no_errors(at)
    assert (data_home / "uploads" / ".cuda-basics.md.bak").read_bytes() == GOOD_NOTES


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.md", b"\x00\x01binary", "binary"),
        ("notes.md", "caf\xe9".encode("latin-1"), "not UTF-8"),
        ("notes.md", b"   \n", "empty"),
        ("notes.md", b"# T\n" + b"x" * 300_000, "the limit is 256 KB"),
        ("resume.md", GOOD_NOTES, "reserved"),
    ],
)
def test_notes_upload_rejects_bad_files_and_saves_nothing(
    app_test: Any, data_home: Path, name: str, data: bytes, message: str
) -> None:
    at = app_test("notes")
    at.file_uploader(key="notes_upload").upload(name, data, "text/markdown")
    at.run()
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert "notes_save" not in [b.key for b in at.button]
    assert not (data_home / "uploads").exists()


def test_notes_reingest_reports_progress(app_test: Any) -> None:
    at = app_test("notes")
    at.button(key="notes_reingest").click().run()
    _no_errors(at)
    assert any("unchanged" in s.value for s in at.success)


# --- Prompts ---------------------------------------------------------------------------------


def test_prompts_lists_sets_with_validity(own_prompts: Path, app_test: Any) -> None:
    (own_prompts / "broken.yaml").write_text("name: broken\ndescription: x\nsurprise: 1\n")
    at = app_test("prompts")
    assert not at.exception
    table = at.dataframe[0].value
    valid = dict(zip(table["name"], table["valid"], strict=True))
    assert valid["broken"] is False or valid["broken"] == False  # noqa: E712 - numpy bool
    assert valid["hiring-manager"]
    assert any("broken" in e.value and "system" in e.value and "missing" in e.value
               for e in at.error)


def test_prompts_make_active(own_prompts: Path, app_test: Any, app_services: Any) -> None:
    at = app_test("prompts")
    at.selectbox(key="prompt_view").select("bar-raiser").run()
    at.button(key="prompt_activate").click().run()
    assert not at.exception
    assert app_services.active_prompt_set() == "bar-raiser"
    assert any("active prompt set" in s.value for s in at.success)


def test_prompts_copy_is_validated_before_saving(own_prompts: Path, app_test: Any,
                                                 data_home: Path) -> None:
    at = app_test("prompts")
    at.selectbox(key="prompt_view").select("recruiter-screen").run()
    at.text_input(key="copy_name_recruiter-screen").input("my-screen").run()
    area = at.text_area(key="copy_yaml_recruiter-screen")
    original = area.value
    area.input(original.replace("{subject}", "{subjekt}", 1)).run()
    at.button(key="copy_save").click().run()
    assert any("subjekt" in e.value for e in at.error), [e.value for e in at.error]
    assert not (own_prompts / "my-screen.yaml").exists()
    edited = original.replace("A recruiter's first screen", "My own first screen", 1)
    assert edited != original
    at.text_area(key="copy_yaml_recruiter-screen").input(edited).run()
    at.button(key="copy_check").click().run()
    assert any("Valid: my-screen" in s.value for s in at.success), [e.value for e in at.error]
    assert not (own_prompts / "my-screen.yaml").exists()
    at.button(key="copy_save").click().run()
    assert not at.error, [e.value for e in at.error]
    assert not (own_prompts / "my-screen.yaml").exists()  # never beside the built-ins
    saved = (data_home / "prompts" / "my-screen.yaml").read_text()
    assert "name: my-screen" in saved and "My own first screen" in saved
    assert (own_prompts / "recruiter-screen.yaml").read_text() == original


def test_prompts_own_copy_can_be_edited_and_deleted(own_prompts: Path, app_test: Any,
                                                    app_services: Any, data_home: Path) -> None:
    text = app_services.prompts.read_text("recruiter-screen")
    app_services.prompts.save_copy("recruiter-screen", "mine", text)
    at = app_test("prompts")
    at.selectbox(key="prompt_view").select("mine").run()
    edited = at.text_area(key="edit_yaml_mine").value.replace(
        "A recruiter's first screen", "My own screen", 1)
    at.text_area(key="edit_yaml_mine").input(edited).run()
    at.button(key="edit_save").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "My own screen" in (data_home / "prompts" / "mine.yaml").read_text()
    at.checkbox(key="delete_confirm").check().run()
    at.button(key="delete_copy").click().run()
    assert not at.error, [e.value for e in at.error]
    assert not (data_home / "prompts" / "mine.yaml").exists()
    assert list((data_home / "prompts" / ".deleted").glob("mine-*.yaml"))
    assert (own_prompts / "recruiter-screen.yaml").read_text() == text

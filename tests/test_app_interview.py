"""AppTest of the Interview page: offline and fake-LLM engines, durability, resume, modes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from streamlit.testing.v1 import AppTest

from prep_agent.config import load_settings
from prep_agent.practice.services import SERVICES_KEY, build_services

ROOT = Path(__file__).resolve().parent.parent
GOOD = ("DGX systems scale AI from enterprise data centers to developer PCs, combining GPUs and "
        "software for training and inference, like the servers I provisioned at Microsoft.")
HOSTILE = "<script>alert('x')</script> DGX [link](http://evil.example) $x$ :red[boo]"


def _plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _start(at: AppTest, n: int = 2, follow_ups: bool = False, mode: str = "practice") -> int:
    at.number_input(key="setup_n").set_value(n)
    at.radio(key="setup_mode").set_value(mode)
    at.toggle(key="setup_follow_ups").set_value(follow_ups)
    at.form_submit_button[0].click().run()
    _ok(at)
    return int(at.query_params["session"])


def _questions(at: AppTest) -> list[str]:
    return [_plain(m.markdown[-1].value) for m in at.chat_message if m.name == "assistant"]


def test_setup_shows_engine_prompt_sets_topics_and_modes(app_test: Any) -> None:
    at = app_test()
    _ok(at)
    assert any("Offline engine (no LLM)" in _plain(c.value) for c in at.caption)
    box = at.selectbox(key="setup_prompt_set")
    assert box.value == "hiring-manager"
    assert {"bar-raiser", "recruiter-screen"} <= set(box.options)
    assert at.multiselect(key="setup_topics").options == ["DGX Systems (AI Supercomputers)"]
    assert at.radio(key="setup_mode").options == [
        "Practice: feedback after every answer", "Exam: feedback only at the end",
        "Drill: due cards first, then new ones (spaced repetition)"]
    assert not at.chat_input  # no chat before an interview starts


def test_offline_interview_scores_each_answer_and_ends_with_a_summary(
    app_test: Any, app_services: Any
) -> None:
    at = app_test()
    sid = _start(at, n=2)
    assert len(_questions(at)) == 1
    at.chat_input[0].set_value(GOOD).run()
    _ok(at)
    assert len(at.metric) == 1 and at.metric[0].label == "Score"
    assert re.fullmatch(r"\d+/100", at.metric[0].value)
    text = _plain("\n".join(m.value for m in at.markdown))
    assert "Key points" in text and "Model answer (from your notes)" in text
    assert "seeds/dgx-systems.md:" in text  # the notes are revealed with citations
    assert any("green-background" in m.value for m in at.markdown)  # evidence highlighted
    assert len(_questions(at)) == 2
    at.chat_input[0].set_value("I would coordinate tools for developers.").run()
    _ok(at)
    session = app_services.transcripts.get_session(sid)
    assert session.info.finished
    assert [t.answer for t in session.turns] == [GOOD, "I would coordinate tools for developers."]
    assert all(t.score is not None for t in session.turns)
    assert any(m.label == "Average" for m in at.metric)
    assert any("Session summary" in h.value for h in at.subheader)
    assert not at.chat_input


def test_answer_html_and_markdown_are_shown_as_text(app_test: Any) -> None:
    at = app_test()
    _start(at, n=1)
    at.chat_input[0].set_value(HOSTILE).run()
    _ok(at)
    every = [m.value for m in at.markdown]
    assert not any("<script>" in md or "](http" in md or ":red[" in md for md in every)
    assert any("\\<script\\>" in md for md in every)
    assert not at.get("html")


class BrokenEncoder:
    """An encoder whose model is gone: scoring fails, the answer must still be saved."""

    def encode(self, texts: Any, batch_size: int = 32) -> np.ndarray:
        raise RuntimeError("model file vanished")


def test_answer_is_saved_even_when_scoring_fails(app_test: Any, app_services: Any) -> None:
    app_services.encoder = BrokenEncoder()  # the grader's model; search keeps its own
    at = app_test()
    sid = _start(at, n=1)
    at.chat_input[0].set_value(GOOD).run()
    assert not at.exception
    assert any("Scoring failed" in _plain(w.value) for w in at.warning)
    turn = app_services.transcripts.get_session(sid).turns[0]
    assert turn.answer == GOOD and turn.score is None and "vanished" in (turn.score_error or "")


def test_refresh_resumes_the_unfinished_session(app_test: Any, app_services: Any) -> None:
    at = app_test()
    sid = _start(at, n=2)
    at.chat_input[0].set_value(GOOD).run()
    _ok(at)
    asked = _questions(at)
    # A refresh is a new browser session: only the URL (?session=N) survives.
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    again.session_state[SERVICES_KEY] = app_services
    again.query_params["session"] = str(sid)
    again.run()
    _ok(again)
    assert _questions(again) == asked  # history and the pending question, nothing re-asked
    assert len(app_services.transcripts.get_session(sid).turns) == 2
    again.chat_input[0].set_value("My second answer about DGX tools.").run()
    _ok(again)
    session = app_services.transcripts.get_session(sid)
    assert session.info.finished and len(session.turns) == 2


def test_unfinished_sessions_are_offered_for_resume(app_test: Any, app_services: Any) -> None:
    practice = app_services.start_practice("hiring-manager", 2)
    question = practice.next_question()
    assert question is not None
    question.result()  # asked, then the tab was closed
    at = app_test()
    _ok(at)
    at.button(key=f"resume_{practice.session_id}").click().run()
    _ok(at)
    assert at.query_params["session"] == str(practice.session_id)
    assert _questions(at) == [question.result().text]
    assert len(app_services.transcripts.get_session(practice.session_id).turns) == 1


def test_exam_mode_holds_feedback_until_the_end(app_test: Any) -> None:
    at = app_test()
    _start(at, n=2, mode="exam")
    at.chat_input[0].set_value(GOOD).run()
    _ok(at)
    assert not at.metric  # no score card yet
    assert any("exam mode" in c.value for c in at.caption)
    at.chat_input[0].set_value("Second answer about developer tools.").run()
    _ok(at)
    assert [m.label for m in at.metric].count("Score") == 2  # revealed at the end
    assert any("Session summary" in h.value for h in at.subheader)


def test_follow_up_can_be_skipped_and_interview_ended(app_test: Any, app_services: Any) -> None:
    at = app_test()
    sid = _start(at, n=2, follow_ups=True)
    at.chat_input[0].set_value("I am not sure.").run()  # misses everything: a follow-up is due
    _ok(at)
    assert at.chat_message[-1].caption[0].value == "Follow-up on question 1"
    at.button(key="interview_skip").click().run()
    _ok(at)
    turns = app_services.transcripts.get_session(sid).turns
    assert [t.parent_id is None for t in turns] == [True, False, True]
    assert "Question 2 of 2" in at.chat_message[-1].caption[0].value
    at.button(key="interview_end").click().run()
    _ok(at)
    assert app_services.transcripts.get_session(sid).info.finished
    heads = [h.value for h in at.subheader]
    assert heads.index("Session summary") < heads.index("Transcript"), "the verdict comes first"


def _judge_reply(evidence: str) -> str:
    return json.dumps({
        "key_points": [{"key_point": "kp", "status": "covered", "evidence": [evidence]}],
        "resume": [], "avoid_hits": [], "overall": 90,
        "rationale": "Clear and grounded in the notes.",
    })


def test_fake_llm_engine_is_named_streams_the_question_and_judges(
    data_home: Path, encoder: Any
) -> None:
    question = "Picture a developer new to DGX Spark: how would you explain DGX Spark to them?"
    chat = GenericFakeChatModel(messages=iter([
        AIMessage(content=question), AIMessage(content=_judge_reply("DGX systems scale AI")),
    ]))
    settings = load_settings()
    svc = build_services(settings, uploads_dir=data_home / "uploads",
                         preferences_path=data_home / "prefs.json", chat_model=chat,
                         encoder=encoder)
    try:
        svc.ingest()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state[SERVICES_KEY] = svc
        at.run()
        _ok(at)
        assert any("LLM: GenericFakeChatModel" in _plain(c.value) for c in at.caption)
        assert not any("Offline engine" in _plain(c.value) for c in at.caption)
        sid = _start(at, n=1)
        assert _questions(at) == [question]
        at.chat_input[0].set_value(GOOD).run()
        _ok(at)
        turn = svc.transcripts.get_session(sid).turns[0]
        assert turn.score is not None
        assert "offline" not in str(turn.score["engine"]), turn.score["engine"]
        assert any("Clear and grounded" in _plain(m.value) for m in at.markdown)
    finally:
        svc.close()


@pytest.mark.parametrize("raw", ["abc", "999"])
def test_bad_or_unknown_session_in_url_falls_back_to_setup(app_test: Any, raw: str) -> None:
    at = app_test()
    at.query_params["session"] = raw
    at.run()
    assert not at.exception
    if raw == "999":
        assert any("No session with id 999" in e.value for e in at.error)
    at.run()
    assert at.form_submit_button, "the set-up form is shown again"


def test_first_run_ingests_seeds_with_visible_progress(data_home: Path, encoder: Any) -> None:
    settings = load_settings()
    svc = build_services(settings, uploads_dir=data_home / "uploads",
                         preferences_path=data_home / "prefs.json", encoder=encoder)
    try:
        assert svc.needs_ingest()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state[SERVICES_KEY] = svc
        at.run()
        _ok(at)
        status = at.status[0]
        assert status.state == "complete" and "Notes indexed" in status.label
        assert status.get("progress")[0].value == 100
        assert svc.store.count() > 10 and not svc.needs_ingest()
        at.run()
        assert not at.status  # later runs do not index again
    finally:
        svc.close()


def test_api_key_never_reaches_transcripts_or_exports(
    data_home: Path, encoder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-test-DO-NOT-LEAK-1234567890"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    settings = load_settings()
    assert settings.openai_api_key == secret
    chat = GenericFakeChatModel(messages=iter([
        AIMessage(content="How would you explain DGX Spark to a developer new to DGX Spark?"),
        AIMessage(content=_judge_reply("DGX systems scale AI")),
    ]))
    svc = build_services(settings, uploads_dir=data_home / "uploads",
                         preferences_path=data_home / "prefs.json", chat_model=chat,
                         encoder=encoder)
    try:
        svc.ingest()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state[SERVICES_KEY] = svc
        at.run()
        assert "LLM: gpt-4o-mini @ api.openai.com" in _plain(at.caption[0].value)
        assert secret not in "\n".join(c.value for c in at.caption)
        sid = _start(at, n=1)
        at.chat_input[0].set_value(f"{GOOD} My key is {secret}.").run()
        _ok(at)
        exports = svc.transcripts.export_markdown(sid) + svc.export_json_text(sid)
        assert "sk-test" not in exports
        stored = b"".join(p.read_bytes() for p in data_home.glob("transcripts.db*"))
        assert b"DO-NOT-LEAK" not in stored and b"My key is" in stored
    finally:
        svc.close()


def test_leaving_and_coming_back_keeps_the_running_interview(app_test: Any) -> None:
    at = app_test()
    sid = _start(at, n=2)
    asked = _questions(at)
    at.switch_page("app_pages/review.py").run()
    _ok(at)
    at.query_params.pop("session", None)  # the URL of another page has no ?session=N
    at.switch_page("app_pages/interview.py").run()
    _ok(at)
    assert at.query_params["session"] == str(sid)
    assert _questions(at) == asked
    assert at.chat_input


def test_resume_with_a_deleted_prompt_set_explains_and_offers_a_way_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_home: Path, encoder: Any
) -> None:
    import shutil

    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    monkeypatch.setenv("PREP_AGENT_PROMPTS", str(prompts))
    svc = build_services(load_settings(), uploads_dir=data_home / "uploads",
                         preferences_path=data_home / "prefs.json", encoder=encoder)
    try:
        svc.ingest()
        sid = svc.start_practice("bar-raiser", 1).session_id
        (prompts / "bar-raiser.yaml").unlink()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state[SERVICES_KEY] = svc
        at.query_params["session"] = str(sid)
        at.run()
        assert not at.exception
        assert any("bar-raiser" in e.value for e in at.error)
        at.button(key="interview_back").click().run()
        _ok(at)
        assert "session" not in at.query_params and at.form_submit_button
    finally:
        svc.close()


def test_start_failure_is_shown_on_the_setup_form_and_saves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_home: Path, encoder: Any
) -> None:
    import shutil

    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    monkeypatch.setenv("PREP_AGENT_PROMPTS", str(prompts))
    svc = build_services(load_settings(), uploads_dir=data_home / "uploads",
                         preferences_path=data_home / "prefs.json", encoder=encoder)
    try:
        svc.ingest()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state[SERVICES_KEY] = svc
        at.run()
        at.selectbox(key="setup_prompt_set").select("bar-raiser")
        (prompts / "bar-raiser.yaml").unlink()  # gone between drawing the form and the click
        at.form_submit_button[0].click().run()
        assert not at.exception
        assert any("bar-raiser" in e.value for e in at.error), [e.value for e in at.error]
        assert "session" not in at.query_params and at.form_submit_button
        assert svc.transcripts.list_sessions() == []
    finally:
        svc.close()


# --- cold start: the set-up form does not wait for chromadb or the embedding model -----------


def test_page_imports_leave_chromadb_and_onnxruntime_for_later() -> None:
    import subprocess
    import sys

    code = ("import sys, app_pages.ui, app_pages.fmt, prep_agent.practice.services; "
            "print(sorted(m for m in ('chromadb', 'onnxruntime') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_backend_loads_on_first_use_and_fresh_home_still_ingests(data_home: Path) -> None:
    settings = load_settings()
    svc = build_services(settings, uploads_dir=data_home / "uploads",
                         preferences_path=data_home / "prefs.json")
    try:
        assert not svc.backend_loaded
        assert svc.prompt_sets() and svc.topics(), "the set-up form's data needs no backend"
        assert svc.needs_ingest(wait=False) is True and not svc.backend_loaded, \
            "a home without a store needs the first-run ingest, known without loading Chroma"
        assert svc.needs_ingest() is True and svc.backend_loaded
        svc.ingest()
        assert svc.needs_ingest(wait=False) is False
    finally:
        svc.close()
    again = build_services(settings, uploads_dir=data_home / "uploads",
                           preferences_path=data_home / "prefs.json")
    try:
        assert again.needs_ingest(wait=False) is None, "an existing store is checked later"
        assert again.store.count() > 10 and again.needs_ingest() is False
    finally:
        again.close()

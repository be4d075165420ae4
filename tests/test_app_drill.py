"""AppTest of the Drill mode on the Interview page and the re-drill section of Review."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

from streamlit.testing.v1 import AppTest

from prep_agent.drill.cards import CardKind


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _start_drill(at: AppTest, n: int) -> int:
    at.number_input(key="setup_n").set_value(n)
    at.radio(key="setup_mode").set_value("drill")
    at.toggle(key="setup_follow_ups").set_value(False)
    at.form_submit_button[0].click().run()
    _ok(at)
    return int(at.query_params["session"])


def test_drill_mode_asks_due_cards_first(app_test: Any, app_services: Any) -> None:
    at = app_test()
    _ok(at)
    captions = [_plain(c.value) for c in at.caption]
    desk = app_services.drill_desk()
    total = desk.counts().total
    assert any(f"Drill: 0 due today, {total} new" in c for c in captions)
    # First drill: only new cards; answering "I don't know" rates them Again (due tomorrow).
    sid = _start_drill(at, 2)
    at.chat_input[0].set_value("I don't know.").run()
    _ok(at)
    assert any("Spaced re-drill: Again (missing), next review" in _plain(c.value)
               for c in at.caption)
    at.chat_input[0].set_value("I don't know.").run()
    _ok(at)
    session = app_services.transcripts.get_session(sid)
    assert session.meta["mode"] == "drill" and session.info.finished
    rated = {r.card_id for r in app_services.drill.reviews()}
    assert len(rated) >= 2
    # Two days later those cards are due, so the next drill asks them before any new card.
    later = datetime.now(UTC) + timedelta(days=2)
    app_services.drill.clock = lambda: later
    assert desk.counts().due == len([c for c in app_services.drill.cards()
                                     if c.id in rated and c.spec.kind is not CardKind.CLAIM])
    at2 = app_test()
    assert any(f"Drill: {desk.counts().due} due today" in _plain(c.value) for c in at2.caption)
    sid2 = _start_drill(at2, 1)
    first = app_services.transcripts.get_session(sid2).turns[0].asked
    due_texts = {c.spec.text for c in app_services.drill.cards() if c.id in rated}
    assert first is not None
    asked_about = {*first.target_key_points, *first.resume_links[:1]}
    assert asked_about & due_texts, (asked_about, due_texts)


def test_review_shows_forecast_recall_history_and_anki(app_test: Any, app_services: Any) -> None:
    at = app_test()
    _start_drill(at, 1)
    at.chat_input[0].set_value(
        "DGX systems scale AI from enterprise data centers to developer PCs, combining GPUs "
        "and software for training and inference.").run()
    _ok(at)
    review = app_test("review")
    _ok(review)
    text = _plain("\n".join(m.value for m in review.markdown))
    assert "Due in the next 14 days" in text and "Mastery per key point" in text
    assert review.selectbox(key="review_card").options  # a reviewed card has a history
    tables = review.dataframe
    assert len(tables) >= 3  # sessions, recall per key point, the card's history
    deck = app_services.drill_desk().anki()
    assert deck.notes > 0 and zipfile.ZipFile(BytesIO(deck.data)).namelist()[0] == (
        "collection.anki2")
    assert review.get("download_button")


def test_deleting_a_session_reschedules_its_cards(app_test: Any, app_services: Any) -> None:
    at = app_test()
    sid = _start_drill(at, 1)
    at.chat_input[0].set_value("I don't know.").run()
    assert app_services.drill.reviews()
    app_services.delete_session(sid)
    assert app_services.drill.reviews() == []
    assert all(c.is_new for c in app_services.drill.cards())

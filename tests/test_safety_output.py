"""Issue 9: Markdown exports are inert (a CommonMark render shows no tags from user text)."""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt

from prep_agent.transcripts.db import connect
from prep_agent.transcripts.records import KeyPointResult
from prep_agent.transcripts.store import TranscriptStore

PAYLOADS = [
    '<img src=x onerror="fetch(\'http://evil/p\')">',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "![pixel](http://tracker.example/p.gif)",
    "[click](javascript:alert(1))",
    "<http://evil.example/auto>",
    "<script>alert(2)</script>",
    "&lt;b&gt; entity",
    "\x1b[31mred\x1b[0m",
]
HOSTILE = " ".join(PAYLOADS)
# The tags the export's own Markdown produces; anything else came from user or notes text.
OWN_TAGS = {"h1", "h2", "h3", "p", "ul", "li", "strong", "em", "blockquote", "br", "code"}


def test_markdown_export_renders_no_tags_from_user_or_notes_text() -> None:
    store = TranscriptStore(connect(":memory:"))
    sid = store.start_session(prompt_set=f"set {HOSTILE}", prompt_hash="h", engine="offline",
                              model=HOSTILE, topics=[f"Topic {HOSTILE}"])
    turn = store.add_turn(sid, {"text": f"Question {HOSTILE}", "type": "knowledge",
                                "key_points": [HOSTILE],
                                "citations": [{"source": HOSTILE, "line": 1}]})
    store.save_answer(turn, f"Answer\n{HOSTILE}\n# heading\n- list\n1. one")
    store.save_score(turn, {"overall": 40, "engine": HOSTILE, "rationale": HOSTILE,
                            "next_time": [HOSTILE], "flags": [HOSTILE],
                            "resume": [{"fact": HOSTILE, "evidence": [HOSTILE]}]},
                     40.0, [KeyPointResult(HOSTILE, "partial", 0.5, [HOSTILE])])
    follow = store.add_turn(sid, {"text": HOSTILE, "type": "follow_up"}, parent_id=turn)
    store.save_score_error(follow, HOSTILE)
    store.end_session(sid, {"text": HOSTILE, "note": HOSTILE})
    text = store.export_markdown(sid)
    html = MarkdownIt("commonmark").render(text)  # raw HTML allowed, as most viewers do
    tags = {t.lower() for t in re.findall(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)", html)}
    assert tags <= OWN_TAGS, tags - OWN_TAGS
    assert "href=" not in html and "src=" not in html.replace("src=x", "")
    assert "\x1b" not in text
    # Still readable: the characters themselves are all there, as text.
    assert "&lt;img src=x onerror=" in html and "![pixel](http://tracker.example/p.gif)" in html


def test_notes_search_escapes_forged_chroma_metadata(app_test: Any, app_services: Any) -> None:
    forged = "x] <img src=x onerror=alert(1)> :red[pwned"
    app_services.store._collection.upsert(
        ids=["forged"], documents=["tracking pixel forged chunk about DGX"],
        metadatas=[{"kind": forged, "topic": "<b>T</b>", "item": "", "source": "s.md",
                    "line": 1, "label": ""}])
    at = app_test("notes")
    at.text_input[0].input("tracking pixel forged chunk").run()
    assert not at.exception
    (hit,) = [m.value for m in at.markdown if "forged chunk" in m.value]
    assert ":gray-badge[other]" in hit and ":red[" not in hit
    assert re.search(r"(?<!\\)[<>]", hit) is None  # every angle bracket is escaped

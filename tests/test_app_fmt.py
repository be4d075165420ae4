"""The app's safe-Markdown helpers and upload validation (pure functions, no Streamlit run)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from app_pages.fmt import escape_md, escape_stream, highlight, safe_filename
from prep_agent.errors import NotesError
from prep_agent.knowledge.uploads import check_upload, safe_notes_name, save_upload

MD = MarkdownIt("commonmark")


def _rendered_text(markdown: str) -> str:
    """What a CommonMark renderer shows, as text (tags stripped, entities decoded)."""
    import html

    rendered = MD.render(markdown)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).replace("\u00a0", " ")


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "[x](http://evil.example)", "**bold** _it_ `code`",
    "# heading", "    indented code", "1. list", "> quote", "a | b", "![img](x.png)",
    "$x^2$", ":red[boo] :material/home:", "&amp; &lt;",
])
def test_escape_md_renders_literally(text: str) -> None:
    html_out = MD.render(escape_md(text))
    for tag in ("<script", "<a ", "<strong", "<em", "<code", "<h1", "<pre", "<ol", "<img",
                "<blockquote"):
        assert tag not in html_out
    assert _rendered_text(escape_md(text)).strip() == text.strip()


@given(st.text(max_size=200))
def test_escape_md_never_produces_markup(text: str) -> None:
    out = MD.render(escape_md(text))
    assert set(re.findall(r"<(\w+)", out)) <= {"p", "br"}


@given(st.lists(st.text(max_size=20), max_size=8))
def test_escape_stream_matches_escaping_the_whole_text(pieces: list[str]) -> None:
    assert "".join(escape_stream(pieces)) == escape_md("".join(pieces))


def test_highlight_marks_evidence_and_escapes_everything_else() -> None:
    answer = "I'd say <b>DGX</b> scales AI\nfrom data centers to desks. [x](y)"
    out = highlight(answer, ["scales ai from data centers", "nowhere"])
    assert ":green-background[**scales AI**]" in out
    assert ":green-background[**from data centers**]" in out
    assert "\\<b\\>" in out and "\\[x\\]\\(y\\)" in out
    assert highlight(answer, []) == escape_md(answer)


def test_safe_filename_strips_paths_and_odd_characters() -> None:
    assert safe_filename("../../etc/passwd", "md") == "etc-passwd.md"
    assert safe_filename("séance: 1/2 <x>", ".json") == "seance-1-2-x.json"
    assert safe_filename("", "md") == "prep-agent.md"
    assert safe_filename("a" * 300, "md") == "a" * 80 + ".md"


def test_safe_notes_name() -> None:
    assert safe_notes_name("C:\\Users\\me\\My Notes (v2).MD") == "my-notes-v2.md"
    assert safe_notes_name("../../x.markdown") == "x.md"
    for bad in ("notes.txt", "notes", "....md", "resume.md"):
        with pytest.raises(NotesError):
            safe_notes_name(bad)


NOTES = b"# Topic\n\n## Checklist\n\n- [ ] **Item** (1 hour)\n  **Key Point**: \"A point.\"\n"


def test_check_upload_accepts_notes_and_reports_plain_text() -> None:
    ok = check_upload("t.md", NOTES)
    assert ok.name == "t.md" and [t.title for t in ok.topics] == ["Topic"]
    plain = check_upload("p.md", b"# Just prose\n\nSome text without any structure at all.\n")
    assert plain.warnings and "plain text" in plain.warnings[0]


def test_save_upload_never_overwrites_silently(tmp_path: Path) -> None:
    tmp_path = tmp_path / "uploads"
    first = check_upload("t.md", NOTES)
    path = save_upload(tmp_path, first)
    assert path.read_bytes() == NOTES
    second = check_upload("t.md", NOTES.replace(b"A point", b"Another point"))
    with pytest.raises(NotesError, match="Replace"):
        save_upload(tmp_path, second)
    assert path.read_bytes() == NOTES
    save_upload(tmp_path, second, replace=True)
    assert b"Another point" in path.read_bytes()
    assert (tmp_path / ".t.md.bak").read_bytes() == NOTES
    assert sorted(p.name for p in tmp_path.iterdir()) == [".t.md.bak", "t.md"]


# --- Review charts --------------------------------------------------------------------------

def test_short_label_cuts_long_key_points_at_a_word() -> None:
    from app_pages.charts import short_label

    text = "DGX systems scale AI from enterprise data centers to developer PCs, combining GPUs"
    label = short_label(text, limit=40)
    assert label.endswith("…") and len(label) <= 40
    assert text.startswith(label[:-1]) and not label[:-1].endswith(" ")
    assert short_label("  short\n point ") == "short point"


def test_score_chart_orders_sessions_and_keeps_dates_for_the_tooltip() -> None:
    from app_pages.charts import score_chart
    from prep_agent.transcripts.records import ProgressPoint

    points = [ProgressPoint(2, "2026-11-25T10:00:00.700", "default", "offline", 70.4, 2),
              ProgressPoint(1, "2026-11-25T10:00:00.200", "default", "offline", 40.0, 1),
              ProgressPoint(3, "2026-11-27T09:30:00", "strict", "offline", 90.0, 3)]
    spec = score_chart(points).to_dict()
    x = spec["encoding"]["x"]
    assert x["type"] == "quantitative" and x["axis"]["format"] == "d"
    rows = next(iter(spec["datasets"].values()))
    assert [r["session"] for r in rows] == ["#1", "#2", "#3"]
    assert [r["n"] for r in rows] == [1, 2, 3]
    assert rows[0]["started"] == "2026-11-25 10:00" and rows[1]["average score"] == 70


def test_mastery_chart_shows_weakest_first_with_full_text_in_tooltip() -> None:
    from app_pages.charts import BAR_HEIGHT, mastery_chart
    from prep_agent.grading.thread import KeyPointLevel

    same_start = "DGX systems scale AI from enterprise data centers to developer PCs "
    rows = [KeyPointLevel(same_start + tail, "DGX", 2, m, "partial", "")
            for tail, m in (("and back", 0.9), ("with GPUs", 0.2), ("with software", 0.5))]
    chart, shown = mastery_chart(rows, limit=2)
    spec = chart.to_dict()
    data = next(iter(spec["datasets"].values()))
    assert shown == 2 and spec["height"] == max(2 * BAR_HEIGHT, 80)
    assert [d["mastery"] for d in data] == [20, 50]
    assert data[0]["key point"].endswith("with GPUs")
    assert len({d["label"] for d in data}) == 2, "alike key points keep separate bars"
    assert all(len(d["label"].rstrip("\u200b")) <= 48 for d in data)

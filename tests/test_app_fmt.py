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
from prep_agent.uploads import check_upload, safe_notes_name, save_upload

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

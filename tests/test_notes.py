"""Notes parsing: the seed exactly, variant files, bad files, chunks and the resume."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prep_agent.errors import NotesError
from prep_agent.knowledge.library import all_chunks, load_notes, load_resume, topic_chunks
from prep_agent.knowledge.models import Topic
from prep_agent.knowledge.parser import parse_notes, strip_quotes

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "dgx-systems.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notes"


def _seed() -> Topic:
    topics = parse_notes(SEED.read_text(encoding="utf-8"), "seeds/dgx-systems.md")
    assert len(topics) == 1
    return topics[0]


def _fixture(name: str) -> list[Topic]:
    return parse_notes((FIXTURES / name).read_text(encoding="utf-8"), f"notes/{name}")


def test_seed_topic_header_fields() -> None:
    topic = _seed()
    assert topic.title == "DGX Systems (AI Supercomputers)"
    assert topic.source == "seeds/dgx-systems.md"
    assert topic.structured
    assert topic.why_it_matters is not None
    assert topic.why_it_matters.startswith("DGX systems are NVIDIA’s flagship AI platforms")
    assert topic.why_it_matters.endswith("call DGX the “AI factory” backbone.")
    assert topic.depth is not None and topic.depth.endswith("focus on program management.")
    assert topic.time == "2-3 hours in 1 day."
    assert topic.resume_tie_in is not None
    assert topic.resume_tie_in.startswith("Your $300M Microsoft provisioning project")
    assert topic.lines == {"why_it_matters": 3, "depth": 5, "time": 7, "resume_tie_in": 9}
    assert topic.extra == [] and topic.plain == []


def test_seed_items_exactly() -> None:
    topic = _seed()
    assert [i.title for i in topic.items] == ["DGX Overview", "GTC 2025 Buzz"]
    first, second = topic.items
    assert (first.line, first.duration, first.done) == (13, "1 hour", False)
    assert first.url == "https://www.nvidia.com/en-us/data-center/dgx-platform/"
    assert (first.activity, first.activity_text) == ("Read", "Main page.")
    assert first.goal is not None
    assert first.goal.startswith("Learn DGX as NVIDIA’s AI supercomputers")
    assert first.key_point == (
        "DGX systems scale AI from enterprise data centers to developer PCs, combining GPUs "
        "and software for training and inference."
    )
    assert first.interview_tip == (
        "Say: “DGX is like the compute backbone I managed at Microsoft—my role would ensure "
        "tools support its users.” Connect to power/cooling constraints you handled."
    )
    assert first.resume_link == "Compare to your Microsoft zero-waste ops—both optimize compute."
    assert first.lines["key_point"] == 17 and first.lines["resume_link"] == 19
    assert (second.line, second.duration) == (21, "1-2 hours")
    assert (second.activity, second.activity_text) == (
        "Watch", "First 10 min (~Mar 2025, signup needed).")
    assert second.key_point == (
        "DGX Spark brings data center AI to desktops, and I’d manage tool integration by "
        "aligning developer feedback with engineering, like my VMware governance."
    )
    assert second.resume_link == (
        "Tie to your VMware BI team launch—both deliver data-driven solutions.")
    assert first.extra == [] and second.extra == []


def test_seed_notes_exactly() -> None:
    topic = _seed()
    assert [(n.label, n.kind, n.line) for n in topic.notes] == [
        ("X Buzz", "note", 30), ("GTC 2025", "note", 31), ("Avoid", "avoid", 32),
        ("Practice", "practice", 33),
    ]
    assert topic.avoid()[0].text == (
        "Skip DGX hardware details (e.g., NVLink). Focus on its role in tool ecosystems.")
    assert topic.practice()[0].text.startswith("Explain DGX in 2 sentences: “DGX systems power")
    assert [kp for _, kp in topic.key_points()][0].startswith("DGX systems scale AI")
    item = topic.item("gtc 2025 buzz")
    assert item is not None and item.title == "GTC 2025 Buzz"


def test_seed_chunks_cover_every_field_with_lines() -> None:
    chunks = topic_chunks(_seed())
    kinds = [c.kind for c in chunks]
    assert kinds.count("key_point") == 2 and kinds.count("goal") == 2
    assert kinds.count("interview_tip") == 2 and kinds.count("resume_link") == 2
    assert kinds.count("activity") == 2
    assert {"why", "depth", "time", "resume_tie_in", "note", "avoid", "practice"} <= set(kinds)
    assert len(chunks) == 18 and len({c.id for c in chunks}) == 18
    key_point = next(c for c in chunks if c.kind == "key_point")
    assert (key_point.item, key_point.line, key_point.source) == (
        "DGX Overview", 17, "seeds/dgx-systems.md")
    assert not key_point.text.startswith("“")
    # Ids are derived from content: parsing again gives the same ids.
    assert [c.id for c in topic_chunks(_seed())] == [c.id for c in chunks]


def test_crlf_parses_like_lf() -> None:
    text = SEED.read_text(encoding="utf-8")
    crlf = parse_notes(text.replace("\n", "\r\n"), "seeds/dgx-systems.md")
    assert crlf[0].model_dump() == _seed().model_dump()


def test_other_labels_more_items_and_unknown_sections() -> None:
    (topic,) = _fixture("other-labels.md")
    assert [i.title for i in topic.items] == [
        "Scheduler Basics", "GPU Device Plugins", "Gang Scheduling"]
    basics, plugins, gang = topic.items
    assert basics.done and not plugins.done
    assert (basics.activity, basics.duration) == ("Listen", "45 min")
    assert basics.key_point == "The scheduler filters nodes, scores them, then binds the pod."
    assert plugins.key_point == (
        "Device plugins advertise nvidia.com/gpu so pods can request whole GPUs.")
    assert plugins.duration is None and plugins.resume_link is None
    assert gang.goal is None and gang.resume_link == "Batch job orchestration at Contoso."
    assert [(e.label, e.text) for e in basics.extra] == [("Difficulty", "Medium.")]
    assert [(n.label, n.kind) for n in topic.notes] == [
        ("Hacker News", "note"), ("Avoid", "avoid"), ("Practice", "practice"),
        ("Pitfall", "avoid"), ("Note", "note")]
    extras = {(e.label, e.text) for e in topic.extra}
    assert ("Priority", "High, asked in every platform interview.") in extras
    assert ("Book", "Kubernetes Patterns, chapter 6.") in extras
    assert ("Resources", "The official scheduling docs.") in extras
    kinds = {c.kind for c in topic_chunks(topic)}
    assert "other" in kinds


def test_missing_fields_and_fewer_items() -> None:
    (topic,) = _fixture("minimal.md")
    assert topic.structured and topic.why_it_matters is None and topic.notes == []
    (item,) = topic.items
    assert item.title == "RAID Levels" and item.goal is None
    assert item.key_point == "RAID 10 mirrors then stripes, trading capacity for speed and safety."
    assert [c.kind for c in topic_chunks(topic)] == ["key_point"]


def test_nested_bullets_links_loose_items_and_two_topics() -> None:
    one, two = _fixture("nested.md")
    assert (one.title, two.title, two.line) == ("Topic One", "Topic Two", 28)
    paper, precision, quant = one.items
    assert (paper.title, paper.url) == ("Transformer Paper", "https://arxiv.org/abs/1706.03762")
    assert paper.key_point == "Attention lets every token look at every other token."
    assert paper.activity == "Read" and paper.interview_tip is not None
    assert (precision.title, precision.duration) == ("Mixed Precision", "30 min")
    assert precision.key_point is not None and precision.key_point.startswith("Mixed precision")
    assert precision.lines["key_point"] == 15
    assert quant.goal == "Learn int8 inference trade-offs."  # under "### Week 2" of the plan
    assert [n.label for n in one.notes] == ["Interview Angle", "Interview Angle"]
    assert two.resume_tie_in == "Led the model-serving migration."
    assert two.practice()[0].text == "Explain KV caching in 30 seconds."


def test_file_without_heading_uses_stem() -> None:
    (topic,) = _fixture("no-heading.md")
    assert topic.title == "no-heading"
    assert topic.why_it_matters == "Networking ties the cluster together."
    assert topic.avoid()[0].line == 4


def test_non_style_markdown_becomes_plain_text_chunks() -> None:
    (topic,) = _fixture("plain.md")
    assert not topic.structured
    assert [p.label for p in topic.plain] == ["Meeting Log", "Decisions", "Decisions"]
    assert topic.plain[2].text == "kubectl get nodes -l gpu=true"
    chunks = topic_chunks(topic)
    assert {c.kind for c in chunks} == {"text"} and len(chunks) == 3


def test_long_plain_text_is_split() -> None:
    text = "# Essay\n\n" + " ".join(f"Sentence number {i} is here." for i in range(200))
    (topic,) = parse_notes(text, "essay.md")
    assert len(topic.plain) > 1
    assert all(len(p.text) <= 800 for p in topic.plain)
    assert sum(len(p.text) for p in topic.plain) > 5000


def test_strip_quotes() -> None:
    assert strip_quotes("“Quoted.”") == "Quoted."
    assert strip_quotes('"Straight."') == "Straight."
    assert strip_quotes("'Single.'") == "Single."
    assert strip_quotes("“One” and “two”") == "“One” and “two”"
    assert strip_quotes("Not quoted") == "Not quoted"


def test_load_notes_reports_bad_files_and_loads_the_rest(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.md").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (seeds / "plain.md").write_text((FIXTURES / "plain.md").read_text(), encoding="utf-8")
    (seeds / "empty.md").write_text("  \n", encoding="utf-8")
    (seeds / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (seeds / "latin1.md").write_bytes("# Café notes\n\n**Depth**: naïve".encode("latin-1"))
    (seeds / "resume.md").write_text("- Led 15,000 server provisioning\n", encoding="utf-8")
    load = load_notes(seeds)
    assert load.files == ["seeds/good.md", "seeds/plain.md"]
    assert [t.title for t in load.topics] == ["DGX Systems (AI Supercomputers)", "Meeting Log"]
    errors = dict(load.errors)
    assert set(errors) == {"seeds/binary.md", "seeds/empty.md", "seeds/latin1.md"}
    assert "seeds/empty.md is empty" in errors["seeds/empty.md"]
    assert "binary" in errors["seeds/binary.md"]
    assert "not UTF-8" in errors["seeds/latin1.md"] and "re-save it as UTF-8" in errors[
        "seeds/latin1.md"]
    assert load.failed_sources == set(errors)
    assert any("seeds/plain.md" in w and "plain text" in w for w in load.warnings)


def test_load_notes_without_markdown_names_the_fix(tmp_path: Path) -> None:
    (tmp_path / "resume.md").write_text("- fact\n", encoding="utf-8")
    with pytest.raises(NotesError, match="No notes found in .*: add a .md file or set "
                                         "PREP_AGENT_SEEDS"):
        load_notes(tmp_path)
    with pytest.raises(NotesError, match="PREP_AGENT_SEEDS"):
        load_notes(tmp_path / "missing")


def test_duplicate_text_keeps_distinct_ids() -> None:
    text = "# T\n\n## Notes\n- **Avoid**: Same.\n- **Avoid**: Same.\n"
    topics = parse_notes(text, "dup.md") + parse_notes(text, "dup.md")
    chunks = all_chunks(topics)
    assert len(chunks) == 4 and len({c.id for c in chunks}) == 4


def test_load_resume(tmp_path: Path) -> None:
    assert load_resume(tmp_path / "resume.md") == []
    path = tmp_path / "resume.md"
    path.write_text("# Resume\n\n- Led **15,000** server provisioning\r\n* Ran VMware BI team\n"
                    "1. Cut costs 20%\n\n---\nPlain line\n", encoding="utf-8")
    assert load_resume(path) == ["Led 15,000 server provisioning", "Ran VMware BI team",
                                 "Cut costs 20%", "Plain line"]
    path.write_bytes(b"\xff\xfe bad")
    with pytest.raises(NotesError, match="resume.md is not UTF-8"):
        load_resume(path)


def test_unindented_fields_after_blank_line_stay_with_their_item() -> None:
    text = ("# T\n\n## Checklist\n\n- [ ] **A** (1 hour)\n\nGoal: Learn A.\n"
            "**Key Point**: “A matters.”\n\n- [x] **B**\n")
    (topic,) = parse_notes(text, "t.md")
    a, b = topic.items
    assert (a.goal, a.key_point, a.lines["key_point"]) == ("Learn A.", "A matters.", 8)
    assert b.done and topic.extra == []


_LINES = st.sampled_from([
    "# Title", "## Checklist", "## Notes", "## Other", "### Sub", "- [ ] **Item** (1 hour)",
    "- [x] Item two", "  Goal: learn it.", "  **Key Point**: “A point.”", "- **Avoid**: x",
    "- **Label**: text", "**Why It Matters**: because", "plain words here", "", "```", "  - nested",
    "> quoted", "1. [ ] ordered", "\tindented code", "**Depth**:", "---", "| a | b |",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINES, max_size=30), st.sampled_from(["\n", "\r\n"]))
def test_any_markdown_parses_without_losing_ids(lines: list[str], newline: str) -> None:
    topics = parse_notes(newline.join(lines), "fuzz.md")
    assert topics
    chunks = all_chunks(topics)
    assert len({c.id for c in chunks}) == len(chunks)
    assert all(c.line >= 1 and c.text.strip() for c in chunks)

"""Schema checks for the hand-graded answer set in bench/data (issue 10, item 8)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from prep_agent.knowledge.parser import parse_notes

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
GRADED = DATA / "graded_answers.jsonl"
NOTES = DATA / "notes"

QUESTION_TYPES = {"knowledge", "scenario", "behavioral", "drill"}
CATEGORIES = {
    "verbatim", "paraphrase_full", "paraphrase_partial", "paraphrase_weak",
    "compound_two_sentences", "contradiction_negation", "contradiction_swap",
    "contradiction_quantity", "contradiction_antonym", "contradiction_sentence", "fake_ledger",
    "word_salad", "keyword_list", "question_echo", "injection", "empty_or_minimal", "off_topic",
    "star_good", "star_partial", "star_bad", "scenario_good", "scenario_bad", "drill_good",
    "drill_over_budget", "avoid_violation", "correct_with_unrelated_not", "short_but_right",
}
FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str, "topic": str, "question": str, "question_type": str, "key_points": list,
    "resume_links": list, "avoid": list, "target_sentences": (int, type(None)), "answer": str,
    "grade": (int, float), "tie_in": bool, "avoid_hit": bool, "category": str,
    "contradiction": bool, "split": str,
}


def _rows() -> list[dict[str, Any]]:
    """Every line of the graded set, parsed (a bad line fails with its number)."""
    rows = []
    for number, line in enumerate(GRADED.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            pytest.fail(f"graded_answers.jsonl line {number} is not JSON: {exc}")
    return rows


ROWS = _rows()


def test_size_and_spread() -> None:
    assert len(ROWS) >= 150
    assert len({r["topic"] for r in ROWS}) >= 12
    assert len({r["id"] for r in ROWS}) == len(ROWS), "ids must be unique"
    assert set(Counter(r["category"] for r in ROWS)) == CATEGORIES, "every category present"
    assert {r["question_type"] for r in ROWS} == QUESTION_TYPES


@pytest.mark.parametrize("row", ROWS, ids=[str(r.get("id")) for r in ROWS])
def test_line_schema(row: dict[str, Any]) -> None:
    assert set(row) == set(FIELDS), f"fields differ: {set(row) ^ set(FIELDS)}"
    for name, kind in FIELDS.items():
        assert isinstance(row[name], kind), f"{name} has type {type(row[name]).__name__}"
    assert not isinstance(row["grade"], bool) and 0 <= row["grade"] <= 5
    assert row["grade"] * 2 == int(row["grade"] * 2), "half points only"
    assert row["question_type"] in QUESTION_TYPES
    assert row["category"] in CATEGORIES
    assert row["split"] in {"train", "holdout"}
    assert row["key_points"] and all(isinstance(k, str) and k for k in row["key_points"])
    assert all(isinstance(x, str) for x in row["resume_links"] + row["avoid"])
    if row["question_type"] == "drill":
        assert isinstance(row["target_sentences"], int) and row["target_sentences"] > 0
    else:
        assert row["target_sentences"] is None


def test_holdout_follows_the_written_rule() -> None:
    """Per category, ordered by id, the k-th line is held out when k % 10 is 1, 4 or 7."""
    by_category: dict[str, list[dict[str, Any]]] = {}
    for row in ROWS:
        by_category.setdefault(row["category"], []).append(row)
    for rows in by_category.values():
        for k, row in enumerate(sorted(rows, key=lambda r: r["id"])):
            expected = "holdout" if k % 10 in (1, 4, 7) else "train"
            assert row["split"] == expected, row["id"]
    share = sum(r["split"] == "holdout" for r in ROWS) / len(ROWS)
    assert 0.25 <= share <= 0.35


def test_rubric_caps_hold() -> None:
    """Grades respect the rubric's hard caps (contradiction ≤ 1, no-content kinds ≤ 0.5)."""
    for row in ROWS:
        if row["contradiction"]:
            assert row["grade"] <= 1, row["id"]
        if row["category"] in {"injection", "question_echo", "empty_or_minimal", "off_topic",
                               "keyword_list", "word_salad", "fake_ledger"}:
            assert row["grade"] <= 0.5, row["id"]
        if row["category"].startswith("contradiction_"):
            assert row["contradiction"], row["id"]


def test_topics_have_notes_in_the_seed_style() -> None:
    """Each topic is a notes file in bench/data/notes (or the DGX seed) that parses structured."""
    files = {p.stem: p for p in NOTES.glob("*.md")}
    files["dgx-systems"] = ROOT / "seeds" / "dgx-systems.md"
    assert len(files) >= 13
    for topic in {r["topic"] for r in ROWS}:
        assert topic in files, f"no notes file for topic {topic}"
    for path in files.values():
        [parsed] = parse_notes(path.read_text(encoding="utf-8"), str(path))
        assert parsed.structured and 2 <= len(parsed.items) <= 4, path.name
        assert all(i.goal and i.key_point and i.interview_tip and i.resume_link
                   for i in parsed.items), path.name
        assert {n.kind for n in parsed.notes} >= {"avoid", "practice"}, path.name


FRESH = DATA / "fresh_answers.jsonl"


def test_fresh_set_follows_the_same_schema_and_caps() -> None:
    """The second, later-written set: same fields and caps, all held out, one more category."""
    rows = [json.loads(line) for line in FRESH.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 30 and len({r["id"] for r in rows}) == len(rows)
    assert not {r["id"] for r in rows} & {r["id"] for r in ROWS}, "ids must not clash"
    for row in rows:
        assert set(row) == set(FIELDS), row["id"]
        assert all(isinstance(row[name], kind) for name, kind in FIELDS.items()), row["id"]
        assert row["split"] == "holdout" and row["question_type"] in QUESTION_TYPES
        assert row["category"] in CATEGORIES | {"wrong_same_subject"}, row["id"]
        assert row["grade"] * 2 == int(row["grade"] * 2) and 0 <= row["grade"] <= 5
        if row["contradiction"]:
            assert row["grade"] <= 1, row["id"]

"""Planner coverage and rotation: the seeded 5-question target, and properties over random
notes files."""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prep_agent.interview.interviewer import Interviewer
from prep_agent.interview.planner import (
    PlanHistory,
    PlannedQuestion,
    history_from_sessions,
    template_key,
    unit_of,
)
from prep_agent.knowledge.models import Topic
from prep_agent.knowledge.parser import parse_notes
from prep_agent.prompt_library import PromptLibrary
from prep_agent.prompts import PromptSet

ROOT = Path(__file__).resolve().parent.parent
NOTES = ("seeds/dgx-systems.md", "bench/data/notes/kubernetes-for-tpms.md")


@pytest.fixture(scope="module")
def library() -> PromptLibrary:
    return PromptLibrary(ROOT / "prompts")


def _topics(*paths: str) -> list[Topic]:
    return [t for p in paths
            for t in parse_notes((ROOT / p).read_text(encoding="utf-8"), p)]


def _as_asked(plan: list[PlannedQuestion]) -> list[dict[str, object]]:
    """The Question dicts a session records for its main questions (what history reads)."""
    return [{"topic": p.target.topic, "item": p.target.item, "target_id": p.target.id,
             "type": p.type, "resume_fact": p.target.resume_fact,
             "template": template_key(p.type, p.target.kind, p.template_index)} for p in plan]


def _first_repeat_comes_after_full_coverage(units: list[str], every: set[str]) -> bool:
    seen: set[str] = set()
    for unit in units:
        if unit in seen:
            return seen >= every
        seen.add(unit)
    return True


@pytest.mark.parametrize("name", ["hiring-manager", "bar-raiser"])
def test_five_question_sessions_cover_every_item_before_repeats(library: PromptLibrary,
                                                                name: str) -> None:
    """The target: seeds + a second notes file, 20 seeded runs of 3 consecutive sessions."""
    topics = _topics(*NOTES)
    items = {f"{t.title}\x1f{i.title}" for t in topics for i in t.items}
    assert len(items) == 4
    for seed in range(20):
        prompt_set = library.load(name)
        interviewer = Interviewer(topics, None, prompt_set, seed=seed)
        every = {unit_of(t) for t in interviewer.targets}
        sessions: list[list[PlannedQuestion]] = []
        for _ in range(3):
            past = history_from_sessions([_as_asked(s) for s in sessions])
            plan = interviewer.plan(5, past=past)
            assert len(plan) == 5
            # The checklist items come first in the first session, one of each.
            if not sessions:
                assert {unit_of(p.target) for p in plan[:4]} == items, seed
                assert {p.target.topic for p in plan[:2]} == {t.title for t in topics}
            if sessions:
                previous = sessions[-1]
                assert plan[0].offline_text != previous[0].offline_text
                used = {template_key(p.type, p.target.kind, p.template_index) for p in previous}
                # A template comes back only when the last session and this one used every
                # template of its type and kind.
                reused = [p for p in plan
                          if template_key(p.type, p.target.kind, p.template_index) in used
                          and {q.template_index for q in (*plan, *previous)
                               if (q.type, q.target.kind) == (p.type, p.target.kind)}
                          != set(range(len(prompt_set.templates.for_type(p.type)
                                           [p.target.kind])))]
                assert not reused, (seed, [p.offline_text for p in reused])
            texts = [p.offline_text for p in plan]
            assert len(set(texts)) == len(texts)
            sessions.append(plan)
        asked = [unit_of(p.target) for s in sessions for p in s]
        assert _first_repeat_comes_after_full_coverage(asked, every), (seed, asked)


def test_weak_points_come_first_only_among_asked_units(library: PromptLibrary) -> None:
    topics = _topics(*NOTES)
    interviewer = Interviewer(topics, None, library.load("hiring-manager"), seed=0)
    spark = next(t for t in interviewer.targets if t.subject == "DGX Spark"
                 and t.kind == "key_point")
    overview = next(t for t in interviewer.targets if t.subject == "DGX systems"
                    and t.kind == "key_point")
    # Spark was asked and is weak, everything else but the overview was never asked: the
    # never-asked units come first (Kubernetes items first), then the weakest asked unit.
    past = PlanHistory(asked_units={unit_of(spark): 1, unit_of(overview): 1})
    fresh = {unit_of(t) for t in interviewer.targets} - {unit_of(spark), unit_of(overview)}
    plan = interviewer.plan(len(fresh) + 1, history={spark.text: 0.0, overview.text: 1.0},
                            past=past)
    assert [p.target.topic for p in plan[:2]] == ["Kubernetes for TPMs"] * 2
    assert {unit_of(p.target) for p in plan[:-1]} == fresh
    assert unit_of(plan[-1].target) == unit_of(spark)


def test_resume_facts_rotate_across_sessions(library: PromptLibrary) -> None:
    topics = _topics(*NOTES)
    for seed in range(5):
        interviewer = Interviewer(topics, None, library.load("hiring-manager"), seed=seed)
        first = interviewer.plan(5)
        facts = [p.target.resume_fact for p in first if p.type == "behavioral"]
        assert len(facts) == len(set(facts))
        second = interviewer.plan(5, past=history_from_sessions([_as_asked(first)]))
        again = [p.target.resume_fact for p in second if p.type == "behavioral"]
        assert not set(facts) & set(again), (seed, facts, again)


# ---- properties over random notes files

WORDS = ("cluster", "pipeline", "budget", "roadmap", "latency", "capacity", "release",
         "vendor", "metric", "incident", "quota", "schema", "backlog", "driver")
NAMES = ("Zorbix", "Quanta", "Helio", "Nimbus", "Vexa", "Orion", "Talon", "Kestrel")
name_st = st.sampled_from(NAMES)
word_st = st.sampled_from(WORDS)


@st.composite
def notes_file(draw: st.DrawFn) -> str:
    """A random notes file in the study style."""
    topic = draw(name_st)
    tail = draw(st.sampled_from(["", " for TPMs", " Basics", " (Platform Notes)"]))
    lines = [f"# {topic} {draw(word_st).title()}{tail}", ""]
    if draw(st.booleans()):
        lines += [f"**Resume Tie-In**: Your {draw(name_st)} {draw(word_st)} program shows "
                  "you can run large programs.", ""]
    lines += ["## Checklist", ""]
    n_items = draw(st.integers(1, 4))
    used = set()
    for i in range(n_items):
        name = draw(name_st.filter(lambda n: n not in used))
        used.add(name)
        lines += [f"- [ ] **{name} {draw(word_st).title()} {i}** (1 hour)  ",
                  f"  Goal: Learn how {name} handles the {draw(word_st)}.  ",
                  f"  **Key Point**: “{name} keeps the {draw(word_st)} within the "
                  f"{draw(word_st)}, and teams use it to cut {draw(word_st)} risk.”  "]
        if draw(st.booleans()):
            lines.append(f"  **Interview Tip**: If asked about {draw(word_st)} costs, say: "
                         f"“I'd track {name} spend weekly.”  ")
        if draw(st.booleans()):
            lines.append(f"  **Resume Link**: Tie to your {draw(name_st)} "
                         f"{draw(word_st)} launch—both cut risk.  ")
        lines.append("")
    lines += ["## Notes"]
    if draw(st.booleans()):
        lines.append(f"- **Practice**: Explain {topic} in 2 sentences: “{topic} keeps things "
                     "running. I'd own its rollout.”  ")
    lines.append(f"- **Avoid**: Skip {draw(word_st)} trivia.")
    return "\n".join(lines) + "\n"


@functools.cache
def _prompt_set(name: str) -> PromptSet:
    return PromptLibrary(ROOT / "prompts").load(name)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(notes_file(), min_size=1, max_size=3,
                      unique_by=lambda f: f.split()[1]),  # one file per topic name
       seed=st.integers(0, 10_000),
       name=st.sampled_from(["hiring-manager", "bar-raiser", "recruiter-screen"]))
def test_random_notes_cover_before_repeating_and_rotate(files: list[str], seed: int,
                                                        name: str) -> None:
    prompt_set = _prompt_set(name)
    topics = [t for i, text in enumerate(files) for t in parse_notes(text, f"n{i}.md")]
    interviewer = Interviewer(topics, None, prompt_set, seed=seed)
    every = {unit_of(t) for t in interviewer.targets
             if any(prompt_set.templates.for_type(q).get(t.kind)
                    for q in prompt_set.settings.question_types)}
    plan = interviewer.plan(len(every) + 3)
    units = [unit_of(p.target) for p in plan]
    assert _first_repeat_comes_after_full_coverage(units, every)
    assert set(units[: len(every)]) == every
    # Checklist items before topic-level targets, every topic early.
    items = {unit_of(t) for t in interviewer.targets if t.item and t.kind != "practice"}
    n_items = len(items & every)
    assert set(units[:n_items]) == items & every
    texts = [p.offline_text.lower() for p in plan]
    assert len(texts) == len(set(texts))
    # Question types rotate: no type runs three times in a row while another was possible.
    types = [p.type for p in plan]
    possible = {q for p in plan for q in prompt_set.settings.question_types
                if prompt_set.templates.for_type(q).get(p.target.kind)}
    if len(possible) > 1:
        assert Counter(types).most_common(1)[0][1] <= (len(types) + 1) // 2 + 1, types
    # Subjects are noun phrases, never a file title with its tail or parenthetical.
    for target in interviewer.targets:
        assert "for TPMs" not in target.subject and "(" not in target.subject
        assert target.subject != target.topic

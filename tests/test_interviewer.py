"""Interviewer: grounded questions, citations, non-leaking follow-ups, streaming, summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from prep_agent.errors import StoreError
from prep_agent.interview.interviewer import Interviewer, Question
from prep_agent.interview.leaks import distinctive_stems, leaked_stems, leaks
from prep_agent.interview.summary import SessionCounts, mastery_from_results
from prep_agent.knowledge.models import Topic
from prep_agent.knowledge.parser import parse_notes
from prep_agent.prompt_library import PromptLibrary

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class FakeHit:
    id: str
    text: str
    kind: str
    topic: str
    item: str
    source: str
    line: int
    distance: float = 0.2


@dataclass
class FakeStore:
    """Records queries and returns canned hits, like KnowledgeStore.search."""

    hits: list[FakeHit]
    fail: bool = False
    queries: list[tuple[str, int, str | None]] = field(default_factory=list)

    def search(self, query: str, k: int = 5, kinds: list[str] | None = None,
               topic: str | None = None) -> list[FakeHit]:
        self.queries.append((query, k, topic))
        if self.fail:
            raise StoreError("Chroma is down: run python -m prep_agent ingest")
        return self.hits[:k]


@dataclass
class KP:
    key_point: str
    status: str
    strength: float = 0.0


@dataclass
class Score:
    key_points: list[KP]
    overall: float = 50.0


@pytest.fixture(scope="module")
def topics() -> list[Topic]:
    text = (ROOT / "seeds" / "dgx-systems.md").read_text(encoding="utf-8")
    return parse_notes(text, "seeds/dgx-systems.md")


@pytest.fixture(scope="module")
def library() -> PromptLibrary:
    return PromptLibrary(ROOT / "prompts")


def _hits() -> list[FakeHit]:
    topic = "DGX Systems (AI Supercomputers)"
    return [
        FakeHit("a", "DGX Spark is trending for making AI accessible.", "note", topic, "",
                "seeds/dgx-systems.md", 30),
        FakeHit("b", "Dup of the key point line", "key_point", topic, "DGX Overview",
                "seeds/dgx-systems.md", 17),
        FakeHit("c", "Blackwell-based DGX for trillion-parameter models", "note", topic, "",
                "seeds/dgx-systems.md", 31),
    ]


def _key_point_question(interviewer: Interviewer, subject: str = "DGX systems") -> Question:
    planned = next(p for p in interviewer.plan(12)
                   if p.target.kind == "key_point" and p.target.subject == subject
                   and p.type == "knowledge")
    return interviewer.ask(planned)


def test_question_is_grounded_with_citations(topics: list[Topic], library: PromptLibrary) -> None:
    store = FakeStore(_hits())
    interviewer = Interviewer(topics, store, library.load("hiring-manager"), seed=0)
    question = _key_point_question(interviewer)
    assert question.engine == "offline" and question.engine_note is None
    assert question.citations[0].source == "seeds/dgx-systems.md"
    assert question.citations[0].line == 17 and question.citations[0].kind == "key_point"
    lines = [c.line for c in question.citations]
    assert lines == [17, 30, 31]  # the duplicate of line 17 is dropped
    query, _, topic = store.queries[-1]
    assert "DGX systems" in query and topic == "DGX Systems (AI Supercomputers)"
    assert question.target_key_points[0].startswith("DGX systems scale AI")
    assert question.resume_links[0].startswith("Compare to your Microsoft")
    assert "NVLink" in question.avoid[0]
    request = question.score_request("my answer")
    assert request == {"question": question.text, "answer": "my answer",
                       "key_points": question.target_key_points,
                       "resume_links": question.resume_links, "avoid": question.avoid,
                       "target_sentences": None, "question_type": question.type,
                       "rubric": question.prompt_set, "interview_tip": None}


def test_store_failure_still_cites_the_note(topics: list[Topic], library: PromptLibrary) -> None:
    interviewer = Interviewer(topics, FakeStore(_hits(), fail=True),
                              library.load("hiring-manager"))
    question = _key_point_question(interviewer)
    assert [(c.source, c.line) for c in question.citations] == [("seeds/dgx-systems.md", 17)]


def test_drill_question_uses_the_practice_note(topics: list[Topic],
                                               library: PromptLibrary) -> None:
    interviewer = Interviewer(topics, None, library.load("hiring-manager"))
    planned = next(p for p in interviewer.plan(6) if p.target.kind == "practice")
    question = interviewer.ask(planned)
    assert question.type == "drill" and question.target_sentences == 2
    assert "DGX" in question.text and "two sentences" in question.text
    assert question.citations[0].line == 33
    assert question.target_key_points == [
        "DGX systems power AI workloads with GPUs like H100 or Blackwell.",
        "I’d coordinate their tools to support developers, like my Microsoft deployments.",
    ]


def test_resume_facts_are_offered_to_behavioral_questions(topics: list[Topic],
                                                          library: PromptLibrary) -> None:
    facts = ["Led VMware BI team launch for 40 analysts", "Ran a bakery"]
    interviewer = Interviewer(topics, None, library.load("hiring-manager"), resume_facts=facts)
    planned = next(p for p in interviewer.plan(6)
                   if p.target.kind == "resume_link" and "VMware" in p.target.text)
    question = interviewer.ask(planned)
    assert question.type == "behavioral" and "your VMware BI team launch" in question.text
    assert facts[0] in question.resume_links and facts[1] not in question.resume_links


def test_follow_up_targets_the_missed_point_without_leaking(topics: list[Topic],
                                                           library: PromptLibrary) -> None:
    ps = library.load("hiring-manager")
    interviewer = Interviewer(topics, None, ps, seed=0)
    question = _key_point_question(interviewer)
    kp = question.target_key_points[0]
    score = Score([KP(kp, "missing", 0.1)])
    chain = [question]
    while (nxt := interviewer.follow_up(chain[-1], score, answer="Not sure.")) is not None:
        chain.append(nxt)
    follow_ups = chain[1:]
    assert len(follow_ups) == ps.settings.followups_per_question == 2
    for depth, follow in enumerate(follow_ups, start=1):
        assert follow.followup_depth == depth and follow.parent_id == chain[depth - 1].id
        assert follow.target_key_points == [kp] and "DGX systems" in follow.text
        secret = distinctive_stems(kp, question.text, "DGX systems")
        assert secret and not leaks(follow.text, kp, question.text)
        assert not any(word in follow.text.lower() for word in
                       ("enterprise", "data center", "developer pc", "inference", "training"))
    assert len({f.text for f in chain}) == len(chain)


@pytest.mark.parametrize("name", ["hiring-manager", "bar-raiser", "recruiter-screen",
                                  "elevator-drill"])
def test_offline_follow_ups_never_repeat_a_distinctive_word(topics: list[Topic],
                                                            library: PromptLibrary,
                                                            name: str) -> None:
    interviewer = Interviewer(topics, None, library.load(name), seed=5)
    for planned in interviewer.plan(12):
        question = interviewer.ask(planned)
        for kp in question.target_key_points:
            for status in ("missing", "partial", "contradicted"):
                follow = interviewer.follow_up(question, Score([KP(kp, status)]))
                assert follow is not None and follow.engine == "offline"
                assert not leaked_stems(follow.text, kp, question.text, follow.subject), (
                    follow.text, kp)
                assert follow.subject in follow.text


def test_follow_up_prefers_missing_and_stops_when_covered(topics: list[Topic],
                                                         library: PromptLibrary) -> None:
    interviewer = Interviewer(topics, None, library.load("bar-raiser"), seed=2)
    planned = next(p for p in interviewer.plan(6) if p.target.kind == "practice")
    drill = interviewer.ask(planned)
    first, second = drill.target_key_points
    score = Score([KP(first, "partial", 0.4), KP(second, "missing", 0.0)])
    follow = interviewer.follow_up(drill, score)
    assert follow is not None and follow.target_key_points == [second]
    assert follow.target_sentences == 2 and follow.type == "drill"
    covered = Score([KP(first, "covered", 0.9), KP(second, "covered", 0.8)])
    assert interviewer.follow_up(drill, covered) is None


def test_swapping_the_set_changes_follow_ups(topics: list[Topic], library: PromptLibrary) -> None:
    texts = set()
    for name in ("hiring-manager", "bar-raiser", "recruiter-screen"):
        interviewer = Interviewer(topics, None, library.load(name), seed=0)
        planned = next(p for p in interviewer.plan(8) if p.target.subject == "DGX Spark"
                       and p.type != "behavioral")  # behavioral threads probe STAR first
        question = interviewer.ask(planned)
        follow = interviewer.follow_up(question, Score([KP(question.target_key_points[0],
                                                           "missing")]))
        assert follow is not None and follow.prompt_set == name
        texts.add(follow.text)
    assert len(texts) == 3


def test_llm_question_streams_from_fake_model(topics: list[Topic], library: PromptLibrary) -> None:
    model = GenericFakeChatModel(messages=iter([
        "Question: How would you pitch DGX systems to a platform team?",
    ]))
    interviewer = Interviewer(topics, FakeStore(_hits()), library.load("hiring-manager"),
                              chat_model=model)
    planned = next(p for p in interviewer.plan(6) if p.target.subject == "DGX systems"
                   and p.target.kind == "key_point")
    stream = interviewer.stream(planned)
    chunks = list(stream)
    assert len(chunks) > 3
    question = stream.result()
    assert question.text == "How would you pitch DGX systems to a platform team?"
    assert question.engine == "llm" and stream.note is None
    assert question.citations[0].line == 17 and interviewer.engine == "llm"


def test_llm_question_repeating_an_earlier_one_is_rejected(topics: list[Topic],
                                                           library: PromptLibrary) -> None:
    planned = Interviewer(topics, None, library.load("hiring-manager")).plan(1)[0]
    earlier = f"What is {planned.target.subject}?"
    model = GenericFakeChatModel(messages=iter([earlier, "What is the weather like today?"]))
    interviewer = Interviewer(topics, None, library.load("hiring-manager"), chat_model=model)
    question = interviewer.ask(planned, asked=[earlier.lower()])
    assert question.text == planned.offline_text
    assert "repeated an earlier question" in (question.engine_note or "")
    off_subject = interviewer.ask(planned)
    assert off_subject.engine == "offline"
    assert f"did not name {planned.target.subject}" in (off_subject.engine_note or "")


def test_rambling_model_is_cut_off_and_its_first_paragraph_used(topics: list[Topic],
                                                                library: PromptLibrary) -> None:
    planned = Interviewer(topics, None, library.load("hiring-manager")).plan(1)[0]
    wanted = f"Why does {planned.target.subject} matter to you?"
    model = GenericFakeChatModel(messages=iter([wanted + "\n\n" + "ramble " * 3000]))
    interviewer = Interviewer(topics, None, library.load("hiring-manager"), chat_model=model)
    stream = interviewer.stream(planned)
    shown = "".join(stream)
    assert len(shown) < 2000  # stopped after 3x max_question_chars instead of 21,000 chars
    question = stream.result()
    assert question.text == wanted and question.engine == "llm"


def test_llm_failure_falls_back_to_the_offline_question(topics: list[Topic],
                                                        library: PromptLibrary) -> None:
    model = GenericFakeChatModel(messages=iter([]))  # StopIteration inside the model = failure
    interviewer = Interviewer(topics, None, library.load("hiring-manager"), chat_model=model)
    planned = interviewer.plan(1)[0]
    question = interviewer.ask(planned)
    assert question.text == planned.offline_text and question.engine == "offline"
    assert question.engine_note and question.engine_note.startswith("LLM failed")


def test_llm_follow_up_is_used_when_it_does_not_leak(topics: list[Topic],
                                                     library: PromptLibrary) -> None:
    model = GenericFakeChatModel(messages=iter([
        "What are DGX systems used for, and where do people run them?",
    ]))
    interviewer = Interviewer(topics, None, library.load("hiring-manager"), chat_model=model)
    question = Question(id="q1", text="Tell me about DGX systems.", type="knowledge",
                        topic="DGX Systems (AI Supercomputers)", subject="DGX systems",
                        target_id="t", target_key_points=["DGX systems scale AI from enterprise "
                        "data centers to developer PCs."], prompt_set="hiring-manager",
                        prompt_hash="x")
    stream = interviewer.stream_follow_up(question, Score([KP(question.target_key_points[0],
                                                              "missing")]), answer="GPUs.")
    assert stream is not None
    assert "".join(stream).startswith("What are DGX systems used for")
    follow = stream.result()
    assert follow.engine == "llm" and follow.id == "q1.f1" and follow.followup_depth == 1


def test_llm_follow_up_asking_for_what_the_answer_gave_falls_back(
        topics: list[Topic], library: PromptLibrary) -> None:
    model = GenericFakeChatModel(messages=iter([
        "Give me one number from your VMware BI team launch that shows DGX Spark readiness.",
    ]))
    interviewer = Interviewer(topics, None, library.load("hiring-manager"), chat_model=model)
    question = Question(id="q1", text="Tell me about your VMware BI team launch.",
                        type="behavioral", topic="DGX Systems (AI Supercomputers)",
                        subject="DGX Spark", target_id="t", target_key_points=[
                            "Tie to your VMware BI team launch—both deliver data-driven "
                            "solutions."], resume_fact="your VMware BI team launch",
                        prompt_set="hiring-manager", prompt_hash="x")
    answer = "We launched $300M of dashboards across 15,000 servers two weeks early."
    follow = interviewer.follow_up(question, Score([KP(question.target_key_points[0],
                                                       "missing")]), answer)
    assert follow is not None and follow.engine == "offline"
    assert follow.engine_note and "already gave" in follow.engine_note
    assert "number" not in follow.text.lower() and follow.probe == "action"


def test_summary_and_mastery(topics: list[Topic], library: PromptLibrary) -> None:
    interviewer = Interviewer(topics, None, library.load("hiring-manager"))
    questions = [interviewer.ask(p) for p in interviewer.plan(2)]
    kp_a, kp_b = questions[0].target_key_points[0], questions[1].target_key_points[0]
    results = [
        (questions[0], Score([KP(kp_a, "covered", 0.9)], overall=85)),
        (questions[1], Score([KP(kp_b, "missing", 0.1)], overall=30)),
    ]
    text = interviewer.summary(results)
    assert "2 question(s) and 0 follow-up(s) asked, 2 of 2 answer(s) scored" in text
    assert "Average score: 58/100" in text and "Thread coverage: 50% over 2 thread(s)" in text
    assert f"  - {kp_a}" in text.split("Covered in this session:")[1].split("Work on next")[0]
    cite = questions[1].citations[0]
    assert f"  - {kp_b} ({cite.source}:{cite.line})" in text
    assert "No key point was missed" not in text
    assert mastery_from_results(results) == {kp_a: 1.0, kp_b: 0.0}
    assert "nothing to grade" in interviewer.summary([(questions[0], None)])


@pytest.mark.parametrize(("name", "hint"), [
    ("hiring-manager", "such as bar-raiser"), ("recruiter-screen", "such as hiring-manager"),
    ("bar-raiser", "pick topics you have not practised"),
])
def test_summary_hint_is_true_and_never_names_the_active_set(
        topics: list[Topic], library: PromptLibrary, name: str, hint: str) -> None:
    interviewer = Interviewer(topics, None, library.load(name))
    questions = [interviewer.ask(p) for p in interviewer.plan(2)]
    covered = [(q, Score([KP(kp, "covered", 0.9) for kp in q.target_key_points], overall=90))
               for q in questions]
    text = interviewer.summary(covered, SessionCounts(3, 2, 2, 2))
    assert "3 question(s) and 2 follow-up(s) asked, 2 of 2 answer(s) scored" in text
    assert "No key point was missed" in text and hint in text
    assert f"such as {name}" not in text
    # A partial point anywhere in the session means something was missed.
    partial = [*covered[:1], (questions[1], Score([KP(questions[1].target_key_points[0],
                                                      "partial", 0.5)], overall=50))]
    assert "No key point was missed" not in interviewer.summary(partial)


def test_summary_credits_a_point_made_across_a_follow_up(topics: list[Topic],
                                                          library: PromptLibrary) -> None:
    interviewer = Interviewer(topics, None, library.load("hiring-manager"))
    main = interviewer.ask(next(p for p in interviewer.plan(4) if p.type == "knowledge"))
    kp = main.target_key_points[0]
    first = Score([KP(kp, "partial", 0.5)], overall=50)
    follow = interviewer.follow_up(main, first, "DGX is a computer.")
    assert follow is not None
    results = [(main, first), (follow, Score([KP(kp, "covered", 0.9)], overall=90))]
    text = interviewer.summary(results, answers=["DGX is a computer.", "It scales AI."])
    assert "1 question(s) and 1 follow-up(s) asked" in text
    assert "Thread coverage: 100% over 1 thread(s)" in text and "No key point was missed" in text
    assert mastery_from_results(results) == {kp: 1.0}

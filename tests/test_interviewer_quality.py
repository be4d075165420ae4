"""Offline question quality: every question and follow-up over whole notes files, every set.

Run `python tests/test_interviewer_quality.py` to print every generated question and follow-up
once, to read them the way a candidate would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from prep_agent.interview.interviewer import Interviewer, Question
from prep_agent.interview.leaks import leaked_stems
from prep_agent.interview.phrasing import resume_phrase, subject_of
from prep_agent.knowledge.models import Topic
from prep_agent.knowledge.parser import parse_notes
from prep_agent.prompt_library import PromptLibrary

ROOT = Path(__file__).resolve().parent.parent
SETS = ("hiring-manager", "bar-raiser", "recruiter-screen", "elevator-drill")
NOTES = ("seeds/dgx-systems.md", "tests/fixtures/quality/k8s-platform.md",
         "tests/fixtures/quality/product-roadmaps.md")
SEEDS = (0, 1, 2)
STATUSES = ("missing", "partial", "contradicted")

# Words that never name a subject on their own: the imperative verbs notes use to instruct the
# candidate, pronouns, possessives and determiners.
INSTRUCTION_VERBS = {
    "compare", "tie", "link", "connect", "relate", "mention", "highlight", "emphasize", "stress",
    "show", "cite", "note", "use", "explain", "describe", "pitch", "summarize", "summarise",
    "present", "define", "introduce", "discuss", "say", "skip", "focus", "avoid", "practice",
}
PRONOUNS = {
    "i", "i'd", "i'm", "i've", "me", "my", "we", "we'd", "our", "us", "you", "your", "it", "its",
    "they", "them", "their", "this", "that", "these", "those", "he", "she", "his", "her",
}
CAPITALISED_STOPWORDS = {"The", "A", "An", "This", "That", "If", "When", "And", "Or", "But",
                         "Both", "Each", "Same", "So", "As", "For", "To", "In", "On"}
REFERRING = re.compile(r"\b(it|its|they|them|this)\b", re.IGNORECASE)
# Spoken idioms whose "it" refers to nothing in particular, as in any real conversation.
IDIOMS = re.compile(r"\b(?:got it|capture it right|take it one step further)\b", re.IGNORECASE)
DOUBLED = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)


@dataclass
class KP:
    key_point: str
    status: str
    strength: float = 0.0
    evidence: tuple[str, ...] = ()


@dataclass
class Score:
    key_points: list[KP]
    overall: float = 40.0


@pytest.fixture(scope="module")
def library() -> PromptLibrary:
    return PromptLibrary(ROOT / "prompts")


def _topics(path: str) -> list[Topic]:
    return parse_notes((ROOT / path).read_text(encoding="utf-8"), path)


def dangling(subject: str) -> str | None:
    """Why a subject names nothing, or None when it is a real noun phrase."""
    tokens = [t.strip(",.;:!?\"'“”’") for t in subject.split()]
    if not tokens or not tokens[0]:
        return "empty"
    first = tokens[0].lower().replace("’", "'")
    if first in INSTRUCTION_VERBS:
        return "an instruction verb"
    if len(tokens) == 1 and first in PRONOUNS | {"the", "a", "an"}:
        return "a pronoun or possessive alone"
    if first in PRONOUNS - {"your"}:
        return "opens with a pronoun"
    if len(tokens) == 1 and tokens[0] in CAPITALISED_STOPWORDS:
        return "a capitalised stop word"
    if first == "your" and len(tokens) == 1:
        return "a possessive alone"
    return None


def names(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w$]){re.escape(phrase)}(?![\w$])", text, re.IGNORECASE) is not None


def problems(text: str, subject: str, resume_fact: str | None, limit: int) -> list[str]:
    """Everything wrong with one offline question or follow-up, as readable reasons."""
    found = []
    why = dangling(subject)
    if why:
        found.append(f"subject {subject!r} is {why}")
    if "{" in text or "}" in text:
        found.append("unfilled braces")
    doubled = DOUBLED.search(text)
    if doubled:
        found.append(f"doubled word {doubled.group(0)!r}")
    if not text.rstrip().endswith(("?", ".")):
        found.append("does not end with '?' or '.'")
    if not names(text, subject):
        found.append(f"does not name its subject {subject!r}")
    if not 25 <= len(text) <= limit:
        found.append(f"length {len(text)} outside 25..{limit}")
    if len(re.findall(r"[.?!](?:\s|$)", text)) > 3:
        found.append("more than three sentences")
    if re.search(r"\b(?:my|I'd|I’d|I'm)\b", text) and not text.startswith(("I ", "If I")):
        found.append("first person copied from the notes")
    if resume_fact and names(text, resume_fact) and not resume_fact.startswith(("your ", "the ")):
        found.append(f"resume fact {resume_fact!r} not in second person")
    anchors = [text.lower().index(p.lower()) for p in (subject, resume_fact or "")
               if p and p.lower() in text.lower()]
    pronoun = REFERRING.search(IDIOMS.sub(lambda m: "_" * len(m.group(0)), text))
    if pronoun and anchors and pronoun.start() < min(anchors):
        found.append(f"{pronoun.group(0)!r} before anything it could refer to")
    return found


def generated(library: PromptLibrary, notes: str, name: str,
              seed: int) -> Iterator[tuple[str, Question, str | None, str]]:
    """(what, question, resume fact, the text it follows up) for every planned question and
    every follow-up chain, each key point missed in each way."""
    prompt_set = library.load(name)
    interviewer = Interviewer(_topics(notes), None, prompt_set, seed=seed)
    for planned in interviewer.plan(3 * len(interviewer.targets)):
        question = interviewer.ask(planned)
        assert question.text == planned.offline_text
        fact = planned.target.resume_fact
        yield f"{planned.target.kind}/{planned.type}", question, fact, ""
        for kp in question.target_key_points:
            for status in STATUSES:
                chain = [question]
                score = Score([KP(kp, status)])
                while (follow := interviewer.follow_up(chain[-1], score)) is not None:
                    yield f"follow-up {status} #{follow.followup_depth}", follow, fact, \
                        chain[-1].text
                    chain.append(follow)


@pytest.mark.parametrize("notes", NOTES)
@pytest.mark.parametrize("name", SETS)
def test_every_offline_question_and_follow_up_reads_well(library: PromptLibrary, name: str,
                                                         notes: str) -> None:
    limit = library.load(name).settings.max_question_chars
    bad: list[str] = []
    count = 0
    for seed in SEEDS:
        for what, question, fact, _ in generated(library, notes, name, seed):
            count += 1
            bad += [f"{what}: {question.text!r}: {p}"
                    for p in problems(question.text, question.subject, fact, limit)]
    assert count > 20
    assert not bad, "\n".join(sorted(set(bad)))


@pytest.mark.parametrize("notes", NOTES)
@pytest.mark.parametrize("name", SETS)
def test_every_target_is_asked_and_grounded(library: PromptLibrary, name: str,
                                            notes: str) -> None:
    topics = _topics(notes)
    interviewer = Interviewer(topics, None, library.load(name), seed=0)
    askable = {p.target.id for p in interviewer.plan(3 * len(interviewer.targets))}
    plan = interviewer.plan(len(askable))
    assert {p.target.id for p in plan} == askable  # each askable target once
    for planned in plan:
        target = planned.target
        # Answerable from the notes: the subject's words come from the notes being asked about.
        text = " ".join([target.text, *target.key_points, target.topic, target.item,
                         *(t.why_it_matters or "" for t in topics)]).lower()
        words = set(re.findall(r"[\w$]+", planned.target.subject.lower())) - {"the", "your"}
        assert words and words <= set(re.findall(r"[\w$]+", text)), (target.subject, target.text)
        if target.resume_fact:
            fact_words = set(re.findall(r"[\w$]+", target.resume_fact.lower())) - {
                "the", "your", "project", "where", "you", "most", "relevant", "on", "résumé"}
            assert fact_words <= set(re.findall(r"[\w$]+", target.text.lower())), target.text


@pytest.mark.parametrize("notes", NOTES)
def test_follow_ups_never_give_the_missed_point_away(library: PromptLibrary, notes: str) -> None:
    for name in SETS:
        for seed in SEEDS:
            for what, follow, _, parent in generated(library, notes, name, seed):
                if follow.parent_id is None:
                    continue
                kp = follow.target_key_points[0]
                # Words the candidate was already given (the question it follows, the subject)
                # are fair; any other distinctive word of the missed point is a give-away.
                assert not leaked_stems(follow.text, kp, parent, follow.subject), \
                    (what, follow.text, kp)


@pytest.mark.parametrize(("line", "fact"), [
    ("Compare to your Microsoft zero-waste ops—both optimize compute.",
     "your Microsoft zero-waste ops"),
    ("Tie to your VMware BI team launch—both deliver data-driven solutions.",
     "your VMware BI team launch"),
    ("Mention your Azure fleet migration of 4,000 nodes—it shows scale.",
     "your Azure fleet migration of 4,000 nodes"),
    ("Connect this to your release governance board at Contoso.",
     "your release governance board at Contoso"),
    ("Relate it to my Q3 planning cycle, where I cut scope.", "your Q3 planning cycle"),
    ("Highlight my executive readouts at Contoso.", "your executive readouts at Contoso"),
])
def test_resume_lines_name_the_fact_in_second_person(line: str, fact: str) -> None:
    assert subject_of(line) == fact
    assert resume_phrase(line) == fact


def test_instruction_key_point_never_becomes_the_follow_up_subject(
        library: PromptLibrary) -> None:
    # bar-raiser's "Tie the lesson to ..." once let "Tie" through as the subject.
    interviewer = Interviewer(_topics(NOTES[0]), None, library.load("bar-raiser"), seed=0)
    question = Question(
        id="q", text="On your VMware BI team launch, what went wrong? Tie the lesson to "
        "DGX Spark.", type="behavioral", topic="DGX Systems (AI Supercomputers)",
        item="GTC 2025 Buzz", subject="DGX Spark", target_id="t",
        target_key_points=["Tie to your VMware BI team launch—both deliver data-driven "
                           "solutions."], resume_fact="your VMware BI team launch",
        prompt_set="bar-raiser", prompt_hash="x")
    star = ("At VMware the BI team had no dashboards. I was responsible for the launch. I hired "
            "four analysts. We launched two weeks early.")
    for status in STATUSES:
        # The STAR story is complete, so the follow-up goes after the key point itself.
        follow = interviewer.follow_up(question, Score([KP(question.target_key_points[0],
                                                           status)]), star)
        assert follow is not None and follow.subject == "DGX Spark", follow
        assert not problems(follow.text, follow.subject, question.resume_fact, 500)


def test_a_pronoun_opening_key_point_keeps_the_question_subject(
        library: PromptLibrary) -> None:
    interviewer = Interviewer(_topics(NOTES[1]), None, library.load("hiring-manager"), seed=0)
    question = Question(
        id="q", text="You're partway there on GPU scheduling: what else?", type="knowledge",
        topic="Kubernetes Platform", item="GPU Scheduling", subject="GPU scheduling",
        target_id="t", target_key_points=["It relies on device plugins and node labels."],
        prompt_set="hiring-manager", prompt_hash="x")
    for opening in ("It relies on device plugins.", "Your.", "I'd run upgrades in waves.",
                    "We use operators to automate backups.", "Explain it in two sentences."):
        follow = interviewer.follow_up(question, Score([KP(opening, "partial")]))
        assert follow is not None
        assert follow.subject == "GPU scheduling", (opening, follow.text)


def transcript(library: PromptLibrary) -> Iterator[str]:
    """Every distinct question and follow-up, grouped by notes file and prompt set."""
    for notes in NOTES:
        for name in SETS:
            yield f"===== {notes} / {name}"
            seen: set[str] = set()
            for seed in SEEDS:
                for what, question, _, _ in generated(library, notes, name, seed):
                    if question.text not in seen:
                        seen.add(question.text)
                        yield f"[{what}] {question.text}"


if __name__ == "__main__":
    for line in transcript(PromptLibrary(ROOT / "prompts")):
        print(line)


# ---- thread-aware follow-ups, checked by an oracle written independently of text/signals.py

ORACLE_CONTAINS = {
    "number": re.compile(r"\d|\b(?:two|three|four|five|ten|twelve|hundred|thousand|million)\b",
                         re.IGNORECASE),
    "personal action": re.compile(r"\bI (?:hired|set|led|built|ran|defined|wrote|cut|moved)\b"),
    "result": re.compile(r"\b(?:launched|delivered|shipped|result|outcome|saved|reduced)\b",
                         re.IGNORECASE),
    "stakeholder": re.compile(r"\b(?:VP|stakeholders?|leadership|finance|engineering)\b",
                              re.IGNORECASE),
}
ORACLE_ASKS = {
    "number": re.compile(r"\b(?:numbers?|metrics?|measured?|how much|how many)\b",
                         re.IGNORECASE),
    "personal action": re.compile(r"\b(?:you personally|what did you do)\b", re.IGNORECASE),
    "result": re.compile(r"\b(?:results?|outcomes?|change[ds]?|turn out)\b", re.IGNORECASE),
    "stakeholder": re.compile(r"\b(?:who (?:would|did|will) you|which (?:stakeholders|teams))\b",
                              re.IGNORECASE),
}
THREAD_ANSWERS = (
    "At VMware the BI team had no dashboards. I hired four analysts and set up a weekly "
    "stakeholder review with engineering. We launched two weeks early.",
    "I hired four analysts and defined the top ten metrics.",
    "We delivered $300M of capacity across 15,000 servers.",
    "The VP of engineering owned the budget, so I set up a review with finance.",
    "It went well overall, and the team was happy with it.",
    "Kubernetes restarts failed pods and scales replicas with demand.",
)


def _unquoted(follow_up: str, answers: list[str]) -> str:
    """The follow-up without the runs of two or more words it quotes from the answers."""
    tokens = follow_up.split()
    said = " ".join(re.findall(r"[\w$']+", " ".join(answers).lower()))
    keep = [True] * len(tokens)
    for i in range(len(tokens)):
        for j in range(len(tokens), i + 1, -1):
            run = " ".join(re.findall(r"[\w$']+", " ".join(tokens[i:j]).lower()))
            if run and f" {run} " in f" {said} ":
                keep[i:j] = [False] * (j - i)
                break
    return " ".join(t for t, k in zip(tokens, keep, strict=True) if k)


def oracle_repeats(follow_up: str, answers: list[str]) -> set[str]:
    """What the follow-up asks for that the thread's answers already contain."""
    follow_up = _unquoted(follow_up, answers)
    contained = {k for k, p in ORACLE_CONTAINS.items() if any(p.search(a) for a in answers)}
    return {k for k, p in ORACLE_ASKS.items() if p.search(follow_up)} & contained


def threads(library: PromptLibrary, notes: str, name: str, seed: int,
            ) -> Iterator[tuple[Question, list[str], Question | None]]:
    """(main question, thread answers so far, the follow-up due) for seeded random threads."""
    import random

    rng = random.Random(f"{notes}:{name}:{seed}")
    prompt_set = library.load(name)
    interviewer = Interviewer(_topics(notes), None, prompt_set, seed=seed)
    for planned in interviewer.plan(len(interviewer.targets)):
        main = interviewer.ask(planned)
        turns: list[tuple[Question, str, Score | None]] = []
        current: Question | None = main
        while current is not None:
            answer = rng.choice(THREAD_ANSWERS)
            statuses = [rng.choice(("missing", "partial", "covered"))
                        for _ in current.target_key_points]
            score = Score([KP(kp, s) for kp, s in zip(current.target_key_points, statuses,
                                                      strict=True)])
            turns.append((current, answer, score))
            follow = interviewer.follow_up(current, score, answer, turns)
            yield main, [a for _, a, _ in turns], follow
            assert len(turns) <= 1 + prompt_set.settings.followups_per_question
            current = follow


@pytest.mark.parametrize("notes", NOTES)
def test_no_follow_up_asks_for_what_the_thread_contains(library: PromptLibrary,
                                                        notes: str) -> None:
    bad, asked = [], 0
    for name in SETS:
        for seed in range(4):
            for main, answers, follow in threads(library, notes, name, seed):
                if follow is None:
                    continue
                asked += 1
                repeated = oracle_repeats(follow.text, answers)
                if repeated:
                    bad.append(f"{name}/{main.type}: {follow.text!r} asks for {repeated} "
                               f"after {answers!r}")
    assert asked > 20
    assert not bad, "\n".join(bad[:10])


BEHAVIORAL = Question(
    id="q", text="Tell me about your VMware BI team launch as a STAR story.", type="behavioral",
    topic="DGX Systems (AI Supercomputers)", item="GTC 2025 Buzz", subject="DGX Spark",
    target_id="t", target_key_points=["Tie to your VMware BI team launch—both deliver "
                                      "data-driven solutions."],
    resume_fact="your VMware BI team launch", prompt_set="hiring-manager", prompt_hash="x")


@pytest.mark.parametrize(("answer", "probe", "quoted"), [
    ("I set up a weekly stakeholder review with engineering.", "result",
     "You mentioned the weekly stakeholder review; what did that change"),
    ("The BI team at VMware had no dashboards.", "action", "On your VMware BI team launch"),
    ("I hired four analysts and we launched two weeks early.", "situation", ""),
])
def test_behavioral_follow_up_probes_the_missing_star_element(
        library: PromptLibrary, answer: str, probe: str, quoted: str) -> None:
    interviewer = Interviewer(_topics(NOTES[0]), None, library.load("hiring-manager"), seed=0)
    kp = BEHAVIORAL.target_key_points[0]
    follow = interviewer.follow_up(BEHAVIORAL, Score([KP(kp, "missing")]), answer)
    assert follow is not None and follow.probe == probe, follow
    assert quoted in follow.text and not oracle_repeats(follow.text, [answer])
    assert not problems(follow.text, follow.subject, BEHAVIORAL.resume_fact, 500)


def test_scenario_follow_up_probes_the_missing_risk_then_decision(
        library: PromptLibrary) -> None:
    interviewer = Interviewer(_topics(NOTES[0]), None, library.load("hiring-manager"), seed=0)
    scenario = BEHAVIORAL.model_copy(update={"type": "scenario", "resume_fact": None,
                                             "text": "The DGX Spark launch slips. First 48 "
                                             "hours?"})
    kp = scenario.target_key_points[0]
    first = "First I'd meet the engineering leads and the VP to agree on a recovery plan."
    follow = interviewer.follow_up(scenario, Score([KP(kp, "covered")]), first)
    assert follow is not None
    assert follow.probe == "risks", follow.text
    second = "The biggest risk is the driver dependency slipping again."
    thread = [(scenario, first, Score([KP(kp, "covered")])),
              (follow, second, Score([KP(kp, "covered")]))]
    again = interviewer.follow_up(follow, thread[-1][2], second, thread)
    assert again is not None
    assert again.probe == "decision", again.text
    third = "I'd decide to cut scope and defer the dashboard, trading features for the date."
    thread.append((again, third, Score([KP(kp, "covered")])))
    assert interviewer.follow_up(again, thread[-1][2], third, thread) is None  # budget spent


def test_a_thread_that_covers_the_point_gets_no_follow_up(library: PromptLibrary) -> None:
    interviewer = Interviewer(_topics(NOTES[0]), None, library.load("bar-raiser"), seed=0)
    kp = BEHAVIORAL.target_key_points[0]
    star = ("At VMware the BI team had no dashboards. I was responsible for the launch. I hired "
            "four analysts. We launched two weeks early.")
    first = interviewer.follow_up(BEHAVIORAL, Score([KP(kp, "partial")]), star)
    assert first is not None and first.probe is None  # only the key point is left
    thread = [(BEHAVIORAL, star, Score([KP(kp, "partial")])),
              (first, "Both deliver data-driven solutions.", Score([KP(kp, "covered")]))]
    assert interviewer.follow_up(first, thread[-1][2], thread[-1][1], thread) is None


@pytest.mark.parametrize("seed", range(4))
def test_half_a_key_point_gets_a_follow_up_for_the_rest(
        library: PromptLibrary, encoder: object, seed: int) -> None:
    from prep_agent.grading.models import ScoreRequest
    from prep_agent.grading.offline import score_offline
    from prep_agent.grading.thread import ThreadAnswer
    from prep_agent.interview.followups import plan_follow_up

    kp = ("DGX systems scale AI from enterprise data centers to developer PCs, combining GPUs "
          "and software for training and inference")
    question = BEHAVIORAL.model_copy(update={
        "type": "knowledge", "resume_fact": None, "text": "What are DGX systems?",
        "subject": "DGX systems", "target_key_points": [kp]})
    answer = "DGX systems scale AI from enterprise data centers down to developer PCs."
    score = score_offline(ScoreRequest(question=question.text, answer=answer, key_points=[kp]),
                          encoder)  # type: ignore[arg-type]
    assert [c.status for c in score.key_points[0].claims] == ["covered", "missing"]
    prompt_set = library.load("hiring-manager")
    probe = plan_follow_up(prompt_set, seed, question, [kp], question,
                           [ThreadAnswer(answer, score)])
    assert probe is not None and probe.gap.name.startswith("combining")
    # The "missing" wordings ask for a summary of the whole point the answer half made.
    for whole in ("one-line summary", "one thing about", "Zoom out"):
        assert whole not in probe.text, probe.text

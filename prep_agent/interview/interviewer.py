"""The interviewer: grounded questions, follow-ups aimed at missed key points, and a summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field

from prep_agent.errors import PrepAgentError, StoreError
from prep_agent.grading.thread import KeyPointLike, ThreadAnswer
from prep_agent.interview.followups import STATUS_PHRASE, plan_follow_up
from prep_agent.interview.leaks import STOPWORDS, clean_llm_question, leaks, words
from prep_agent.interview.planner import (
    PlanHistory,
    PlannedQuestion,
    Target,
    clean_title,
    offline_values,
    plan_questions,
    template_key,
    topic_targets,
)
from prep_agent.interview.summary import OverallLike, SessionCounts, session_summary
from prep_agent.knowledge.models import Topic
from prep_agent.llm import TextStream
from prep_agent.prompts import PromptSet, QuestionType, judge_variables
from prep_agent.streaming import Stream
from prep_agent.text.signals import asks_for, detect


class Citation(BaseModel):
    """Where a question's grounding comes from, shown after the answer."""

    source: str
    line: int
    kind: str
    text: str


class Question(BaseModel):
    """A question as asked, with everything needed to score it and to audit how it was made."""

    id: str
    text: str
    type: QuestionType
    topic: str
    item: str = ""
    subject: str
    target_id: str
    target_key_points: list[str]
    resume_links: list[str] = Field(default_factory=list)
    avoid: list[str] = Field(default_factory=list)
    target_sentences: int | None = None
    resume_fact: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    prompt_set: str
    prompt_hash: str
    engine: Literal["offline", "llm"] = "offline"
    engine_note: str | None = None
    parent_id: str | None = None
    followup_depth: int = 0
    # The main question's key points, kept on its follow-ups so the thread is graded whole.
    thread_key_points: list[str] = Field(default_factory=list)
    probe: str | None = None  # the STAR/scenario element a follow-up asks for
    template: str = ""  # the offline template ("type/kind/index"), for the planner's history

    def score_request(self, answer: str) -> dict[str, object]:
        """The fields of scoring's ScoreRequest: `ScoreRequest(**q.score_request(answer))`."""
        return {
            "question": self.text,
            "answer": answer,
            "key_points": list(self.target_key_points),
            "resume_links": list(self.resume_links),
            "avoid": list(self.avoid),
            "target_sentences": self.target_sentences,
            "question_type": self.type,
            "rubric": self.prompt_set,
            "interview_tip": next(
                (c.text for c in self.citations if c.kind == "interview_tip"), None
            ),
        }


class HitLike(Protocol):
    """What the interviewer reads from a store hit."""

    @property
    def text(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def line(self) -> int: ...


class SearchStore(Protocol):
    """The part of KnowledgeStore the interviewer uses."""

    def search(
        self, query: str, k: int = 5, kinds: list[str] | None = None, topic: str | None = None
    ) -> Sequence[HitLike]: ...


class ScoreLike(Protocol):
    """The part of scoring's Score the interviewer uses."""

    @property
    def key_points(self) -> Sequence[KeyPointLike]: ...
    @property
    def overall(self) -> float: ...


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"- {i}" for i in items) if items else "- (none)"


class Interviewer:
    """Plans and asks grounded questions with either engine; chat_model=None means offline."""

    def __init__(
        self,
        topics: Sequence[Topic],
        store: SearchStore | None,
        prompt_set: PromptSet,
        chat_model: BaseChatModel | None = None,
        seed: int = 0,
        resume_facts: Sequence[str] | None = None,
        compact: bool = False,
    ) -> None:
        self.topics = list(topics)
        self.store = store
        self.prompt_set = prompt_set
        self.chat_model = chat_model
        self.seed = seed
        self.resume_facts = list(resume_facts or [])
        self.compact = compact  # the prompt set's short prompts, for a small local model
        self.targets: list[Target] = [
            t for topic in self.topics
            for t in topic_targets(topic, prompt_set.settings.drill_sentences)
        ]

    @property
    def engine(self) -> Literal["offline", "llm"]:
        """The engine questions are phrased with (a step may still fall back to offline)."""
        return "offline" if self.chat_model is None else "llm"

    def plan(
        self,
        n: int,
        topics: Sequence[str] | None = None,
        history: Mapping[str, float] | None = None,
        asked: Sequence[str] = (),
        past: PlanHistory | None = None,
    ) -> list[PlannedQuestion]:
        """N questions over the chosen topics (titles, case-insensitive; None = all).

        `history` is mastery per key point; `past` what earlier sessions asked.
        """
        targets = self.targets
        if topics:
            wanted = {t.strip().lower() for t in topics}
            targets = [t for t in targets
                       if t.topic.lower() in wanted or clean_title(t.topic).lower() in wanted]
            if not targets:
                known = ", ".join(sorted({clean_title(t.topic) for t in self.targets})) or "none"
                raise PrepAgentError(
                    f"No notes match topic {', '.join(topics)}: use one of {known}")
        if not targets:
            raise PrepAgentError("The notes have no key points, goals or practice notes to ask "
                                 "about: add items with **Key Point** lines to a notes file")
        planned = plan_questions(targets, self.prompt_set, n, seed=self.seed, history=history,
                                 asked=asked, past=past)
        if not planned:
            raise PrepAgentError(
                f"Prompt set {self.prompt_set.name!r} has no offline templates for these notes: "
                "pick another set or add templates to it"
            )
        return planned

    # --- questions ---------------------------------------------------------------------------

    def _grounding(self, target: Target) -> list[Citation]:
        cites = [Citation(source=target.source, line=target.line, kind=target.kind,
                          text=target.text)]
        if self.store is not None:
            try:
                hits = self.store.search(f"{target.subject}: {target.text}", k=4,
                                         topic=target.topic)
            except StoreError:
                hits = []  # the note line itself still grounds the question
            seen = {(target.source, target.line)}
            for hit in hits:
                if (hit.source, hit.line) not in seen:
                    seen.add((hit.source, hit.line))
                    cites.append(Citation(source=hit.source, line=hit.line, kind=hit.kind,
                                          text=hit.text))
        return cites[:5]

    def _resume_for(self, target: Target) -> list[str]:
        # Without embeddings here, rank candidate facts by shared words with the target.
        wanted = set(words(" ".join([target.text, *target.resume_links]))) - STOPWORDS
        overlap = {f: len(wanted & set(words(f))) for f in self.resume_facts}
        ranked = sorted((f for f in self.resume_facts if overlap[f] > 0), key=lambda f: -overlap[f])
        return ranked[:2]

    def stream(self, planned: PlannedQuestion, asked: Sequence[str] = ()) -> Stream[Question]:
        """Stream a planned question's wording; `.result()` gives the Question."""
        target = planned.target
        cites = self._grounding(target)
        resume = [*target.resume_links, *self._resume_for(target)]
        messages = None
        values = offline_values(target, self.prompt_set, planned.type)
        # A drill is a fixed instruction: a small model rewording it only drops the limit.
        if self.chat_model is not None and not (self.compact and planned.type == "drill"):
            messages = self.prompt_set.question_template(self.compact).invoke({
                **self.prompt_set.partial_vars(),
                "topic": values["topic"], "item": values["item"], "subject": target.subject,
                "question_type": planned.type, "key_points": _bullets(target.key_points),
                "grounding": _bullets([f"[{c.source}:{c.line}] ({c.kind}) {c.text}"
                                       for c in cites]),
                "resume_facts": _bullets(resume), "avoid": _bullets(target.avoid),
                "sentences": values["sentences"], "draft": planned.offline_text,
                "asked": _bullets(list(asked)),
            })
        limit = self.prompt_set.settings.max_question_chars
        earlier = {a.strip().lower() for a in asked}
        # Naming the subject loosely is enough ("DGX" for "DGX systems"); naming nothing is not.
        anchors = set(words(f"{target.subject} {clean_title(target.topic)}")) - STOPWORDS

        def check(text: str) -> str | None:
            if text.strip().lower() in earlier:
                return "it repeated an earlier question"
            if not anchors & set(words(text)):
                return f"it did not name {target.subject}"
            # Small local models sometimes echo the prompt's answer notes instead of asking.
            if any(leaks(text, kp, target.subject, planned.offline_text)
                   for kp in target.key_points):
                return "it gave the key point away"
            if planned.type != "drill" and "?" not in text:
                return "it did not ask a question"
            said = set(words(text))
            limit_words = {values["sentences"], values["sentences_word"]}
            if planned.type == "drill" and not limit_words & said:
                return "it dropped the sentence limit"
            if planned.type == "behavioral" and values["resume_fact"] in planned.offline_text:
                fact = set(words(values["resume_fact"])) - STOPWORDS - anchors
                if fact and not fact & said:
                    return "it dropped the resume story"
            return f"longer than {limit} characters" if len(text) > limit else None

        text = TextStream(self.chat_model, messages, planned.offline_text, check=check,
                          clean=clean_llm_question, max_chars=3 * limit)

        def build(wording: str, engine: str, note: str | None) -> Question:
            return Question(
                id=planned.id, text=wording, type=planned.type, topic=target.topic,
                item=target.item, subject=target.subject, target_id=target.id,
                target_key_points=list(target.key_points), resume_links=resume,
                avoid=list(target.avoid),
                target_sentences=(target.sentences or self.prompt_set.settings.drill_sentences)
                if planned.type == "drill" else None,
                resume_fact=target.resume_fact, citations=cites, prompt_set=self.prompt_set.name,
                template=template_key(planned.type, target.kind, planned.template_index),
                prompt_hash=self.prompt_set.hash, engine=engine,  # type: ignore[arg-type]
                engine_note=note,
            )

        return text.map(lambda wording: build(wording, text.engine, text.note))

    def ask(self, planned: PlannedQuestion, asked: Sequence[str] = ()) -> Question:
        """The planned question, fully generated."""
        return self.stream(planned, asked).result()

    # --- follow-ups --------------------------------------------------------------------------

    def stream_follow_up(
        self, question: Question, score: ScoreLike, answer: str = "",
        thread: Sequence[tuple[Question, str, ScoreLike | None]] | None = None,
    ) -> Stream[Question] | None:
        """A follow-up aimed at what the thread still lacks, or None when none is due.

        `thread` is the main question and its follow-ups so far, with answers and scores,
        ending with this answer; without it the thread is this one answer.
        """
        if question.followup_depth >= self.prompt_set.settings.followups_per_question:
            return None
        turns = list(thread) if thread else [(question, answer, score)]
        main = turns[0][0]
        key_points = main.thread_key_points or main.target_key_points
        answers = [ThreadAnswer(text, s) for _, text, s in turns]
        probe = plan_follow_up(self.prompt_set, self.seed, main, key_points, question, answers)
        if probe is None:
            return None
        subject = probe.subject
        known = (question.text, subject, *(text for _, text, _ in turns))
        contained = frozenset(detect([text for _, text, _ in turns]))
        messages = None
        if self.chat_model is not None:
            messages = self.prompt_set.followup_template(self.compact).invoke({
                **self.prompt_set.partial_vars(),
                "topic": clean_title(question.topic), "subject": subject,
                "question": question.text, "answer": judge_variables("", answer, [])["answer"],
                "missed_key_point": probe.secret,
                "status": STATUS_PHRASE.get(probe.status, probe.status),
                "grounding": _bullets([f"[{c.source}:{c.line}] ({c.kind}) {c.text}"
                                       for c in question.citations]),
                "draft": probe.text, "depth": str(question.followup_depth + 1),
            })
        limit = self.prompt_set.settings.max_question_chars

        def check(text: str) -> str | None:
            if leaks(text, probe.secret, *known):
                return "it gave the key point away"
            if asks_for(text) & contained:
                return "it asked for something the answers already gave"
            return f"longer than {limit} characters" if len(text) > limit else None

        text = TextStream(self.chat_model, messages, probe.text, check=check,
                          clean=clean_llm_question, max_chars=3 * limit)
        depth = question.followup_depth + 1

        def build(wording: str, engine: str, note: str | None) -> Question:
            return question.model_copy(update={
                "id": f"{question.id}.f{depth}", "text": wording, "subject": subject,
                "target_key_points": list(probe.key_points), "thread_key_points": key_points,
                "probe": probe.gap.name if probe.gap.kind == "element" else None,
                "engine": engine, "engine_note": note,
                "parent_id": question.id, "followup_depth": depth,
                "prompt_set": self.prompt_set.name, "prompt_hash": self.prompt_set.hash,
            })

        return text.map(lambda wording: build(wording, text.engine, text.note))

    def follow_up(
        self, question: Question, score: ScoreLike, answer: str = "",
        thread: Sequence[tuple[Question, str, ScoreLike | None]] | None = None,
    ) -> Question | None:
        """The follow-up Question, or None when the thread covers the point or K is reached."""
        stream = self.stream_follow_up(question, score, answer, thread)
        return None if stream is None else stream.result()

    # --- summary -----------------------------------------------------------------------------

    def summary(
        self, results: Sequence[tuple[Question, OverallLike | None]],
        counts: SessionCounts | None = None, answers: Sequence[str] | None = None,
        mastery: Mapping[str, float] | None = None,
    ) -> str:
        """A short end-of-session report (see interview.summary.session_summary)."""
        return session_summary(self.prompt_set.name, results, counts, answers, mastery)

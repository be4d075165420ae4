"""OfflineGrader: the wiring of the offline checks into one Score (no LLM, no network).

Guards need no embeddings: an empty answer or one that instructs the grader (including a fake
ledger, "status: covered. Overall: 100") earns nothing. Otherwise the answer is prepared once
(prepare.py), each key point's claims are matched and checked for contradiction (keypoints.py,
contradiction.py), resume tie-ins, avoid hits and the question type's criteria (criteria.py) are
found, and aggregate.py turns the findings into the overall score, rationale and tips. Answers
longer than MAX_ANSWER_CHARS are graded on their first MAX_ANSWER_CHARS characters (and first
MAX_SENTENCES clauses); the Score says `truncated`.
"""

from __future__ import annotations

import re

from prep_agent.grading import aggregate
from prep_agent.grading.antonyms import antonym
from prep_agent.grading.avoid import avoid_hits
from prep_agent.grading.claims import is_labelled
from prep_agent.grading.contradiction import about, negators
from prep_agent.grading.criteria import grade_criteria
from prep_agent.grading.delivery import Delivery, delivery_stats, infer_target_sentences
from prep_agent.grading.keypoints import lexical_hits, match_key_point
from prep_agent.grading.models import (
    FLAGS,
    MAX_ANSWER_CHARS,
    MAX_SENTENCES,
    AvoidHit,
    CriterionResult,
    Encoder,
    KeyPointResult,
    ResumeHit,
    Score,
    ScoreRequest,
    Status,
)
from prep_agent.grading.prepare import PreparedAnswer, clip_list
from prep_agent.grading.quantities import quantity, stated
from prep_agent.grading.rubric import Rubric
from prep_agent.text.match import (
    STOPWORDS,
    content_terms,
    injection_spans,
    is_non_answer,
    looks_like_keyword_list,
    sentence_spans,
    token_set,
    words,
)

_LIST_QUESTION = re.compile(
    r"\b(?:list|enumerate|name (?:the|some|a few|all|two|three|four|five))\b", re.IGNORECASE
)


_LIST_ITEMS = re.compile(r"[,;]\s+")
_NO_FLOOR = frozenset({"contradiction", "keyword_list", "question_echo", "prompt_injection"})
_ACTION_QUESTION = re.compile(
    r"\b(?:what (?:do|would|will|should|did) you|how (?:do|would|will|should|did) you|"
    r"tell me about a time|walk me through|describe a time|give me an example)\b",
    re.I,
)
_FIRST_PERSON_ACTION = re.compile(
    r"^\W*(?:then\s+|first,?\s+)?(?:i|we)(?:'d|'ll|\s+would|\s+will)?\s+"
    r"(?!(?:am|'m|was|like|love|enjoy|think|believe|feel)\b)[a-z]+",
    re.I,
)
# Words that make a short key point a statement ("It is reviewed weekly") rather than a phrase.
_FINITE = frozenset(
    {"is", "are", "was", "were", "be", "been", "has", "have", "had", "can", "could", "will"}
    | {"would", "should", "must", "does", "do", "did", "lets", "makes", "means"}
)


class OfflineGrader:
    """Grades with the offline embedding model, lexical evidence and engineered rules only."""

    def __init__(
        self, encoder: Encoder, rubric: Rubric | None = None, claim_encoder: Encoder | None = None
    ) -> None:
        self.encoder = encoder
        self.rubric = rubric or Rubric()
        self.claim_encoder = claim_encoder

    def grade(self, req: ScoreRequest) -> Score:
        """The offline Score of one answer."""
        rubric = self.rubric
        answer = req.answer[:MAX_ANSWER_CHARS]
        target = req.target_sentences or infer_target_sentences(req.question)
        delivery = delivery_stats(answer, target)
        qtype = req.question_type or "knowledge"
        guard = _guard(answer)
        if guard is not None:
            flag, why = guard
            empty = [
                KeyPointResult(key_point=k, status=Status.missing, strength=0.0)
                for k in clip_list(req.key_points)
            ]
            truncated = len(req.answer) > MAX_ANSWER_CHARS
            return _finish(delivery, [flag], empty, [], [], [], 0, why, truncated, qtype, None)
        p = PreparedAnswer.build(req, self.encoder, rubric, self.claim_encoder)
        flags: list[str] = []
        if delivery.words < rubric.too_short_words:
            flags.append("too_short")
        # A bare list is fine when the question asks for one ("List the DGX models").
        keyword_list = (
            looks_like_keyword_list(p.answer)
            and not _LIST_QUESTION.search(p.req.question)
            and not any(_is_list(k) for k in p.req.key_points)
        ) or (bool(p.disowned) and all(k == "salad" for k in p.disowned.values()) and not p.usable)
        if keyword_list:
            flags.append("keyword_list")
        if p.echoes:
            flags.append("question_echo")
        findings = [match_key_point(k, p, keyword_list) for k in range(len(p.req.key_points))]
        ledger = [f.result for f in findings]
        misquoted = _misquoted(p)
        if misquoted or any(r.status == Status.contradicted for r in ledger):
            flags.append("contradiction")
        relevance = max([f.sem for f in findings] or [0.0])
        # The score's floor follows closeness to the key points, except closeness that comes
        # from naming something else in a claim's slot.
        closeness = max(
            [f.beyond * (rubric.substitution_factor if f.wrong_name else 1.0) for f in findings]
            or [0.0]
        )
        best_lex = max([f.lex for f in findings] or [0.0])
        off_topic = relevance < rubric.off_topic_sim and best_lex < rubric.off_topic_lex
        if any(r.status in (Status.covered, Status.partial) for r in ledger):
            # A key point made in other words (calibrated credit) is on topic by definition.
            off_topic = False
        if delivery.words < rubric.short_answer_words and relevance >= rubric.short_off_topic_sim:
            # A few words embed poorly ("I'd send a survey."): weak, but not proof of straying.
            off_topic = False
        resume = _resume_hits(p)
        avoid = avoid_hits(p)
        criteria = grade_criteria(p, qtype, delivery, resume, misquoted, ledger)
        # A STAR story or a plan that meets most of its criteria answers the question even when
        # it says little about the notes item's fact.
        if sum(c.status == Status.covered for c in criteria) * 2 > len(criteria) > 1:
            off_topic = False
        responsive = _responsive(p, qtype)
        if responsive:
            off_topic = False
        if p.req.key_points and p.usable and off_topic:
            flags.append("off_topic")
        labelled = any(is_labelled(k) for k in p.req.key_points)
        overall = aggregate.overall_score(
            ledger, resume, avoid, flags, delivery, rubric, closeness, criteria, qtype, labelled
        )
        if responsive and not avoid and not set(flags) & _NO_FLOOR:
            overall = max(overall, int(rubric.responsive_floor))
        if avoid and _avoid_share(p.answer, avoid) >= rubric.avoid_only_share:
            # "You run kubectl apply -f deploy.yaml ...": a recital of what the notes say to
            # avoid is close to the key points by meaning, but it is no answer (rubric: 1 of 5).
            overall = min(overall, int(rubric.avoid_only_cap))
        why = aggregate.rationale(ledger, flags, criteria)
        if misquoted:
            why += f' A resume fact is misquoted: "{misquoted[0][:200]}".'
        return _finish(
            delivery,
            flags,
            ledger,
            resume,
            avoid,
            criteria,
            overall,
            why,
            p.truncated,
            qtype,
            req.interview_tip,
        )


def score_offline(req: ScoreRequest, encoder: Encoder, rubric: Rubric | None = None) -> Score:
    """Grade an answer with the offline embedding model and lexical evidence only."""
    return OfflineGrader(encoder, rubric).grade(req)


def _is_list(key_point: str) -> bool:
    """The key point is itself a list or a short phrase ("push and pop", "four ways: a, b, c")."""
    _, colon, listed = key_point.partition(":")
    tokens = [w.lower() for w in words(key_point)]
    # "X orchestrates containers": a word in -s before a content word reads as a verb.
    verb_like = any(
        a.endswith("s") and not a.endswith("ss") and b not in STOPWORDS
        for a, b in zip(tokens, tokens[1:], strict=False)
    )
    return (
        (len(tokens) <= 6 and not verb_like and not _FINITE.intersection(tokens))
        or looks_like_keyword_list(key_point)
        or bool(colon and len(_LIST_ITEMS.split(listed)) >= 3)
    )


def _guard(answer: str) -> tuple[str, str] | None:
    """(flag, rationale) for an empty answer or one that instructs the grader, else None."""
    if is_non_answer(answer):
        return "empty", "No answer was given, so nothing could be credited."
    injections = injection_spans(answer)
    if not injections:
        return None
    quotes = [
        s.text
        for s in sentence_spans(answer, limit=MAX_SENTENCES)
        if any(q in s.text for q in injections)
    ] or injections
    quoted = " | ".join(f'"{q[:200]}"' for q in quotes[:3])
    return (
        "prompt_injection",
        f"The answer gives the grader instructions, so it earns no credit: {quoted}",
    )


def _resume_hits(p: PreparedAnswer) -> list[ResumeHit]:
    # Names the question or key points already use (NVIDIA, DGX) do not show a tie-in.
    context = p.question_tokens.union(*(token_set(k) for k in p.req.key_points))
    hits = [(fact, lexical_hits(fact, context, p)) for fact in p.req.resume_links]
    return [ResumeHit(fact=f, evidence=e) for f, e in hits if e]


def _responsive(p: PreparedAnswer, qtype: str) -> bool:
    """A plan or a story in the first person that answers "what would you do?" on its own terms:
    weak without the notes' points ("I'd send a survey"), but neither off topic nor as bad as a
    wrong answer. Not one that refuses or withholds ("I'd keep working and not tell anyone"):
    a plan against the notes is graded below a thin one."""
    if p.rubric.responsive_floor <= 0:
        return False
    if qtype not in ("scenario", "behavioral") and not _ACTION_QUESTION.search(p.req.question):
        return False
    said = [p.spans[i].text for i in p.usable]
    return any(_FIRST_PERSON_ACTION.search(t) for t in said) and not any(
        negators([w.lower() for w in words(t)]) for t in said
    )


def _avoid_share(answer: str, avoid: list[AvoidHit]) -> float:
    """The share of the answer's content words inside the avoid hits' quotes."""
    said = content_terms(answer)
    quoted = content_terms(" ".join(q for hit in avoid for q in hit.evidence))
    total = sum(said.values())
    return sum(w for t, w in said.items() if t in quoted) / total if total else 0.0


def _misquoted(p: PreparedAnswer) -> list[str]:
    """Sentences that state a resume fact with another number or the opposite word."""
    quotes: list[str] = []
    for fact in p.req.resume_links:
        terms = content_terms(fact)
        for i in p.usable:
            text = p.spans[i].text
            shares = about({t: 1.0 for t in terms}, text)
            if (shares > 0 and quantity(fact, text) and not stated(fact, p.answer)) or (
                shares >= 0.5 and antonym(fact, terms, text)
            ):
                quotes.append(text)
    return list(dict.fromkeys(quotes))


def _finish(
    delivery: Delivery,
    flags: list[str],
    ledger: list[KeyPointResult],
    resume: list[ResumeHit],
    avoid: list[AvoidHit],
    criteria: list[CriterionResult],
    overall: int,
    rationale: str,
    truncated: bool,
    question_type: str,
    tip: str | None,
) -> Score:
    return Score(
        overall=overall,
        key_points=ledger,
        resume=resume,
        avoid_hits=avoid,
        delivery=delivery,
        flags=[f for f in FLAGS if f in flags],
        engine="offline",
        rationale=rationale,
        next_time=aggregate.next_time_tips(ledger, avoid, delivery, criteria, tip),
        truncated=truncated,
        question_type=question_type,
        criteria=criteria,
    )

"""Offline grader: a key-point ledger of quoted evidence, resume tie-ins, avoid hits and flags.

Offline engine (matching in evidence.py): each key point is matched sentence by sentence,
clause by clause and against adjacent sentence pairs, with MiniLM embeddings plus lexical evidence
(content words, names, numbers), where words the question already contains count for little
("question demoting"). Guards: negated key points, question echoes, bare keyword lists,
instructions to the grader, empty answers. Avoid notes are reduced to what they forbid
(avoid.py) and hit only sentences that stray into it. The overall score is key-point coverage
weighted by strength, lifted by resume tie-ins and lowered by flags and avoid hits; answer length
never adds credit. Answers longer than MAX_ANSWER_CHARS are graded on their first
MAX_ANSWER_CHARS characters (and first MAX_SENTENCES clauses); the Score says `truncated`.
"""

from __future__ import annotations

import re

import numpy as np

from prep_agent.grading.avoid import avoid_words, kinds_shown, lexical_avoid, semantic_avoid
from prep_agent.grading.delivery import Delivery, delivery_stats, infer_target_sentences
from prep_agent.grading.keypoints import (
    COVERED_AT,
    Prepared,
    clip_list,
    evidence_units,
    is_echo,
    judge_key_point,
    lexical_hits,
    prepare,
    ramp,
)
from prep_agent.grading.models import (
    FLAGS,
    MAX_ANSWER_CHARS,
    MAX_SENTENCES,
    AvoidHit,
    Encoder,
    KeyPointResult,
    ResumeHit,
    Score,
    ScoreRequest,
)
from prep_agent.text.match import (
    injection_spans,
    is_non_answer,
    looks_like_keyword_list,
    negation_count,
    sentence_spans,
    token_set,
)

OFF_TOPIC_SIM = 0.25
SHORT_ANSWER_WORDS = 8
SHORT_OFF_TOPIC_SIM = 0.1
KEYWORD_LIST_MAX = 30.0
TOO_SHORT_WORDS = 5
RESUME_BONUS = 20.0  # the rubric lifts a good answer that ties in real experience
AVOID_PENALTY = 15.0
CONTRADICTION_PENALTY = 15.0
FLOOR = 20.0  # an on-topic answer that covers nothing still shows some engagement...
FLOOR_SIM = (0.25, 0.45)  # ...scaled by how close its best sentence comes to any key point


_LIST_QUESTION = re.compile(
    r"\b(?:list|enumerate|name (?:the|some|a few|all|two|three|four|five))\b", re.IGNORECASE
)


def score_offline(req: ScoreRequest, encoder: Encoder) -> Score:
    """Grade an answer with the offline embedding model and lexical evidence only."""
    answer = req.answer[:MAX_ANSWER_CHARS]
    target = req.target_sentences or infer_target_sentences(req.question)
    delivery = delivery_stats(answer, target)
    # The guards need no embeddings: an empty answer or one aimed at the grader earns nothing.
    guard = _guard(answer)
    if guard is not None:
        flag, rationale = guard
        empty = [
            KeyPointResult(key_point=k, status="missing", strength=0.0)
            for k in clip_list(req.key_points)
        ]
        truncated = len(req.answer) > MAX_ANSWER_CHARS
        return _finish(delivery, [flag], empty, [], [], 0, rationale, truncated)
    req, p = prepare(req, encoder)
    flags: list[str] = []
    if delivery.words < TOO_SHORT_WORDS:
        flags.append("too_short")
    # A bare list is fine when the question asks for one ("List the DGX models").
    keyword_list = looks_like_keyword_list(p.answer) and not _LIST_QUESTION.search(req.question)
    if keyword_list:
        flags.append("keyword_list")

    # Sentences that only restate the question are not evidence of anything.
    usable: list[int] = []
    for i, tokens in enumerate(p.sent_tokens):
        if not is_echo(tokens, p.question_tokens):
            usable.append(i)
    if len(usable) < len(p.spans):
        flags.append("question_echo")
    units = evidence_units(p, usable)

    ledger: list[KeyPointResult] = []
    best_sems: list[float] = []
    best_lexes: list[float] = []
    for k, kp in enumerate(req.key_points):
        result, sem, lex = judge_key_point(kp, k, p, usable, units, keyword_list)
        ledger.append(result)
        best_sems.append(sem)
        best_lexes.append(lex)
    if any(r.status == "contradicted" for r in ledger):
        flags.append("contradiction")

    relevance = max(best_sems or [0.0])
    off_topic = relevance < OFF_TOPIC_SIM and max(best_lexes or [0.0]) < 0.25
    if delivery.words < SHORT_ANSWER_WORDS and relevance >= SHORT_OFF_TOPIC_SIM:
        # A few words embed poorly ("I'd send a survey."): weak, but not proof of straying.
        off_topic = False
    if req.key_points and usable and off_topic:
        flags.append("off_topic")
    resume = _resume_hits(req, p, usable)
    avoid = _avoid_hits(req, p, usable)
    overall = overall_score(ledger, resume, avoid, flags, delivery, relevance)
    rationale = _rationale(ledger, flags)
    return _finish(delivery, flags, ledger, resume, avoid, overall, rationale, p.truncated)


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


def _resume_hits(req: ScoreRequest, p: Prepared, usable: list[int]) -> list[ResumeHit]:
    # Names the question or key points already use (NVIDIA, DGX) do not show a tie-in.
    context = p.question_tokens.union(*(token_set(k) for k in req.key_points))
    hits = [(fact, lexical_hits(fact, context, p, usable)) for fact in req.resume_links]
    return [ResumeHit(fact=f, evidence=e) for f, e in hits if e]


def _avoid_hits(req: ScoreRequest, p: Prepared, usable: list[int]) -> list[AvoidHit]:
    # Words the question, key points or resume facts use are what the answer should say.
    context = p.question_tokens.union(
        *(token_set(k) for k in req.key_points), *(token_set(r) for r in req.resume_links)
    )
    kp_vecs = np.vstack(p.kp_vecs) if p.kp_vecs else np.zeros((0, p.sent_vecs.shape[1]))
    # Which kinds of detail each sentence shows is the same for every note: find it once.
    needs_kinds = any(rule.kinds for rule in p.avoid_rules)
    shown = {
        i: kinds_shown(p.spans[i].text, context) if needs_kinds else frozenset() for i in usable
    }
    negated = {i: negation_count(p.spans[i].text) % 2 == 1 for i in usable}
    hits: list[AvoidHit] = []
    for rule, clause_vec in zip(p.avoid_rules, p.avoid_vecs, strict=True):
        own_words = avoid_words(rule, context)
        evidence = []
        for i in usable:
            vectors = [p.sent_vecs[i], *p.clause_vecs[i]]
            # Embeddings miss negation: "does not do X" sits next to "does X".
            same_polarity = negated[i] == rule.negated
            if lexical_avoid(own_words, p.sent_tokens[i], shown[i], negated[i]) or (
                same_polarity and any(semantic_avoid(v, clause_vec, kp_vecs) for v in vectors)
            ):
                evidence.append(p.spans[i].text)
        if evidence:
            hits.append(AvoidHit(avoid=rule.note, evidence=evidence))
    return hits


def overall_score(
    ledger: list[KeyPointResult],
    resume: list[ResumeHit],
    avoid: list[AvoidHit],
    flags: list[str],
    delivery: Delivery,
    relevance: float = 1.0,
) -> int:
    """Coverage weighted by strength, plus a tie-in bonus, minus avoid hits and flags (0-100)."""
    coverage = sum(r.strength for r in ledger) / len(ledger) if ledger else 0.0
    floor = FLOOR * ramp(relevance, *FLOOR_SIM)
    score = floor + (100 - floor) * coverage
    if resume:
        score += RESUME_BONUS * min(1.0, coverage / COVERED_AT)
    score -= AVOID_PENALTY * len(avoid)
    score -= CONTRADICTION_PENALTY * sum(r.status == "contradicted" for r in ledger)
    if "empty" in flags or "prompt_injection" in flags:
        return 0
    if "off_topic" in flags:
        score = min(score, 10.0)
    if "keyword_list" in flags:
        score = min(score, KEYWORD_LIST_MAX)
    if delivery.length_ok is False:
        score -= 5.0
    return int(round(min(100.0, max(0.0, score))))


def _rationale(ledger: list[KeyPointResult], flags: list[str]) -> str:
    counts = {
        s: sum(r.status == s for r in ledger)
        for s in ("covered", "partial", "missing", "contradicted")
    }
    parts = [f"{n} {s}" for s, n in counts.items() if n]
    text = f"Key points: {', '.join(parts) or 'none given'}."
    if flags:
        text += f" Flags: {', '.join(flags)}."
    return text


def next_time_tips(
    ledger: list[KeyPointResult], avoid: list[AvoidHit], delivery: Delivery
) -> list[str]:
    """Next-time advice: add missing points, strengthen partial ones, correct, skip, trim."""
    tips = [f"Add: {r.key_point}" for r in ledger if r.status == "missing"]
    tips += [f"Strengthen: {r.key_point}" for r in ledger if r.status == "partial"]
    tips += [f"Correct: {r.key_point}" for r in ledger if r.status == "contradicted"]
    tips += [f"Skip: {h.avoid}" for h in avoid]
    if delivery.length_ok is False and delivery.target_sentences:
        tips.append(f"Keep it to {delivery.target_sentences} sentence(s).")
    return tips


def _finish(
    delivery: Delivery,
    flags: list[str],
    ledger: list[KeyPointResult],
    resume: list[ResumeHit],
    avoid: list[AvoidHit],
    overall: int,
    rationale: str,
    truncated: bool,
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
        next_time=next_time_tips(ledger, avoid, delivery),
        truncated=truncated,
    )

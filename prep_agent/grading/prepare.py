"""PreparedAnswer: the request cleaned, clipped, truncated, split and embedded, exactly once.

Every check reads this one object: the answer's sentences (spans) and their clauses, one vector
per sentence (a run-on sentence of 32+ words is embedded clause by clause and its vector is their
mean), the key points split into atomic claims (claims.py) with their vectors, the avoid rules,
the question vector, the sentences that are not question echoes (`usable`) and the evidence units
(each usable sentence and each adjacent pair). Key points, avoid clauses and the question repeat
across answers, so they go through the encoder's bounded cache when it has one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prep_agent.errors import ScoringError
from prep_agent.grading.avoid import AvoidRule, parse_avoid
from prep_agent.grading.calibration import background_vectors, ceilings
from prep_agent.grading.claims import split_claims
from prep_agent.grading.frames import disowned_kind, word_salad
from prep_agent.grading.models import (
    MAX_ANSWER_CHARS,
    MAX_ITEM_CHARS,
    MAX_LIST_ITEMS,
    MAX_SENTENCES,
    Encoder,
    ScoreRequest,
)
from prep_agent.grading.options import picks_an_option
from prep_agent.grading.rubric import Rubric
from prep_agent.text.match import (
    Span,
    clauses,
    clean,
    content_terms,
    matched_terms,
    negation_count,
    sentence_spans,
    token_set,
    words,
)


def clip_list(items: list[str]) -> list[str]:
    """Cleaned, non-blank items, at most MAX_LIST_ITEMS of at most MAX_ITEM_CHARS each."""
    return [clean(i)[:MAX_ITEM_CHARS] for i in items[:MAX_LIST_ITEMS] if i and i.strip()]


def clip_request(req: ScoreRequest) -> ScoreRequest:
    """The request with its question cleaned and every list clipped (the answer is kept whole)."""
    return req.model_copy(
        update={
            "question": clean(req.question)[: MAX_ITEM_CHARS * 4],
            "key_points": clip_list(req.key_points),
            "resume_links": clip_list(req.resume_links),
            "avoid": clip_list(req.avoid),
        }
    )


def ramp(x: float, low: float, high: float) -> float:
    """0 at or below `low`, 1 at or above `high`, linear between."""
    return float(min(1.0, max(0.0, (x - low) / (high - low))))


def unit_mean(vectors: np.ndarray) -> np.ndarray:
    """The normalised mean of some unit vectors."""
    mean = vectors.mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-9)


def residuals(vectors: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The part of each vector the question does not explain, as unit vectors."""
    r = vectors - np.outer(vectors @ q, q)
    return r / np.clip(np.linalg.norm(r, axis=1, keepdims=True), 1e-9, None)


# Stopwords that answer a question on their own when added to its words: how many, how often,
# whether ("The base case ... is one", "All of the dimensions must be specified", "... when no
# other constructor is present").
ANSWER_WORDS = frozenset(
    {"all", "none", "no", "not", "never", "always", "once", "twice", "only", "one", "two"}
    | {"three", "zero", "every", "each", "both", "first", "last", "more", "less", "most"}
    | {"least", "fewer", "few"}
)


def answer_words(text: str) -> set[str]:
    """The quantity and polarity words of a text (see ANSWER_WORDS)."""
    return {w.lower() for w in words(text)} & ANSWER_WORDS


def is_echo(
    tokens: set[str],
    question_tokens: set[str],
    echo_share: float,
    question: str = "",
    note_tokens: set[str] | None = None,
) -> bool:
    """A sentence made of the question's words: nothing new, or one word on most of it.

    A sentence that adds half the key points' own words to the question's ("... is the push
    operation") or takes one of the question's alternatives answers it in its own terms.
    """
    if not tokens or not question_tokens or picks_an_option(tokens, question):
        return False
    shared = matched_terms(dict.fromkeys(tokens, 1.0), question_tokens)
    said: list[str] = []
    if note_tokens:
        added = tokens.difference(shared)
        said = matched_terms(dict.fromkeys(note_tokens, 1.0), added)
        if 2 * len(said) >= len(note_tokens):
            return False  # it adds half of what the key points say beyond the question
    novel = len(tokens) - len(shared)
    if novel == 0:
        return len(shared) >= 2
    # The question turned into a statement around the one word the key points want ("The
    # compiler differentiates overloaded functions by their signature") answers it.
    return novel == 1 and not said and len(shared) >= max(4, echo_share * len(question_tokens))


@dataclass
class Unit:
    """A sentence, or two adjacent sentences, that can serve as evidence."""

    idx: tuple[int, ...]
    vec: np.ndarray
    negations: int
    parts: np.ndarray  # the vectors compared: the unit's own, then its clauses' (long sentences)
    residual_parts: np.ndarray  # the same with the question's direction removed
    cal_parts: np.ndarray | None = None  # the unit's vectors in the claim encoder's space


@dataclass
class PreparedAnswer:
    """The clipped request and the answer split and embedded once, for every check to read."""

    req: ScoreRequest
    rubric: Rubric
    answer: str
    truncated: bool
    spans: list[Span]
    sent_vecs: np.ndarray
    clause_vecs: list[np.ndarray]
    kp_pieces: list[list[str]]  # each key point's atomic claims
    kp_vecs: list[np.ndarray]
    kp_ceilings: list[np.ndarray]  # each claim's background ceiling (calibration.py)
    cal_kp_vecs: list[np.ndarray]  # the claims in the calibrated space (claim encoder or same)
    sent_tokens: list[set[str]]
    sent_words: list[int]  # content words per sentence the question lacks (what it can state)
    negations: list[int]  # each sentence's negation parity
    question_tokens: set[str]
    avoid_rules: list[AvoidRule]
    avoid_vecs: np.ndarray
    question_vec: np.ndarray
    note_tokens: set[str]  # words of the question, key points and resume facts
    usable: list[int]  # sentences that are neither question echoes nor disowned
    echoes: int  # how many sentences only restate the question
    disowned: dict[int, str]  # sentence -> why it is not the candidate's claim (contradiction.py)
    units: list[Unit]
    meaning_encoder: Encoder | None = None  # embeds texts on demand (the calibrated space)

    @classmethod
    def build(
        cls,
        req: ScoreRequest,
        encoder: Encoder,
        rubric: Rubric,
        claim_encoder: Encoder | None = None,
    ) -> PreparedAnswer:
        """Clip, clean and split the request, embed everything in one pass, find the units."""
        truncated = len(req.answer) > MAX_ANSWER_CHARS
        answer = req.answer[:MAX_ANSWER_CHARS]
        spans = sentence_spans(answer, limit=MAX_SENTENCES)
        if len(spans) >= MAX_SENTENCES and spans[-1].end < len(answer.rstrip()):
            truncated = True
        req = clip_request(req)
        texts = [clean(s.text) for s in spans]
        parts = [clauses(t, split_from=rubric.clause_words) for t in texts]
        kp_pieces = [split_claims(k) for k in req.key_points]
        rules = [parse_avoid(a) for a in req.avoid]
        answer_texts = [c for ps in parts for c in ps]
        references = [piece for ps in kp_pieces for piece in ps] + [r.clause for r in rules]
        references.append(req.question or " ")
        vecs, ref_vecs = _embed(encoder, answer_texts, references)
        clause_vecs: list[np.ndarray] = []
        start = 0
        for ps in parts:
            clause_vecs.append(vecs[start : start + len(ps)])
            start += len(ps)
        sent_vecs = np.array([unit_mean(c) for c in clause_vecs], dtype=np.float32)
        kp_vecs: list[np.ndarray] = []
        start = 0
        for ps in kp_pieces:
            kp_vecs.append(ref_vecs[start : start + len(ps)])
            start += len(ps)
        background = background_vectors(encoder) if rubric.cal_alone > 0 else np.zeros((0, 1))
        kp_ceilings = [ceilings(v, background, rubric.cal_ceiling_rank) for v in kp_vecs]
        cal_kp_vecs = kp_vecs
        cal_clause_vecs: list[np.ndarray] | None = None
        if claim_encoder is not None and rubric.cal_alone > 0:
            claims = [piece for ps in kp_pieces for piece in ps]
            c_answer, c_claims = _embed(claim_encoder, answer_texts, claims)
            cal_clause_vecs, cal_kp_vecs = _split(c_answer, parts), _split(c_claims, kp_pieces)
            c_background = background_vectors(claim_encoder)
            kp_ceilings = [
                ceilings(v, c_background, rubric.cal_ceiling_rank) for v in cal_kp_vecs
            ]
        sent_tokens = [token_set(t) for t in texts]
        question_tokens = token_set(req.question)
        key_tokens = token_set(" ".join(req.key_points)) - question_tokens
        asked = answer_words(req.question)
        echoes = [
            i
            for i, tokens in enumerate(sent_tokens)
            if is_echo(tokens, question_tokens, rubric.echo_share, req.question, key_tokens)
            and not answer_words(texts[i]) - asked
        ]
        # A sentence the candidate denies, attributes and rejects, or asks without answering is
        # not their claim; a shuffle of the key points' words is no claim at all.
        raw = [s.text for s in spans]
        key_text = " ".join(req.key_points)
        disowned: dict[int, str] = {}
        for i in range(len(raw)):
            kind = disowned_kind(raw, i)
            if kind is None and word_salad(raw[i], key_text):
                kind = "salad"
            if kind is not None:
                disowned[i] = kind
        usable = [i for i in range(len(spans)) if i not in echoes and i not in disowned]
        prepared = cls(
            req=req,
            rubric=rubric,
            answer=answer,
            truncated=truncated,
            spans=spans,
            sent_vecs=sent_vecs.reshape(len(texts), ref_vecs.shape[1]),
            clause_vecs=clause_vecs,
            kp_pieces=kp_pieces,
            kp_vecs=kp_vecs,
            kp_ceilings=kp_ceilings,
            cal_kp_vecs=cal_kp_vecs,
            sent_tokens=sent_tokens,
            sent_words=[_novel_words(t, question_tokens) for t in texts],
            negations=[negation_count(t) % 2 for t in texts],
            question_tokens=question_tokens,
            avoid_rules=rules,
            avoid_vecs=ref_vecs[start : start + len(rules)],
            question_vec=ref_vecs[-1],
            note_tokens=token_set(" ".join([req.question, *req.key_points, *req.resume_links])),
            usable=usable,
            echoes=len(echoes),
            disowned=disowned,
            units=[],
            meaning_encoder=claim_encoder if cal_clause_vecs is not None else encoder,
        )
        prepared.units = _evidence_units(prepared, cal_clause_vecs)
        return prepared

    def closeness(self, span: str, claim: str) -> float:
        """Cosine of two texts made on demand (the claim's side through the cache)."""
        encoder = self.meaning_encoder
        if encoder is None:
            return 1.0  # nothing to measure with: no check can fail on it
        span_vecs, claim_vecs = _embed(encoder, [span], [claim])
        a, b = span_vecs[0], claim_vecs[0]
        return float(a @ b / max(1e-9, float(np.linalg.norm(a) * np.linalg.norm(b))))


def _novel_words(text: str, question_tokens: set[str]) -> int:
    """How many content words of a text the question does not already contain."""
    terms = content_terms(text)
    return len(terms) - len(matched_terms(terms, question_tokens))


def _split(vecs: np.ndarray, groups: list[list[str]]) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    start = 0
    for group in groups:
        out.append(vecs[start : start + len(group)])
        start += len(group)
    return out


def _embed(
    encoder: Encoder, answer_texts: list[str], references: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    both = getattr(encoder, "encode_with_cached", None)
    if callable(both):
        # One sentence per run: no padding, and on two cores that beats batching (~10%).
        vecs, refs = both(answer_texts, references, batch_size=1)
        return _checked(vecs, len(answer_texts)), _checked(refs, len(references))
    cached = getattr(encoder, "encode_cached", None)
    if callable(cached):
        vecs = _checked(encoder.encode(answer_texts, batch_size=1), len(answer_texts))
        return vecs, _checked(cached(references), len(references))
    both = _checked(
        encoder.encode(answer_texts + references, batch_size=4),
        len(answer_texts) + len(references),
    )
    return both[: len(answer_texts)], both[len(answer_texts) :]


def _checked(vecs: object, n: int) -> np.ndarray:
    arr = np.asarray(vecs, dtype=np.float32)
    if arr.ndim != 2 or len(arr) != n:
        raise ScoringError(
            f"The encoder returned {arr.shape} for {n} texts: use "
            "prep_agent.knowledge.embeddings.load_encoder()"
        )
    return arr


def _evidence_units(
    p: PreparedAnswer, cal_clauses: list[np.ndarray] | None = None
) -> list[Unit]:
    """Each usable sentence (with its clause vectors) and each adjacent pair of them."""
    # Polarity is per sentence: two negated sentences together are not an affirmation.
    negs = {i: negation_count(p.spans[i].text) % 2 for i in p.usable}
    units: list[Unit] = []

    def stack(vec: np.ndarray, parts: np.ndarray) -> np.ndarray:
        return np.vstack([vec[None, :], parts]) if len(parts) > 1 else vec[None, :]

    def add(idx: tuple[int, ...], vec: np.ndarray, negations: int, parts: np.ndarray) -> None:
        stacked = stack(vec, parts)
        cal: np.ndarray | None = None
        if cal_clauses is not None:
            # The same unit in the claim encoder's space: its sentences' mean (and clauses).
            sents = [unit_mean(cal_clauses[i]) for i in idx]
            cal_vec = unit_mean(np.stack(sents))
            cal = stack(cal_vec, cal_clauses[idx[0]]) if len(idx) == 1 else cal_vec[None, :]
        units.append(Unit(idx, vec, negations, stacked, residuals(stacked, p.question_vec), cal))

    for i in p.usable:
        add((i,), p.sent_vecs[i], negs[i], p.clause_vecs[i])
    for a, b in zip(p.usable, p.usable[1:], strict=False):
        if b == a + 1:
            pair = unit_mean(np.stack([p.sent_vecs[a], p.sent_vecs[b]]))
            add((a, b), pair, max(negs[a], negs[b]), pair[None, :])
    return units

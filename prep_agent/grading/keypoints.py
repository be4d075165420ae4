"""Evidence for key points: sentences and clauses embedded once, matched semantically and lexically.

Each key point (each sentence of a multi-sentence key point) is compared with every sentence, the
clauses of long sentences, and adjacent sentence pairs: MiniLM cosine plus weighted recall of the
key point's content words, names and numbers, where words the question already contains count for
little ("question demoting"). The semantic part is demoted the same way: the cosine is taken after
removing the question's direction from both vectors, so restating the topic earns little.
Negated sentences are matched separately to find contradictions of affirmative key points, and an
answer that names a different entity where the key point names its own (GeForce for DGX H100)
keeps only a quarter of the small credit its shared words would give.

The answer's sentences are embedded once each (pairs are normalised sums); the key points, avoid
clauses and question go through the encoder's bounded cache (`encode_cached`), as they repeat
across answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prep_agent.errors import ScoringError
from prep_agent.grading.avoid import AvoidRule, parse_avoid
from prep_agent.grading.models import (
    MAX_ANSWER_CHARS,
    MAX_ITEM_CHARS,
    MAX_LIST_ITEMS,
    MAX_SENTENCES,
    Encoder,
    KeyPointResult,
    ScoreRequest,
    Status,
)
from prep_agent.text.match import (
    Span,
    clauses,
    clean,
    content_terms,
    is_name,
    matched_terms,
    negation_count,
    norm_token,
    sentence_spans,
    token_match,
    token_set,
    words,
)

# Thresholds on the question-residual cosine (see _unit_sim), which runs lower than the raw one.
SEM_LOW, SEM_HIGH = 0.25, 0.75
RESIDUAL_MIX = 1.0
SEM_WEIGHT = 0.5
LEX_ALONE = 0.8  # all of a key point's words in one sentence is strong evidence by itself
QUESTION_WORD_WEIGHT = 0.3  # key-point words already in the question prove little
COVERED_AT, PARTIAL_AT = 0.6, 0.3
ECHO_SHARE = 0.6  # a sentence with this share of the question's words and nothing new
CONTRADICTION_SIM = 0.45
KEYWORD_LIST_CAP = 0.35  # a bare list shows recall of terms, not understanding
SUBSTITUTION_FACTOR = 0.25  # weak credit left when the answer names a different entity


@dataclass
class Prepared:
    """The request cleaned, clipped and split, with every vector computed in one encoder call."""

    answer: str
    truncated: bool
    spans: list[Span]
    sent_vecs: np.ndarray
    clause_vecs: list[np.ndarray]
    kp_pieces: list[list[str]]
    kp_vecs: list[np.ndarray]
    sent_tokens: list[set[str]]
    question_tokens: set[str]
    avoid_rules: list[AvoidRule]
    avoid_vecs: np.ndarray
    question_vec: np.ndarray
    note_tokens: set[str]  # words of the question, key points and resume facts


def clip_list(items: list[str]) -> list[str]:
    """Cleaned, non-blank items, at most MAX_LIST_ITEMS of at most MAX_ITEM_CHARS each."""
    return [clean(i)[:MAX_ITEM_CHARS] for i in items[:MAX_LIST_ITEMS] if i and i.strip()]


def prepare(req: ScoreRequest, encoder: Encoder) -> tuple[ScoreRequest, Prepared]:
    """Clip and clean the request, split the answer, and embed everything in one call."""
    truncated = len(req.answer) > MAX_ANSWER_CHARS
    answer = req.answer[:MAX_ANSWER_CHARS]
    spans = sentence_spans(answer, limit=MAX_SENTENCES)
    if len(spans) >= MAX_SENTENCES and spans[-1].end < len(answer.rstrip()):
        truncated = True
    req = req.model_copy(
        update={
            "question": clean(req.question)[: MAX_ITEM_CHARS * 4],
            "key_points": clip_list(req.key_points),
            "resume_links": clip_list(req.resume_links),
            "avoid": clip_list(req.avoid),
        }
    )
    texts = [clean(s.text) for s in spans]
    parts = [clauses(t) for t in texts]
    # Run-on sentences (32+ words) are embedded clause by clause (the sentence vector is their
    # mean) so one clause can match a short key point. Tokens are the cost, so each sentence is
    # embedded once; adjacent pairs are the normalised sum of their sentence vectors.
    # A multi-sentence key point (a model answer) is graded sentence by sentence.
    kp_pieces = [
        [s.text for s in sentence_spans(k, limit=8, clauses=False)] or [k] for k in req.key_points
    ]
    rules = [parse_avoid(a) for a in req.avoid]
    answer_texts = [c for ps in parts for c in ps]
    # Key points, avoid clauses and the question repeat across answers: the encoder's bounded
    # cache (when it has one) embeds them once per process.
    references = [piece for ps in kp_pieces for piece in ps] + [r.clause for r in rules]
    references.append(req.question or " ")
    cached = getattr(encoder, "encode_cached", None)
    if callable(cached):
        # One sentence per run: no padding, and on two cores that beats batching (~10%).
        vecs = _checked(encoder.encode(answer_texts, batch_size=1), len(answer_texts))
        ref_vecs = _checked(cached(references), len(references))
    else:
        both = _checked(encoder.encode(answer_texts + references, batch_size=4),
                        len(answer_texts) + len(references))
        vecs, ref_vecs = both[: len(answer_texts)], both[len(answer_texts) :]
    clause_vecs: list[np.ndarray] = []
    start = 0
    for ps in parts:
        clause_vecs.append(vecs[start : start + len(ps)])
        start += len(ps)
    sent_vecs = np.array([_unit_mean(c) for c in clause_vecs], dtype=np.float32)
    kp_vecs: list[np.ndarray] = []
    start = 0
    for ps in kp_pieces:
        kp_vecs.append(ref_vecs[start : start + len(ps)])
        start += len(ps)
    prepared = Prepared(
        answer=answer,
        truncated=truncated,
        spans=spans,
        sent_vecs=sent_vecs.reshape(len(texts), ref_vecs.shape[1]),
        clause_vecs=clause_vecs,
        kp_pieces=kp_pieces,
        kp_vecs=kp_vecs,
        sent_tokens=[token_set(t) for t in texts],
        question_tokens=token_set(req.question),
        avoid_rules=rules,
        avoid_vecs=ref_vecs[start : start + len(rules)],
        question_vec=ref_vecs[-1],
        note_tokens=token_set(" ".join([req.question, *req.key_points, *req.resume_links])),
    )
    return req, prepared


def _checked(vecs: object, n: int) -> np.ndarray:
    arr = np.asarray(vecs, dtype=np.float32)
    if arr.ndim != 2 or len(arr) != n:
        raise ScoringError(
            f"The encoder returned {arr.shape} for {n} texts: use "
            "prep_agent.knowledge.embeddings.load_encoder()"
        )
    return arr


def _unit_mean(vectors: np.ndarray) -> np.ndarray:
    mean = vectors.mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-9)


def ramp(x: float, low: float, high: float) -> float:
    """0 at or below `low`, 1 at or above `high`, linear between."""
    return float(min(1.0, max(0.0, (x - low) / (high - low))))


def _demoted_terms(text: str, question_tokens: set[str]) -> dict[str, float]:
    terms = content_terms(text)
    if not question_tokens:
        return terms
    in_question = set(matched_terms(terms, question_tokens))
    return {t: w * (QUESTION_WORD_WEIGHT if t in in_question else 1.0) for t, w in terms.items()}


def _weight(terms: dict[str, float], matched: frozenset[str]) -> float:
    total = sum(terms.values())
    return sum(terms[t] for t in matched) / total if total > 0 else 0.0


def _lexical(terms: dict[str, float], tokens: set[str]) -> float:
    return _weight(terms, frozenset(matched_terms(terms, tokens)))


@dataclass
class _Unit:
    """A sentence, or two adjacent sentences, that can serve as evidence."""

    idx: tuple[int, ...]
    vec: np.ndarray
    negations: int
    parts: np.ndarray  # the vectors compared: the unit's own, then its clauses' (long sentences)
    residual_parts: np.ndarray  # the same with the question's direction removed


def evidence_units(p: Prepared, usable: list[int]) -> list[_Unit]:
    """Each usable sentence (with its clause vectors) and each adjacent pair of them."""
    # Polarity is per sentence: two negated sentences together are not an affirmation.
    negs = {i: negation_count(p.spans[i].text) % 2 for i in usable}
    units: list[_Unit] = []

    def add(idx: tuple[int, ...], vec: np.ndarray, negations: int, parts: np.ndarray) -> None:
        stacked = np.vstack([vec[None, :], parts]) if len(parts) > 1 else vec[None, :]
        units.append(_Unit(idx, vec, negations, stacked, _residuals(stacked, p.question_vec)))

    for i in usable:
        add((i,), p.sent_vecs[i], negs[i], p.clause_vecs[i])
    for a, b in zip(usable, usable[1:], strict=False):
        if b == a + 1:
            pair = _unit_mean(np.stack([p.sent_vecs[a], p.sent_vecs[b]]))
            add((a, b), pair, max(negs[a], negs[b]), pair[None, :])
    return units


def _residuals(vectors: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The part of each vector the question does not explain, as unit vectors."""
    r = vectors - np.outer(vectors @ q, q)
    return r / np.clip(np.linalg.norm(r, axis=1, keepdims=True), 1e-9, None)


def _unit_sim(unit: _Unit, k: np.ndarray, k_residual: np.ndarray) -> float:
    """Best cosine of the unit (or a clause of it) with a key point, blended with the residual."""
    # Restating the question's topic ("Photosynthesis is a process in plants") is close to any
    # key point about it; the cosine of what neither shares with the question shows whether the
    # answer says what the key point says.
    raw = unit.parts @ k
    if RESIDUAL_MIX == 0:
        return float(raw.max())
    mixed = (1 - RESIDUAL_MIX) * raw + RESIDUAL_MIX * (unit.residual_parts @ k_residual)
    return float(mixed.max())


def _raw_best(k: np.ndarray, units: list[_Unit]) -> float:
    return max((float((u.parts @ k).max()) for u in units), default=0.0)


def _quote(p: Prepared, idx: tuple[int, ...]) -> list[str]:
    return [p.spans[i].text for i in idx]


@dataclass
class _Match:
    strength: float
    sem: float
    lex: float
    unit: _Unit | None


def _strength(sem: float, lex: float) -> float:
    """Blend both channels; complete lexical evidence stands on its own (short key points)."""
    blend = SEM_WEIGHT * ramp(sem, SEM_LOW, SEM_HIGH) + (1 - SEM_WEIGHT) * lex
    return max(blend, LEX_ALONE * lex)


def _best_match(
    kp_vec: np.ndarray,
    terms: dict[str, float],
    per_sentence: dict[int, frozenset[str]],
    units: list[_Unit],
    polarity: int | None,
    kp_residual: np.ndarray,
) -> _Match:
    """The strongest unit for a key point; polarity filters units by negation parity."""
    best = _Match(0.0, 0.0, 0.0, None)
    for unit in units:
        if polarity is not None and unit.negations % 2 != polarity:
            continue
        sem = _unit_sim(unit, kp_vec, kp_residual)
        lex = _weight(terms, frozenset().union(*(per_sentence[i] for i in unit.idx)))
        strength = _strength(sem, lex)
        # A pair must beat its best single sentence clearly to be quoted instead.
        margin = 0.05 if len(unit.idx) > 1 else 0.0
        if strength > best.strength + margin or best.unit is None:
            best = _Match(strength, sem, lex, unit)
    return best


def _term_hits(
    terms: dict[str, float], p: Prepared, usable: list[int]
) -> dict[int, frozenset[str]]:
    """For each usable sentence, the key-point terms it contains."""
    vocab = set().union(*(p.sent_tokens[i] for i in usable)) if usable else set()
    hits_by_token = {tok: frozenset(t for t in terms if token_match(t, tok)) for tok in vocab}
    return {i: frozenset().union(*(hits_by_token[t] for t in p.sent_tokens[i])) for i in usable}


def judge_key_point(
    kp: str, k: int, p: Prepared, usable: list[int], units: list[_Unit], keyword_list: bool
) -> tuple[KeyPointResult, float, float]:
    """Ledger entry for one key point (mean over its sentences), plus its best sem and lex."""
    strengths: list[float] = []
    evidence: list[str] = []
    against: list[str] = []
    best_sem = best_lex = 0.0
    for piece, vec in zip(p.kp_pieces[k], p.kp_vecs[k], strict=True):
        terms = _demoted_terms(piece, p.question_tokens)
        negated = negation_count(piece) % 2 == 1
        per_sentence = _term_hits(terms, p, usable)
        # A negated key point ("threads do not run in parallel") is often affirmed in positive
        # words ("only one thread runs at a time"), so polarity cannot decide: any unit may agree
        # and none is taken as a contradiction.
        k_res = _residuals(vec[None, :], p.question_vec)[0]
        agree = _best_match(vec, terms, per_sentence, units, None if negated else 0, k_res)
        oppose = _best_match(vec, terms, per_sentence, units, None if negated else 1, k_res)
        best_sem = max(best_sem, _raw_best(vec, units))
        best_lex = max(best_lex, agree.lex, oppose.lex)
        strength = min(agree.strength, KEYWORD_LIST_CAP) if keyword_list else agree.strength
        # Negated text about the key point, with nothing affirming it, contradicts it.
        if (
            not negated
            and oppose.unit is not None
            # Topical closeness (raw cosine) is what makes a negated sentence about the point.
            and _raw_best(vec, [oppose.unit]) >= CONTRADICTION_SIM
            and oppose.lex > 0
            and oppose.strength >= agree.strength
            and agree.strength < PARTIAL_AT
        ):
            against += _quote(p, oppose.unit.idx)
            strength = 0.0
        elif agree.unit is not None and strength >= PARTIAL_AT:
            evidence += _quote(p, agree.unit.idx)
        elif agree.unit and agree.lex > 0 and _substituted(piece, agree.unit, p, usable):
            # "The data center ones are called GeForce": the key point's words around a different
            # name in its slot is a wrong fact, not a vague start.
            strength *= SUBSTITUTION_FACTOR
        strengths.append(strength)
    strength = sum(strengths) / len(strengths)
    if against and strength < PARTIAL_AT:
        result = KeyPointResult(
            key_point=kp, status="contradicted", strength=0.0, evidence=list(dict.fromkeys(against))
        )
        return result, best_sem, best_lex
    status: Status = (
        "covered" if strength >= COVERED_AT else "partial" if strength >= PARTIAL_AT else "missing"
    )
    quotes = list(dict.fromkeys(evidence)) if status != "missing" else []
    result = KeyPointResult(
        key_point=kp, status=status, strength=round(strength, 3), evidence=quotes
    )
    return result, best_sem, best_lex


def names_in(text: str) -> set[str]:
    """Normalised names and numbers of a text (H100, GeForce, S3, $300M)."""
    found: set[str] = set()
    for span in sentence_spans(text, clauses=False) or [Span(0, len(text), text)]:
        for i, word in enumerate(words(span.text)):
            if is_name(word, sentence_initial=i == 0):
                found.add(norm_token(word))
    return found


def _substituted(piece: str, unit: _Unit, p: Prepared, usable: list[int]) -> bool:
    """The key point's own names are nowhere in the answer, and its best match names others."""
    slot = {n: 1.0 for n in names_in(piece) if not matched_terms({n: 1.0}, p.question_tokens)}
    answer_tokens = set().union(*(p.sent_tokens[i] for i in usable)) if usable else set()
    if not slot or matched_terms(slot, answer_tokens):
        return False
    quoted = set().union(*(names_in(p.spans[i].text) for i in unit.idx))
    foreign = {n: 1.0 for n in quoted if not matched_terms({n: 1.0}, p.note_tokens)}
    return bool(foreign)


def is_echo(tokens: set[str], question_tokens: set[str]) -> bool:
    """A sentence made of the question's words: nothing new, or one word on most of it."""
    if not tokens or not question_tokens:
        return False
    shared = matched_terms(dict.fromkeys(tokens, 1.0), question_tokens)
    novel = len(tokens) - len(shared)
    if novel == 0:
        return len(shared) >= 2
    return novel == 1 and len(shared) >= max(4, ECHO_SHARE * len(question_tokens))


def lexical_hits(fact: str, context: set[str], p: Prepared, usable: list[int]) -> list[str]:
    """Sentences naming one of the fact's own names/numbers, or most of its words."""
    terms = content_terms(fact)
    distinctive = {t: 1.0 for t, w in terms.items() if w > 1 and t not in context}
    evidence: list[str] = []
    for i in usable:
        matched = matched_terms(terms, p.sent_tokens[i])
        recall = _weight(terms, frozenset(matched))
        if matched_terms(distinctive, p.sent_tokens[i]) or (len(matched) >= 2 and recall >= 0.5):
            evidence.append(p.spans[i].text)
    return evidence

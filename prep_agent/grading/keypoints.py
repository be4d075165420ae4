"""Key-point matcher: each atomic claim of a key point judged on its own, with quoted evidence.

Each claim (claims.py) is compared with every usable sentence, the clauses of long sentences and
adjacent sentence pairs (so a compound point made across two sentences counts): MiniLM cosine
plus weighted recall of the claim's content words, names and numbers, where words the question
already contains count for little ("question demoting"). The semantic part is demoted the same
way: the cosine is taken after removing the question's direction from both vectors, so restating
the topic earns little. A third, meaning-only channel (calibration.py) credits a span much
closer to the claim than generic text and the other key points are, whatever its words
(paraphrases), if it keeps the claim's polarity, says about as much and names no other things.
A span that shares the claim's subject (its names, or a capitalised first word) must also say
what the claim says of it: otherwise the credit resting on the shared subject is withdrawn
("Slurm is mostly a chat app" against "Slurm is a job scheduler").
A sentence the candidate disowns ("It is false that ...", "Some claim
..., but that's a myth", "Would you say ...? I don't know") or whose clause about the claim is
negated cannot support it; the rules in contradiction.py, antonyms.py, quantities.py and roles.py
decide when such a sentence, an opposite word, a wrong quantity or swapped roles opposes the
claim. A key point's status comes from its claims: contradicted if any claim is, else by the mean
claim strength.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prep_agent.grading import absence, antonyms, roles
from prep_agent.grading import contradiction as con
from prep_agent.grading.calibration import calibrated
from prep_agent.grading.claims import is_labelled
from prep_agent.grading.models import ClaimResult, KeyPointResult, Status
from prep_agent.grading.options import claimed_side, other_side
from prep_agent.grading.prepare import PreparedAnswer, Unit, ramp, residuals
from prep_agent.grading.quantities import quantity, stated
from prep_agent.text.match import (
    STOPWORDS,
    Span,
    content_terms,
    is_name,
    matched_terms,
    negation_count,
    norm_token,
    sentence_spans,
    token_match,
    words,
)


@dataclass
class KeyPointFinding:
    """A key point's ledger entry plus its best raw cosine and lexical recall (for off-topic)."""

    result: KeyPointResult
    sem: float
    lex: float
    wrong_name: bool = False  # a claim's slot holds another name (close for the wrong reason)
    beyond: float = 0.0  # best cosine of what the answer and a claim add to the question


@dataclass
class _Match:
    strength: float
    sem: float
    lex: float
    unit: Unit | None
    by_meaning: bool = False  # the calibrated, meaning-only channel carried the strength


def _demoted_terms(text: str, p: PreparedAnswer) -> dict[str, float]:
    terms = content_terms(text)
    if not p.question_tokens:
        return terms
    in_question = set(matched_terms(terms, p.question_tokens)) - claimed_side(text, p.req.question)
    weight = p.rubric.question_word_weight
    return {t: w * (weight if t in in_question else 1.0) for t, w in terms.items()}


def _weight(terms: dict[str, float], matched: frozenset[str]) -> float:
    total = sum(terms.values())
    return sum(terms[t] for t in matched) / total if total > 0 else 0.0


def _unit_sim(p: PreparedAnswer, unit: Unit, k: np.ndarray, k_residual: np.ndarray) -> float:
    """Best cosine of the unit (or a clause of it) with a claim, blended with the residual."""
    # Restating the question's topic ("Photosynthesis is a process in plants") is close to any
    # claim about it; the cosine of what neither shares with the question shows whether the
    # answer says what the claim says.
    raw = unit.parts @ k
    mix = p.rubric.residual_mix
    if mix == 0:
        return float(raw.max())
    mixed = (1 - mix) * raw + mix * (unit.residual_parts @ k_residual)
    return float(mixed.max())


def _raw_best(k: np.ndarray, units: list[Unit]) -> float:
    return max((float((u.parts @ k).max()) for u in units), default=0.0)


def _strength(p: PreparedAnswer, sem: float, lex: float, meaning: float = 0.0) -> float:
    """Blend both channels; complete lexical or calibrated evidence stands on its own."""
    r = p.rubric
    semantic = ramp(sem, r.sem_low, r.sem_high)
    blend = r.sem_weight * semantic + (1 - r.sem_weight) * lex
    return max(blend, r.lex_alone * lex, r.sem_alone * semantic, r.cal_alone * meaning)


def _term_hits(terms: dict[str, float], p: PreparedAnswer) -> dict[int, frozenset[str]]:
    """For each usable sentence, the claim terms it contains."""
    vocab = set().union(*(p.sent_tokens[i] for i in p.usable)) if p.usable else set()
    hits_by_token = {tok: frozenset(t for t in terms if token_match(t, tok)) for tok in vocab}
    return {i: frozenset().union(*(hits_by_token[t] for t in p.sent_tokens[i])) for i in p.usable}


def _best_match(
    p: PreparedAnswer,
    vec: np.ndarray,
    terms: dict[str, float],
    per_sentence: dict[int, frozenset[str]],
    blocked: set[int],
    ceiling: float = 1.0,
    claim: str = "",
    cal_vec: np.ndarray | None = None,
    siblings: np.ndarray | None = None,
) -> _Match:
    """The strongest unit for a claim among units without a blocked sentence."""
    k_res = residuals(vec[None, :], p.question_vec)[0]
    polarity = negation_count(claim) % 2
    cal_vec = vec if cal_vec is None else cal_vec
    siblings = np.zeros((0, len(cal_vec))) if siblings is None else siblings
    r = p.rubric
    # Words the question already has state nothing: count what each side adds to it.
    claim_words = max(1, len(terms) - len(matched_terms(terms, p.question_tokens)))
    best = _Match(0.0, 0.0, 0.0, None)
    for unit in p.units:
        if blocked.intersection(unit.idx):
            continue
        sem = _unit_sim(p, unit, vec, k_res)
        lex = _weight(terms, frozenset().union(*(per_sentence[i] for i in unit.idx)))
        parts = unit.cal_parts if unit.cal_parts is not None else unit.parts
        # Each part must be closer to this claim than generic text and than the other key
        # points' claims: a span that states a sibling key point does not cover this one.
        ceiling_by_part = np.full(len(parts), ceiling)
        if len(siblings):
            ceiling_by_part = np.maximum(ceiling_by_part, (parts @ siblings.T).max(axis=1))
        sims = parts @ cal_vec
        cals = [calibrated(float(s), float(c)) for s, c in zip(sims, ceiling_by_part, strict=True)]
        meaning = ramp(max(cals), r.cal_low, r.cal_high)
        said = sum(p.sent_words[i] for i in unit.idx) / claim_words
        meaning *= ramp(said, r.cal_words_low, r.cal_words_high)
        # Calibration is relative to generic sentences: in a domain they never touch (data
        # structures, cell biology) a wrong but on-topic span clears the ceiling too, so what
        # the span adds to the question must also be close to what the claim adds.
        meaning *= ramp(sem, *r.cal_sem)
        if any(p.negations[i] != polarity and per_sentence[i] for i in unit.idx):
            # Embeddings barely see "not": a sentence that negates while naming the claim's
            # words ("Feedback is not that important") gets no meaning-only credit.
            meaning = 0.0
        strength = _strength(p, sem, lex, meaning)
        # A pair must beat its best single sentence clearly to be quoted instead.
        margin = p.rubric.pair_margin if len(unit.idx) > 1 else 0.0
        if strength > best.strength + margin or best.unit is None:
            by_meaning = r.cal_alone * meaning >= strength > _strength(p, sem, lex)
            best = _Match(strength, sem, lex, unit, by_meaning)
    return best


def _without(text: str, drop: set[str]) -> str:
    """The text's words minus those whose normal form is in drop."""
    return " ".join(w for w in words(text) if norm_token(w) not in drop) or " "


def _subject_terms(claim: str) -> set[str]:
    """What a claim is about: its names, and a capitalised first word ("Slurm is ...")."""
    terms = content_terms(claim)
    found = {t for t, w in terms.items() if w >= 2.0}
    first = next((w for w in words(claim) if w.lower() not in STOPWORDS), "")
    if first[:1].isupper() and norm_token(first) in terms:
        found.add(norm_token(first))
    return found


def _says_the_rest(
    p: PreparedAnswer, match: _Match, claim: str, terms: dict[str, float]
) -> float:
    """The match's strength, kept as far as the span says what the claim says of the subject
    both share ("Slurm is mostly a chat app" shares only "Slurm is" with "Slurm is a job
    scheduler"); credit that rests on the shared subject alone is withdrawn."""
    assert match.unit is not None
    r = p.rubric
    unit_tokens = set().union(*(p.sent_tokens[i] for i in match.unit.idx))
    subject = _subject_terms(claim)
    shared = set(matched_terms(dict.fromkeys(subject, 1.0), unit_tokens))
    if not shared:
        return match.strength
    if _weight(terms, frozenset(shared)) >= r.cal_rest_names:
        return match.strength  # the claim is mostly the names the span states
    rest_terms = {t: w for t, w in terms.items() if t not in shared}
    rest_lex = _weight(rest_terms, frozenset(matched_terms(rest_terms, unit_tokens)))
    if rest_lex >= r.cal_rest_lex:
        return match.strength  # the span says the rest in the claim's own words
    span = " ".join(p.spans[i].text for i in match.unit.idx)
    drop = shared | {
        norm_token(w) for w in words(span) if matched_terms({norm_token(w): 1.0}, shared)
    }
    rest_claim = _without(claim, drop)
    if len(content_terms(rest_claim)) < r.cal_rest_terms:
        return match.strength  # a claim that is mostly names has too little left to compare
    said = ramp(p.closeness(_without(span, drop), rest_claim), *r.cal_rest)
    return said * match.strength + (1 - said) * _strength(p, 0.0, rest_lex)


def _oppositions(
    p: PreparedAnswer, claim: str, disowned: dict[int, str]
) -> list[tuple[int, con.Opposition]]:
    """Sentences that oppose the claim, with the rule that found each."""
    terms = content_terms(claim)
    context = ". ".join(p.req.key_points)
    others = [c for pieces in p.kp_pieces for c in pieces if c != claim]
    found: list[tuple[int, con.Opposition]] = []
    for i, span in enumerate(p.spans):
        text = span.text
        if i in disowned:
            if disowned[i] != "salad" and con.about(terms, text) >= con.ALIGN_RECALL:
                found.append((i, con.Opposition("frame", text)))
            continue
        if i not in p.usable:
            continue
        if (
            con.negation(claim, terms, text)
            or roles.rejected(claim, terms, text)
            or absence.affirmed(claim, text)
        ):
            found.append((i, con.Opposition("negation", text)))
        elif antonyms.antonym(claim, terms, text):
            found.append((i, con.Opposition("antonym", text)))
        elif (
            (con.about(terms, text) > 0 or con.frequency_slot(claim, text))
            and quantity(claim, text)
            and not stated(claim, p.answer)
        ):
            found.append((i, con.Opposition("quantity", text)))
        elif roles.swap(claim, terms, text, p.note_tokens, context) or roles.crossed(
            claim, others, text
        ):
            found.append((i, con.Opposition("swap", text)))
        elif other_side(claim, text, p.req.question):
            found.append((i, con.Opposition("option", text)))
    return found


def match_key_point(k: int, p: PreparedAnswer, keyword_list: bool) -> KeyPointFinding:
    """Ledger entry for key point k: each claim matched and checked for opposition."""
    kp = p.req.key_points[k]
    r = p.rubric
    claims: list[ClaimResult] = []
    best_sem = best_lex = 0.0
    wrong_name = False
    beyond = 0.0
    others = [v for j, v in enumerate(p.cal_kp_vecs) if j != k and len(v)]
    siblings = np.vstack(others) if others and r.cal_siblings else None
    labelled = is_labelled(kp)  # a STAR element: its siblings share its words in other roles
    pieces = zip(p.kp_pieces[k], p.kp_vecs[k], p.cal_kp_vecs[k], p.kp_ceilings[k], strict=True)
    for claim, vec, cal_vec, ceiling in pieces:
        terms = _demoted_terms(claim, p)
        per_sentence = _term_hits(terms, p)
        opposed = _oppositions(p, claim, p.disowned)
        blocked = set(p.disowned) | {i for i, o in opposed if o.kind == "negation"}
        # "The pitch gets higher or lower" offers both sides: it states neither.
        blocked |= {i for i in p.usable if antonyms.hedged(claim, p.spans[i].text)}
        agree = _best_match(
            p, vec, terms, per_sentence, blocked, float(ceiling), claim, cal_vec, siblings
        )
        if agree.unit is not None and agree.strength >= r.partial_at:
            agree.strength = _says_the_rest(p, agree, claim, terms)
        best_sem = max(best_sem, _raw_best(vec, p.units))
        beyond = max(beyond, agree.sem)
        best_lex = max(best_lex, agree.lex)
        strength = min(agree.strength, r.keyword_list_cap) if keyword_list else agree.strength
        agreeing = set(agree.unit.idx) if agree.unit is not None else set()
        # An opposing sentence wins unless a different sentence makes the claim fully (a
        # negated aside next to a clear statement); a frame, antonym, wrong number or swap in
        # the very sentence that matches is a wrong statement of the claim.
        # After a denial of the claim's words, only a statement in mostly those words is clear:
        # "does not happen in chloroplasts; it happens in the mitochondria" is close to the claim
        # by meaning, but restates it around another place.
        said = _weight(terms, frozenset().union(*(per_sentence[i] for i in agreeing)))
        against = [
            o.quote
            for i, o in opposed
            if o.kind != "negation"
            or strength < r.covered_at
            or i in agreeing
            or said < r.restated_words
        ]
        if not against and strength >= r.partial_at and agree.unit is not None and not labelled:
            # The span that states the claim best, with one of its words reversed, states it
            # wrongly, however closely it matches.
            against = [
                p.spans[i].text
                for i in agree.unit.idx
                if antonyms.opposite_word(claim, p.spans[i].text)
            ]
        if against:
            claims.append(
                ClaimResult(
                    text=claim,
                    status=Status.contradicted,
                    strength=0.0,
                    evidence=list(dict.fromkeys(against)),
                )
            )
            continue
        if (
            agree.unit is not None
            and agree.lex > 0
            and (strength < r.partial_at or agree.by_meaning)
            and _substituted(claim, agree.unit, p)
        ):
            # "The data center ones are called GeForce": the claim's words around a
            # different name in its slot is a wrong fact, not a vague start (nor a paraphrase).
            strength *= r.substitution_factor
            wrong_name = True
        status = Status(r.status_for(strength))
        quotes = (
            [p.spans[i].text for i in agree.unit.idx] if agree.unit and status != "missing" else []
        )
        claims.append(
            ClaimResult(text=claim, status=status, strength=round(strength, 3), evidence=quotes)
        )
    return KeyPointFinding(_combine(kp, claims, p), best_sem, best_lex, wrong_name, beyond)


def _combine(kp: str, claims: list[ClaimResult], p: PreparedAnswer) -> KeyPointResult:
    """A key point's status from its claims: any contradicted claim contradicts it."""
    contradicted = [c for c in claims if c.status == Status.contradicted]
    if contradicted:
        quotes = [q for c in contradicted for q in c.evidence]
        return KeyPointResult(
            key_point=kp,
            status=Status.contradicted,
            strength=0.0,
            evidence=list(dict.fromkeys(quotes)),
            claims=claims,
        )
    strength = sum(c.strength for c in claims) / len(claims) if claims else 0.0
    status = Status(p.rubric.status_for(strength))
    quotes = [q for c in claims if c.status != Status.missing for q in c.evidence]
    return KeyPointResult(
        key_point=kp,
        status=status,
        strength=round(strength, 3),
        evidence=list(dict.fromkeys(quotes)) if status != Status.missing else [],
        claims=claims if len(claims) > 1 else [],
    )


def names_in(text: str) -> set[str]:
    """Normalised names and numbers of a text (H100, GeForce, S3, $300M)."""
    found: set[str] = set()
    for span in sentence_spans(text, clauses=False) or [Span(0, len(text), text)]:
        for i, word in enumerate(words(span.text)):
            if is_name(word, sentence_initial=i == 0):
                found.add(norm_token(word))
    return found


def _substituted(piece: str, unit: Unit, p: PreparedAnswer) -> bool:
    """The claim's own names are nowhere in the answer, and its best match names others."""
    slot = {n: 1.0 for n in names_in(piece) if not matched_terms({n: 1.0}, p.question_tokens)}
    answer_tokens = set().union(*(p.sent_tokens[i] for i in p.usable)) if p.usable else set()
    if not slot or matched_terms(slot, answer_tokens):
        return False
    quoted = set().union(*(names_in(p.spans[i].text) for i in unit.idx))
    foreign = {n: 1.0 for n in quoted if not matched_terms({n: 1.0}, p.note_tokens)}
    return bool(foreign)


def lexical_hits(fact: str, context: set[str], p: PreparedAnswer) -> list[str]:
    """Sentences naming one of the fact's own names/numbers, or most of its words."""
    terms = content_terms(fact)
    distinctive = {t: 1.0 for t, w in terms.items() if w > 1 and t not in context}
    evidence: list[str] = []
    for i in p.usable:
        matched = matched_terms(terms, p.sent_tokens[i])
        recall = _weight(terms, frozenset(matched))
        if matched_terms(distinctive, p.sent_tokens[i]) or (len(matched) >= 2 and recall >= 0.5):
            evidence.append(p.spans[i].text)
    return evidence

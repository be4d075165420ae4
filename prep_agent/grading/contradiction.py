"""Engineered contradiction rules: an answer that denies, negates, swaps or misstates a claim.

No entailment model ships inside a PyPI wheel (shared/research/offline-models.md), and embeddings
score "X is not Y" next to "X is Y", so these are rules over the answer's words:

- frames (frames.py decides which sentences are disowned): a sentence the candidate does not
  stand behind never supports a claim, and it opposes the claim it states.
- negation scope: a negator ("not", "never", "unrelated") counts only inside the clause that
  states the claim, so "it's not magic, though" elsewhere in a correct answer costs nothing.
- antonyms (antonyms.py): the clause that states the claim uses the opposite word ("replaced"
  for "introduced", "late" for "early", "raised" for "cut").
- quantities: a number of the same kind (same unit word, currency or percent) with a different
  value ("$30M" for "$300M", "150 servers" for "15,000 servers").
- swapped roles (roles.py): the claim's subject moved off its verb, the sides of a comparison
  exchanged, or two of its words trading places.

Each rule needs the clause to be about the claim: at least two of its content words and half of
its weight. A rule returns the quote that opposes the claim.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from prep_agent.grading.quantities import FREQUENCY, FREQUENCY_PHRASE
from prep_agent.text.match import (
    NEGATIONS,
    NOT_A_NEGATION,
    STOPWORDS,
    content_terms,
    matched_terms,
    norm_token,
    words,
)

ALIGN_RECALL = 0.5  # share of a claim's content weight a clause must contain to be about it
ALIGN_TERMS = 2
NEGATION_RECALL = 0.25
NO_SUBJECT = frozenset(
    {
        "i",
        "i'd",
        "i'll",
        "i'm",
        "i've",
        "we",
        "we'd",
        "it",
        "it's",
        "they",
        "you",
        "he",
        "she",
        "like",
        "as",
        "using",
        "combining",
        "including",
        "with",
        "by",
        "for",
        "when",
        "while",
    }
)

EXTRA_NEGATORS = frozenset({"unrelated", "irrelevant", "impossible", "never", "nothing", "no"})
_CLAUSE_BREAK = re.compile(
    r"[,;:()\u2013\u2014]|\s-\s|\b(?:and|but|while|whereas|though|although|which|so|because|"
    r"since|however|yet)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Opposition:
    """Why a clause of the answer opposes a claim, with the quote."""

    kind: str  # frame, negation, antonym, quantity, swap, option, salad
    quote: str


def _is_negator(token: str) -> bool:
    return token in NEGATIONS or token in EXTRA_NEGATORS or token.endswith("n't")


def negators(tokens: list[str]) -> int:
    """How many negating words a clause has (tokens lower-case)."""
    return sum(_is_negator(t) for t in tokens)


def nouns(tokens: list[str]) -> list[str]:
    """The content words of some lower-case tokens that are not pronouns or prepositions."""
    return [t for t in tokens if t not in STOPWORDS and t not in NO_SUBJECT]


@functools.lru_cache(maxsize=4_096)
def clause_parts(sentence: str) -> tuple[str, ...]:
    """A sentence's clauses, split at commas, dashes and conjunctions (cached)."""
    return tuple(c for c in _CLAUSE_BREAK.split(sentence) if c and c.strip())


@functools.lru_cache(maxsize=4_096)
def stems(text: str) -> tuple[str, ...]:
    """The text's words, normalised (cached: every claim is read against every sentence)."""
    return tuple(norm_token(w) for w in words(text))


def about(claim_terms: dict[str, float], text: str) -> float:
    """Share of the claim's content weight the text contains (0 when fewer than two terms)."""
    return _about(tuple(claim_terms.items()), text)


@functools.lru_cache(maxsize=16_384)
def _about(claim_terms: tuple[tuple[str, float], ...], text: str) -> float:
    # Each rule asks this of the same claim and clause again: match the words once per pair.
    terms = dict(claim_terms)
    matched = matched_terms(terms, set(stems(text)))
    if len(matched) < min(ALIGN_TERMS, len(terms)):
        return 0.0
    total = sum(terms.values())
    return sum(terms[t] for t in matched) / total if total else 0.0


def _freq_neighbours(text: str) -> set[str]:
    """Content words next to a frequency ("reviewed every week" -> {"review"})."""
    marked = FREQUENCY_PHRASE.sub(" FREQMARK ", text)
    tokens = [
        "FREQMARK" if w == "FREQMARK" or w.lower() in FREQUENCY else norm_token(w)
        for w in words(marked)
        if w == "FREQMARK" or w.lower() not in STOPWORDS
    ]
    near: set[str] = set()
    for i, tok in enumerate(tokens):
        if tok == "FREQMARK":
            near |= {t for t in tokens[max(0, i - 1) : i] + tokens[i + 1 : i + 2] if t != tok}
    return near


def frequency_slot(claim: str, text: str) -> bool:
    """Both give a frequency to the same word ("reviewed every week" / "review it once a year")."""
    return bool(_freq_neighbours(claim) & _freq_neighbours(text))


def _polarity(text: str) -> int:
    cleaned = NOT_A_NEGATION.sub(" ", text)
    return negators([w.lower() for w in words(cleaned)]) % 2


def negation(claim: str, terms: dict[str, float], sentence: str) -> bool:
    """A clause about the claim has the opposite polarity (the claim itself is affirmative)."""
    # "not floor space" in "Power capacity, not floor space, limits ..." sets an alternative
    # aside, and "so a slow consumer does not block the sender" is a second clause: the part
    # of the claim the sentence is about decides the claim's polarity.
    pieces = clause_parts(_CONDITION.sub(" ", sentence))
    part, part_terms = _claim_part(claim, terms, pieces)
    if _denied(part, part_terms, pieces):
        return True
    # The part a clause shares nouns with may not hold the verb it denies: "The sun heats ocean
    # water so it evaporates into vapor" against "Water doesn't evaporate from the ocean". A
    # claim affirmative in every part can be read whole.
    return part != claim and not _negative(claim) and _denied(claim, terms, pieces)


def _negative(claim: str) -> bool:
    """Negated claims ("avoids copies", "all except the first") are often affirmed in negative
    words ("does not copy"): polarity can't decide."""
    return _polarity(claim) == 1 or bool(_IMPLICIT_NEGATION.search(claim))


def _denied(claim: str, terms: dict[str, float], pieces: tuple[str, ...]) -> bool:
    """A clause among the pieces negates the (affirmative) claim."""
    if _negative(claim):
        return False
    # "When an array is not declared static, ..." sets up another case, it denies nothing.
    best = max(pieces, key=lambda c: about(terms, c), default="")
    # A denial restates little more than the verb ("It does not restart anything"): two of the
    # claim's words and a quarter of its weight in the negated clause tie it to the claim.
    # "Feedback is not that important": a short verdict on one of the claim's words dismisses
    # the claim even though it restates nothing else of it, whatever the other clauses say.
    if any(_dismisses(terms, c) or _denies_a_need(claim, terms, c) for c in pieces):
        return True
    if about(terms, best) < NEGATION_RECALL:
        return False
    # "Constructors cannot return values, so they cannot ...": "they" is the sentence's first
    # noun, not the claim's subject.
    antecedent = nouns([w.lower() for w in words(pieces[0])])[:1] if best != pieces[0] else []
    # "Multi-GPU training uses it to sync gradients": a claim that names its subject by a pronoun
    # is about whatever the answer's pronoun stands for.
    open_subject = bool(_THIRD_PERSON.intersection(w.lower() for w in words(claim)))
    return _polarity(best) == 1 and _negates_a_term(terms, best, antecedent, open_subject)


_SET_ASIDE_ALTERNATIVE = re.compile(
    r",\s*not\s+[^,;.]+,|\b(?:rather than|instead of)\s+[^,;.]+", re.IGNORECASE
)
_CLAIM_CLAUSE = re.compile(r"[;,]\s*|\s+(?:so that|so|because|while|whereas)\s+", re.IGNORECASE)


def _claim_part(
    claim: str, terms: dict[str, float], pieces: tuple[str, ...]
) -> tuple[str, dict[str, float]]:
    """The claim without a set-aside alternative, narrowed to the clause the sentence is about.

    The whole claim when it has one clause, or when no clause is clearly the one meant.
    """
    core, parts = _claim_clauses(claim)
    if len(parts) < 2:
        return core, terms if core == claim else content_terms(core)
    scored = sorted(
        ((max((about(t, c) for c in pieces), default=0.0), p, t) for p, t in parts),
        key=lambda x: (x[0], x[1]),
        reverse=True,
    )
    (best, part, part_terms), (runner_up, _, _) = scored[0], scored[1]
    if best < ALIGN_RECALL or best == runner_up:
        return claim, terms
    return part, part_terms


def claim_core(claim: str) -> str:
    """The claim without an alternative it sets aside ("Power, not floor space, limits ...")."""
    return _SET_ASIDE_ALTERNATIVE.sub(" ", claim)


@functools.lru_cache(maxsize=1_024)
def _claim_clauses(claim: str) -> tuple[str, tuple[tuple[str, dict[str, float]], ...]]:
    """The claim without a set-aside alternative, and its clauses with their content terms.

    Cached (the claim is read against every sentence): callers must not change the terms.
    """
    core = claim_core(claim)
    split = ((p, content_terms(p)) for p in _CLAIM_CLAUSE.split(core))
    return core, tuple((p, t) for p, t in split if len(t) >= ALIGN_TERMS)


@functools.lru_cache(maxsize=4_096)
def _short_negated(clause: str) -> tuple[str, ...]:
    """A short negated clause's lower-case words, else none (cached: read for every claim)."""
    tokens = tuple(w.lower() for w in words(NOT_A_NEGATION.sub(" ", clause)))
    return tokens if len(tokens) <= 8 and _polarity(clause) == 1 else ()


def _dismisses(terms: dict[str, float], clause: str) -> bool:
    """A short clause that negates a verdict on a claim word ("Quotas never help")."""
    tokens = _short_negated(clause)
    if not tokens:
        return False
    unrelated = _NOTHING_TO_DO.search(clause)
    if unrelated:
        # "Power has nothing to do with it": the verdict is on what comes before it.
        # The head noun: "the colour of the rack" is about the colour.
        head = nouns([w.lower() for w in words(clause[: unrelated.start()])])[:1]
        return bool(matched_terms(terms, {norm_token(t) for t in head}))
    for i, tok in enumerate(tokens):
        if (tok in NEGATIONS or tok.endswith("n't")) and set(tokens[i + 1 : i + 3]) & _VERDICTS:
            subject = {norm_token(t) for t in tokens[:i] if t not in STOPWORDS}
            return bool(matched_terms(terms, subject))
    return False


def _denies_a_need(claim: str, terms: dict[str, float], clause: str) -> bool:
    """A short clause denies needing what the claim relies on ("Plants don't need sunlight")."""
    tokens = _short_negated(clause)
    if not tokens:
        return False
    claim_words = [w.lower() for w in words(claim)]
    # "Using sunlight, they produce ...": a pronoun subject may stand for any noun.
    open_subject = bool(NO_SUBJECT.intersection(claim_words[:4]))
    for i, tok in enumerate(tokens):
        if _is_negator(tok) and i + 1 < len(tokens) and tokens[i + 1] in _NEEDS:
            # The thing itself, not a kind of it ("don't need manual restarts").
            after = [t for t in tokens[i + 2 : i + 5] if t not in STOPWORDS and t not in _NEEDS]
            subject = {norm_token(t) for t in nouns(list(tokens[:i]))}
            return bool(after and matched_terms(terms, {norm_token(after[0])})) and (
                open_subject or not subject or bool(matched_terms(terms, subject))
            )
    return False


_IMPLICIT_NEGATION = re.compile(
    r"\b(?:avoid\w*|prevent\w*|without|except|lack\w*|instead|fails?|stops?|unless)\b", re.I
)
_CONDITION = re.compile(
    r"\b(?:if|when|whenever|unless)\b[^,;.]*"
    # "an array that is not declared static is freed ...": a negated relative clause on the
    # subject, before its verb, picks out another case.
    r"|\b(?:that|which|who)\s+(?:is|are|was|were)\s+not\s+\w+(?:\s+\w+)?"
    r"(?=\s+(?:is|are|was|were|can|will|has|have|gets?|must|should)\b)",
    re.I,
)


_THIRD_PERSON = frozenset({"it", "they", "this", "these", "those"})
_NOTHING_TO_DO = re.compile(r"\b(?:has|have|had)\s+(?:nothing|little)\s+to\s+do\s+with\b", re.I)
_NEEDS = frozenset({"need", "needs", "require", "requires", "use", "uses"})
_AFTER = frozenset({"unrelated", "irrelevant", "impossible"})  # negate what comes before them
_VERDICTS = frozenset(
    {"needed", "necessary", "required", "important", "useful", "helpful", "relevant", "true"}
    | {"help", "helps", "work", "works", "matter", "matters", "worth", "possible", "exist"}
)


def _negates_a_term(
    terms: dict[str, float], clause: str, antecedent: list[str], open_subject: bool = False
) -> bool:
    """A claim word sits in a negator's scope ("does not restart anything"), not beside it.

    "Linked lists do not have a set size" negates "a set size", which the claim ("can be of
    variable length") never says: a true statement in negative words.
    """
    # "has nothing to do with moving gradients": what it denies starts after "with".
    cleaned = _NOTHING_TO_DO.sub(" nothing ", NOT_A_NEGATION.sub(" ", clause))
    tokens = [w.lower() for w in words(cleaned)]
    # Two of the claim's words in scope (one for a claim of one or two words): a single shared
    # word is usually the subject ("Constructors do not have a return type" against
    # "functions have to indicate a return type").
    needed = min(2, len(terms))
    for i, tok in enumerate(tokens):
        if not _is_negator(tok):
            continue
        subject = {norm_token(t) for t in nouns(tokens[:i])}
        pronoun = not subject and bool(_THIRD_PERSON.intersection(tokens[:i]))
        if pronoun:
            subject = {norm_token(t) for t in antecedent}
        tied = set(matched_terms(terms, subject)) if tok not in _AFTER else set()
        if tok not in _AFTER and subject and not tied and not (pronoun and open_subject):
            continue  # another subject ("Constructors do not ...") says nothing of this claim's
        scope = tokens[max(0, i - 3) : i] if tok in _AFTER else tokens[i + 1 : i + 6]
        if set(tokens[i + 1 : i + 3]) & _VERDICTS:
            # "Mapping stakeholders isn't needed", "Quotas never help": the verdict is on
            # the subject before the negator.
            scope = tokens[max(0, i - 4) : i]
        stems = {norm_token(t) for t in scope if t not in STOPWORDS}
        found = set(matched_terms(terms, stems))
        # "Proteins are not made on ribosomes": with the claim's own subject before the negator,
        # all of the claim's other words in scope are enough (one, for a two-word claim).
        rest = found - tied
        if len(found) >= needed or (rest and len(rest) >= len(terms) - len(tied)):
            return True
    return False

"""Engineered contradiction rules: an answer that denies, negates, swaps or misstates a claim.

No entailment model ships inside a PyPI wheel (shared/research/offline-models.md), and embeddings
score "X is not Y" next to "X is Y", so these are rules over the answer's words:

- frames: a sentence the candidate does not stand behind: "It is false that ...", "Some people
  claim ..., but that's a myth", "My colleague insists .... I disagree", "Would you say ...? I
  don't know". Such a sentence is never evidence for a claim, and it opposes the claim it states.
- negation scope: a negator ("not", "never", "unrelated") counts only inside the clause that
  states the claim, so "it's not magic, though" elsewhere in a correct answer costs nothing.
- antonyms: the clause that states the claim uses the opposite word ("replaced" for
  "introduced", "late" for "early", "raised" for "cut").
- quantities: a number of the same kind (same unit word, currency or percent) with a different
  value ("$30M" for "$300M", "150 servers" for "15,000 servers").
- swapped roles: the claim's subject moved off its verb ("the engineers coordinate ..., the
  commander debugs"), or the sides of a comparison exchanged ("CPU racks draw more than GPU").
- word salad: the claim's words without the claim's syntax (no finite clause, reversed bigrams,
  sentence-initial capitals mid-sentence).

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
    matched_terms,
    norm_token,
    words,
)

ALIGN_RECALL = 0.5  # share of a claim's content weight a clause must contain to be about it
ALIGN_TERMS = 2
NEGATION_RECALL = 0.25
ANTONYM_RECALL = 0.4
_DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those", "my", "our", "its"})
_DANGLING = _DETERMINERS | frozenset(
    {"to", "of", "in", "on", "for", "and", "or", "with", "at", "by", "like", "as", "from", "than"}
)
_NO_SUBJECT = frozenset(
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

_DENIAL = re.compile(
    r"\b(?:it(?:'s|’s| is)|that(?:'s|’s| is))\s+(?:simply\s+|just\s+)?(?:false|untrue|not true|"
    r"a myth|wrong|incorrect|nonsense)\s+that\b",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"\b(?:some(?:one| people| folks)?|many(?: people)?|people|others|critics|they|"
    r"(?:my|a|one|our)\s+(?:\w+\s+)?(?:colleagues?|friends?|managers?|boss|teammates?|"
    r"coworkers?|co-workers?|peers?|lead))\s+(?:\w+\s+)?(?:claims?|insists?|says?|said|"
    r"thinks?|believes?|argues?|assumes?|told me|suggests?)\b",
    re.IGNORECASE,
)
_REJECTION = re.compile(
    r"\b(?:i (?:strongly |completely |totally )?disagree|that(?:'s|’s| is) (?:a myth|wrong|false|"
    r"not true|nonsense|incorrect|not the case|untrue)|(?:it|this)(?:'s|’s| is) (?:a myth|not true|"
    r"false|wrong)|i don(?:'t|’t) (?:buy it|agree|think so)|they(?:'re|’re| are) wrong|myth)\b",
    re.IGNORECASE,
)
_UNSURE = re.compile(
    r"\b(?:i (?:honestly |really |genuinely )?(?:don(?:'t|’t)|do not) know|no idea|not sure|"
    r"i(?:'m|’m| am) (?:not sure|unsure)|no clue|who knows)\b",
    re.IGNORECASE,
)

EXTRA_NEGATORS = frozenset({"unrelated", "irrelevant", "impossible", "never", "nothing", "no"})
_CLAUSE_BREAK = re.compile(
    r"[,;:()\u2013\u2014]|\s-\s|\b(?:and|but|while|whereas|though|although|which|so|because|"
    r"since|however|yet)\b",
    re.IGNORECASE,
)

# Opposites, as words (stemmed with norm_token at import); each pair works both ways.
_ANTONYM_PAIRS = (
    ("increase", "decrease"),
    ("increase", "reduce"),
    ("raise", "lower"),
    ("raise", "cut"),
    ("raised", "cut"),
    ("raise", "reduce"),
    ("improve", "drop"),
    ("improves", "drops"),
    ("improve", "worsen"),
    ("improve", "degrade"),
    ("rise", "fall"),
    ("early", "late"),
    ("earlier", "later"),
    ("before", "after"),
    ("more", "less"),
    ("more", "fewer"),
    ("higher", "lower"),
    ("faster", "slower"),
    ("gradually", "once"),
    ("introduce", "replace"),
    ("introduce", "remove"),
    ("add", "remove"),
    ("start", "stop"),
    ("accept", "reject"),
    ("enable", "disable"),
    ("allow", "block"),
    ("allow", "prevent"),
    ("blameless", "blame"),
    ("low", "high"),
    ("low", "slow"),
    ("success", "failure"),
    ("gain", "lose"),
    ("predictable", "unpredictable"),
    ("fixed", "flexible"),
    ("monthly", "quarterly"),
    ("weekly", "monthly"),
    ("daily", "weekly"),
    ("smaller", "bigger"),
    ("smaller", "larger"),
    ("hire", "fire"),
    ("cheap", "expensive"),
    ("parallel", "serial"),
    ("parallel", "sequential"),
    ("inside", "outside"),
    ("absorb", "emit"),
)
ANTONYMS: dict[str, frozenset[str]] = {}
for _a, _b in _ANTONYM_PAIRS:
    for _x, _y in ((norm_token(_a), norm_token(_b)), (norm_token(_b), norm_token(_a))):
        ANTONYMS[_x] = ANTONYMS.get(_x, frozenset()) | {_y}

# How often is quantities.py's business (a rate, compared by value), not an opposite word's.
_FREQUENCY_STEMS = frozenset(norm_token(w) for w in FREQUENCY)
_SET_ASIDE = re.compile(
    r"\b(?:instead of|rather than|than|not|no|never|without|cannot|\w+n[’']t)"
    r"\s+(?:\w+\s+){0,3}\w+",
    re.I,
)
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
_ABBREVIATION = re.compile(r"[A-Z][A-Za-z]*\d+[A-Za-z\d]*|[A-Z]{2,}")
_LIST_BREAK = re.compile(r"[,;:.!?]|\b(?:and|or|while|whereas|but|then)\b", re.I)
# "oxygen is released": a passive turns the roles around without swapping them.
_PASSIVE_PARTICIPLE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+\w+ed\b", re.I)
_WHOLE_WORD = re.compile(r"[\w'’]+(?:-[\w'’]+)*")
_PASSIVE = re.compile(
    r"\b(?:is|are|was|were|be|been|being|gets?|got)\s+\w+(?:ed|en)\b\s+by\b", re.I
)
_CONTRAST = re.compile(
    r"\b(?:than|not|rather than|instead of)\s+(?:the\s+|a\s+|an\s+)?([\w-]+)", re.I
)


@dataclass(frozen=True)
class Opposition:
    """Why a clause of the answer opposes a claim, with the quote."""

    kind: str  # frame, negation, antonym, quantity, swap, salad
    quote: str


def disowned_kind(sentences: list[str], i: int) -> str | None:
    """'denied', 'attributed' or 'questioned' when sentence i is not the candidate's own claim."""
    text = sentences[i]
    after = sentences[i + 1] if i + 1 < len(sentences) else ""
    if _DENIAL.search(text):
        return "denied"
    if _ATTRIBUTION.search(text) and (_REJECTION.search(text) or _REJECTION.search(after)):
        return "attributed"
    if text.rstrip().endswith("?") and (_UNSURE.search(text) or _UNSURE.search(after)):
        return "questioned"
    return None


def _is_negator(token: str) -> bool:
    return token in NEGATIONS or token in EXTRA_NEGATORS or token.endswith("n't")


def negators(tokens: list[str]) -> int:
    """How many negating words a clause has (tokens lower-case)."""
    return sum(_is_negator(t) for t in tokens)


def _nouns(tokens: list[str]) -> list[str]:
    """The content words of some lower-case tokens that are not pronouns or prepositions."""
    return [t for t in tokens if t not in STOPWORDS and t not in _NO_SUBJECT]


@functools.lru_cache(maxsize=4_096)
def _clauses(sentence: str) -> tuple[str, ...]:
    return tuple(c for c in _CLAUSE_BREAK.split(sentence) if c and c.strip())


@functools.lru_cache(maxsize=4_096)
def _stems(text: str) -> tuple[str, ...]:
    # Pure and called for every claim against every sentence: cached per text.
    return tuple(norm_token(w) for w in words(text))


def about(claim_terms: dict[str, float], text: str) -> float:
    """Share of the claim's content weight the text contains (0 when fewer than two terms)."""
    tokens = set(_stems(text))
    matched = matched_terms(claim_terms, tokens)
    if len(matched) < min(ALIGN_TERMS, len(claim_terms)):
        return 0.0
    total = sum(claim_terms.values())
    return sum(claim_terms[t] for t in matched) / total if total else 0.0


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
    if _polarity(claim) == 1 or _IMPLICIT_NEGATION.search(claim):
        # Negated claims ("avoids copies", "all except the first") are often affirmed in
        # negative words ("does not copy"): polarity can't decide.
        return False
    # "When an array is not declared static, ..." sets up another case, it denies nothing.
    pieces = _clauses(_CONDITION.sub(" ", sentence))
    best = max(pieces, key=lambda c: about(terms, c), default="")
    # A denial restates little more than the verb ("It does not restart anything"): two of the
    # claim's words and a quarter of its weight in the negated clause tie it to the claim.
    if about(terms, best) < NEGATION_RECALL:
        # "Feedback is not that important": a short verdict on one of the claim's words
        # dismisses the claim even though it restates nothing else of it.
        return any(_dismisses(terms, c) for c in pieces)
    return _polarity(best) == 1 and _negates_a_term(terms, best)


def _dismisses(terms: dict[str, float], clause: str) -> bool:
    """A short clause that negates a verdict on a claim word ("Quotas never help")."""
    tokens = [w.lower() for w in words(NOT_A_NEGATION.sub(" ", clause))]
    if len(tokens) > 8 or _polarity(clause) != 1:
        return False
    for i, tok in enumerate(tokens):
        if (tok in NEGATIONS or tok.endswith("n't")) and set(tokens[i + 1 : i + 3]) & _VERDICTS:
            subject = {norm_token(t) for t in tokens[:i] if t not in STOPWORDS}
            return bool(matched_terms(terms, subject))
    return False


_IMPLICIT_NEGATION = re.compile(
    r"\b(?:avoid\w*|prevent\w*|without|except|lack\w*|instead|fails?|stops?|unless)\b", re.I
)
_CONDITION = re.compile(r"\b(?:if|when|whenever|unless)\b[^,;.]*", re.I)


_AFTER = frozenset({"unrelated", "irrelevant", "impossible"})  # negate what comes before them
_VERDICTS = frozenset(
    {"needed", "necessary", "required", "important", "useful", "helpful", "relevant", "true"}
    | {"help", "helps", "work", "works", "matter", "matters", "worth", "possible", "exist"}
)


def _negates_a_term(terms: dict[str, float], clause: str) -> bool:
    """A claim word sits in a negator's scope ("does not restart anything"), not beside it.

    "Linked lists do not have a set size" negates "a set size", which the claim ("can be of
    variable length") never says: a true statement in negative words.
    """
    cleaned = NOT_A_NEGATION.sub(" ", clause)
    tokens = [w.lower() for w in words(cleaned)]
    # Two of the claim's words in scope (one for a claim of one or two words): a single shared
    # word is usually the subject ("Constructors do not have a return type" against
    # "functions have to indicate a return type").
    needed = min(2, len(terms))
    for i, tok in enumerate(tokens):
        if not _is_negator(tok):
            continue
        subject = {norm_token(t) for t in _nouns(tokens[:i])}
        if tok not in _AFTER and subject and not matched_terms(terms, subject):
            continue  # another subject ("Constructors do not ...") says nothing of this claim's
        scope = tokens[max(0, i - 3) : i] if tok in _AFTER else tokens[i + 1 : i + 6]
        if set(tokens[i + 1 : i + 3]) & _VERDICTS:
            # "Mapping stakeholders isn't needed", "Quotas never help": the verdict is on
            # the subject before the negator.
            scope = tokens[max(0, i - 4) : i]
        stems = {norm_token(t) for t in scope if t not in STOPWORDS}
        if len(matched_terms(terms, stems)) >= needed:
            return True
    return False


def antonym(claim: str, terms: dict[str, float], sentence: str) -> bool:
    """A clause about the claim uses a word opposite to one of the claim's, and not the word."""
    claim_stems = set(_stems(claim))
    sentence_stems = set(_stems(sentence))
    for clause in _clauses(sentence):
        # "cannot be used outside" says "inside": a negated opposite is the claim's own word.
        clause_stems = set(_stems(_SET_ASIDE.sub(" ", clause)))
        for stem in claim_stems:
            # "low-latency, high-bandwidth": an opposite the claim itself uses is not one.
            opposite = ANTONYMS.get(stem, frozenset()) - claim_stems
            if not opposite & clause_stems or _has_root(stem, sentence_stems):
                continue
            rest = {t: w for t, w in terms.items() if norm_token(t) != stem}
            if about(rest, clause) >= ANTONYM_RECALL or _same_slot(claim, stem, clause, opposite):
                return True
    return False


def opposite_word(claim: str, sentence: str) -> bool:
    """The sentence uses a word opposite to one of the claim's and not the claim's word itself.

    For a sentence already known to state the claim (its best match): there the opposite word is
    the claim reversed ("replaces every pod at once" for "rolls out gradually").
    """
    claim_stems = set(_stems(claim))
    # "step by step instead of all at once": an opposite the sentence sets aside is not said.
    sentence_stems = set(_stems(_SET_ASIDE.sub(" ", sentence)))
    said = set(_stems(sentence))
    return any(
        (ANTONYMS.get(stem, frozenset()) - claim_stems - _FREQUENCY_STEMS) & sentence_stems
        for stem in claim_stems
        if not _has_root(stem, said)
    )


def _has_root(stem: str, stems: set[str]) -> bool:
    """The stem, or a form of its root ("smallest" for "smaller"), is among the stems."""
    if stem in stems:
        return True
    return len(stem) >= 5 and any(s[:5] == stem[:5] for s in stems if len(s) >= 5)


def _same_slot(claim: str, stem: str, clause: str, opposite: frozenset[str]) -> bool:
    """The opposite word sits next to the same content word ("escalate early" / "escalate late")."""
    c_tokens = [t for t in _stems(claim) if t not in STOPWORDS]
    s_tokens = [t for t in _stems(clause) if t not in STOPWORDS]
    if stem not in c_tokens:
        return False
    i = c_tokens.index(stem)
    near_claim = set(c_tokens[max(0, i - 1) : i]) | set(c_tokens[i + 1 : i + 2])
    for j, tok in enumerate(s_tokens):
        if tok in opposite:
            near = set(s_tokens[max(0, j - 1) : j]) | set(s_tokens[j + 1 : j + 2])
            if near & near_claim:
                return True
    return False


def swap(
    claim: str, terms: dict[str, float], sentence: str, note_stems: set[str], context: str = ""
) -> bool:
    """The claim's roles exchanged: its verb's subject moved, or a comparison's sides swapped."""
    if about(terms, sentence) < ALIGN_RECALL or _PASSIVE.search(sentence):
        return False
    c_tokens = [t for t in _stems(claim) if t not in STOPWORDS]
    s_tokens = [t for t in _stems(sentence) if t not in STOPWORDS]
    # A comparison or contrast: the side after "than"/"not" is the other side in the answer.
    c_side = _CONTRAST.search(claim)
    s_side = _CONTRAST.search(sentence)
    if c_side and s_side:
        a, b = norm_token(c_side.group(1)), norm_token(s_side.group(1))
        before = set(_stems(sentence[: s_side.start()]))
        if a != b and a in before and b in set(_stems(claim[: c_side.start()])):
            return True
    if exchanged(claim, sentence, context):
        return True
    # Subject and verb open a claim ("An incident commander coordinates ..."): another of the
    # notes' nouns in front of the verb, with the claim's subject moved elsewhere, swaps roles.
    # The verb is the claim's first word in -s/-ed after its first content word.
    # A claim that opens with a pronoun ("It ...", "I'd ...") or a comparison ("like my ...")
    # has no noun subject to move.
    first = words(claim)[0].lower() if words(claim) else ""
    if first in _NO_SUBJECT or (first in STOPWORDS and first not in _DETERMINERS):
        return False
    raw = [w for w in words(claim) if w.lower() not in STOPWORDS]
    k = next((i for i, w in enumerate(raw[:3]) if w.lower().endswith(("s", "ed"))), None)
    if not k or k == len(raw) - 1 or len(c_tokens) != len(raw):
        return False
    verb, subject = c_tokens[k], c_tokens[k - 1]
    if c_tokens.count(verb) != 1 or s_tokens.count(verb) != 1:
        return False
    j = s_tokens.index(verb)
    other = s_tokens[j - 1] if j > 0 else subject
    if other == subject or subject not in s_tokens or other in c_tokens:
        return False
    # Another of the notes' nouns on the verb swaps roles; a noun the notes lack ("the engineers
    # coordinate ...") does too when the claim's subject only turns up after the verb, where it
    # took another role ("... while the incident commander debugs").
    moved = subject in s_tokens[j + 1 :] and subject not in s_tokens[:j]
    return other in note_stems or (moved and words_before(sentence, verb) > 0)


@functools.lru_cache(maxsize=4_096)
def _objects(text: str) -> dict[str, str]:
    """Each content word's next content word within its phrase (commas and "and" split).

    Cached (the key points are read against every sentence): callers must not change it.
    """
    out: dict[str, str] = {}
    pieces = [p for p in _LIST_BREAK.split(text) if p.strip()]
    for piece in pieces:
        stems = [norm_token(w) for w in words(piece) if w.lower() not in STOPWORDS]
        for a, b in zip(stems, stems[1:], strict=False):
            out.setdefault(a, b)
    return out


def exchanged(claim: str, sentence: str, context: str = "") -> bool:
    """Two of the claim's words trade places around its anchors: "take in carbon dioxide and
    release oxygen" said as "take in oxygen and release carbon dioxide".

    An anchor P is followed by X in the claim and by Y in the sentence, where the claim puts Y
    after another anchor Q, which in the sentence is followed by something other than Y. Items
    of a list (split at commas) are not anchors: a list may come in any order. `context` holds
    the other key points: the two places may sit in different ones ("Plants take in carbon
    dioxide and water" / "..., they produce glucose and release oxygen"); one anchor must be
    this claim's.
    """
    if _PASSIVE_PARTICIPLE.search(sentence):
        return False
    own = _objects(claim)
    c_obj = {**_objects(context), **own}
    s_obj = _objects(sentence)
    abbreviations = {norm_token(w) for w in words(sentence) if _ABBREVIATION.fullmatch(w)}
    known = set(_stems(claim)) | set(_stems(context))
    c_seq = [t for t in _stems(context or claim) if t not in STOPWORDS]  # context has the claim
    s_seq = [t for t in _stems(sentence) if t not in STOPWORDS]
    owner = {y: q for q, y in c_obj.items()}
    for p_, x in c_obj.items():
        y = s_obj.get(p_)
        if y is None or y == x or y not in owner:
            continue
        q = owner[y]
        if q in (p_, x) or y == p_ or q not in s_obj or (p_ not in own and q not in own):
            continue
        # Anchors said once on each side: a repeated word ("pointer to constant data, pointer to
        # nonconstant data") has no single place to swap.
        if any(seq.count(a) != 1 for seq in (c_seq, s_seq) for a in (p_, q)):
            continue
        # Both places exchanged, or Q's place holds an abbreviation that may name X ("CO2").
        if s_obj[q] == x or (s_obj[q] not in known and s_obj[q] in abbreviations):
            return True
    return False


def words_before(sentence: str, verb: str) -> int:
    """How many non-pronoun content words come before the verb (a noun can be its subject)."""
    tokens = [w.lower() for w in words(sentence)]
    stems = [norm_token(w) for w in tokens]
    if verb not in stems:
        return 0
    return len(_nouns(tokens[: stems.index(verb)]))


def word_salad(sentence: str, claim_text: str) -> bool:
    """Many of the claim's words with no claim's syntax: reversed pairs, stray capitals, no verb."""
    toks = words(sentence)
    if len(toks) < 6:
        return False
    claim_words = [w.lower() for w in words(claim_text)]
    lowered = [w.lower() for w in toks]
    # Hyphenated compounds stay whole here: "last-in-first-out" in the claim must not make
    # "elements in last in first out" look reversed.
    claim_whole = [w.lower() for w in _WHOLE_WORD.findall(claim_text)]
    pairs = set(zip(claim_whole, claim_whole[1:], strict=False))
    whole = [w.lower() for w in _WHOLE_WORD.findall(sentence)]
    # A list in another order ("b, a" for "a, b") keeps each item's pairs forward.
    reversed_pairs = sum(
        (b, a) in pairs and (a, b) not in pairs for a, b in zip(whole, whole[1:], strict=False)
    )
    # A capital after a comma starts a list item ("..., Both involve ..."); mid-phrase it is
    # a shuffled sentence start.
    stray_caps = sum(
        1
        for m in _CAPITALISED.finditer(sentence)
        if m.start() > 0
        and sentence[: m.start()].rstrip()[-1:] not in ",;:.!?(-–—\"'"
        and m.group().lower() in claim_words
    )
    unfinished = not sentence.rstrip().endswith((".", "!", "?"))
    # "the the" is a typo; "a the" is a shuffle.
    broken = lowered[-1] in _DANGLING or any(
        a in _DETERMINERS and b in _DETERMINERS and a != b
        for a, b in zip(lowered, lowered[1:], strict=False)
    )
    # Typing in lower case without a full stop is informal, not broken: one signal, not two.
    # A shuffle reverses many pairs, which a sentence written by hand seldom does.
    informal = unfinished or toks[0][:1].islower()
    reversed_signal = 2 if reversed_pairs >= 3 else int(reversed_pairs >= 1)
    signals = reversed_signal + (stray_caps >= 1) + informal + broken
    return signals >= 3

"""Opposite words: a clause that states a claim with one of its words reversed.

"Replaced" for "introduced", "late" for "early", "a low pitch" for "the pitch was higher". An
opposite word is only evidence when the clause is about the claim and the word is not explained
away: set aside ("instead of all at once"), the claim's own root ("higher" keeps "high"), a
comparison from the other side, a passive that turns the roles round, or another noun qualified.
"""

from __future__ import annotations

import functools
import re

from prep_agent.grading.contradiction import about, clause_parts, stems
from prep_agent.grading.quantities import FREQUENCY
from prep_agent.text.match import STOPWORDS, content_terms, norm_token, words

ANTONYM_RECALL = 0.4

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
    ("more", "same"),  # "about the same power as" against "far more power than"
    ("less", "same"),
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
    # General opposites, none fitted to a graded answer: verbs of change and direction,
    # adjectives of kind and scope.
    ("slow", "speed"),
    ("slows", "speeds"),
    ("slowed", "sped"),
    ("slow", "accelerate"),
    ("expand", "shrink"),
    ("grow", "shrink"),
    ("strengthen", "weaken"),
    ("widen", "narrow"),
    ("maximize", "minimize"),
    ("maximum", "minimum"),
    ("upgrade", "downgrade"),
    ("overestimate", "underestimate"),
    ("include", "exclude"),
    ("approve", "reject"),
    ("agree", "disagree"),
    ("encrypt", "decrypt"),
    ("compress", "decompress"),
    ("import", "export"),
    ("upstream", "downstream"),
    ("centralize", "decentralize"),
    ("centralized", "decentralized"),
    ("manual", "automatic"),
    ("manual", "automated"),
    ("manually", "automatically"),
    ("internal", "external"),
    ("public", "private"),
    ("online", "offline"),
    ("synchronous", "asynchronous"),
    ("static", "dynamic"),
    ("proactive", "reactive"),
    ("direct", "indirect"),
    ("valid", "invalid"),
    ("correct", "incorrect"),
    ("complete", "incomplete"),
    ("accurate", "inaccurate"),
    ("consistent", "inconsistent"),
    ("efficient", "inefficient"),
    ("finite", "infinite"),
    ("mutable", "immutable"),
    ("visible", "invisible"),
    ("profit", "loss"),
)
# Gradable opposites: every degree of one opposes every degree of the other ("a low pitch"
# against "the pitch was higher").
_GRADABLE_PAIRS = (
    ("high", "low"),
    ("fast", "slow"),
    ("small", "large"),
    ("small", "big"),
    ("early", "late"),
    ("tight", "loose"),
    ("hard", "soft"),
    ("strong", "weak"),
    ("hot", "cold"),
    ("long", "short"),
    ("wide", "narrow"),
)


def _degrees(word: str) -> tuple[str, str, str]:
    """An adjective, its comparative and its superlative (big, bigger, biggest)."""
    if word.endswith("e"):
        return word, word + "r", word + "st"
    if word.endswith("y"):
        return word, word[:-1] + "ier", word[:-1] + "iest"
    if len(word) == 3 and word[1] in "aeiou" and word[2] not in "aeiouwy":
        return word, word + word[2] + "er", word + word[2] + "est"
    return word, word + "er", word + "est"


_DEGREE_PAIRS = tuple((x, y) for a, b in _GRADABLE_PAIRS for x in _degrees(a) for y in _degrees(b))
# A comparative or superlative and its plain form are one root ("higher" keeps "high"): each
# form's stem maps to the stems of every form of its word.
_FORMS: dict[str, frozenset[str]] = {
    norm_token(form): frozenset(norm_token(f) for f in _degrees(word))
    for pair in _GRADABLE_PAIRS
    for word in pair
    for form in _degrees(word)
}
ANTONYMS: dict[str, frozenset[str]] = {}
for _a, _b in (*_ANTONYM_PAIRS, *_DEGREE_PAIRS):
    for _x, _y in ((norm_token(_a), norm_token(_b)), (norm_token(_b), norm_token(_a))):
        ANTONYMS[_x] = ANTONYMS.get(_x, frozenset()) | {_y}

# How often is quantities.py's business (a rate, compared by value), not an opposite word's.
_FREQUENCY_STEMS = frozenset(norm_token(w) for w in FREQUENCY)
_SET_ASIDE = re.compile(
    r"\b(?:instead of|rather than|than|not|no|never|without|cannot|\w+n[’']t)"
    r"\s+(?:\w+\s+){0,3}\w+",
    re.I,
)


def antonym(claim: str, terms: dict[str, float], sentence: str) -> bool:
    """A clause about the claim uses a word opposite to one of the claim's, and not the word."""
    if any(comparison_flipped(claim, clause) for clause in clause_parts(sentence)):
        return True
    opposites = _claim_opposites(claim)
    if not opposites:
        return False
    sentence_stems = set(stems(sentence))
    for clause in clause_parts(sentence):
        # "cannot be used outside" says "inside": a negated opposite is the claim's own word.
        clause_stems = set(stems(_SET_ASIDE.sub(" ", clause)))
        for stem, opposite in opposites:
            if not opposite & clause_stems or _has_root(stem, sentence_stems):
                continue
            if (
                _mirrored(stem, stems(claim), stems(clause), opposite)
                or _describes_another(stem, stems(claim), stems(clause), opposite)
                or _voice_flipped(claim, clause)
            ):
                continue
            rest = {t: w for t, w in terms.items() if norm_token(t) != stem}
            if (
                about(rest, clause) >= ANTONYM_RECALL
                or about(dict(_rest_of_clause(claim, stem)), clause) >= ANTONYM_RECALL
                or _same_slot(claim, stem, clause, opposite)
            ):
                return True
    return False


def _comparisons(text: str) -> list[tuple[str, int, int, frozenset[str] | None]]:
    """(word, direction, position, than-object) of each comparison: "less dense than water" is
    ("dense", -1, ...), "more dense" ("dense", +1, ...), "denser than water" ("denser", +1, ...);
    the word of "Xer than" is kept whole, since its root is known only against another text."""
    tokens = [w.lower() for w in words(text)]
    found: list[tuple[str, int, int, frozenset[str] | None]] = []
    for i, token in enumerate(tokens):
        if token in ("more", "less") and i + 1 < len(tokens) and tokens[i + 1] not in STOPWORDS:
            found.append((tokens[i + 1], 1 if token == "more" else -1, i, _than(tokens, i + 2)))
        elif token.endswith("er") and i + 1 < len(tokens) and tokens[i + 1] == "than":
            found.append((token, 1, i, _than(tokens, i + 1)))
    return found


def _than(tokens: list[str], i: int) -> frozenset[str] | None:
    """The content words after a "than" at i ("than liquid water": liquid, water)."""
    if i >= len(tokens) or tokens[i] != "than":
        return None
    return frozenset(norm_token(t) for t in tokens[i + 1 : i + 4] if t not in STOPWORDS) or None


def _comparative_of(root: str, form: str) -> bool:
    """form is root's "-er" comparative (dense/denser, fast/faster, heavy/heavier, big/bigger)."""
    return form in {root + "r", root + "er", root[:-1] + "ier", root + root[-1:] + "er"}


def _degree(side: str) -> tuple[str, int] | None:
    """The compared word and its direction at the end of the words before "than"."""
    tokens = [w.lower() for w in words(side)]
    if len(tokens) >= 2 and tokens[-2] in ("more", "less"):
        return tokens[-1], 1 if tokens[-2] == "more" else -1
    return (tokens[-1], 1) if tokens and tokens[-1].endswith("er") else None


def opposite_degree(claim_side: str, sentence_side: str) -> bool:
    """The words before "than" compare the same quality the other way: "is less dense" against
    "is denser" or "is more dense"."""
    c, s = _degree(claim_side), _degree(sentence_side)
    if c is None or s is None or c[1] == s[1]:
        return False
    return c[0] == s[0] or _comparative_of(c[0], s[0]) or _comparative_of(s[0], c[0])


def comparison_flipped(claim: str, clause: str) -> bool:
    """The clause makes the claim's comparison the other way round, one side with "more"/"less"
    and the other with "-er": "Ice is denser than liquid water" against "Ice is less dense than
    liquid water". Same subject and same than-object, so "Water is denser than ice" (the claim
    seen from the other side) is no contradiction. "more"/"less" against each other are
    ordinary opposite words."""
    theirs = _comparisons(clause)
    if not theirs:
        return False
    c_tokens = [w.lower() for w in words(claim)]
    s_tokens = [w.lower() for w in words(clause)]
    for word, direction, i, obj in _comparisons(claim):
        for s_word, s_direction, j, s_obj in theirs:
            if direction == s_direction or obj is None or s_obj is None or not obj & s_obj:
                continue
            if not (_comparative_of(word, s_word) or _comparative_of(s_word, word)):
                continue
            before = {norm_token(t) for t in c_tokens[:i] if t not in STOPWORDS}
            if before & {norm_token(t) for t in s_tokens[:j] if t not in STOPWORDS}:
                return True
    return False


@functools.lru_cache(maxsize=4_096)
def _rest_of_clause(claim: str, stem: str) -> tuple[tuple[str, float], ...]:
    """The other content words of the claim's clause that holds the stem ("the team slows
    releases" in "When the budget is spent, the team slows releases and ..."), cached."""
    for part in clause_parts(claim):
        if stem in stems(part):
            return tuple((t, w) for t, w in content_terms(part).items() if norm_token(t) != stem)
    return ()


@functools.lru_cache(maxsize=4_096)
def _claim_opposites(claim: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each claim stem with the opposites that could deny it (cached: read for every sentence)."""
    claim_stems = set(stems(claim))
    # "low-latency, high-bandwidth": an opposite the claim itself uses is not one.
    pairs = ((s, _not_in_claim(ANTONYMS.get(s, frozenset()), claim_stems)) for s in claim_stems)
    return tuple((stem, opposite) for stem, opposite in pairs if opposite)


def _not_in_claim(opposite: frozenset[str], claim_stems: set[str]) -> frozenset[str]:
    """The opposites the claim does not use itself, also glued to a next word ("removedor" from
    "removed (or ...)" with the brackets stripped, as text copied from a table often is)."""
    return frozenset(
        o
        for o in opposite
        if o not in claim_stems and not (len(o) >= 4 and any(t.startswith(o) for t in claim_stems))
    )


def opposite_word(claim: str, sentence: str) -> bool:
    """The sentence uses a word opposite to one of the claim's and not the claim's word itself.

    For a sentence already known to state the claim (its best match): there the opposite word is
    the claim reversed ("replaces every pod at once" for "rolls out gradually").
    """
    claim_stems = set(stems(claim))
    # "step by step instead of all at once": an opposite the sentence sets aside is not said.
    sentence_stems = set(stems(_SET_ASIDE.sub(" ", sentence)))
    said = set(stems(sentence))
    return any(
        (opposite := _not_in_claim(ANTONYMS.get(stem, frozenset()), claim_stems) - _FREQUENCY_STEMS)
        & sentence_stems
        and not _mirrored(stem, stems(claim), stems(sentence), opposite)
        and not _describes_another(stem, stems(claim), stems(sentence), opposite)
        and not _voice_flipped(claim, sentence)
        for stem in claim_stems
        if not _has_root(stem, said)
    )


def hedged(claim: str, sentence: str) -> bool:
    """The sentence offers one of the claim's words and its opposite as alternatives ("the pitch
    gets higher or lower", "either faster or slower"): it commits to neither side. Only gradable
    words: "added to or removed from" names two operations, not a hedge."""
    tokens = stems(sentence)
    # Most sentences have no "or": find the places once, not once per claim word.
    around = [
        (set(tokens[max(0, i - 2) : i]), set(tokens[i + 1 : i + 3]))
        for i, token in enumerate(tokens)
        if token == "or"
    ]
    if not around:
        return False
    for stem in set(stems(claim)):
        own = _FORMS.get(stem)
        opposite = ANTONYMS.get(stem, frozenset())
        if own is None or not opposite:
            continue
        for left, right in around:
            if (left & own and right & opposite) or (left & opposite and right & own):
                return True
    return False


_PASSIVE_VERB = re.compile(r"\b(?:is|are|was|were|be|been|being|gets?|got)\s+(\w+ed)\b", re.I)


def _voice_flipped(claim: str, clause: str) -> bool:
    """The clause turns one of the claim's active verbs passive, so its roles are the other way
    round: "the one that is scratched is softer" restates "the harder coin will scratch"."""
    passive = {norm_token(m.group(1)) for m in _PASSIVE_VERB.finditer(clause)}
    already = {norm_token(m.group(1)) for m in _PASSIVE_VERB.finditer(claim)}
    return bool((passive - already) & set(stems(claim)))


def _next_word(tokens: tuple[str, ...], i: int) -> str | None:
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return nxt if nxt is not None and nxt not in STOPWORDS else None


def _describes_another(
    stem: str, claim: tuple[str, ...], sentence: tuple[str, ...], opposite: frozenset[str]
) -> bool:
    """The opposite word qualifies another noun: "splits a large problem" does not deny
    "divide a problem into smaller subproblems", whose "smaller" qualifies the subproblems."""
    own = {_next_word(claim, i) for i, t in enumerate(claim) if t == stem} - {None}
    theirs = {_next_word(sentence, j) for j, t in enumerate(sentence) if t in opposite}
    return bool(own) and None not in theirs and not own & theirs


def _than_object(tokens: tuple[str, ...], i: int) -> frozenset[str] | None:
    """The content words a comparative at i is measured against ("smaller than the parent",
    "less dense than liquid water"); None when nothing follows "than"."""
    if tokens[i] in ("more", "less", "fewer") and i + 2 < len(tokens) and tokens[i + 2] == "than":
        i += 1
    if i + 1 >= len(tokens) or tokens[i + 1] != "than":
        return None
    return frozenset(t for t in tokens[i + 2 : i + 5] if t not in STOPWORDS)


def _mirrored(
    stem: str, claim: tuple[str, ...], sentence: tuple[str, ...], opposite: frozenset[str]
) -> bool:
    """The opposite comparative is measured against something else: "the right child is larger
    than it" restates "the parent is smaller than the right child" from the other side.

    Only the same comparison reversed ("slower than the A100" for "faster than the A100") is a
    contradiction; which side is which needs a parse this rule does not have.
    """
    against = [_than_object(claim, i) for i, t in enumerate(claim) if t == stem]
    said = [_than_object(sentence, j) for j, t in enumerate(sentence) if t in opposite]
    ours = [obj for obj in against if obj is not None]
    compared = [obj for obj in said if obj is not None]
    # "than liquid water" and "than water" are one side; "than it" and "than them" (no content
    # word) are one side too.
    same = any(a & b or not (a or b) for a in ours for b in compared)
    return bool(ours and compared) and not same


def _has_root(stem: str, stems: set[str]) -> bool:
    """The stem, or a form of its root ("smallest" for "smaller"), is among the stems."""
    if stem in stems or _FORMS.get(stem, frozenset()) & stems:
        return True
    return len(stem) >= 5 and any(s[:5] == stem[:5] for s in stems if len(s) >= 5)


def _same_slot(claim: str, stem: str, clause: str, opposite: frozenset[str]) -> bool:
    """The opposite word sits next to the same content word ("escalate early" / "escalate late")."""
    c_tokens = [t for t in stems(claim) if t not in STOPWORDS]
    s_tokens = [t for t in stems(clause) if t not in STOPWORDS]
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

"""Swapped roles: an answer that keeps a claim's words but exchanges who does what.

- the claim's subject moved off its verb ("The engineers coordinate communications while the
  incident commander debugs" for "An incident commander coordinates ... communications");
- the sides of a comparison exchanged ("CPU racks draw more power than GPU racks");
- two of the claim's words trading places around its verbs, also across key points ("Plants take
  in oxygen and release CO2" for "take in carbon dioxide ... release oxygen");
- two subjects' predicates crossed ("Data parallelism splits the model across GPUs" when another
  key point says that of model parallelism).

A passive ("oxygen is released") turns the order around without swapping roles, and a list may
come in any order: neither is a swap.
"""

from __future__ import annotations

import functools
import re

from prep_agent.grading.antonyms import ANTONYMS, opposite_degree
from prep_agent.grading.contradiction import (
    ALIGN_RECALL,
    NO_SUBJECT,
    about,
    claim_core,
    clause_parts,
    negators,
    nouns,
    stems,
)
from prep_agent.text.match import DETERMINERS, STOPWORDS, matched_terms, norm_token, words

_ABBREVIATION = re.compile(r"[A-Z][A-Za-z]*\d+[A-Za-z\d]*|[A-Z]{2,}")
_QUANTIFIERS = frozenset(
    {"all", "each", "every", "some", "many", "few", "several", "both", "their"}
)
_LIST_BREAK = re.compile(r"[,;:.!?]|\b(?:and|or|while|whereas|but|then)\b", re.I)
# "oxygen is released": a passive turns the roles around without swapping them.
_PASSIVE_PARTICIPLE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+\w+ed\b", re.I)
_PASSIVE = re.compile(
    r"\b(?:is|are|was|were|be|been|being|gets?|got)\s+\w+(?:ed|en)\b\s+by\b", re.I
)
_CONTRAST = re.compile(
    r"\b(?:than|not|rather than|instead of)\s+(?:the\s+|a\s+|an\s+)?([\w-]+)", re.I
)


def swap(
    claim: str, terms: dict[str, float], sentence: str, note_stems: set[str], context: str = ""
) -> bool:
    """The claim's roles exchanged: its verb's subject moved, or a comparison's sides swapped."""
    if about(terms, sentence) < ALIGN_RECALL or _PASSIVE.search(sentence):
        return False
    c_tokens = [t for t in stems(claim) if t not in STOPWORDS]
    s_tokens = [t for t in stems(sentence) if t not in STOPWORDS]
    # A comparison or contrast: the side after "than"/"not" is the other side in the answer.
    c_side = _CONTRAST.search(claim)
    s_side = _CONTRAST.search(sentence)
    if c_side and s_side:
        a, b = norm_token(c_side.group(1)), norm_token(s_side.group(1))
        before = set(stems(sentence[: s_side.start()]))
        if a != b and a in before and b in set(stems(claim[: c_side.start()])):
            # "The A100 is slower than the H100" restates "the H100 is faster than the A100".
            return not _reversed_comparative(claim[: c_side.start()], sentence[: s_side.start()])
    if exchanged(claim, sentence, context):
        return True
    # Subject and verb open a claim ("An incident commander coordinates ..."): another of the
    # notes' nouns in front of the verb, with the claim's subject moved elsewhere, swaps roles.
    # The verb is the claim's first word in -s/-ed after its first content word.
    # A claim that opens with a pronoun ("It ...", "I'd ...") or a comparison ("like my ...")
    # has no noun subject to move.
    first = words(claim)[0].lower() if words(claim) else ""
    if first in NO_SUBJECT or (first in STOPWORDS and first not in DETERMINERS):
        return False
    raw = [w for w in words(claim) if w.lower() not in STOPWORDS]
    k = next((i for i, w in enumerate(raw[:3]) if _verb_like(w, claim)), None)
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


def _reversed_comparative(claim_side: str, sentence_side: str) -> bool:
    """The words before "than" use opposite comparatives (faster / slower)."""
    c, t = stems(claim_side), stems(sentence_side)
    return bool(c and t and t[-1] in ANTONYMS.get(c[-1], frozenset())) or opposite_degree(
        claim_side, sentence_side
    )


def _verb_like(word: str, claim: str) -> bool:
    """A word in -s or -ed that can be the claim's verb: not "address" or "all the elements"."""
    low = word.lower()
    if not low.endswith(("s", "ed")) or low.endswith(("ss", "us", "is")):
        return False
    tokens = [w.lower() for w in words(claim)]
    i = tokens.index(low)
    # After a determiner or quantifier the word is a plural noun ("Pop all the elements").
    return i == 0 or tokens[i - 1] not in DETERMINERS | _QUANTIFIERS


@functools.lru_cache(maxsize=4_096)
def _pairs_in_order(text: str) -> tuple[tuple[str, str], ...]:
    """Each content word with the next one in its phrase (commas and "and" split), in order.

    Cached: the key points are read against every sentence.
    """
    out: list[tuple[str, str]] = []
    for piece in _LIST_BREAK.split(text):
        normed = [norm_token(w) for w in words(piece) if w.lower() not in STOPWORDS]
        out.extend(zip(normed, normed[1:], strict=False))
    return tuple(out)


@functools.lru_cache(maxsize=4_096)
def _objects(text: str) -> dict[str, str]:
    """Each content word's next content word within its phrase (its first, if it has several).

    Cached (the key points are read against every sentence): callers must not change it.
    """
    out: dict[str, str] = {}
    for a, b in _pairs_in_order(text):
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
    known = set(stems(claim)) | set(stems(context))
    c_seq = [t for t in stems(context or claim) if t not in STOPWORDS]  # context has the claim
    s_seq = [t for t in stems(sentence) if t not in STOPWORDS]
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
    normed = [norm_token(w) for w in tokens]
    if verb not in normed:
        return 0
    return len(nouns(tokens[: normed.index(verb)]))


_COPULA = frozenset({"is", "are", "was", "were", "means", "refers"})


@functools.lru_cache(maxsize=4_096)
def subject(text: str) -> frozenset[str]:
    """The stems of the noun phrase a clause opens with, up to its verb (cached).

    Empty when it opens with a pronoun or a preposition: such a clause names no subject.
    """
    tokens = words(text)
    if not tokens or tokens[0].lower() in NO_SUBJECT:
        return frozenset()
    subject: list[str] = []
    for w in tokens[:5]:
        low = w.lower()
        if low in _COPULA or (subject and _verb_like(w, text)):
            return frozenset(subject)
        if low not in STOPWORDS:
            subject.append(norm_token(w))
    return frozenset()


@functools.lru_cache(maxsize=4_096)
def _pairs(text: str) -> frozenset[tuple[str, str]]:
    """Each content word with the next one in its phrase, as a set (cached)."""
    return frozenset(_pairs_in_order(text))


def crossed(claim: str, others: list[str], sentence: str) -> bool:
    """The sentence says of this claim's subject what another claim says of its own: "Latency
    is how many requests the system completes per second" against "Latency is how long one
    request takes" and "Throughput is how many requests the system completes ...".

    Two subjects that differ ("data parallelism", "model parallelism"); a clause opening with
    this claim's own word for it and not the other's; two word pairs from the other claim's
    predicate and none from this claim's.
    """
    own = subject(claim)
    if not own:
        return False
    for other in others:
        theirs = subject(other)
        mine, their_own = own - theirs, theirs - own
        if not theirs or not mine or not their_own:
            continue
        names = mine | their_own
        only_theirs = _pairs(other) - _pairs(claim)
        only_mine = _pairs(claim) - _pairs(other)
        for clause in clause_parts(sentence):
            said = subject(clause)
            if not said & mine or said & their_own:
                continue
            # The words that tell the subjects apart say nothing of what each does.
            pairs = {pr for pr in _pairs(clause) if not names.intersection(pr)}
            if len(pairs & only_theirs) >= 2 and not pairs & only_mine:
                return True
    return False


# "A, not B" and "A rather than B": B is the alternative the sentence rejects.
_REJECTED = re.compile(
    r"^(?P<a>.+?)(?:,\s*(?:and\s+)?not|\s+(?:rather than|instead of))\s+(?P<b>[^,;:]+)", re.I
)


def rejected(claim: str, terms: dict[str, float], sentence: str) -> bool:
    """The sentence names the claim as the alternative it rejects: "DGX Station is a cloud
    service, not something you run at your desk" against "DGX Station is a deskside
    workstation that brings ... AI to a developer's desk".

    The rejected side states what the claim says of its subject (its subject left out), and the
    affirmed side states none of it: "TensorRT is for inference, not training" keeps the claim.
    """
    own = subject(claim)
    core = claim_core(claim)
    rest = {t: w for t, w in terms.items() if t not in own and t in set(stems(core))}
    if not rest:
        return False
    for clause in re.split(r"[;.!?]", sentence):
        m = _REJECTED.search(clause)
        if not m or negators([w.lower() for w in words(m["a"])]):
            continue
        in_a = set(matched_terms(rest, set(stems(m["a"]))))
        in_b = set(matched_terms(rest, set(stems(m["b"])))) - in_a
        if in_a or not in_b:
            continue
        # One word of the claim is enough in a short rejected phrase when the affirmed side
        # opens with the claim's own subject; otherwise the rejected side must restate a third
        # of it ("DGX Station is the workstation version, not a data-center box" leaves "DGX
        # systems scale AI from enterprise data centers to developer PCs" standing).
        if own and subject(m["a"]) == own and len(words(m["b"])) <= 6:
            return True
        if len(in_b) >= 2 and sum(rest[t] for t in in_b) >= sum(rest.values()) / 3:
            return True
    return False

